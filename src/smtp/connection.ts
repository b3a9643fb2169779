// The SMTP client's byte stream: writes with back-pressure, and hands out replies one at a time,
// each with its own time limit. Only replies to commands actually sent are accepted, and only so
// many octets of them in all, so a hostile server can neither grow memory nor slip in a reply
// ahead of its command. It runs over any duplex stream (a socket, TLS, an in-memory pair in
// tests); open() makes the TCP connection, with TCP_NODELAY.
import { readSync } from 'node:fs';
import { connect, isIP, type Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { DnsError, InterruptedError, type MailvError, ProtocolError, TlsError, TransportError, type Stage, type TransportReason } from '../errors.js';
import type { CertificateProblem, HandshakeFailure } from './facts.js';
import { clientCertificateOutcome, type ClientCertificateOutcome } from './client-certificate.js';
import { certificateNames } from './certificate-names.js';
import { distinguishedName } from './distinguished-name.js';
import { Redactor, type SecretKind } from './redact.js';
import { ReplyReader, ReplySyntaxError, type Reply } from './reply.js';
import type { InterruptSignal } from '../interruption.js';
import { monotonicMs } from './monotonic.js';
import type { PlayedDialogue } from './played.js';
import { tlsSetupFor, type TlsSetup, trustWhenNotResumed } from './tls-setup.js';

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
  /** Why the stream can no longer be used; turned into a typed error for the stage that meets it. */
  private failure: Failure | undefined;
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Replies owed by the server: the greeting, then one per command written. */
  private owed = 1;
  /** SMTP octets each way (inside TLS, before encryption). */
  bytesSent = 0;
  bytesReceived = 0;
  /** Reply octets counted against MAX_SESSION_REPLY_OCTETS: since the start, or the last renewReplyBudget(). */
  private replyOctets = 0;
  /** Set by the load mode: every write and every reply taken is written down here (see Recording). */
  recording: Recording | undefined;
  /** A dialogue begun before this connection took the socket over (adopt()): what of it is yet to be read again. */
  private played: PlayedDialogue | undefined;
  private playedAt = 0;
  /** On a connection that took a played dialogue over: when each of its replies came, until taken. */
  private playedArrivals: Map<Reply, number> | undefined;
  /** When the chunk being read again came; undefined while reading the socket. */
  private readAt: number | undefined;
  /**
   * While a played dialogue is read again, when the reply taken last came (on the clock its reads
   * were timed by), so that what is timed from the replies (the greeting, a transaction) is as it
   * happened; undefined once the replies taken are the socket's own.
   */
  replayedAt: number | undefined;
  /** The reply the played dialogue waited for is overdue: the first wait for a reply ends at once. */
  private overdue = false;

  /**
   * Takes over an open stream to `host`: a connected socket, or any duplex stream of bytes to a
   * server. `signal` aborting (with the signal's name as reason) ends it at once.
   */
  constructor(
    private socket: Duplex,
    readonly host: string,
    signal?: InterruptSignal,
    /** A unix-domain socket: both ends on this machine, as over loopback. */
    readonly unixSocket = false,
    /** Set when the socket was opened to read into READ_BUFFER: its reads come through it, not as 'data'. */
    private readonly reads?: ReadRelay,
  ) {
    const onAbort = () => this.live(() => this.interrupt(signal!.reason as NodeJS.Signals));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Released with the socket: a load run opens thousands of connections under one signal.
    this.stopListening = () => signal?.removeEventListener('abort', onAbort);
    this.listen(socket, reads);
  }

  private readonly stopListening: () => void;

  private listen(socket: Duplex, reads?: ReadRelay): void {
    if (reads === undefined) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    else
      reads.to = (bytes, length) => {
        const chunk = bytes.subarray(0, length);
        if (this.played === undefined) this.onData(chunk);
        else this.live(() => this.onData(chunk), chunk);
      };
    socket.on('error', (error: NodeJS.ErrnoException) => this.live(() => this.fail({ kind: 'errno', errno: error.code })));
    socket.on('close', () =>
      this.live(() => {
        this.closed = true;
        this.fail({ kind: 'closed' });
      }),
    );
  }

  /**
   * What the socket brings (a read, an error, its close, a signal): at once, or once a played
   * dialogue has been read again whole, since it all came after. `chunk`: a read's, copied if held.
   */
  private live(event: () => void, chunk?: Buffer): void {
    if (this.played === undefined) event();
    else if (chunk === undefined) this.heldWhilePlayed.push(event);
    else {
      const copy = Buffer.from(chunk);
      this.heldWhilePlayed.push(() => this.onData(copy));
    }
  }

  private readonly heldWhilePlayed: (() => void)[] = [];

  /** What the TLS handshake gave; undefined while the connection is in plaintext. */
  tls: TlsDetails | undefined;

  /**
   * Starts TLS: after `220` to STARTTLS (RFC 3207), or at once for implicit TLS (RFC 8314).
   * Anything the server sent before the handshake is an injection attempt (CVE-2011-0411):
   * ProtocolError. The certificate is checked against Node's CA list and `extraCa`, and
   * reported, never enforced here. Throws TlsError when the handshake fails.
   * With `resumption`, a session kept from an earlier verified handshake is offered, and the
   * sessions the server gives after a verified handshake are handed to it to keep.
   */
  async startTls(servername: string, timeoutMs: number, trust: TlsTrust = {}, resumption?: TlsResumption, nameGiven = false): Promise<TlsDetails> {
    const { tlsConnect, secureContext, checkServerIdentity, trustAll } = await this.prepareTls(trust, resumption);
    // Anything after the 220 is in the clear where TLS should be: a line cut short, a reply no
    // command asked for (which already failed the connection, a 421 too), a malformed one. STARTTLS was the
    // last command, its 220 read: a failure of the stream now came after it. Checked once the TLS
    // context is ready, so that what came while it was made is seen too.
    if (this.failure?.kind === 'syntax' || this.failure?.kind === 'closing' || this.reader.hasPartial || this.replies.length > 0) {
      throw new ProtocolError({ code: 'MAILV_STARTTLS_INJECTION' }, 'starttls');
    }
    this.throwIfFailed('starttls');
    const plain = this.socket;
    plain.removeAllListeners('data');
    if (this.reads !== undefined) this.reads.to = undefined;
    plain.removeAllListeners('close');
    const secure = tlsConnect({
      socket: plain,
      host: servername,
      // No SNI for an address, nor for a socket's path (no name, and none of the server's business);
      // a name given for the socket's server (`nameGiven`: --tls-name) goes.
      servername: isIP(servername) || (this.unixSocket && !nameGiven) ? undefined : servername,
      secureContext,
      checkServerIdentity,
      // The certificate is judged by the session, after the handshake, except when a client
      // certificate goes with it: then an unverified server never gets to see it (as no password
      // goes to one), unless --insecure says any will do.
      rejectUnauthorized: trust.identity !== undefined && trust.insecure !== true,
      session: resumption?.stored?.session,
    });
    const trusted = trustAll === undefined ? undefined : trustWhenNotResumed(secure, trustAll);
    // TLS 1.2 gives its ticket before the handshake ends, TLS 1.3 after: the latest one is kept
    // once the certificate is known to be verified.
    let offered: Buffer | undefined;
    secure.on('session', (session: Buffer) => {
      offered = session;
      if (this.tls?.verified) resumption?.keep({ session, certificate: this.tls });
    });
    const handshakeStarted = monotonicMs();
    let onClose = () => {};
    await new Promise<void>((resolve, reject) => {
      onClose = () => fail({ kind: 'closed' });
      const timer = setTimeout(() => fail({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
      const fail = (failure: HandshakeFailure) => {
        clearTimeout(timer);
        secure.destroy();
        if (this.failure?.kind === 'interrupted') return reject(new InterruptedError(this.failure.signal, 'starttls'));
        reject(new TlsError({ code: 'MAILV_TLS_HANDSHAKE', host: servername, failure, hint: undefined }, 'starttls'));
      };
      const onError = (error: Error) => fail(handshakeFailure(error, trust.identity !== undefined, caGivenIn(trust)));
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.off('error', onError);
        resolve();
      });
      secure.once('error', onError);
      secure.once('close', onClose);
    });
    secure.off('close', onClose);
    // TLS 1.3: the server judges the client's certificate after the client's handshake is done, so
    // its refusal (an alert) comes later, maybe while the first ticket is awaited: kept here, it is
    // the handshake's failure, not an error event nobody listens to.
    let refusedLate: Error | undefined;
    const onLateError = (error: Error) => {
      refusedLate ??= error;
    };
    secure.on('error', onLateError);
    const resumed = secure.isSessionReused();
    // A certificate judged before the store was made would read as of an unknown CA: never reported.
    if (trusted !== undefined && !resumed && !trusted.inTime) {
      secure.destroy();
      throw trusted.failure ?? new Error('MAILV_TLS_TRUST_LATE');
    }
    // Read while the socket is open: once closed, it has no peer certificate to give.
    const caGiven = caGivenIn(trust);
    const details =
      resumed && resumption?.stored
        ? resumedDetails(secure, resumption.stored)
        : fullHandshakeDetails(secure, trust.identity !== undefined, caGiven, trust.withheld === true);
    if (!resumed && offered === undefined && secure.getProtocol() === 'TLSv1.3') {
      await firstTicket(secure, Math.min(TICKET_WAIT_MS, monotonicMs() - handshakeStarted + 5));
    }
    if (refusedLate !== undefined) {
      secure.destroy();
      throw new TlsError(
        {
          code: 'MAILV_TLS_HANDSHAKE',
          host: servername,
          failure: handshakeFailure(refusedLate, trust.identity !== undefined, caGivenIn(trust)),
          hint: undefined,
        },
        'starttls',
      );
    }
    // A server that hangs up right after the handshake (or while the ticket was awaited).
    if (secure.destroyed) {
      if (this.failure?.kind === 'interrupted') throw new InterruptedError(this.failure.signal, 'starttls');
      throw new TransportError({ code: 'MAILV_CONNECTION_LOST', stage: 'starttls', reason: 'closed', errno: undefined, midReply: false }, 'starttls', 'closed');
    }
    this.socket = secure;
    this.reader = this.newReader();
    this.listen(secure);
    secure.off('error', onLateError);
    this.tls = details;
    if (offered !== undefined && this.tls.verified) resumption?.keep({ session: offered, certificate: this.tls });
    return this.tls;
  }

  private tlsSetup: Promise<TlsSetup> | undefined;

  /**
   * Loads node:tls and makes the context that trusts `extraCa` and presents `identity`, once:
   * called while the session waits for the server (its greeting, its 220 to STARTTLS), that work is
   * done before the handshake needs it instead of after. A failure is met by startTls(), not here.
   * When `resumption` offers a TLS 1.3 session, the context trusts no CA until the handshake shows
   * the session was not resumed (see tlsSetupFor).
   */
  prepareTls(trust: TlsTrust = {}, resumption?: TlsResumption): Promise<TlsSetup> {
    this.tlsSetup ??= tlsSetupFor(trust, resumption?.stored);
    return this.tlsSetup;
  }

  /**
   * Opens a TCP connection; `signal` aborting (with the signal's name as reason) ends it at once.
   * Throws DnsError, TransportError (refused, unreachable, timeout) or InterruptedError.
   */
  static open(host: string, port: number, timeoutMs: number, signal?: InterruptSignal, local: LocalEnd = {}): Promise<SmtpConnection> {
    const reads = new ReadRelay();
    return new Promise((resolve, reject) =>
      SmtpConnection.connectThen(
        host,
        port,
        timeoutMs,
        signal,
        local,
        reads,
        (socket) => resolve(new SmtpConnection(socket, host, signal, false, reads)),
        reject,
      ),
    );
  }

  /**
   * Takes over a socket on which a dialogue was begun without a session (see PlayedDialogue): what
   * was read is read again, and the first writes asked of it, the ones already made, are not made
   * again. Its reads come through `reads`, as open() makes them.
   */
  static adopt(socket: Socket, host: string, signal: InterruptSignal | undefined, reads: ReadRelay, dialogue: PlayedDialogue): SmtpConnection {
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    const connection = new SmtpConnection(socket, host, signal, false, reads);
    connection.played = dialogue;
    connection.playedArrivals = new Map();
    connection.readPlayed();
    return connection;
  }

  /**
   * Connects as open() does, without a promise (the load mode's express lane makes one a message
   * for all it does): `connected` is called with the socket in its own connect event, so that what
   * it attaches misses nothing, `failed` with what open() would throw. Reads go through `reads`.
   */
  static connectThen(
    host: string,
    port: number,
    timeoutMs: number,
    signal: InterruptSignal | undefined,
    local: LocalEnd,
    reads: ReadRelay,
    connected: (socket: Socket) => void,
    failed: (error: Error) => void,
  ): void {
    // Nagle would hold each pipelined group back until the previous ACK: a 40 ms stall per step.
    // Under -4 or -6, one lookup of every address tells "no such host" from "none of this family".
    const seen: LookupSeen = { otherFamily: false };
    const lookup = local.family === undefined ? {} : { lookup: familyLookup(local.family, seen) };
    const open = () =>
      connect({
        host,
        port,
        noDelay: true,
        family: local.family,
        localAddress: local.address,
        ...lookup,
        onread: { buffer: READ_BUFFER, callback: reads.callback },
      });
    SmtpConnection.whenConnectedThen(open, host, port, timeoutMs, signal, connected, failed, local, seen);
  }

  /** Connects to a unix-domain socket at `path`; failures name the path as the host, with port 0. */
  static openSocket(path: string, timeoutMs: number, signal?: InterruptSignal): Promise<SmtpConnection> {
    return new Promise((resolve, reject) =>
      SmtpConnection.whenConnectedThen(
        () => connect({ path }),
        path,
        0,
        timeoutMs,
        signal,
        (socket) => resolve(new SmtpConnection(socket, path, signal, true)),
        reject,
      ),
    );
  }

  private static whenConnectedThen(
    open: () => Socket,
    host: string,
    port: number,
    timeoutMs: number,
    signal: InterruptSignal | undefined,
    connected: (socket: Socket) => void,
    failed: (error: Error) => void,
    local: LocalEnd = {},
    seen: LookupSeen = { otherFamily: false },
  ): void {
    const socket = open();
    const settle = (error?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!error) return;
      socket.destroy();
      failed(error);
    };
    const onAbort = () => settle(new InterruptedError(signal!.reason as NodeJS.Signals, 'connect'));
    const timer = setTimeout(
      () => settle(new TransportError({ code: 'MAILV_CONNECT_FAILED', host, port, reason: 'timeout', errno: undefined, ms: timeoutMs }, 'connect', 'timeout')),
      timeoutMs,
    );
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (error: NodeJS.ErrnoException) =>
      settle(connectError(error.code, host, port, { ...local, family: seen.otherFamily ? local.family : undefined }));
    socket.once('connect', () => {
      settle();
      socket.removeListener('error', onError);
      connected(socket);
    });
    socket.on('error', onError);
  }

  /**
   * LMTP (RFC 2033 §4.2): the end of the message is answered once per accepted recipient, so
   * `more` replies beyond the one counted for it are owed.
   */
  expectMore(more: number): void {
    this.owed += more;
  }

  /** The stream can no longer be used: closed, reset, a 421 nobody asked for, a fault, a signal. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * What the server sent of a reply mailv could not take, as received (secrets masked): one that
   * broke the grammar or came unasked, or the lines of one cut short by a hang-up or a time limit.
   */
  unreadLines(): readonly string[] {
    if (this.failure?.kind === 'syntax') return this.failure.error.received;
    return this.reader.unfinishedLines();
  }

  /** The 421 the server closed the session with while nothing was asked of it, if that is what ended it. */
  get closedWith(): Reply | undefined {
    return this.failure?.kind === 'closing' ? this.failure.reply : undefined;
  }

  /** The peer's address when the stream is a socket; the host's name otherwise. */
  get remoteAddress(): string {
    return (this.socket as Partial<Socket>).remoteAddress ?? this.host;
  }

  get remotePort(): number {
    return (this.socket as Partial<Socket>).remotePort ?? 0;
  }

  /**
   * Writes bytes holding `commands` commands (0 for message content), waiting while the socket's
   * buffer is full; with `untilTaken`, until the socket has taken every octet, so the caller may
   * reuse the memory. Throws TransportError. Nothing to wait for (undefined) when the socket took
   * it all at once: a load run writes once a message.
   */
  write(data: Buffer | string | readonly Buffer[], commands: number, stage: Stage, timeoutMs: number, untilTaken = false): Promise<unknown> | undefined {
    const pieces = typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
    if (this.played !== undefined) return this.writePlayed(pieces, commands, stage, timeoutMs, untilTaken);
    this.throwIfFailed(stage);
    this.owed += commands;
    // A copy: the pieces of a message may be lent, and their memory used again once taken.
    this.recording?.writes.push({ bytes: Buffer.concat(pieces.map(asBuffer)), commands, stage, after: this.recording.replies.length });
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
    // Refused by the kernel before any of it left (the server had closed), or held behind a write
    // that was: none of it reaches the server.
    this.lastWriteRefused = this.socket.errored !== null;
    if (this.lastWriteRefused) {
      // Its commands never reached the server: none is owed a reply, and what is read now answers
      // only those before it (a line beyond them is unsolicited, as it would have been).
      this.owed -= commands;
      this.readLeftBehind();
    }
    if (untilTaken) return this.waitFor(() => taken || undefined, stage, timeoutMs, 'send');
    return this.drained(stage, timeoutMs);
  }

  private drained(stage: Stage, timeoutMs: number): Promise<unknown> | undefined {
    if (!this.socket.writableNeedDrain) return undefined;
    return this.waitFor(() => !this.socket.writableNeedDrain || undefined, stage, timeoutMs, 'send', 'drain');
  }

  /**
   * A write of a played dialogue taken over (adopt()): made already, it is not made again, but
   * counts as if it were: the replies it is owed, whether the kernel refused it, what was read after
   * it. The session must ask for the same octets: anything else is a fault of mailv's own.
   */
  private writePlayed(
    pieces: readonly (Buffer | string)[],
    commands: number,
    stage: Stage,
    timeoutMs: number,
    untilTaken: boolean,
  ): Promise<unknown> | undefined {
    const write = this.played!.events[this.playedAt];
    if (write?.kind !== 'write' || !joined(pieces).equals(write.bytes)) throw new Error('MAILV_PLAYED_WRITE_DIFFERS');
    this.playedAt++;
    this.owed += commands;
    this.bytesSent += write.bytes.length;
    this.lastWriteRefused = write.refused;
    if (write.refused) this.owed -= commands;
    this.readPlayed();
    if (untilTaken && !write.taken) {
      write.onTaken = () => this.wake();
      return this.waitFor(() => write.taken || undefined, stage, timeoutMs, 'send');
    }
    // Only the write after which the socket's buffer was full waited for it to drain: the last made.
    return write.needsDrain ? this.drained(stage, timeoutMs) : undefined;
  }

  /** What a played dialogue read, up to its next write; at its end, how it ended. */
  private readPlayed(): void {
    const dialogue = this.played!;
    for (let event = dialogue.events[this.playedAt]; event?.kind === 'read'; event = dialogue.events[++this.playedAt]) {
      this.readAt = event.at;
      // A failure closes the socket: nothing read after it was ever read.
      if (this.failure === undefined) this.onData(event.chunk);
    }
    this.readAt = undefined;
    if (this.playedAt < dialogue.events.length) return;
    this.played = undefined;
    const end = dialogue.end;
    if (end?.kind === 'overdue') this.overdue = true;
    else if (end?.kind === 'interrupted') this.interrupt(end.signal);
    else if (end?.kind === 'closed') {
      if (end.errno !== undefined) this.fail({ kind: 'errno', errno: end.errno });
      this.closed = true;
      this.fail({ kind: 'closed' });
    }
    for (const event of this.heldWhilePlayed.splice(0)) event();
  }

  /** A reply taken for `stage`: written down, and the time a played one came kept (see replayedAt). */
  private noteTaken(reply: Reply | undefined, stage: Stage): Reply | undefined {
    if (reply === undefined) return undefined;
    this.recording?.replies.push({ stage, reply });
    this.replayedAt = this.playedArrivals?.get(reply);
    this.playedArrivals?.delete(reply);
    return reply;
  }

  /** A played dialogue is still read again: it went further than the session has yet. */
  get replaying(): boolean {
    return this.played !== undefined;
  }

  /** None of what the last write() was given will reach the server (see there). */
  lastWriteRefused = false;

  /** The next reply if it has already arrived; undefined otherwise (then readReply() waits for it). */
  takeReply(stage: Stage): Reply | undefined {
    return this.noteTaken(this.replies.shift(), stage);
  }

  /** The next reply, in order. Throws TransportError (closed, timeout) or ProtocolError. */
  readReply(stage: Stage, timeoutMs: number): Promise<Reply> {
    // Replies to a pipelined flight come in together: those already here need no wait (nor timer).
    const ready = this.noteTaken(this.replies.shift(), stage);
    if (ready !== undefined) return Promise.resolve(ready);
    return this.waitFor(() => this.noteTaken(this.replies.shift(), stage), stage, timeoutMs, 'reply');
  }

  /**
   * A new transaction on a connection that carries many: the limit on reply octets bounds what
   * one transaction may be answered with, not how many transactions a connection carries.
   */
  renewReplyBudget(): void {
    this.replyOctets = 0;
  }

  /**
   * Masks `secret` in every reply from now to the end of the session: call it before sending the
   * secret. `kind`: what pieces of it are masked too (see Redactor).
   */
  hide(secret: string, kind: SecretKind = 'whole'): void {
    this.redactor.hide(secret, kind);
  }

  private newReader(): ReplyReader {
    return new ReplyReader((text) => this.redactor.text(text));
  }

  /** Releases the socket. */
  close(): void {
    // Once: a load run closes each of its thousands of connections from two places.
    if (this.released) return;
    this.released = true;
    this.stopListening();
    this.socket.destroy();
  }

  private released = false;

  /**
   * A write the kernel refused at once: the server closed the connection (a 421, a verdict, then
   * its close, a reset when it left our pipelined commands unread). Node closes the socket on its
   * next tick without reading what is still in the kernel, which is what the server said before it
   * closed; read now, it is the server's word where there would be a hang-up. Plain TCP or a unix
   * socket only (under TLS the kernel holds ciphertext): their descriptor, a Node internal, is the
   * one way to it; without one, nothing is read.
   */
  private readLeftBehind(): void {
    if (this.tls !== undefined) return;
    readLeftBehind(this.socket, (chunk) => {
      this.onData(chunk);
      return this.failure === undefined;
    });
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.replyOctets += chunk.length;
    const failure = this.takeReplies(chunk);
    if (failure !== undefined) {
      this.fail(failure);
      this.socket.destroy();
    }
    this.wake();
  }

  /**
   * Queues the replies `chunk` completes, each for the command it answers; the first fault ends the
   * stream, but the good replies before it are kept, in order, for the commands they answer.
   */
  private takeReplies(chunk: Buffer): Failure | undefined {
    if (this.replyOctets > MAX_SESSION_REPLY_OCTETS) {
      return { kind: 'syntax', error: new ReplySyntaxError({ fault: 'too-much', limit: MAX_SESSION_REPLY_OCTETS }) };
    }
    let replies: readonly Reply[];
    let broken: ReplySyntaxError | undefined;
    try {
      replies = this.reader.push(chunk);
    } catch (error) {
      if (!(error instanceof ReplySyntaxError)) throw error;
      replies = error.before;
      broken = error;
    }
    for (const reply of replies) {
      if (this.owed === 0) {
        // RFC 5321 §3.8: 421 is the server giving up; any other reply nobody asked for is a fault.
        if (reply.code === 421) return { kind: 'closing', reply };
        return {
          kind: 'syntax',
          error: new ReplySyntaxError(
            { fault: 'unsolicited', text: reply.raw.join(' ').slice(0, 60), code: reply.code, enhanced: reply.enhanced },
            [],
            reply.raw,
          ),
        };
      }
      this.owed--;
      this.replies.push(reply);
      if (this.readAt !== undefined) this.playedArrivals!.set(reply, this.readAt);
    }
    return broken === undefined ? undefined : { kind: 'syntax', error: broken };
  }

  private interrupt(signal: NodeJS.Signals): void {
    this.fail({ kind: 'interrupted', signal });
    this.socket.destroy();
  }

  private fail(failure: Failure): void {
    this.failure ??= failure;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /**
   * Waits until `take` gives something (the next reply; `true` once a write is taken), the stream
   * fails, or `timeoutMs` pass. Settled with what `take` gave: one promise a wait, not two.
   */
  private waitFor<T>(take: () => T | undefined, stage: Stage, timeoutMs: number, waiting: 'reply' | 'send', socketEvent?: 'drain'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const taken = take();
        if (taken !== undefined) return finish(undefined, taken);
        try {
          this.throwIfFailed(stage);
        } catch (error) {
          return finish(error as Error);
        }
        this.waiter = check;
      };
      const onDrain = () => check();
      // The played dialogue's own wait for this reply reached its limit: this one ends at once.
      const overdue = this.overdue && waiting === 'reply';
      if (overdue) this.overdue = false;
      const timer = setTimeout(
        () => finish(new TransportError({ code: 'MAILV_TIMEOUT', stage, ms: timeoutMs, waiting }, stage, 'timeout')),
        overdue ? 0 : timeoutMs,
      );
      const finish = (error: Error | undefined, taken?: T) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (socketEvent) this.socket.off(socketEvent, onDrain);
        if (error) reject(error);
        else resolve(taken!);
      };
      if (socketEvent) this.socket.on(socketEvent, onDrain);
      check();
    });
  }

  /**
   * Throws the failure, if any, as the typed error of the stage in progress: called before a write
   * is shown, since write() would refuse it and the transcript would show a line never sent.
   */
  throwIfFailed(stage: Stage): void {
    const error = this.failureAt(stage);
    if (error !== undefined) throw error;
  }

  /** The failure, if any, as the typed error of the stage in progress (see throwIfFailed). */
  failureAt(stage: Stage): MailvError | undefined {
    const failure = this.failure;
    switch (failure?.kind) {
      case undefined:
        return undefined;
      case 'interrupted':
        return new InterruptedError(failure.signal, stage);
      case 'syntax':
        return new ProtocolError({ code: 'MAILV_REPLY_SYNTAX', stage, fault: failure.error.fault }, stage);
      case 'closing':
        return new TransportError({ code: 'MAILV_SERVICE_CLOSING', reply: failure.reply }, stage, 'closed');
      case 'closed':
      case 'errno': {
        const errno = failure.kind === 'errno' ? failure.errno : undefined;
        const reason = failure.kind === 'closed' ? 'closed' : lostReason(errno);
        const midReply = this.closed && this.reader.hasPartial;
        return new TransportError({ code: 'MAILV_CONNECTION_LOST', stage, reason, errno, midReply }, stage, reason);
      }
    }
  }
}

