// An in-process smtp-server on 127.0.0.1 that keeps each message's envelope and exact bytes.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface SinkMessage {
  readonly from: string;
  readonly mailArgs: Record<string, unknown>;
  readonly recipients: string[];
  readonly data: Buffer;
  /** It came over TLS. */
  readonly secure: boolean;
}

export interface SmtpSink {
  readonly port: number;
  readonly messages: SinkMessage[];
  close(): Promise<void>;
}

/** Starts a sink; `refuse` names local parts refused with 550 5.1.1. */
export async function startSink(options: Partial<SMTPServerOptions> & { refuse?: string[]; host?: string; port?: number } = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const { refuse = [], host = '127.0.0.1', port: wantedPort = 0, ...serverOptions } = options;
  const server = new SMTPServer({
    name: 'sink.test',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideENHANCEDSTATUSCODES: false,
    logger: false,
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0]!;
      if (refuse.includes(local)) {
        return callback(Object.assign(new Error(`<${address.address}>: User unknown`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          mailArgs: (mailFrom ? (mailFrom.args as Record<string, unknown>) : {}) ?? {},
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks),
          secure: session.secure,
        });
        callback(null, `Ok: queued as SINK${messages.length}`);
      });
    },
    ...serverOptions,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => resolve());
  });
  // A client's failure is the client's to report (a handshake it broke off, a certificate it withheld):
  // smtp-server emits it here, where nobody listening would end the test process.
  server.on('error', () => {});
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
