// The embedded server behind --demo: smtp-server on 127.0.0.1 at a free port, keeping what it
// receives so mailv can show the message as it arrived. Loaded only when --demo asks for it.
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { domainToASCII } from 'node:url';

export interface ReceivedMessage {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly data: Buffer;
}

export interface DemoServer {
  readonly port: number;
  readonly received: ReceivedMessage[];
  close(): Promise<void>;
}

/** The demo refuses these local parts, to show how a refused recipient looks. */
const UNKNOWN_USERS = new Set(['nobody', 'unknown', 'nosuchuser']);
/** Advertised SIZE limit. */
const SIZE_LIMIT = 25 * 1024 * 1024;

/**
 * With `auth`, the demo offers AUTH PLAIN LOGIN and takes any password: on loopback, to show the
 * exchange (try --show-secrets), never to check anything.
 */
export async function startDemoServer(hostname: string, auth = false): Promise<DemoServer> {
  const received: ReceivedMessage[] = [];
  const server = new SMTPServer({
    name: hostname,
    banner: 'mailv demo server',
    size: SIZE_LIMIT,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: true,
    authOptional: true,
    disabledCommands: auth ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    onAuth(credentials, _session, callback) {
      callback(null, { user: credentials.username });
    },
    logger: false,
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const local = address.address.slice(0, address.address.lastIndexOf('@')).toLowerCase();
      if (UNKNOWN_USERS.has(local)) {
        const error = Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 });
        return callback(error);
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? asReceived(envelope.mailFrom.address) : '',
          recipients: envelope.rcptTo.map((rcpt) => asReceived(rcpt.address)),
          data: Buffer.concat(chunks),
        });
        callback(null, `Ok: queued as DEMO${received.length}`);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // smtp-server reports a client's socket errors here; the client's own side reports them better.
  server.on('error', () => {});
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An address as it came on the wire: smtp-server gives its domain in Unicode, where mailv sends
 * an international domain's A-labels (xn--) whatever the local part, so that the demo's printout
 * shows what its dialogue shows.
 */
function asReceived(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || address[at + 1] === '[') return address;
  const domain = address.slice(at + 1);
  return /^[\x00-\x7f]*$/.test(domain) ? address : `${address.slice(0, at)}@${domainToASCII(domain) || domain}`;
}