/** The certificates of the file NODE_EXTRA_CA_CERTS names (see TlsTrust.nodeExtraCa), each way read once. */
export interface NodeExtraCa {
  /** As they come (a FIFO's too). */
  readonly read: () => Promise<readonly Buffer[]>;
  /** Whether readNow() can give them: they are read, or the file is a regular one. */
  readonly readableNow: () => boolean;
  /** At once, within a handshake that cannot wait; `nodesList`: Node's own (tls.rootCertificates), left out. */
  readonly readNow: (nodesList: readonly string[]) => readonly Buffer[];
}

/** A client certificate and its private key, PEM (--tls-cert, --tls-key): presented when the server asks. */
export interface ClientIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** What a TLS handshake trusts besides Node's CAs (--ca), and the certificate it presents, if any. */
export interface TlsTrust {
  readonly extraCa?: readonly Buffer[] | undefined;
  /**
   * The certificates of the file NODE_EXTRA_CA_CERTS names, asked for when the context is made, when
   * it must add them itself: Node was started without them, or `extraCa` makes a store of its own,
   * which Node's copy of them is not in. Those the default context holds already are left out.
   */
  readonly nodeExtraCa?: NodeExtraCa | undefined;
  readonly identity?: ClientIdentity | undefined;
  /** --insecure: a client certificate may go to a server whose certificate does not verify. */
  readonly insecure?: boolean | undefined;
  /** A client certificate was given and is withheld from this server (see SessionPlan.clientIdentityWithheld). */
  readonly withheld?: boolean | undefined;
}

