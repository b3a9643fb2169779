// qmail, which Debian does not package, as a double: an in-process scripted server on 127.0.0.1
// answering as qmail-smtpd (notqmail 1.09) answered on loopback, byte for byte. Every reply is
// copied from test/fixtures/qmail/qmail-smtpd-bytes.txt (reference/qmail/, named "bytes" below)
// unless its comment says otherwise. Messages are kept in memory, with the trace headers qmail prepends.
import { createServer, type Server, type Socket } from 'node:net';
import { serveScript, type Action, type Script } from '../scripted-server.js';
import { withoutPrependedFields } from '../trace-fields.js';
import type { MailServerUnderTest } from './server.js';

/** control/me of the recorded server. */
const ME = 'qmail.test';
/** What qmail puts before a message it delivers to a Maildir: qmail-local's two fields, qmail-smtpd's and qmail-queue's Received. */
const PREPENDED = ['return-path', 'delivered-to', 'received'];
/** control/rcpthosts of the recorded server: the domains it takes mail for. */
const RCPTHOSTS = ['qmail.test', 'localhost'];

// bytes, every session: the greeting and EHLO (PIPELINING and 8BITMIME only: no SIZE, STARTTLS, AUTH, CHUNKING).
const GREETING = `220 ${ME} ESMTP`;
const EHLO = `250-${ME}\r\n250-PIPELINING\r\n250 8BITMIME`;
// bytes, "HELO, SIZE parameter, unknown command".
const HELO = `250 ${ME}`;
// bytes, every MAIL and accepted RCPT; also NOOP (qmail-smtpd.c err_noop, the same words).
const OK = '250 ok';
// bytes, "relaying refused at RCPT".
const NOT_RCPTHOST = "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)";
// bytes, "relaying refused at RCPT".
const FLUSHED = '250 flushed';
// bytes, "an accepted message".
const GO_AHEAD = '354 go ahead';
// bytes, "a bare LF in the message": then the connection is closed, QUIT unanswered.
const BARE_LF = '451 See https://cr.yp.to/docs/smtplf.html.';
// bytes, "HELO, SIZE parameter, unknown command": BDAT, and any command qmail does not know.
const UNIMPLEMENTED = '502 unimplemented (#5.5.1)';
// bytes, "HELO, SIZE parameter, unknown command".
const VRFY = "252 send some mail, i'll try my best";
// bytes, every QUIT: the name alone, no code class text.
const BYE = `221 ${ME}`;
// Not in the recordings: qmail-smtpd.c err_wantmail and err_wantrcpt, word for word (notqmail's
// own tests expect them: RCPT or DATA before MAIL, DATA with no recipient accepted).
const MAIL_FIRST = '503 MAIL first (#5.5.1)';
const RCPT_FIRST = '503 RCPT first (#5.5.1)';

/** bytes, "an accepted message": `250 ok <n> qp <pid>`, n a time in seconds, pid qmail-queue's. */
function queued(pid: number): string {
  return `250 ok ${Math.floor(Date.now() / 1000)} qp ${pid}`;
}

export interface QmailMessage {
  readonly from: string;
  readonly recipients: readonly string[];
  /** As stored in a Maildir: qmail's trace headers, then the message unstuffed, with LF line ends. */
  readonly stored: Buffer;
}

export interface QmailDouble extends MailServerUnderTest {
  /** What each connection's client wrote, in order of connection. */
  sessions(): Buffer[];
  messages(): readonly QmailMessage[];
  /** The next message is refused as one holding a bare LF (451, then the connection dropped), whatever it holds. */
  refuseNextMessage(): void;
}

/** `<address>` of `MAIL FROM:` or `RCPT TO:`, as qmail-smtpd reads it (the angle brackets, else the rest). */
function addressOf(line: string): string {
  const argument = line.slice(line.indexOf(':') + 1).trim();
  const bracketed = /^<([^>]*)>/.exec(argument);
  return bracketed ? bracketed[1]! : argument.split(' ')[0]!;
}

function inRcpthosts(address: string): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return RCPTHOSTS.includes(domain);
}

/** The content as qmail-smtpd takes it: dot-stuffing undone; undefined when a line ends in a bare LF. */
function unstuffed(received: string): string | undefined {
  if (/(^|[^\r])\n/.test(received)) return undefined;
  return received.replace(/^\.\./gm, '.');
}

