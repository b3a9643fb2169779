// The SMTP client's socket: connects with TCP_NODELAY, writes with back-pressure, and hands out
// replies one at a time, each with its own time limit. Only replies to commands actually sent are
// accepted, and only so many octets of them in all, so a hostile server can neither grow memory
// nor slip in a reply ahead of its command. The only place the session touches a socket.
import { connect, isIP, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { DnsError, InterruptedError, MailvError, ProtocolError, TlsError, TransportError, type Stage } from '../errors.js';
import { Redactor } from './redact.js';
import { ReplyReader, ReplySyntaxError, type Reply } from './reply.js';

/**
 * What a server may send in all over one session. Replies owed to a pipelined flight wait unread
 * while the message goes out, and those of the transaction are kept to report each recipient: a
 * server answering every command with the longest reply the reader takes (512 lines of 8 KiB)
 * would otherwise hold 4 MiB per recipient and per BDAT chunk. Honest servers send a few KiB; a
 * thousand recipients with verbose refusals, a few hundred.
 */
export const MAX_SESSION_REPLY_OCTETS = 1024 * 1024;

export class SmtpConnection {
  private readonly redactor = new Redactor();
  private reader = this.newReader();
  private readonly replies: Reply[] = [];
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Replies owed by the server: the greeting, then one per command written. */
  private owed = 1;
  /** SMTP octets each way (inside TLS, before encryption). */
  bytesSent = 0;
  bytesReceived = 0;

  private constructor(
    private socket: Socket,
    readonly host: string,
    signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', () => this.interrupt(signal.reason as NodeJS.Signals), { once: true });
    this.listen(socket);
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      this.fail(new Error('connection closed by the server'));
    });
  }

  /** What the TLS handshake gave; undefined while the connection is in plaintext. */
  tls: TlsDetails | undefined;

  /**
   * Starts TLS: after `220` to STARTTLS (RFC 3207), or at once for implicit TLS (RFC 8314).
   * Anything the server sent before the handshake is an injection attempt (CVE-2011-0411):
   * ProtocolError. The certificate is checked against Node's CA list and `extraCa`, and
   * reported, never enforced here. Throws TlsError when the handshake fails.
   */
  async startTls(servername: string, timeoutMs: number, extraCa?: readonly Buffer[]): Promise<TlsDetails> {
    this.throwIfFailed('starttls'); // a whole reply after the 220 has already failed the connection
    if (this.reader.hasPartial || this.replies.length > 0) {
      throw new ProtocolError('the server sent more after its 220 to STARTTLS: a response injection (CVE-2011-0411)', 'starttls');
    }
    const { connect: tlsConnect, createSecureContext } = await import('node:tls');
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({
      socket: plain,
      host: servername,
      servername: isIP(servername) ? undefined : servername,
      secureContext: extraCa && extraCa.length > 0 ? withExtraCa(createSecureContext(), extraCa) : undefined,
      rejectUnauthorized: false,
    });
    let onClose = () => {};
    await new Promise<void>((resolve, reject) => {
      onClose = () => fail(new Error('connection closed during the handshake'));
      const timer = setTimeout(() => fail(new Error(`no handshake within ${timeoutMs / 1000} s`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        secure.destroy();
        if (this.failure instanceof InterruptedError) return reject(new InterruptedError(this.failure.signal, 'starttls'));
        // OpenSSL's messages can span lines: one line is what the transcript shows.
        // OpenSSL's `…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:`
        // says one thing a user needs: the reason.
        const reason = (/SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? error.message).replace(/\s+/g, ' ').trim();
        reject(new TlsError(`TLS handshake with ${servername} failed: ${reason}`, 'starttls'));
      };
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.off('error', fail);
        resolve();
      });
      secure.once('error', fail);
      secure.once('close', onClose);
    });
    secure.off('close', onClose);
    this.socket = secure;
    this.reader = this.newReader();
    this.listen(secure);
    const certificate = secure.getPeerCertificate();
    return (this.tls = {
      protocol: secure.getProtocol() ?? 'unknown',
      cipher: secure.getCipher()?.name ?? 'unknown',
      subject: distinguishedName(certificate.subject),
      issuer: distinguishedName(certificate.issuer),
      validFrom: certificate.valid_from ?? '',
      validTo: certificate.valid_to ?? '',
      verified: secure.authorized,
      problem: secure.authorized ? undefined : describeCertificateProblem(String(secure.authorizationError ?? 'unknown'), certificate.subjectaltname),
    });
  }

  /**
   * Opens a TCP connection; `signal` aborting (with the signal's name as reason) ends it at once.
   * Throws DnsError, TransportError or InterruptedError.
   */
  static open(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      // Nagle would hold each pipelined group back until the previous ACK: a 40 ms stall per step.
      const socket = connect({ host, port, noDelay: true });
      const settle = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!error) return;
        socket.destroy();
        reject(error);
      };
      const onAbort = () => settle(new InterruptedError(signal!.reason as NodeJS.Signals, 'connect'));
      const timer = setTimeout(
        () => settle(new TransportError(`timed out after ${timeoutMs / 1000} s connecting to ${host} port ${port}`, 'connect')),
        timeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        settle();
        socket.removeAllListeners('error');
        resolve(new SmtpConnection(socket, host, signal));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => settle(connectError(error, host, port)));
    });
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.host;
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  /**
   * Writes bytes holding `commands` commands (0 for message content), waiting while the socket's
   * buffer is full; with `untilTaken`, until the socket has taken every octet, so the caller may
   * reuse the memory. Throws TransportError.
   */
  async write(data: Buffer | string | readonly Buffer[], commands: number, stage: Stage, timeoutMs: number, untilTaken = false): Promise<void> {
    this.throwIfFailed(stage);
    this.owed += commands;
    const pieces = typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
    let taken = false;
    const onTaken = (error?: Error | null) => {
      if (!error) taken = true;
      this.wake();
    };
    // Pieces written corked leave in one writev: one segment train, and no copy to join them.
    if (pieces.length > 1) this.socket.cork();
    for (const [index, piece] of pieces.entries()) {
      this.bytesSent += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
      this.socket.write(piece, index === pieces.length - 1 && untilTaken ? onTaken : undefined);
    }
    if (pieces.length > 1) this.socket.uncork();
    if (untilTaken) return this.waitFor(() => taken, stage, timeoutMs, 'sending data');
    if (!this.socket.writableNeedDrain) return;
    await this.waitFor(() => this.socket.writableNeedDrain === false, stage, timeoutMs, 'sending data', 'drain');
  }

  /** The next reply, in order. Throws TransportError (closed, timeout) or ProtocolError. */
  async readReply(stage: Stage, timeoutMs: number): Promise<Reply> {
    await this.waitFor(() => this.replies.length > 0, stage, timeoutMs, 'waiting for the reply');
    return this.replies.shift()!;
  }

  /** Masks `secret` in every reply from now to the end of the session: call it before sending the secret. */
  hide(secret: string): void {
    this.redactor.hide(secret);
  }

  private newReader(): ReplyReader {
    return new ReplyReader((text) => this.redactor.text(text));
  }

  /** Releases the socket. */
  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    try {
      if (this.bytesReceived > MAX_SESSION_REPLY_OCTETS) {
        throw new ReplySyntaxError(`the server sent more than ${MAX_SESSION_REPLY_OCTETS / (1024 * 1024)} MiB of replies`);
      }
      for (const reply of this.reader.push(chunk)) {
        if (this.owed === 0) throw unsolicited(reply);
        this.owed--;
        this.replies.push(reply);
      }
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
    this.wake();
  }

  private interrupt(signal: NodeJS.Signals): void {
    this.fail(new InterruptedError(signal, 'connect'));
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private waitFor(ready: () => boolean, stage: Stage, timeoutMs: number, doing: string, socketEvent?: 'drain'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) return finish(undefined);
        try {
          this.throwIfFailed(stage);
        } catch (error) {
          return finish(error as Error);
        }
        this.waiter = check;
      };
      const onDrain = () => check();
      const timer = setTimeout(
        () => finish(new TransportError(`timed out after ${timeoutMs / 1000} s ${doing} (${stage})`, stage)),
        timeoutMs,
      );
      const finish = (error: Error | undefined) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (socketEvent) this.socket.off(socketEvent, onDrain);
        if (error) reject(error);
        else resolve();
      };
      if (socketEvent) this.socket.on(socketEvent, onDrain);
      check();
    });
  }

  private throwIfFailed(stage: Stage): void {
    const failure = this.failure;
    if (!failure) return;
    if (failure instanceof InterruptedError) throw new InterruptedError(failure.signal, stage);
    if (failure instanceof MailvError) throw failure;
    if (failure instanceof ReplySyntaxError) throw new ProtocolError(`protocol error during ${stage}: ${failure.message}`, stage);
    const code = (failure as NodeJS.ErrnoException).code;
    const what = code === 'ECONNRESET' ? 'connection reset by the server' : failure.message;
    const partial = this.closed && this.reader.hasPartial ? ' (in the middle of a reply)' : '';
    throw new TransportError(`${what} during ${stage}${partial}`, stage);
  }
}