/** The local end of a connection: -4/-6 (which of the host's addresses), --source-address (bound before connecting). */
export interface LocalEnd {
  readonly family?: 4 | 6 | undefined;
  readonly address?: string | undefined;
}

/**
 * Where every socket open() makes reads into: what is read is taken before the next read (the
 * replies decoded into strings, an unfinished line copied), so one buffer serves all, where a
 * socket would allocate one a read, and a load run opens thousands of sockets a second.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Hands what a socket read into READ_BUFFER to its connection, once there is one to take it. */
export class ReadRelay {
  /** Told of each read: octets `[0, length)` of `bytes`, which the next read overwrites. */
  to: ((bytes: Buffer, length: number) => void) | undefined;
  readonly callback = (count: number): boolean => {
    this.to?.(READ_BUFFER, count);
    return true;
  };
}

/**
 * Reads what the kernel still holds of a plain socket whose write it refused (see
 * SmtpConnection.readLeftBehind), handing each chunk to `take` until it returns false.
 */
export function readLeftBehind(socket: Duplex, take: (chunk: Buffer) => boolean): void {
  const descriptor = (socket as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof descriptor !== 'number' || descriptor < 0) return;
  const chunk = Buffer.allocUnsafe(16 * 1024);
  for (;;) {
    let count: number;
    try {
      count = readSync(descriptor, chunk, 0, chunk.length, null);
    } catch {
      return; // nothing more (EAGAIN), or the reset itself
    }
    if (count === 0 || !take(chunk.subarray(0, count))) return;
  }
}

