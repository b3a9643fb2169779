// Finding the real Postfix the tests use (started by test/services/postfix.sh) and the messages
// it delivered to the Maildir of the local user `mailtest`.
import { type Socket, connect } from 'node:net';
import { greetingOf } from './greeting.js';
import { deliveredTo } from './maildir.js';
import { skipUnlessRunning } from './service.js';

export const POSTFIX = { host: '127.0.0.1', port: 25 };
export const MAILDIR_NEW = '/home/mailtest/Maildir/new';
export const LOCAL_RECIPIENT = 'mailtest@localhost';

/** The greeting of 127.0.0.1:25 when it is Postfix, else undefined. */
export function postfixGreeting(): Promise<string | undefined> {
  return greetingOf(POSTFIX.host, POSTFIX.port, /Postfix/);
}

/**
 * A connection from `localAddress`, open once the server greeted it (when anvil has counted it);
 * the caller destroys it.
 */
export function greetedConnection(server: { host: string; port: number }, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port, localAddress });
    socket.setTimeout(5000, () => socket.destroy(new Error(`no greeting from ${server.host}:${server.port} in 5 s`)));
    socket.once('error', reject);
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      if (chunk.toString('latin1').startsWith('220 ')) resolve(socket);
      else socket.destroy(new Error(`greeted with ${JSON.stringify(chunk.toString('latin1'))}`));
    });
  });
}

/**
 * How the suite runs without Postfix: in CI it must fail, so the reason is given as an error;
 * elsewhere it is skipped with the reason shown.
 */
export async function postfixSkipReason(): Promise<string | undefined> {
  return skipUnlessRunning((await postfixGreeting()) !== undefined, 'Postfix is not answering on 127.0.0.1:25', 'sudo test/services/postfix.sh start');
}

/** Postfix's ports whose anvil limits apply to loopback clients (test/services/postfix.sh). */
export const RATE_LIMITED = { host: '127.0.0.1', port: 10027, messagesAMinute: 10 };
export const COUNT_LIMITED = { host: '127.0.0.1', port: 10028, connections: 1 };

/** As postfixSkipReason(), for the limited ports. */
export async function limitedPortsSkipReason(): Promise<string | undefined> {
  const greeted = await Promise.all([RATE_LIMITED, COUNT_LIMITED].map(({ host, port }) => greetingOf(host, port, /Postfix/)));
  return skipUnlessRunning(
    greeted.every((greeting) => greeting !== undefined),
    'Postfix is not answering on its limited ports 127.0.0.1:10027 and 10028',
    'sudo test/services/postfix.sh start',
  );
}

/**
 * A client address of its own in 127.0.0.0/8 (anvil counts by client address, over a minute):
 * a run of the suite a moment after another does not meet the limits the first one used up.
 */
export function freshLoopbackAddress(): string {
  const byte = (from: number, to: number) => from + Math.floor(Math.random() * (to - from + 1));
  return `127.${byte(100, 199)}.${byte(0, 255)}.${byte(1, 254)}`;
}

/** Waits for the delivered message holding `marker` (a unique Message-ID); returns its bytes. */
export function deliveredMessage(marker: string, timeoutMs = 15_000): Promise<Buffer> {
  return deliveredTo(MAILDIR_NEW, marker, timeoutMs);
}

/** The message as mailv wrote it: what follows the headers Postfix prepends. */
export function withoutPostfixHeaders(delivered: Buffer, firstHeader: string): Buffer {
  const start = delivered.indexOf(`\n${firstHeader}`);
  if (start === -1) throw new Error(`no ${firstHeader} header in the delivered message`);
  return delivered.subarray(start + 1);
}
