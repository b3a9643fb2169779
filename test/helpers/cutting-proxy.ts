// A TCP proxy on 127.0.0.1 (port 0) in front of a mail server: it forwards both ways until the
// client has sent `afterOctets` octets of message content past its DATA or BDAT command, then cuts
// both connections, as a server that drops the line in the middle of a message. Plain SMTP only:
// after STARTTLS it could not see the commands.
import { connect, createServer, type Socket } from 'node:net';

export interface CuttingProxy {
  readonly port: number;
  /** True once a connection was cut in the middle of a message. */
  readonly cut: boolean;
  close(): Promise<void>;
}

const MESSAGE_COMMAND = /^(DATA|BDAT )/i;

export async function startCuttingProxy(target: { readonly host: string; readonly port: number }, afterOctets: number): Promise<CuttingProxy> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const cutBoth = () => {
      cut = true;
      client.destroy();
      upstream.destroy();
    };
    // Command lines are forwarded whole; a partial line waits here for its end.
    let pending = Buffer.alloc(0);
    let content: number | undefined;
    const forwardContent = (data: Buffer) => {
      const room = afterOctets - content!;
      upstream.write(data.subarray(0, room));
      content! += Math.min(room, data.length);
      if (content! >= afterOctets) cutBoth();
    };
    client.on('data', (chunk: Buffer) => {
      if (content !== undefined) return forwardContent(chunk);
      pending = Buffer.concat([pending, chunk]);
      let lineStart = 0;
      for (let end = pending.indexOf(10); end !== -1; end = pending.indexOf(10, lineStart)) {
        const line = pending.subarray(lineStart, end + 1);
        lineStart = end + 1;
        if (MESSAGE_COMMAND.test(line.toString('latin1'))) {
          upstream.write(pending.subarray(0, lineStart));
          content = 0;
          const rest = pending.subarray(lineStart);
          pending = Buffer.alloc(0);
          if (rest.length > 0) forwardContent(rest);
          return;
        }
      }
      upstream.write(pending.subarray(0, lineStart));
      pending = pending.subarray(lineStart);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => sockets.delete(from));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get cut() {
      return cut;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