/** Pieces of a write as one Buffer. */
function joined(pieces: readonly (Buffer | string)[]): Buffer {
  return pieces.length === 1 && Buffer.isBuffer(pieces[0]) ? pieces[0] : Buffer.concat(pieces.map(asBuffer));
}

function asBuffer(piece: Buffer | string): Buffer {
  return typeof piece === 'string' ? Buffer.from(piece) : piece;
}

/** A connection's dialogue, written down for the load mode to play again (src/load/express.ts). */
export interface Recording {
  readonly writes: { readonly bytes: Buffer; readonly commands: number; readonly stage: Stage; readonly after: number }[];
  /** Each reply taken, with the stage it was taken for. */
  readonly replies: { readonly stage: Stage; readonly reply: Reply }[];
}

/** What ended the stream, as recorded when it happened. */
type Failure =
  | { readonly kind: 'interrupted'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'syntax'; readonly error: ReplySyntaxError }
  | { readonly kind: 'closing'; readonly reply: Reply }
  | { readonly kind: 'closed' }
  | { readonly kind: 'errno'; readonly errno: string | undefined };

/** Why an open connection failed, from the system's error code. */
function lostReason(errno: string | undefined): TransportReason {
  switch (errno) {
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    default:
      return 'reset';
  }
}

/** --ca named certificates: a certificate of an unknown CA is then one that CA did not sign. */
function caGivenIn(trust: TlsTrust): boolean {
  return trust.extraCa !== undefined && trust.extraCa.length > 0;
}