/** A fresh double: each test file's process gets the shared `qmail` below, a test needing its own state makes one. */
export function createQmailDouble(): QmailDouble {
  let server: Server | undefined;
  let port = 0;
  let nextPid = 4000;
  let refuseNext = false;
  const sockets = new Set<Socket>();
  const sessions: Buffer[][] = [];
  const stored: QmailMessage[] = [];
  const waiting = new Set<() => void>();

  /** One connection's state, as qmail-smtpd keeps it: the sender once MAIL was accepted, the recipients accepted. */
  function scriptForOneConnection(): Script {
    let helo = 'unknown';
    let from: string | undefined;
    let recipients: string[] = [];
    const reset = () => {
      from = undefined;
      recipients = [];
    };
    const deliver = (received: string): Action => {
      const content = unstuffed(received);
      const envelope = { from: from ?? '', recipients };
      reset();
      if (content === undefined || refuseNext) {
        refuseNext = false;
        return { raw: `${BARE_LF}\r\n`, close: true };
      }
      const pid = nextPid++;
      const trace = `Received: (qmail ${pid} invoked from network); ${new Date().toUTCString()}\nReceived: from unknown (HELO ${helo}) (127.0.0.1)\n  by ${ME} with SMTP; ${new Date().toUTCString()}\n`;
      for (const recipient of envelope.recipients) {
        const head = `Return-Path: <${envelope.from}>\nDelivered-To: ${recipient}\n`;
        stored.push({ ...envelope, recipients: [recipient], stored: Buffer.from(head + trace + content.replace(/\r\n/g, '\n'), 'latin1') });
      }
      for (const wake of waiting) wake();
      return queued(pid);
    };
    return {
      greeting: GREETING,
      noChunking: true,
      replies: {
        EHLO: (line) => {
          helo = line.slice(5).trim();
          reset();
          return EHLO;
        },
        HELO: (line) => {
          helo = line.slice(5).trim();
          reset();
          return HELO;
        },
        MAIL: (line) => {
          reset();
          from = addressOf(line);
          return OK;
        },
        RCPT: (line) => {
          if (from === undefined) return MAIL_FIRST;
          const recipient = addressOf(line);
          if (!inRcpthosts(recipient)) return NOT_RCPTHOST;
          recipients.push(recipient);
          return OK;
        },
        DATA: () => {
          if (from === undefined) return MAIL_FIRST;
          if (recipients.length === 0) return RCPT_FIRST;
          return GO_AHEAD;
        },
        '.': deliver,
        RSET: () => {
          reset();
          return FLUSHED;
        },
        NOOP: OK,
        VRFY,
        QUIT: { raw: `${BYE}\r\n`, close: true },
        BDAT: UNIMPLEMENTED,
        'BDAT LAST': UNIMPLEMENTED,
        '*': UNIMPLEMENTED,
      },
    };
  }

  const double: QmailDouble = {
    name: 'qmail (double)',
    version: async () => 'notqmail 1.09',
    host: '127.0.0.1',
    get port() {
      return port;
    },
    recipients: [`qmailuser@${RCPTHOSTS[0]}`, `postmaster@${RCPTHOSTS[1]}`],
    refused: 'someone@example.org',
    starttls: false,
    auth: undefined,
    sizeLimit: undefined,
    async delivered(recipient, marker, timeoutMs = 10_000) {
      const find = () => stored.find((message) => message.recipients.includes(recipient) && message.stored.includes(marker))?.stored;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`qmail double: no message holding ${marker} for ${recipient}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiting.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiting.add(wake);
        });
      }
    },
    // LF back to CRLF, and only that: the double stored CRLF as LF, so a CR before it was the client's.
    asSent: (message, firstHeader) =>
      Buffer.from(withoutPrependedFields(message, firstHeader, PREPENDED, 'qmail').toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
    skipReason: async () => undefined,
    async start() {
      if (server) return;
      const listening = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        const chunks: Buffer[] = [];
        sessions.push(chunks);
        serveScript(socket, scriptForOneConnection(), { chunks, commands: [] });
      });
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(0, '127.0.0.1', () => resolve());
      });
      server = listening;
      const address = listening.address();
      port = typeof address === 'object' && address ? address.port : 0;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    sessions: () => sessions.map((chunks) => Buffer.concat(chunks)),
    messages: () => stored,
    refuseNextMessage() {
      refuseNext = true;
    },
  };
  return double;
}

export const qmail: QmailDouble = createQmailDouble();
