// A TCP proxy on 127.0.0.1 (port 0) in front of a mail server that holds the server's first bytes
// (its greeting) back for `holdMs`, and records, per connection, whether the client had written
// anything before the greeting was passed on: how a test sees an early EHLO (PIPECONNECT) from the
// outside, without trusting mailv's own transcript.
import { connect, createServer, type Socket } from 'node:net';

export interface ConnectionSeen {
  /** What the client wrote before the greeting reached it. */
  readonly beforeGreeting: string;
  /** The first line the client wrote at all. */
  readonly firstLine: string;
}

export interface GreetingWatchProxy {
  readonly port: number;
  /** One entry per connection, in order of arrival; filled as the connections go. */
  readonly connections: ConnectionSeen[];
  close(): Promise<void>;
}

export async function startGreetingWatchProxy(target: { readonly host: string; readonly port: number }, holdMs: number): Promise<GreetingWatchProxy> {
  const connections: ConnectionSeen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const seen = { beforeGreeting: '', firstLine: '' };
    connections.push(seen);
    let greeted = false;
    let written = '';
    client.on('data', (data: Buffer) => {
      written += data.toString('latin1');
      if (!greeted) seen.beforeGreeting = written;
      seen.firstLine = written.split('\r\n')[0] ?? '';
      upstream.write(data);
    });
    let first = true;
    upstream.on('data', (data: Buffer) => {
      if (!first) {
        client.write(data);
        return;
      }
      first = false;
      upstream.pause();
      setTimeout(() => {
        greeted = true;
        client.write(data);
        upstream.resume();
      }, holdMs);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', () => setTimeout(closeBoth, holdMs * 2));
    upstream.on('error', closeBoth).on('end', () => setTimeout(() => client.end(), holdMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