/**
 * Why a handshake failed. Node gives OpenSSL's reason (`wrong version number`) in the error's
 * `reason`; any other failure (a socket reset mid-handshake) keeps Node's text, shown as is and
 * never read for a decision.
 */
function handshakeFailure(error: Error & { reason?: unknown; code?: unknown; cert?: unknown }, withIdentity = false, caGiven = false): HandshakeFailure {
  // Node's own verdict on the server's certificate (a code, no OpenSSL library): only a handshake
  // that carries a client certificate stops at it (rejectUnauthorized). A system error's code
  // (ECONNRESET: the server hung up) is no verdict. Read as the verdict of a handshake that goes on
  // is read, from the code: Node's message is English, and names the host with a final dot.
  if (withIdentity && typeof error.code === 'string' && !/^E[A-Z]+$/.test(error.code) && !('library' in error)) {
    const altNames = (error.cert as { subjectaltname?: unknown } | undefined)?.subjectaltname;
    return { kind: 'unverified', problem: certificateProblem(error.code, typeof altNames === 'string' ? altNames : undefined, caGiven) };
  }
  if (typeof error.reason === 'string' && error.reason !== '') {
    const code = typeof error.code === 'string' ? error.code : '';
    if (!/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/.test(code)) return { kind: 'openssl', reason: error.reason };
    const certificate = /_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_\w+|ACCESS_DENIED)$/.test(code);
    return { kind: 'openssl', reason: error.reason, alert: certificate ? 'certificate' : 'other' };
  }
  // OpenSSL's messages can span lines: one line is what the transcript shows.
  return { kind: 'other', detail: error.message.replace(/\s+/g, ' ').trim() };
}

