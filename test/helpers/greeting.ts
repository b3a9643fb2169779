// The first line a mail server sends, for telling whether the server a test needs is the one
// answering on its port (the service helpers' skipReason()).
import { connect } from 'node:net';

/** The greeting of `host`:`port` when it matches `expected`, else undefined (nothing answers, or another server does). */
export function greetingOf(host: string, port: number, expected: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('data', (chunk: Buffer) => {
      socket.write('QUIT\r\n');
      const line = chunk.toString('latin1').split('\r\n')[0]!;
      done(expected.test(line) ? line : undefined);
    });
  });
}