/**
 * The default trust (Node's CA list, NODE_EXTRA_CA_CERTS) plus `extraCa`: added, not instead, so
 * --ca never makes another certificate fail.
 */
function withExtraCa(context: SecureContext, extraCa: readonly Buffer[]): SecureContext {
  const native = (context as SecureContext & { context: { addCACert(pem: Buffer): void } }).context;
  for (const pem of extraCa) native.addCACert(pem);
  return context;
}

/** What a TLS handshake gave, for the transcript. */
export interface TlsDetails {
  readonly protocol: string;
  readonly cipher: string;
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly verified: boolean;
  /** Why the certificate is not verified, in words: self-signed, expired, name mismatch, unknown CA. */
  readonly problem: string | undefined;
}

function distinguishedName(name: Readonly<Record<string, string | string[] | undefined>> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed CA in the chain',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'name mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown CA',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown CA',
};

function describeCertificateProblem(code: string, altNames: string | undefined): string {
  const problem = CERTIFICATE_PROBLEMS[code] ?? code;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && altNames) return `${problem}: the certificate is for ${altNames}`;
  return problem;
}

/** A reply no command asked for; 421 is the server giving up (RFC 5321 §3.8), anything else a fault. */
function unsolicited(reply: Reply): Error {
  const text = reply.raw.join(' ');
  if (reply.code === 421) return new TransportError(`the server closed the session: ${text}`, 'connect');
  return new ReplySyntaxError(`reply received before any command asked for it: ${JSON.stringify(text.slice(0, 60))}`);
}

function connectError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host} port ${port}`;
  switch (error.code) {
    case 'ENOTFOUND':
      return new DnsError({ code: 'MAILV_HOST_NOT_FOUND', host }, 'no-such-domain');
    case 'EAI_AGAIN':
      return new DnsError({ code: 'MAILV_HOST_LOOKUP_FAILED', host }, 'lookup-failed');
    case 'ECONNREFUSED':
      return new TransportError(`connection refused by ${where}`, 'connect');
    default:
      return new TransportError(`cannot connect to ${where}: ${error.message}`, 'connect');
  }
}