/**
 * How long to wait for the server's first TLS 1.3 session ticket before the first command. A
 * server that writes its tickets and then its reply to a command that came with the client's
 * Finished holds the reply back (Nagle) until the tickets are acknowledged, and the client's
 * acknowledgement is delayed: 40 ms on Linux, for every STARTTLS (Postfix does this). Written once
 * the tickets are in, the command carries the acknowledgement itself. Never longer than the
 * handshake took: a server that sends no ticket costs at most that.
 */
const TICKET_WAIT_MS = 40;

/** Resolves at the first session ticket (after the events of its record) or after `ms`. */
function firstTicket(secure: TLSSocket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      secure.off('session', done);
      secure.off('close', done);
      // Written from inside the 'session' event, the command would wait for the next record.
      setImmediate(resolve);
    };
    const timer = setTimeout(done, ms);
    secure.once('session', done);
    secure.once('close', done);
  });
}

function fullHandshakeDetails(secure: TLSSocket, identityGiven: boolean, caGiven: boolean, withheld: boolean): TlsDetails {
  // null from a socket already closed: then no certificate is reported (and none verified).
  const certificate: Partial<ReturnType<TLSSocket['getPeerCertificate']>> = secure.getPeerCertificate() ?? {};
  const client = clientCertificate(secure, identityGiven, withheld);
  // In the certificate's own order, read from its encoding; Node's object of names where it cannot be.
  const names = certificate.raw === undefined ? undefined : certificateNames(certificate.raw);
  return {
    ...client,
    protocol: secure.getProtocol() ?? 'unknown',
    cipher: secure.getCipher()?.name ?? 'unknown',
    subject: names?.subject ?? distinguishedName(certificate.subject),
    issuer: names?.issuer ?? distinguishedName(certificate.issuer),
    validFrom: certificate.valid_from ?? '',
    validTo: certificate.valid_to ?? '',
    ...(certificate.fingerprint256 === undefined ? {} : { fingerprint: certificate.fingerprint256 }),
    verified: secure.authorized,
    problem: secure.authorized ? undefined : certificateProblem(String(secure.authorizationError ?? 'unknown'), certificate.subjectaltname, caGiven),
  };
}

/** The client certificate's outcome, with the subject of the one given when the server asked. */
function clientCertificate(secure: TLSSocket, identityGiven: boolean, withheld: boolean): Pick<TlsDetails, 'clientCertificate' | 'clientSubject'> {
  const outcome = clientCertificateOutcome(secure, identityGiven, withheld);
  if (outcome === undefined) return {};
  if (outcome !== 'offered' && outcome !== 'unsuitable') return { clientCertificate: outcome };
  const own = secure.getCertificate();
  const names = own !== null && 'raw' in own && own.raw !== undefined ? certificateNames(own.raw) : undefined;
  return { clientCertificate: outcome, clientSubject: names?.subject ?? distinguishedName(own !== null && 'subject' in own ? own.subject : undefined) };
}

/**
 * A resumed session shows no certificate: the one verified in the full handshake that made the
 * session is reported. `authorized` is that handshake's verdict, which holds for the same server
 * name and the same trust only: the keeper of sessions keys them so.
 */
function resumedDetails(secure: TLSSocket, stored: StoredTlsSession): TlsDetails {
  const { subject, issuer, validFrom, validTo, fingerprint } = stored.certificate;
  return {
    protocol: secure.getProtocol() ?? 'unknown',
    cipher: secure.getCipher()?.name ?? 'unknown',
    subject,
    issuer,
    validFrom,
    validTo,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    verified: secure.authorized,
    problem: secure.authorized ? undefined : certificateProblem(String(secure.authorizationError ?? 'unknown'), undefined),
    resumed: true,
  };
}

/** The certificate as a full handshake verified it: what a resumed session reports. */
export interface VerifiedCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** SHA-256 of the certificate, colon-separated hex, as Node and openssl x509 -fingerprint write it. */
  readonly fingerprint?: string;
}

/** A TLS session to resume, with the certificate verified when it was made. */
export interface StoredTlsSession {
  /** The session as Node gives it (OpenSSL's DER encoding). */
  readonly session: Buffer;
  readonly certificate: VerifiedCertificate;
}

/**
 * TLS session resumption across runs, for one server name, address, port and trust: the caller
 * keys it so, since a resumed session is not checked again (neither the CA nor the name).
 */
export interface TlsResumption {
  /** A session from an earlier verified handshake under the same key, or undefined. */
  readonly stored: StoredTlsSession | undefined;
  /** Keeps a session the server gave after a verified handshake. */
  keep(session: StoredTlsSession): void;
  /** The handshake that offered `stored` failed: it is forgotten; `lasting`: none is offered to this server for a while. */
  refused(lasting: boolean): void;
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
  readonly problem: CertificateProblem | undefined;
  /** The session of an earlier handshake was resumed: no certificate was sent this time. */
  readonly resumed?: true;
  /** A full handshake's client certificate (see client-certificate.ts); absent: none given, none asked for. */
  readonly clientCertificate?: ClientCertificateOutcome;
  /** The subject of the client certificate given, when the server asked for one. */
  readonly clientSubject?: string;
  /** SHA-256 of the server's certificate (colon-separated hex): what tells two certificates of one name apart. */
  readonly fingerprint?: string;
}

const CERTIFICATE_PROBLEMS: Readonly<Record<string, Exclude<CertificateProblem['kind'], 'name-mismatch' | 'other'>>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed-in-chain',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
};

function certificateProblem(code: string, altNames: string | undefined, caGiven = false): CertificateProblem {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'name-mismatch', altNames };
  const kind = CERTIFICATE_PROBLEMS[code];
  if (kind === 'unknown-ca' && caGiven) return { kind, caGiven: true };
  return kind ? { kind } : { kind: 'other', code };
}

/** What a lookup under -4 or -6 found: addresses of the other family only. */
interface LookupSeen {
  otherFamily: boolean;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * net.connect's lookup for one address family: every address asked for at once, those of the
 * family kept; none of them, with some of the other family, is recorded in `seen` and is ENOTFOUND
 * as the family's own lookup would be.
 */
function familyLookup(family: 4 | 6, seen: LookupSeen) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    // node:dns loaded only here: a send to an address, or without -4/-6, never needs it.
    void import('node:dns').then(({ lookup }) =>
      lookup(hostname, { all: true }, (error, addresses) => {
        if (error) return callback(error, '');
        const wanted = addresses.filter((address) => address.family === family);
        if (wanted.length === 0) {
          seen.otherFamily = addresses.length > 0;
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        }
        if (options.all === true) callback(null, wanted);
        else callback(null, wanted[0]!.address, family);
      }),
    );
  };
}

/**
 * A failed connect, from the system's error code. No time is named: the system ended it (a refusal
 * takes no time to speak of; ETIMEDOUT is the kernel's limit, not mailv's).
 */
function connectError(errno: string | undefined, host: string, port: number, { family, address }: LocalEnd): MailvError {
  switch (errno) {
    case 'ENOTFOUND':
      // `family`: the name has addresses, of the other family only (familyLookup).
      // The family came from -4/-6, or from the address bound to, which fixes it as well.
      return new DnsError(
        {
          code: 'MAILV_HOST_NOT_FOUND',
          host,
          ...(family === undefined ? {} : { family, ...(address === undefined ? {} : { by: '--source-address' as const }) }),
        },
        'no-such-domain',
      );
    case 'EAI_AGAIN':
      return new DnsError({ code: 'MAILV_HOST_LOOKUP_FAILED', host }, 'lookup-failed');
    default: {
      const reason: TransportReason = errno === 'ECONNREFUSED' ? 'refused' : errno === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
      // --source-address names no address of this machine: the bind failed, not the route.
      const source = errno === 'EADDRNOTAVAIL' && address !== undefined ? { source: address } : {};
      return new TransportError(
        { code: 'MAILV_CONNECT_FAILED', host, port, reason, errno: reason === 'refused' ? undefined : errno, ...source },
        'connect',
        reason,
      );
    }
  }
}
