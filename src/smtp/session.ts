// One SMTP mail transaction over an open connection (RFC 5321 §3.3, §4.1), with PIPELINING
// (RFC 2920), CHUNKING (RFC 3030), SIZE (RFC 1870), 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531),
// as verbs: each writes its command, awaits (or, pipelined, queues) its reply, emits events, and
// throws a typed error. It never prints. Per-recipient outcomes are data; whole-transaction
// failures are typed errors; the moment the whole message has been written is recorded.
import {
  AuthError,
  CapabilityError,
  InterruptedError,
  MailvError,
  ProtocolError,
  SmtpReplyError,
  StepStop,
  TlsError,
  TransportError,
  type Stage,
} from '../errors.js';
import type { EmitEvent, NotEarly, RecipientOutcome } from '../events.js';
import { needsSmtpUtf8 } from '../message/address.js';
import type { ComposedMessage } from '../message/compose.js';
import type { Envelope } from '../message/envelope.js';
import { endedShort, grewPastSize } from './announced-size.js';
import type { AuthPlan } from './authenticate.js';
import { Capabilities, type EhloOffer } from './capabilities.js';
import { EHLO_UNACCEPTABLE } from './ehlo-unacceptable.js';
import { chunkCount, chunksOf, type BdatChunk } from './chunking.js';
import { formatCommand, withheld, type Command, type PendingWrite } from './command.js';
import type { ClientIdentity, LocalEnd, NodeExtraCa, SmtpConnection, TlsDetails, TlsResumption, TlsTrust } from './connection.js';
import { DotStuffer } from './dot-stuff.js';
import { mailDsnParams, rcptDsnParams, type DsnParameters } from './dsn.js';
import { encodeProxyHeader, type ProxyEndpoint, type ProxyVersion } from './proxy-header.js';
import type { ResumptionFailure, SkippedStep, SmtpErrorFact, TlsUnavailable } from './facts.js';
import type { QuitPoint } from './quit-points.js';
import { ipVersion } from '../ip-address.js';
import { keyOf, offers, rememberable, sameKey, sameOffer, type EhloKey, type EhloTlsState, type RememberedEhlo } from './remembered.js';
import type { Reply } from './reply.js';
import type { Timeouts } from './timeouts.js';
import { WriteBuffer } from './write-buffer.js';
import type { XclientAttribute } from './xclient.js';
import { monotonicMs } from './monotonic.js';

/** How long a server on port 465 must have kept silent before a hang-up is taken for one waiting for TLS (see silentGreeting). */
const SILENT_GREETING_MS = 10_000;
export type { Envelope } from '../message/envelope.js';

export interface SessionPlan {
  readonly helo: string;
  readonly envelope: Envelope;
  /** Builds the message once the server's capabilities (8BITMIME) are known. */
  prepare(capabilities: Capabilities): ComposedMessage | Promise<ComposedMessage>;
  readonly timeouts: Timeouts;
  /** Emit `body` events with the bytes written after DATA (-vv). */
  readonly echoBody: boolean;
  /**
   * STARTTLS (RFC 3207): `auto` uses it when offered and goes on in plaintext when it is not
   * (RFC 7435), the certificate reported but not enforced; `required` stops (TlsError) unless it
   * is offered, succeeds and the certificate verifies; `off` never uses it.
   */
  readonly tls: TlsMode;
  /** The name to present (SNI) and check the certificate against. */
  readonly tlsName?: string;
  /** Where the user gave `tlsName` (--tls-name, or the accounts file's tls-name), when not an MX host's (--direct): the TLS line names it. */
  readonly tlsNameGiven?: 'option' | 'config' | undefined;
  /** smtps:// (RFC 8314): TLS from the first byte, with a certificate that must verify. */
  readonly implicitTls?: boolean;
  /** CA certificates trusted besides Node's list and NODE_EXTRA_CA_CERTS (--ca). */
  readonly extraCa?: readonly Buffer[];
  /** The certificates of NODE_EXTRA_CA_CERTS, when the handshake's context must add them itself (see TlsTrust). */
  readonly nodeExtraCa?: NodeExtraCa | undefined;
  /** The client certificate presented when the server asks for one (--tls-cert, --tls-key). */
  readonly clientIdentity?: ClientIdentity | undefined;
  /** A client certificate was given and is withheld from this server, whose own did not verify (--direct). */
  readonly clientIdentityWithheld?: boolean;
  /**
   * TLS session resumption across runs: what to resume and where to keep new sessions, for the
   * server as named (SNI, certificate name), its address and port. Not asked with --insecure.
   */
  readonly tlsResumption?: (server: { readonly name: string; readonly address: string; readonly port: number }) => Promise<TlsResumption | undefined>;
  /** --insecure: any certificate is accepted, for sending and for credentials, and a note says so. */
  readonly insecure?: boolean;
  /** --user: log in (RFC 4954) before the transaction. */
  readonly auth?: AuthPlan;
  /** A login could be given for this server (a submission server, not an MX under --direct): its refusals may hint at one. */
  readonly loginPossible?: boolean;
  /** --quit-after: end the session after this step, sending no message. */
  readonly quitAfter?: QuitPoint;
  /**
   * --step: asked before every write, with what it will carry; `quit` ends the session (with QUIT
   * where the protocol allows it). Nothing of a write is shown before the answer.
   */
  readonly step?: (next: PendingWrite) => Promise<'go' | 'quit'>;
  /**
   * PIPELINING (RFC 2920): `on` (the default) sends a group of commands in one write when the
   * server offers it, and QUIT with the end of the message; `off` is lock-step: one command, one
   * reply, QUIT only after the verdict on the message, whatever the server offers.
   */
  readonly pipelining?: PipeliningMode;
  /** How the server is named to the user (`Closing connection to`): with --direct the MX name; else the host connected to. */
  readonly serverName?: string;
  /** How the message goes: `auto` is BDAT when CHUNKING is offered (RFC 3030), DATA otherwise. */
  readonly body?: BodyMode;
  /** BDAT chunk size; the default suits every real server. */
  readonly chunkSize?: number;
  /**
   * LMTP (RFC 2033): LHLO instead of EHLO (no HELO to fall back on), and the end of the message
   * answered once per accepted recipient, in RCPT order (§4.2).
   */
  readonly lmtp?: boolean;
  /**
   * The delivery sends the recipients a 452 turned away in another transaction when the same one
   * took others (RFC 5321 §4.5.3.1.10: the server's limit of recipients a message, not theirs):
   * their results say `overLimit` and no verdict of theirs is told yet.
   */
  readonly recipientsOverLimitGoAgain?: boolean;
  /**
   * Another server follows (--direct: the MX plan's next address or host), and a recipient put off
   * at RCPT is offered to it: its 4xx here is not its last word, and its event says `next`.
   */
  readonly putOffGoesOn?: boolean;
  /** --notify, --ret, --envid: DSN parameters (RFC 3461), sent only when the server offers DSN. */
  readonly dsn?: DsnParameters;
  /**
   * --proxy: a PROXY header before anything else, claiming `source` as the client; the
   * destination is the address connected to.
   */
  readonly proxy?: { readonly version: ProxyVersion; readonly source: ProxyEndpoint };
  /** -4/-6, --source-address: the local end of the connection, for whoever opens it. */
  readonly local?: LocalEnd;
  /** --xclient: after EHLO (and STARTTLS), XCLIENT with these attributes, then EHLO again. */
  readonly xclient?: readonly XclientAttribute[];
  /**
   * PIPECONNECT (draft-harris-early-pipe): EHLO replies remembered from earlier sessions. A fresh
   * one for this server, address, port, TLS state and name lets EHLO leave before the greeting;
   * every 250 to EHLO is emitted (`ehlo-learned`) for the app to remember. Undefined: neither.
   */
  readonly remembered?: readonly RememberedEhlo[];
  /**
   * Whether the server of `key` refuses early talk for now (the app's memory: it refused an early
   * EHLO less than a day ago, or in this run): its offer of PIPECONNECT is not learnt, nor said to be.
   */
  readonly refusesEarly?: (key: EhloKey) => boolean;
  /**
   * Told of the failure that ends the session as soon as it is met, before QUIT is said: what it
   * means for the recipients (a relay's `Deferred:`) is then shown where a verdict is, before
   * `Closing connection`.
   */
  readonly failing?: (error: unknown) => void;
}

export type BodyMode = 'auto' | 'data' | 'bdat';

export type PipeliningMode = 'on' | 'off';

export type TlsMode = 'auto' | 'required' | 'off';

export interface RecipientResult {
  readonly recipient: string;
  readonly outcome: RecipientOutcome;
  readonly reply: Reply | undefined;
  /** Turned away by the server's limit of recipients a message (452, see recipientsOverLimitGoAgain): to send again. */
  readonly overLimit?: true;
  /** Its verdict came after the message, LMTP's for each recipient (RFC 2033 §4.2), not at RCPT. */
  readonly afterMessage?: true;
  /** Put off at RCPT and said to go on to the next server (its event said `next`, see putOffGoesOn). */
  readonly goesOn?: true;
  /**
   * Left without a verdict by a transaction that failed without a reply to decide it (the connection
   * lost, a reply out of protocol, the message left whole and unconfirmed) after it had read others
   * (see settledRecipients): that failure, the run's to say. A 452 that moved the recipient to that
   * transaction is no verdict on it.
   */
  readonly failure?: MailvError;
  /**
   * Refused or put off with the rest of a later transaction (past the server's limit) that the
   * server refused or put off as a whole, at its greeting, sender or message (a 5xx or a 4xx): that
   * reply's failure, which decides the status as it would have alone.
   */
  readonly endedBy?: MailvError;
}

/** `recipients` but those of `refused` (a session's refusedRecipients). */
export function notRefused(recipients: readonly string[], refused: readonly RecipientResult[]): readonly string[] {
  return recipients.filter((recipient) => !refused.some((result) => result.recipient === recipient));
}

/** Of `recipients`, those a failure names: not those refused for good before it, nor those put off at RCPT, whose own verdict was said. */
export function unnamed(recipients: readonly string[], refused: readonly RecipientResult[], putOffAtRcpt: readonly RecipientResult[]): readonly string[] {
  const putOff = new Set(putOffAtRcpt.map((result) => result.recipient));
  return notRefused(recipients, refused).filter((recipient) => !putOff.has(recipient));
}

/** Message content goes out in writes of this size, gathered in one buffer: few system calls. */
const WRITE_BATCH = 1024 * 1024;

/** What ends the envelope: DATA, the message in BDAT chunks, or nothing (a --quit-after probe). */
type Ending = { readonly kind: 'none' } | { readonly kind: 'data' } | { readonly kind: 'bdat'; readonly message: ComposedMessage };

/** The envelope's replies, in the order of its commands; a command not sent has none. */
interface EnvelopeReplies {
  mail: Reply | undefined;
  readonly rcpts: Reply[];
  data: Reply | undefined;
  readonly chunks: Reply[];
}

/** A transaction's plan: the message and how its envelope ends, decided from the capabilities. */
interface TransactionPlan {
  readonly message: ComposedMessage;
  readonly params: readonly string[];
  readonly rcpts: readonly string[];
  readonly ending: Ending;
  readonly chunked: boolean;
  readonly pipelined: boolean;
  readonly probe: 'mail' | 'rcpt' | 'data' | undefined;
}

/** A transaction whose envelope already left, pipelined behind the end of the one before: only its replies are left to read. */
interface AheadTransaction {
  readonly plan: TransactionPlan;
  readonly replies: EnvelopeReplies;
  readonly owed: readonly OwedReply[];
  /** Its first command was handed to the socket (queued, it may still never leave). */
  written: boolean;
  /** When it was sent ahead (monotonicMs()): its replies may be read long after. */
  readonly since: number;
  /** Its write failed: met in its own turn, after the replies of the one before it are read. */
  writeFailure?: { readonly error: unknown };
  /** Its BDAT LAST was refused by the kernel before any of it left: the server never had its message. */
  messageRefused?: true;
}

/**
 * A reply owed to a command written (or queued), and where it goes in EnvelopeReplies once read.
 * Data, not a callback: a load run owes four a message, and reads most of them already received.
 */
type OwedReply =
  | { readonly to: 'rset' }
  | { readonly to: 'mail' }
  | { readonly to: 'rcpt'; readonly recipient: string }
  | { readonly to: 'data' }
  | { readonly to: 'chunk'; readonly stage: Stage };

const ALWAYS = (): boolean => true;
const NEVER = (): boolean => false;
const OWED_RSET: OwedReply = { to: 'rset' };
const OWED_MAIL: OwedReply = { to: 'mail' };
const OWED_DATA: OwedReply = { to: 'data' };

/** How the owed replies are answered: read now (lock-step), or kept to be read after the flight. */
type Answer = (owed: OwedReply) => Promise<void> | undefined;

/** A message held whole, dot-stuffed once however many times it is sent (a load run's). */
const stuffedWholes = new WeakMap<Buffer, StagedContent>();

/** The last of a message's content, to go out with the final dot, and that dot. */
interface StagedContent {
  readonly last: Buffer;
  readonly end: Buffer;
  /** The memory of `last` is reused after the write: it must be taken first. */
  readonly reused: boolean;
}

/** How long the reply to an early EHLO is awaited after a refusing greeting: a server that read it answers at once. */
const EARLY_EHLO_ANSWER_MS = 2_000;

export class SmtpSession {
  /** QUIT already written (pipelined after the final dot): only its reply is left to read. */
  private quitSent = false;
  /** `Closing connection to` shown: once, after the verdict, even when QUIT left before it. */
  private closingShown = false;
  /** The server refused to talk (a greeting other than 220 after an early EHLO): no goodbye, no QUIT. */
  private hungUp = false;
  /**
   * A MAIL went and nothing has closed its transaction since (RSET, the reply to the final dot, a
   * refused MAIL): only then has reset() an RSET to send (RFC 5321 §4.1.1.4, §4.1.1.5).
   */
  private mailOpen = false;
  /**
   * A refusal in place of the 221 to the QUIT that left with the message's end, not yet said: taken
   * by confirmVerdict() as the send's failure, else a warning of end().
   */
  private outOfStep: Reply | undefined;
  /** QUIT's reply read, or given up on: quit() does nothing more. */
  private quitAnswered = false;
  /** The last reply to the message's end: the verdict. */
  private verdict: Reply | undefined;
  /** --step said quit: no more pauses, only the goodbye. */
  private stepping = true;
  /** Message content has started: QUIT would be read as part of it. */
  private inData = false;
  /** --quit-after data found no accepted recipient: the session ends with QUIT after all. */
  private probeEndedEarly = false;
  /** Pipelined commands waiting for the next write. */
  private queued: { readonly stage: Stage; readonly command: Command }[] = [];
  private committedMessage = false;
  /** Octets sent in BDAT chunks so far. */
  private chunked = 0;
  /** The DSN request, once the server is known to offer DSN; else nothing of it is sent. */
  private dsn: DsnParameters | undefined;
  /** The 'login-not-tried' note was given: once a session is enough. */
  private loginNotTriedSaid = false;
  /** QUIT may ride with the end of the message: false when more transactions follow (begin()). */
  private lastTransaction = true;
  /** Whether another transaction follows, asked when this one's end is written: its envelope may ride with that end. */
  private following: () => boolean = NEVER;
  private followingIsLast: () => boolean = NEVER;
  /** A 421 was read: the server is closing the connection, and answers nothing more. */
  private closingReply: Reply | undefined;
  /** The next transaction, already under way (see AheadTransaction). */
  private ahead: AheadTransaction | undefined;
  /**
   * The next transaction could not be planned when this one ended (too big for SIZE, a message
   * that failed to compose): nothing of it was sent, and its own next() throws this.
   */
  private aheadFailure: { readonly error: unknown } | undefined;
  /** An EHLO sent before the greeting was refused (a 5xx greeting, or a hang-up): nothing else was sent. */
  private earlyEhloRefused = false;
  private resumptionFailed: ResumptionFailure | undefined;
  /** The resumption of the last handshake when it resumed a session: see firstAfterResumption(). */
  private resumed: TlsResumption | undefined;
  /** The plan made last, for the message and capabilities it was made for (see planFor()). */
  private lastPlan: { readonly capabilities: Capabilities; readonly plan: TransactionPlan } | undefined;
  /** An address of the envelope needs SMTPUTF8 (RFC 6531); undefined until the first MAIL. */
  private envelopeNeedsUtf8: boolean | undefined;

  constructor(
    private readonly connection: SmtpConnection,
    private readonly plan: SessionPlan,
    private readonly emit: EmitEvent,
  ) {}

  /**
   * The write that ends the message (the final dot, or `BDAT … LAST` with its octets) has begun:
   * from then on the server may have the message, whatever becomes of the session. Set when that
   * write starts, not when it is taken, since part of it may leave before a failure.
   */
  get committed(): boolean {
    return this.committedMessage;
  }

  /**
   * The recipients the transaction under way (or the last) refused for good at RCPT: kept out of
   * what a later failure of the transaction puts off, and of what another host is offered.
   */
  get refusedRecipients(): readonly RecipientResult[] {
    return this.refused;
  }

  private readonly refused: RecipientResult[] = [];

  /**
   * The other verdicts of the transaction under way (or the last) known before it could fail: those
   * the server's limit of recipients turned away (452), and over LMTP each reply after the message.
   * A failure after them leaves them as they were, not without a verdict.
   */
  get settledRecipients(): readonly RecipientResult[] {
    return this.settled;
  }

  private readonly settled: RecipientResult[] = [];

  /**
   * The recipients of the transaction under way (or the last) put off at RCPT (a 4xx other than
   * the limit's 452): never in the message, so a failure after it is no failure of theirs.
   */
  get deferredAtRcpt(): readonly RecipientResult[] {
    return this.putOffAtRcpt;
  }

  private readonly putOffAtRcpt: RecipientResult[] = [];

  /**
   * The transaction under way (or the last) failed with every recipient refused or put off at RCPT,
   * their replies read: whatever of its message left (BDAT) is no one's, whatever the failure.
   */
  get messageForNoOne(): boolean {
    return this.forNoOne;
  }

  private forNoOne = false;

  /** QUIT has left (with a message's end): nothing more may be sent on this connection. */
  get quitWritten(): boolean {
    return this.quitSent;
  }

  /**
   * The server refused the EHLO that left before its greeting (PIPECONNECT) before anything of the
   * transaction was sent: the message may go again over a new connection, without the early EHLO.
   */
  get earlyTalkRefused(): boolean {
    return this.earlyEhloRefused;
  }

  /**
   * How a session kept from an earlier run, now forgotten, failed: its TLS handshake (not by a
   * timeout), or the connection right after it. The message may go again over a new connection,
   * with a full handshake.
   */
  get resumptionFailure(): ResumptionFailure | undefined {
    return this.resumptionFailed;
  }

  /**
   * Runs greeting to QUIT. Returns every recipient's outcome when the transaction ran its course
   * (possibly with refusals); throws a MailvError when it could not.
   */
  async run(): Promise<RecipientResult[]> {
    try {
      if (this.plan.quitAfter === 'connect') {
        this.emit({ kind: 'note', note: { code: 'quit-after', point: 'connect' }, severity: 'info' });
        return [];
      }
      const results = await this.transaction();
      if (this.plan.quitAfter === 'data' && !this.probeEndedEarly) {
        // After 354 every line is message content, QUIT included: only hanging up ends it unsent.
        this.emit({ kind: 'note', note: { code: 'quit-after', point: 'data' }, severity: 'info' });
        return results;
      }
      // A probe's last reply that came with one nobody asked for broke the protocol (76), as a send
      // finds at its next command: not a broken goodbye.
      if (this.plan.quitAfter !== undefined) this.throwIfProtocolFault(this.plan.quitAfter);
      await this.confirmVerdict();
      await this.quit();
      return results;
    } catch (error) {
      this.showUnreadable();
      this.plan.failing?.(error);
      // The server is still listening after a refusal: say goodbye properly. After an early EHLO
      // was refused, nothing more: the server has already said it will not talk.
      if (this.earlyEhloRefused) throw error;
      if (error instanceof SmtpReplyError || error instanceof CapabilityError || error instanceof AuthError) await this.end();
      if (error instanceof StepStop && !this.quitSent && !this.inData) await this.quit();
      throw error;
    } finally {
      this.connection.close();
      this.showUnreadable();
      this.emit({ kind: 'traffic', sent: this.connection.bytesSent, received: this.connection.bytesReceived });
    }
  }

  private unreadableShown = false;

  /** What the server sent of a reply mailv could not take, shown once, ahead of what it caused. */
  private showUnreadable(): void {
    if (this.unreadableShown) return;
    const lines = this.connection.unreadLines();
    if (lines.length === 0) return;
    this.unreadableShown = true;
    this.emit({ kind: 'unreadable-reply', lines });
  }

  private async transaction(): Promise<RecipientResult[]> {
    const capabilities = await this.opening();
    return capabilities === undefined ? [] : this.mailTransaction(capabilities);
  }

  /**
   * For several transactions on one connection: greeting, EHLO, STARTTLS and AUTH, then the
   * capabilities; each next() is one transaction, QUIT never riding with its message; end() says
   * goodbye and closes. Throws as run() does; a refusal leaves the session usable after reset().
   */
  begin(): Promise<Capabilities | undefined> {
    this.lastTransaction = false;
    // undefined only when --quit-after stopped the opening.
    return this.opening();
  }

  /**
   * One more transaction after begin(). With `following`, another transaction comes after this
   * one: when the server pipelines, its envelope goes out with this one's end (the final dot, or
   * right after BDAT LAST) before this one's verdict is read, and the next call continues it.
   * RFC 2920 §3.1 lets the message's end begin a group; the dot's reply ends the transaction
   * whatever it is, so the next one never lands in an open transaction; after BDAT LAST, whose
   * refusal may leave it open, the next one begins with RSET. With `last`, none follows:
   * QUIT rides with this one's end, as in a single send. `following` may be a question, asked when
   * that end is written: a load run stopped meanwhile (--stop-on-error) starts nothing more.
   * `followingIsLast`, asked when a BDAT transaction goes ahead whole: none comes after it, so QUIT
   * rides with its BDAT LAST (quitWritten then says no other may follow on this connection).
   */
  next(
    capabilities: Capabilities,
    {
      following = false,
      last = false,
      followingIsLast = NEVER,
    }: { following?: boolean | (() => boolean); last?: boolean; followingIsLast?: () => boolean } = {},
  ): Promise<RecipientResult[]> {
    this.lastTransaction = last;
    this.followingIsLast = followingIsLast;
    // A BDAT transaction under way was committed when its last chunk left.
    this.committedMessage = this.aheadCarriesMessage;
    this.chunked = 0;
    this.following = typeof following === 'function' ? following : following ? ALWAYS : NEVER;
    this.connection.renewReplyBudget();
    return this.mailTransaction(capabilities);
  }

  /** A transaction is under way: its envelope left with the end of the one before. */
  get hasAhead(): boolean {
    return this.ahead !== undefined || this.aheadFailure !== undefined;
  }

  /** How long ago the transaction sent ahead left, if one did, in ms: where its latency starts. */
  get aheadAge(): number | undefined {
    return this.ahead === undefined ? undefined : monotonicMs() - this.ahead.since;
  }

  /** A transaction is under way and its envelope was written: the server may have seen its MAIL. */
  get aheadSent(): boolean {
    return this.ahead?.written === true;
  }

  /**
   * The transaction under way has written its message (BDAT): if the connection is lost now, the
   * server may have it. With DATA only its envelope left, and the message may go again elsewhere.
   */
  get aheadCarriesMessage(): boolean {
    return this.ahead?.written === true && this.ahead.plan.ending.kind === 'bdat' && this.ahead.messageRefused !== true;
  }

  /**
   * After a transaction that did not run its course: RSET, so the next starts clean. Not when
   * the next is already under way: the one before it reached its end, which closes a transaction.
   */
  async reset(): Promise<void> {
    if (this.ahead || this.quitSent) return;
    this.queued = [];
    this.throwIfClosing('rset');
    if (!this.mailOpen) return;
    await this.rset();
    this.throwIfClosing('rset');
  }

  /** The reply stream broke the protocol (a reply nobody asked for, nonsense): that ProtocolError, at `stage`. */
  private throwIfProtocolFault(stage: Stage): void {
    try {
      this.connection.throwIfFailed(stage);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
    }
  }

  /** After a 421 (RFC 5321 §3.8) the server answers nothing more: no command may follow it. */
  private throwIfClosing(stage: Stage): void {
    if (this.closingReply !== undefined) throw new TransportError({ code: 'MAILV_SERVICE_CLOSING', reply: this.closingReply }, stage, 'closed');
  }

  /** QUIT, then the connection closed; nothing thrown (a refusal in QUIT's place is a warning here). */
  async end(): Promise<void> {
    try {
      await this.quit();
      if (this.outOfStep !== undefined) {
        this.emit({
          kind: 'note',
          note: { code: 'quit-unexpected', error: { code: 'MAILV_UNEXPECTED_REPLY', stage: 'quit', reply: this.outOfStep } },
          severity: 'warning',
        });
      }
    } finally {
      this.connection.close();
    }
  }

  /**
   * When QUIT left with the message's end, its reply is read now: a refusal there (not 421, which
   * may answer anything) means the server answered more commands than it was sent, the verdict
   * read before it perhaps another command's: MAILV_REPLIES_OUT_OF_STEP is thrown.
   */
  async confirmVerdict(): Promise<void> {
    if (!this.quitSent || !this.committed) return;
    await this.quit();
    const reply = this.outOfStep;
    if (reply === undefined) return;
    this.outOfStep = undefined;
    throw new ProtocolError({ code: 'MAILV_REPLIES_OUT_OF_STEP', reply, verdict: this.verdict }, 'quit');
  }

  /** Greeting to AUTH: the capabilities, or undefined when --quit-after stops before the transaction. */
  private async opening(): Promise<Capabilities | undefined> {
    if (this.plan.insecure) {
      this.emit({ kind: 'note', note: { code: 'certificates-unchecked' }, severity: 'warning' });
    }
    // TLS is sure to come: what it needs is made ready while the server prepares its greeting.
    if (this.plan.tls === 'required' || this.plan.implicitTls) void this.prepareTls();
    if (this.plan.proxy) await this.proxyHeader(this.plan.proxy);
    if (this.plan.implicitTls) await this.handshake('smtps');
    const early = this.remembered(this.connection.tls ? 'implicit' : 'clear');
    if (early) await this.earlyEhlo();
    // A hang-up after a resumed handshake and an early EHLO is put on the resumption, tried first
    // (and without it the next time); the early EHLO is blamed only where no resumption was offered.
    const awaited = monotonicMs();
    const greeting = await this.earlyAnswer(early, () => this.firstAfterResumption(() => this.read('greeting'))).catch((error: unknown) => {
      throw this.silentGreeting(error, monotonicMs() - awaited);
    });
    if (greeting.code !== 220) {
      if (early) await this.earlyGreetingRefused(early, greeting);
      throw refusal({ code: 'MAILV_GREETING_REFUSED', reply: greeting }, 'greeting');
    }
    if (this.stopsAfter('greeting')) return undefined;
    let capabilities = early ? await this.earlyHello(early) : await this.hello();
    const xclient = this.plan.xclient ?? [];
    if (xclient.length > 0 && this.plan.quitAfter !== 'ehlo') capabilities = await this.claimClient(capabilities, xclient);
    if (this.stopsAfter('ehlo') || this.stopsAfter('starttls', this.connection.tls ? undefined : this.whyNoTls(capabilities))) return undefined;
    if (this.plan.auth) await this.logIn(this.plan.auth, capabilities);
    if (this.stopsAfter('auth', this.plan.auth ? undefined : 'no-credentials')) return undefined;
    return capabilities;
  }

  /** MAIL to the verdict on the message. */
  private async mailTransaction(capabilities: Capabilities): Promise<RecipientResult[]> {
    this.refused.length = 0;
    this.settled.length = 0;
    this.putOffAtRcpt.length = 0;
    this.forNoOne = false;
    const failure = this.aheadFailure;
    this.aheadFailure = undefined;
    if (failure !== undefined) throw failure.error;
    const ahead = this.ahead;
    this.ahead = undefined;
    // Taken ahead but never written (the connection had failed, see queueAhead), or its write failed.
    if (ahead !== undefined && !ahead.written) this.connection.throwIfFailed('mail');
    if (ahead?.writeFailure !== undefined) throw ahead.writeFailure.error;
    let planned = ahead?.plan ?? this.transactionPlan(capabilities);
    if (planned instanceof Promise) planned = await planned;
    const { message, params, rcpts, ending, chunked, pipelined, probe } = planned;
    // The server said 421 before this transaction's replies (to the one before): it fails here, once.
    this.throwIfClosing('mail');
    // Only a pipelined, whole transaction takes another behind it; --step and LMTP never do.
    const following = this.following;
    const carry =
      following !== NEVER && pipelined && probe === undefined && !this.plan.lmtp && !this.plan.step
        ? () => (following() ? this.sendAhead(capabilities) : undefined)
        : undefined;
    let replies: EnvelopeReplies;
    if (ahead) {
      try {
        // Its chunks left already: with BDAT the next one may go too before its replies are read.
        if (chunked) await carry?.();
        const answered = this.answerAhead(ahead);
        replies = answered instanceof Promise ? await answered : answered;
      } catch (error) {
        this.refusalsStand(ahead.replies, rcpts);
        throw error;
      }
    } else replies = await this.envelope(params, rcpts, ending, pipelined, chunked ? carry : undefined);
    if (this.closingReply !== undefined) owedAnsweredBy(this.closingReply, replies, rcpts.length, ending);
    // A 421 to a recipient is the server closing (RFC 5321 §3.8), not its verdict on that recipient:
    // the transaction ends for all of them, and another host may take the message. A refusal, not a
    // lost connection: with BDAT the message left already, and the reply says it was not taken.
    const closing = this.closingReply;
    const closedAt = closing === undefined ? -1 : replies.rcpts.indexOf(closing);
    if (closing !== undefined && isPositive(replies.mail!) && closedAt !== -1) {
      // The refusals for good that came before it stand.
      this.refusalsStand(replies, rcpts, closedAt);
      throw refusal({ code: 'MAILV_RECIPIENT_CLOSING', recipient: rcpts[closedAt]!, reply: closing }, 'rcpt');
    }

    this.noteLoginNotTried(capabilities, replies);
    if (!isPositive(replies.mail!)) {
      // No transaction began; the next MAIL, sent ahead, opened its own.
      if (this.ahead === undefined) this.mailOpen = false;
      await this.abandonData(replies.data);
      throw refusal({ code: 'MAILV_SENDER_REFUSED', from: this.plan.envelope.from, reply: replies.mail! }, 'mail');
    }
    const overLimit = this.movesOverLimit(replies) ? replies.rcpts.filter(isOverLimit).length : 0;
    if (overLimit > 0) this.emit({ kind: 'note', note: { code: 'recipients-over-limit', count: overLimit }, severity: 'info' });
    const results = rcpts.map((recipient, index) => {
      const reply = replies.rcpts[index]!;
      return overLimit > 0 && isOverLimit(reply)
        ? { recipient, outcome: 'deferred' as const, reply, overLimit: true as const }
        : this.rcptOutcome(recipient, reply);
    });
    for (const result of results) {
      if (result.overLimit) this.settled.push(result);
      else if (result.outcome === 'deferred') this.putOffAtRcpt.push(result);
    }
    const accepted = results.filter((result) => result.outcome === 'sent');
    if (probe !== undefined) return this.endProbe(probe, results, replies.data);
    if (accepted.length === 0) {
      try {
        await this.abandonData(replies.data);
      } catch (error) {
        // The empty message a 354 asked for was no one's: a hang-up there costs no one anything.
        this.forNoOne = true;
        throw error;
      }
      return results;
    }

    let final: Reply;
    if (chunked) {
      const refusedChunk = replies.chunks.find((reply) => !isPositive(reply));
      if (refusedChunk) throw refusal({ code: 'MAILV_MESSAGE_REFUSED', reply: refusedChunk }, 'body');
      final = replies.chunks[replies.chunks.length - 1]!;
    } else {
      if (replies.data?.code !== 354) throw refusal({ code: 'MAILV_DATA_REFUSED', reply: replies.data! }, 'data');
      // RFC 2920 §3.1: QUIT may end a pipelined group, so it rides with the final dot.
      await this.content(message, pipelined && this.lastTransaction, accepted.length, carry);
      if (this.plan.lmtp) {
        const outcomes = await this.perRecipient(results, accepted, await this.read('body', accepted[0]!.recipient));
        // The replies to the dot, one a recipient, end the transaction as the dot's reply does.
        if (this.ahead === undefined) this.mailOpen = false;
        return outcomes;
      }
      final = await this.endOfData();
      if (!isPositive(final)) throw refusal({ code: 'MAILV_MESSAGE_REFUSED', reply: final }, 'body');
    }
    for (const result of accepted) this.emit({ kind: 'recipient', recipient: result.recipient, outcome: 'sent', reply: final });
    return results.map((result) => (result.outcome === 'sent' ? { ...result, reply: final } : result));
  }

  /**
   * What the transaction sends, from the capabilities: the message is prepared here. A message
   * already at hand (a load run's) costs no promise.
   */
  private transactionPlan(capabilities: Capabilities): TransactionPlan | Promise<TransactionPlan> {
    const prepared = this.plan.prepare(capabilities);
    return prepared instanceof Promise ? prepared.then((message) => this.planFor(capabilities, message)) : this.planFor(capabilities, prepared);
  }

  /**
   * What the transaction sends, once its message is prepared. The same message to the same
   * capabilities is sent the same way: a load run's plan is made once, not once a message (not with
   * DSN, whose note is said for every transaction).
   */
  private planFor(capabilities: Capabilities, message: ComposedMessage): TransactionPlan {
    const last = this.lastPlan;
    if (last !== undefined && last.capabilities === capabilities && last.plan.message === message) return last.plan;
    const plan = this.newPlan(capabilities, message);
    if (this.plan.dsn === undefined) this.lastPlan = { capabilities, plan };
    return plan;
  }

  private newPlan(capabilities: Capabilities, message: ComposedMessage): TransactionPlan {
    const probe = this.probe;
    const params = this.mailParams(capabilities, message);
    const body = this.plan.body ?? 'auto';
    if (probe === undefined && body === 'bdat' && !capabilities.has('CHUNKING')) throw new CapabilityError({ code: 'MAILV_NO_CHUNKING' }, 'mail');
    // LMTP: always DATA. The last chunk would owe one reply per accepted recipient, unknown while
    // a pipelined flight's RCPT replies are still unread; after DATA's 354 they are all in.
    const chunked = probe === undefined && body !== 'data' && !this.plan.lmtp && capabilities.has('CHUNKING');
    const rcpts = probe === 'mail' ? [] : (message.recipients ?? this.plan.envelope.recipients);
    const ending: Ending =
      probe === undefined ? (chunked ? { kind: 'bdat', message } : { kind: 'data' }) : probe === 'data' ? { kind: 'data' } : { kind: 'none' };
    const pipelined = capabilities.has('PIPELINING') && this.plan.pipelining !== 'off';
    return { message, params, rcpts, ending, chunked, pipelined, probe };
  }

  /**
   * The next transaction's envelope, every reply owed: with DATA its commands are queued for the
   * write of this message's end; with BDAT the whole transaction is written now.
   */
  private sendAhead(capabilities: Capabilities): Promise<void> | undefined {
    // Thrown here, a failure would leave this message without its end (DATA) or its replies
    // unread (BDAT): it belongs to the next message, and waits for its turn.
    const failed = (error: unknown) => {
      this.aheadFailure = { error };
    };
    let prepared: ComposedMessage | Promise<ComposedMessage>;
    try {
      prepared = this.plan.prepare(capabilities);
    } catch (error) {
      failed(error);
      return undefined;
    }
    // A message already at hand (a load run's, sent again) costs no promise.
    if (prepared instanceof Promise) return prepared.then((message) => this.queueAhead(capabilities, message), failed);
    return this.queueAhead(capabilities, prepared);
  }

  /** sendAhead() once the message is prepared. */
  private queueAhead(capabilities: Capabilities, message: ComposedMessage): Promise<void> | undefined {
    let plan: TransactionPlan;
    try {
      plan = this.planFor(capabilities, message);
    } catch (error) {
      this.aheadFailure = { error };
      return undefined;
    }
    const replies: EnvelopeReplies = { mail: undefined, rcpts: [], data: undefined, chunks: [] };
    const owed: OwedReply[] = [];
    this.chunked = 0;
    // Under way before its first write: should that write fail (BDAT writes at once), the
    // transaction is known to be lost with the connection (hasAhead), not forgotten.
    const ahead: AheadTransaction = { plan, replies, owed, written: false, since: monotonicMs() };
    this.ahead = ahead;
    if (plan.ending.kind !== 'bdat') {
      // Written with this message's end (see content()).
      this.queueEnvelope(plan.params, plan.rcpts, plan.ending, owed);
      return undefined;
    }
    // The connection failed already (a hang-up, or a reply out of protocol read with this one's):
    // nothing of the next message is written, and it meets the failure in its own turn (written
    // false: the caller knows it never left), after this one's replies, maybe all here, are read.
    if (this.connection.failed) return undefined;
    ahead.written = true;
    // This one's BDAT LAST left without its replies: should every recipient have been refused, a
    // server may refuse that BDAT and keep the transaction open (Exim does: 503 to the next MAIL,
    // "sender already given"). RSET first closes it, whatever it was; a closed one it leaves alone.
    this.send('rset', { verb: 'RSET' }, true);
    owed.push(OWED_RSET);
    // The connection's last message: its BDAT LAST takes QUIT along (see bdat()), a round trip saved.
    if (this.followingIsLast()) this.lastTransaction = true;
    const writing = this.sendEnvelope(plan.params, plan.rcpts, plan.ending, true, replies, (reply) => {
      owed.push(reply);
      return undefined;
    });
    return writing.catch((error: unknown) => {
      ahead.writeFailure = { error };
    });
  }

  /**
   * A pipelined envelope that ends with DATA (or nothing): its commands queued for the next write,
   * every reply owed. Nothing is read, so nothing can be refused yet: all of it goes.
   */
  private queueEnvelope(params: readonly string[], rcpts: readonly string[], ending: Ending, owed: OwedReply[]): void {
    this.mail(this.plan.envelope.from, params, true);
    owed.push(OWED_MAIL);
    for (const recipient of rcpts) {
      this.rcpt(recipient, this.dsn === undefined ? [] : rcptDsnParams(this.dsn, recipient), true);
      owed.push({ to: 'rcpt', recipient });
    }
    if (ending.kind === 'data') {
      this.data(true);
      owed.push(OWED_DATA);
    }
  }

  /**
   * The replies owed to a transaction sent ahead, in order, from the `from`th: at once, without a
   * promise, when all of them have already arrived (as they mostly have: they come together).
   */
  private answerAhead(ahead: AheadTransaction, from = 0): EnvelopeReplies | Promise<EnvelopeReplies> {
    for (let index = from; index < ahead.owed.length && this.closingReply === undefined; index++) {
      const waiting = this.answer(ahead.owed[index]!, ahead.replies);
      if (waiting) return waiting.then(() => this.answerAhead(ahead, index + 1));
    }
    return ahead.replies;
  }

  /**
   * Reads the reply `owed` into `replies`, shown and checked. One already received is taken at
   * once, without a promise: the replies to a pipelined flight come in together.
   */
  private answer(owed: OwedReply, replies: EnvelopeReplies): Promise<void> | undefined {
    if (this.queued.length === 0 && this.answerIfHere(owed, replies)) return undefined;
    const stage = owed.to === 'chunk' ? owed.stage : owed.to;
    return this.read(stage, owed.to === 'rcpt' ? owed.recipient : undefined, owed.to === 'data').then((reply) => this.keep(owed, replies, reply));
  }

  /** The reply `owed` read into `replies`, shown and checked, when it has already arrived; whether it had. */
  private answerIfHere(owed: OwedReply, replies: EnvelopeReplies): boolean {
    const stage = owed.to === 'chunk' ? owed.stage : owed.to;
    const ready = this.connection.takeReply(stage);
    if (ready === undefined) return false;
    this.keep(owed, replies, this.accept(stage, ready, owed.to === 'rcpt' ? owed.recipient : undefined, owed.to === 'data'));
    return true;
  }

  private keep(owed: OwedReply, replies: EnvelopeReplies, reply: Reply): void {
    // RSET's reply decides nothing: MAIL's, after it, says whether the transaction could begin. But
    // RSET is answered 250 (RFC 5321 §4.1.1.5): a refusal there, other than the server closing, is
    // another command's, the replies out of step, and every verdict after it in doubt.
    if (owed.to === 'rset') {
      judgeRset(reply);
      return;
    }
    if (owed.to === 'mail') replies.mail = reply;
    else if (owed.to === 'rcpt') replies.rcpts.push(reply);
    else if (owed.to === 'data') replies.data = reply;
    else replies.chunks.push(reply);
  }

  /**
   * LMTP (RFC 2033 §4.2): after the message, one reply per accepted recipient in RCPT order, the
   * first already read as `first`; each is that recipient's outcome.
   */
  private async perRecipient(results: RecipientResult[], accepted: RecipientResult[], first: Reply): Promise<RecipientResult[]> {
    const finals = new Map<RecipientResult, RecipientResult>();
    for (const [index, result] of accepted.entries()) {
      // Each verdict is shown as soon as its reply is read, under that reply.
      const reply = index === 0 ? first : await this.read('body', result.recipient);
      const outcome: RecipientOutcome = isPositive(reply) ? 'sent' : reply.code >= 500 ? 'refused' : 'deferred';
      this.emit({ kind: 'recipient', recipient: result.recipient, outcome, reply });
      const final = { recipient: result.recipient, outcome, reply, afterMessage: true as const };
      // Refused for good: it stands if the replies after it never come (a hang-up).
      if (outcome === 'refused') this.refused.push(final);
      else this.settled.push(final);
      finals.set(result, final);
    }
    return results.map((result) => finals.get(result) ?? result);
  }

  /**
   * MAIL, one RCPT per recipient, then DATA, or the message in BDAT chunks, or nothing. Pipelining
   * decides only when replies are awaited: with PIPELINING every command goes out before the first
   * reply is read (RFC 2920 §3.1: replies come back in order); without it each reply is awaited
   * after its command, and a refusal already known that leaves nothing to send (the sender, every
   * recipient, a chunk) ends the sending there.
   */
  private async envelope(
    params: readonly string[],
    rcpts: readonly string[],
    ending: Ending,
    pipelined: boolean,
    /** Sends the next transaction before this one's replies are read (BDAT, see next()). */
    carry?: () => Promise<void> | undefined,
  ): Promise<EnvelopeReplies> {
    const replies: EnvelopeReplies = { mail: undefined, rcpts: [], data: undefined, chunks: [] };
    const owed: OwedReply[] = [];
    const answer: Answer = (reply) => {
      if (!pipelined) return this.answer(reply, replies);
      owed.push(reply);
      return undefined;
    };
    let answered = 0;
    try {
      // Pipelined, an envelope that ends in DATA (or nothing) is only queued: nothing to wait for.
      if (pipelined && ending.kind !== 'bdat') this.queueEnvelope(params, rcpts, ending, owed);
      else await this.sendEnvelope(params, rcpts, ending, pipelined, replies, answer);
      const carrying = carry?.();
      if (carrying) await carrying;
      // Every reply of a flight is read before any is judged, so none is left for QUIT to take.
      // After a 421 the server is closing (RFC 5321 §3.8): the replies still owed will not come.
      for (; answered < owed.length && this.closingReply === undefined; answered++) {
        const waiting = this.answer(owed[answered]!, replies);
        if (waiting) await waiting;
      }
    } catch (error) {
      // q at --step: what was written is answered before QUIT, or QUIT would take another's
      // reply. The commands still queued, the last owed, never left (flush keeps them until go).
      if (error instanceof StepStop) {
        const unwritten = this.queued.length;
        this.queued = [];
        for (const reply of owed.slice(answered, owed.length - unwritten)) await this.answer(reply, replies);
      }
      // A write of the flight failed, the server gone: if it said 421 first, that is the failure
      // (RFC 5321 §3.8), not the write it left unread.
      if (error instanceof TransportError && this.closedWith(owed, answered, replies)) return replies;
      this.refusalsStand(replies, rcpts);
      throw error;
    }
    return replies;
  }

  /**
   * The transaction failed before its replies were all read (a hang-up, a time limit, a 421 to the
   * recipient at `upTo`): the recipients refused for good before that stand, said and kept apart
   * from those the failure puts off (refusedRecipients); so do those the limit turned away, kept
   * unsaid (settledRecipients): with BDAT their 452s may come with the chunks' replies. Once the
   * whole message left (BDAT), or when no recipient was taken, so do those put off at RCPT
   * (deferredAtRcpt): never in the message, they are not among those the server may have.
   */
  private refusalsStand(replies: EnvelopeReplies, rcpts: readonly string[], upTo = replies.rcpts.length): void {
    if (replies.mail === undefined || !isPositive(replies.mail)) return;
    const movesOn = this.movesOverLimit(replies);
    // Every recipient's reply read and none took: whatever left of the message (BDAT), whole or
    // not, is no one's, and the server cannot have it (RFC 5321 §3.3: a transaction whose every RCPT
    // was refused takes no message); each put off at RCPT keeps its own reply, as once it all left.
    const noneTook = replies.rcpts.length === rcpts.length && upTo === rcpts.length && !replies.rcpts.some(isPositive);
    for (const [index, reply] of replies.rcpts.slice(0, upTo).entries()) {
      if (reply.code >= 500) this.rcptOutcome(rcpts[index]!, reply);
      else if (movesOn && isOverLimit(reply)) this.settled.push({ recipient: rcpts[index]!, outcome: 'deferred', reply, overLimit: true });
      else if ((this.committedMessage || noneTook) && !isPositive(reply)) this.putOffAtRcpt.push(this.rcptOutcome(rcpts[index]!, reply));
    }
    if (noneTook) this.forNoOne = true;
  }

  /** Recipients the limit turned away (452) go again in another transaction: asked for, not in a probe, and someone was taken. */
  private movesOverLimit(replies: EnvelopeReplies): boolean {
    return this.plan.recipientsOverLimitGoAgain === true && this.probe === undefined && replies.rcpts.some(isPositive);
  }

  /** The step a --quit-after probe ends the transaction at, if it is one. */
  private get probe(): TransactionPlan['probe'] {
    const { quitAfter } = this.plan;
    return quitAfter === 'mail' || quitAfter === 'rcpt' || quitAfter === 'data' ? quitAfter : undefined;
  }

  /** The replies owed from `from` that are already here, read; true when a 421 is among them. */
  private closedWith(owed: readonly OwedReply[], from: number, replies: EnvelopeReplies): boolean {
    for (let index = from; index < owed.length && this.closingReply === undefined; index++) {
      if (!this.answerIfHere(owed[index]!, replies)) break;
    }
    return this.closingReply !== undefined;
  }

  /** The commands of envelope(), each reply read now or owed (see `answer`). */
  private async sendEnvelope(
    params: readonly string[],
    rcpts: readonly string[],
    ending: Ending,
    pipelined: boolean,
    replies: EnvelopeReplies,
    answer: Answer,
  ): Promise<void> {
    const refused = (reply: Reply | undefined) => reply !== undefined && !isPositive(reply);
    const everyRecipientRefused = () => rcpts.length > 0 && replies.rcpts.length === rcpts.length && !replies.rcpts.some(isPositive);
    // Pipelined, the verbs only queue and nothing is answered yet: no promise to wait for.
    let waiting = this.mail(this.plan.envelope.from, params, pipelined);
    if (waiting) await waiting;
    waiting = answer(OWED_MAIL);
    if (waiting) await waiting;
    if (!refused(replies.mail)) {
      for (const recipient of rcpts) {
        waiting = this.rcpt(recipient, this.dsn === undefined ? [] : rcptDsnParams(this.dsn, recipient), pipelined);
        if (waiting) await waiting;
        waiting = answer({ to: 'rcpt', recipient });
        if (waiting) await waiting;
        // After a 421 the server is closing (RFC 5321 §3.8): nothing more of the transaction is sent,
        // the rest is answered by it (owedAnsweredBy).
        if (this.closingReply !== undefined) return;
      }
      if (!everyRecipientRefused()) {
        if (ending.kind === 'data') {
          waiting = this.data(pipelined);
          if (waiting) await waiting;
          waiting = answer(OWED_DATA);
          if (waiting) await waiting;
        } else if (ending.kind === 'bdat') {
          // Pipelined, every chunk leaves before any reply is read: one flight, said before the first.
          // Stepped, each chunk waits for its go and is asked for alone (the last with QUIT: see bdat()).
          const flightOfAll = pipelined && this.plan.step === undefined;
          let flight = flightOfAll ? chunkCount(ending.message.size, this.plan.chunkSize) + (this.lastTransaction ? 1 : 0) : 0;
          for await (const chunk of chunksOf(ending.message, this.plan.chunkSize)) {
            await this.bdat(chunk, pipelined, flight);
            flight = 0;
            await answer({ to: 'chunk', stage: chunkStage(chunk) });
            if (refused(replies.chunks[replies.chunks.length - 1])) break;
          }
        }
      }
    }
  }

  /** --quit-after mail, rcpt or data: refusals are reported as in a real transaction, and no byte of the message is sent. */
  private async endProbe(point: 'mail' | 'rcpt' | 'data', results: RecipientResult[], dataReply: Reply | undefined): Promise<RecipientResult[]> {
    if (point === 'data' && !results.some((result) => result.outcome === 'sent')) {
      // As in a real send: nobody to deliver to is the recipients' outcome (67), not DATA's.
      await this.abandonData(dataReply);
      this.emit({ kind: 'note', note: { code: 'quit-before-data', point: 'data' }, severity: 'info' });
      this.probeEndedEarly = true;
      return results;
    }
    if (point === 'data' && dataReply?.code !== 354) throw refusal({ code: 'MAILV_DATA_REFUSED', reply: dataReply! }, 'data');
    // After data, run() says how the session ends: by hanging up.
    if (point !== 'data') this.stopsAfter(point);
    return results;
  }

  /**
   * --step: waits for the user's go before `next` is written (or shown); `q` stops the session
   * (StepStop), QUIT still said. Before QUIT alone, q asks for what is about to happen: it goes.
   */
  private step(next: PendingWrite): Promise<void> | undefined {
    // Not stepping: nothing to wait for, and no promise (a load run writes thousands of commands a second).
    if (!this.plan.step || !this.stepping) return undefined;
    return this.askStep(this.plan.step, next);
  }

  private async askStep(ask: NonNullable<SessionPlan['step']>, next: PendingWrite): Promise<void> {
    const answer = await ask(next);
    if (answer === 'go' || isQuitAlone(next)) return;
    this.stepping = false;
    throw new StepStop();
  }

  /** --quit-after this step: says so, and whether the step was `skipped`; the caller returns and QUIT follows. */
  private stopsAfter(point: QuitPoint, skipped?: SkippedStep): boolean {
    if (this.plan.quitAfter !== point) return false;
    this.emit({
      kind: 'note',
      note: { code: 'quit-after', point, ...(skipped === undefined ? {} : { skipped }) },
      severity: skipped === undefined ? 'info' : 'warning',
    });
    return true;
  }

  /** Why a session in plaintext after EHLO has no TLS; `capabilities`: the EHLO reply's. */
  private whyNoTls(capabilities: Capabilities): SkippedStep {
    if (this.plan.tls === 'off') return 'tls-off';
    return capabilities.has('STARTTLS') ? 'refused' : 'not-offered';
  }

  /** EHLO, or HELO when the server does not know EHLO (RFC 5321 §4.1.4); then STARTTLS if due. */
  private hello(): Promise<Capabilities> {
    return this.ehlo(this.plan.helo).then((answer) => this.afterHello(answer));
  }

  /** After the EHLO reply: HELO when EHLO is unknown, else STARTTLS if due. */
  private afterHello({ reply, capabilities }: EhloAnswer): Capabilities | Promise<Capabilities> {
    // LMTP has no HELO (RFC 2033 §4.1).
    if (capabilities === undefined && this.plan.lmtp) throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: 'LHLO', afterTls: false, reply }, 'ehlo');
    if (capabilities === undefined) return this.heloFallback(reply);
    if (this.plan.quitAfter === 'ehlo') return capabilities;
    if (this.plan.tls === 'off' || this.connection.tls) return capabilities;
    if (capabilities.has('STARTTLS')) return this.startTls(capabilities);
    if (this.plan.tls === 'required') return this.refuseTls({ why: 'not-offered' });
    return capabilities;
  }

  /** Where the session stands for the next EHLO: in clear, after STARTTLS, or inside smtps. */
  private tlsState(): EhloTlsState {
    if (!this.connection.tls) return 'clear';
    return this.plan.implicitTls ? 'implicit' : 'starttls';
  }

  private ehloKey(tls: EhloTlsState): EhloKey {
    return {
      host: this.plan.serverName ?? this.connection.host,
      address: this.connection.remoteAddress,
      port: this.connection.remotePort,
      tls,
      helo: this.plan.helo,
      // Only a name SNI sends: none in clear, none for an address (RFC 6066 §3), none for --direct's MX names.
      ...(tls !== 'clear' && this.nameGiven && ipVersion(this.tlsHost()) === 0 ? { tlsName: this.tlsHost() } : {}),
    };
  }

  /**
   * The remembered EHLO reply that allows an early EHLO in `tls`, if any. Never in clear when TLS
   * is to follow (STARTTLS offered and not --tls off, or --tls required): nothing goes early before
   * the handshake. A stale one is said, and the dialogue is the usual one.
   */
  private remembered(tls: EhloTlsState): RememberedEhlo | undefined {
    // Nothing remembered: no key to build (the peer's address costs a system call).
    if (this.plan.remembered === undefined || this.plan.remembered.length === 0) return undefined;
    const key = this.ehloKey(tls);
    const found = this.plan.remembered.find((entry) => sameKey(entry, key));
    if (found === undefined) return undefined;
    if (this.notEarly(tls, found.offer) !== undefined) return undefined;
    if (!found.fresh) {
      this.emit({ kind: 'note', note: { code: 'pipeconnect-stale', ...(found.future === true ? { future: true } : {}) }, severity: 'info' });
      return undefined;
    }
    return found;
  }

  /** EHLO written before the greeting is read (PIPECONNECT), said so before it is shown. */
  private async earlyEhlo(): Promise<void> {
    this.emit({ kind: 'note', note: { code: 'pipeconnect-early' }, severity: 'info' });
    await this.send('ehlo', { verb: 'EHLO', domain: this.plan.helo });
  }

  /**
   * A read while an early EHLO is outstanding: a hang-up then is the server refusing early talkers;
   * so is, once it has greeted (`greeted`), the early EHLO left unanswered for the whole time limit
   * (a server that drops what comes before its greeting): no early talk to it for a day, or each
   * send would wait that long again. A greeting that never comes says nothing of early talk.
   */
  private earlyAnswer<T>(early: RememberedEhlo | undefined, read: () => Promise<T>, greeted = false): Promise<T> {
    return early === undefined ? read() : this.earlyRead(early, read, greeted);
  }

  private async earlyRead<T>(early: RememberedEhlo, read: () => Promise<T>, greeted: boolean): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const hungUp = error instanceof TransportError && (error.reason === 'closed' || error.reason === 'reset');
      const unanswered = greeted && error instanceof TransportError && error.reason === 'timeout';
      if ((hungUp || unanswered) && this.resumptionFailed === undefined) this.forgetEarly(early, unanswered);
      throw error;
    }
  }

  /**
   * A greeting other than 220 after an early EHLO: its reply (or the hang-up) is read, nothing more
   * is sent. A 5xx may be the server's answer to a client that spoke first (Exim's "synchronization
   * error"): what was remembered is forgotten, and the message may go again without it.
   */
  private async earlyGreetingRefused(early: RememberedEhlo, greeting: Reply): Promise<void> {
    let answered = false;
    try {
      // A server that drops what came before its greeting never answers it: waited for briefly.
      const reply = await this.connection.readReply('ehlo', Math.min(this.plan.timeouts.forStage('quit'), EARLY_EHLO_ANSWER_MS));
      // A 421 there is the server closing: no QUIT follows it either (RFC 5321 §3.8).
      this.closingOn(reply);
      this.emit({ kind: 'reply', stage: 'ehlo', reply, recipient: undefined });
      answered = true;
    } catch (error) {
      if (!(error instanceof MailvError)) throw error;
    }
    // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT. Not sent to one that hung up,
    // nor behind an EHLO still unanswered (its late reply would be read as QUIT's); after a 421
    // (the greeting's or the EHLO's) quit() sends none.
    if (answered && !this.connection.failed) await this.quit();
    this.hungUp = true;
    // A 5xx is the server's word on early talk, kept; a 421 may be early talk refused as well as a
    // busy server, which cannot be told apart: forgotten for now, and the message goes again once,
    // over a new connection that waits for the greeting (a server that refuses early talkers with
    // 421 would otherwise refuse every send until the memory expires).
    this.forgetEarly(early, greeting.code >= 500);
  }

  /** `lasting`: refused with a 5xx, not a hang-up that may pass. */
  private forgetEarly(early: RememberedEhlo, lasting: boolean): void {
    this.earlyEhloRefused = true;
    this.emit({ kind: 'ehlo-forgotten', key: keyOf(early), lasting });
    this.emit({ kind: 'note', note: { code: 'pipeconnect-refused', lasting }, severity: 'warning' });
  }

  /**
   * The reply to the early EHLO, after a 220 greeting. The rest follows that reply, never what was
   * remembered: a change is said (and remembered anew); a refusal is said, forgotten, and EHLO is
   * sent again the usual way.
   */
  private async earlyHello(early: RememberedEhlo): Promise<Capabilities> {
    const answer = await this.earlyAnswer(early, () => this.ehloAnswer(), true);
    if (answer.capabilities === undefined && answer.reply.code < 400) {
      // No refusal, and no EHLO reply either (a second 220): the protocol broken, as it would be
      // after a usual EHLO; the server is not trusted with an early EHLO again.
      this.emit({ kind: 'ehlo-forgotten', key: keyOf(early), lasting: false });
      throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: 'EHLO', afterTls: false, reply: answer.reply }, 'ehlo');
    }
    if (answer.capabilities === undefined) {
      const lasting = answer.reply.code >= 500;
      // After a 421 the message goes over a new connection (the server is closing), not on this one.
      const closing = answer.reply.code === 421;
      this.emit({ kind: 'ehlo-forgotten', key: keyOf(early), lasting });
      this.emit({ kind: 'note', note: { code: closing ? 'pipeconnect-refused' : 'pipeconnect-ehlo-refused', lasting }, severity: 'warning' });
      // Until the usual EHLO is answered, a hang-up is the refusal's: the message goes again over
      // a new connection (see earlyTalkRefused). After a 421 the server is closing: nothing more here.
      this.earlyEhloRefused = true;
      if (closing) throw new TransportError({ code: 'MAILV_SERVICE_CLOSING', reply: answer.reply }, 'ehlo', 'closed');
      let capabilities: Capabilities;
      try {
        capabilities = await this.hello();
      } catch (error) {
        // Only a hang-up is the refusal's; any other failure (a 5xx to this EHLO too, TLS) is the session's own.
        this.earlyEhloRefused = error instanceof TransportError && (error.reason === 'closed' || error.reason === 'reset');
        throw error;
      }
      this.earlyEhloRefused = false;
      return capabilities;
    }
    if (!sameOffer(answer.capabilities.offer, early.offer)) {
      const stillOffered = answer.capabilities.has('PIPECONNECT');
      const tooLarge = stillOffered && !rememberable(answer.capabilities.offer);
      this.emit({ kind: 'note', note: { code: 'pipeconnect-changed', stillOffered, ...(tooLarge ? { tooLarge } : {}) }, severity: 'info' });
    }
    return this.afterHello(answer);
  }

  /**
   * XCLIENT (Postfix): the server must offer it to this client (smtpd_authorized_xclient_hosts);
   * its 220 is a new greeting, after which the session starts again from EHLO.
   */
  private async claimClient(capabilities: Capabilities, attributes: readonly XclientAttribute[]): Promise<Capabilities> {
    if (!capabilities.has('XCLIENT')) throw new CapabilityError({ code: 'MAILV_NO_XCLIENT' }, 'ehlo');
    await this.send('ehlo', { verb: 'XCLIENT', attributes });
    const reply = await this.read('ehlo');
    if (reply.code !== 220) throw refusal({ code: 'MAILV_XCLIENT_REFUSED', reply }, 'ehlo');
    const again = await this.ehlo(this.plan.helo);
    if (again.capabilities === undefined) throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: 'EHLO', afterTls: false, reply: again.reply }, 'ehlo');
    return again.capabilities;
  }

  /** The PROXY header: written before the greeting, and answered by none. */
  private async proxyHeader(request: NonNullable<SessionPlan['proxy']>): Promise<void> {
    const destination = { address: this.connection.remoteAddress, port: this.connection.remotePort };
    const command: Command = { verb: 'PROXY', header: { ...request, destination } };
    // Made before it is shown: a header that cannot be made (two families) never shows as written.
    const header = encodeProxyHeader(command.header);
    await this.step({ content: undefined, commands: [command] });
    this.connection.throwIfFailed('connect');
    this.emit({ kind: 'send', stage: 'connect', command, pipelined: false });
    await this.connection.write(header, 0, 'connect', this.plan.timeouts.forStage('connect'));
  }

  private async heloFallback(ehlo: Reply): Promise<Capabilities> {
    if (!EHLO_UNACCEPTABLE.has(ehlo.code)) throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: 'EHLO', afterTls: false, reply: ehlo }, 'ehlo');
    const helo = await this.helo(this.plan.helo);
    if (helo.code !== 250) throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: 'HELO', afterTls: false, reply: helo }, 'ehlo');
    if (this.plan.tls === 'required') await this.refuseTls({ why: 'no-ehlo' });
    return Capabilities.none();
  }

  /**
   * RFC 3207: STARTTLS, the handshake, then EHLO again, forgetting every capability learned
   * before. A refusal leaves the session in plaintext, as opportunistic TLS allows (RFC 7435).
   */
  private async startTls(before: Capabilities): Promise<Capabilities> {
    const reply = await this.starttls();
    // 421 is the server closing (RFC 5321 §3.8), not a refusal to go on without: nothing more is
    // said to it, no QUIT and above all no AUTH in plain text; another MX host may be tried.
    if (reply.code === 421) throw new TransportError({ code: 'MAILV_SERVICE_CLOSING', reply }, 'starttls', 'closed');
    // RFC 3207 §4: 220, or a refusal (454, 501); another positive reply answers some other command,
    // and is no refusal to go on from in plain text.
    if (reply.code < 400 && reply.code !== 220) throw unexpected('starttls', reply);
    if (reply.code !== 220) {
      if (this.plan.tls === 'required') await this.refuseTls({ why: 'refused', reply });
      this.emit({ kind: 'note', note: { code: 'starttls-refused', reply }, severity: 'warning' });
      return before;
    }
    await this.handshake(this.plan.tls === 'required' ? 'tls-required' : undefined);
    const again = await this.firstAfterResumption(() => this.ehlo(this.plan.helo));
    if (again.capabilities === undefined)
      throw refusal({ code: 'MAILV_HELLO_REFUSED', verb: this.plan.lmtp ? 'LHLO' : 'EHLO', afterTls: true, reply: again.reply }, 'ehlo');
    return again.capabilities;
  }

  /**
   * No greeting came on port 465 in the clear, not a byte, before the time limit or the server's
   * own (Postfix gives up the handshake it waits for after 300 s): a server there waits for TLS
   * (RFC 8314), which smtp:// never starts; the error says so. A server that hangs up at once
   * (within SILENT_GREETING_MS) was no such one.
   */
  private silentGreeting(error: unknown, waitedMs: number): unknown {
    if (!(error instanceof TransportError) || this.connection.remotePort !== 465 || this.connection.tls || this.connection.bytesReceived > 0) return error;
    const fact = error.fact;
    if (fact.code === 'MAILV_TIMEOUT') return new TransportError({ ...fact, implicitTlsPort: true }, 'greeting', error.reason);
    if (fact.code === 'MAILV_CONNECTION_LOST' && waitedMs >= SILENT_GREETING_MS)
      return new TransportError({ ...fact, implicitTlsPort: true }, 'greeting', error.reason);
    return error;
  }

  /** The user named the server (--tls-name, the accounts file's tls-name): not --direct's MX names, which are the hosts' own. */
  private get nameGiven(): boolean {
    return this.plan.tlsNameGiven !== undefined;
  }

  /**
   * The name the server's certificate is checked against and sent (SNI): the one given, without a
   * fully qualified name's final dot (`--server mail.example.org.`), which SNI leaves out (RFC 6066 §3).
   */
  private tlsHost(): string {
    return (this.plan.tlsName ?? this.connection.host).replace(/\.$/, '');
  }

  /**
   * The TLS handshake and its note. `enforcedBy` names what demands a verified certificate
   * (--tls required, smtps://); --insecure lifts the demand.
   */
  private async handshake(enforcedBy: 'tls-required' | 'smtps' | undefined): Promise<void> {
    const host = this.tlsHost();
    let details: TlsDetails;
    let resumption: TlsResumption | undefined;
    try {
      resumption = await this.prepareTls();
      details = await this.connection.startTls(host, this.plan.timeouts.forStage('starttls'), this.tlsTrust(), resumption, this.nameGiven);
    } catch (error) {
      if (!(error instanceof TlsError) || error.fact.code !== 'MAILV_TLS_HANDSHAKE') throw error;
      if (resumption?.stored !== undefined) {
        // Some servers fail any resumed handshake (OpenSSL without a session id context, asking for
        // client certificates): the kept session goes, and none is offered to them for a while; the
        // message may go again with a full handshake (see resumptionFailure). A server that
        // was only slow loses the session, nothing more.
        const slow = error.fact.failure.kind === 'timeout';
        resumption.refused(!slow);
        if (!slow) this.resumptionFailed = { failure: error.fact.failure };
      }
      // No silent retry in plaintext: the user decides, and is told how; but not told to drop the
      // TLS they demanded (--tls required) or that a login needs (what looks like STARTTLS stripping).
      const plaintextWould = this.plan.tls !== 'required' && this.plan.auth === undefined;
      throw new TlsError({ ...error.fact, hint: this.plan.implicitTls ? 'smtps' : plaintextWould ? 'starttls' : undefined }, 'starttls');
    }
    const given = this.plan.tlsNameGiven;
    this.emit({ kind: 'tls', ...details, ...(given === undefined ? {} : { checkedAs: { name: host, given } }) });
    if (details.resumed) this.resumed = resumption;
    if (details.verified || enforcedBy === undefined || this.plan.insecure) return;
    const unverified = new TlsError({ code: 'MAILV_CERTIFICATE_UNVERIFIED', host, problem: details.problem, enforcedBy }, 'starttls');
    // Implicit TLS has no greeting yet, so no QUIT: the connection just ends.
    if (enforcedBy !== 'smtps') await this.quit();
    throw unverified;
  }

  private tlsResumptionLookup: Promise<TlsResumption | undefined> | undefined;

  /**
   * The server's first reply after TLS. When the handshake resumed a kept session, a server that
   * hangs up instead of answering has failed it as surely as one that broke the handshake.
   */
  private async firstAfterResumption<T>(read: () => Promise<T>): Promise<T> {
    const resumption = this.resumed;
    this.resumed = undefined;
    if (resumption === undefined) return read();
    try {
      return await read();
    } catch (error) {
      // A hang-up, not a 421: a server closing the session in words has its own reasons.
      if (error instanceof TransportError && error.fact.code === 'MAILV_CONNECTION_LOST') {
        resumption.refused(true);
        this.resumptionFailed = {};
      }
      throw error;
    }
  }

  private tlsTrust(): TlsTrust {
    return {
      extraCa: this.plan.extraCa,
      nodeExtraCa: this.plan.nodeExtraCa,
      identity: this.plan.clientIdentity,
      insecure: this.plan.insecure,
      withheld: this.plan.clientIdentityWithheld,
    };
  }

  /**
   * Starts what the handshake needs (node:tls, the trusted CAs, the session kept for resumption),
   * once, without waiting for it; resolves to the session to offer. Failures are met by the
   * handshake, which awaits the same promises.
   */
  private prepareTls(): Promise<TlsResumption | undefined> {
    if (this.tlsResumptionLookup === undefined) {
      const host = this.tlsHost();
      const server = { name: host, address: this.connection.remoteAddress, port: this.connection.remotePort };
      this.tlsResumptionLookup = this.plan.insecure ? Promise.resolve(undefined) : Promise.resolve(this.plan.tlsResumption?.(server));
      // The context is made for the session offered, if any (see SmtpConnection.prepareTls).
      // A lookup that failed fails the handshake before it needs a context: none is made for it.
      this.tlsResumptionLookup.then((resumption) => void this.connection.prepareTls(this.tlsTrust(), resumption)).catch(() => {});
    }
    return this.tlsResumptionLookup;
  }

  /** --tls required and no verified TLS: say goodbye, then stop (TlsError, 75). */
  private async refuseTls(why: TlsUnavailable): Promise<never> {
    await this.quit();
    throw new TlsError({ code: 'MAILV_TLS_UNAVAILABLE', ...why }, 'starttls');
  }

  /** AUTH, the secrets withheld from the events, and masked in every reply after, unless --show-secrets. */
  private async logIn(plan: AuthPlan, capabilities: Capabilities): Promise<void> {
    const { authenticate } = await import('./authenticate.js');
    const timeout = this.plan.timeouts.forStage('auth');
    const send = async (command: Command) => {
      const shown = withheld(command, plan.showSecrets);
      await this.step({ content: undefined, commands: [shown] });
      this.connection.throwIfFailed('auth');
      this.emit({ kind: 'send', stage: 'auth', command: shown, pipelined: false });
      await this.connection.write(`${formatCommand(command)}\r\n`, 1, 'auth', timeout);
    };
    await authenticate(
      {
        send,
        read: () => this.connection.readReply('auth', timeout).then((reply) => this.closingOn(reply)),
        show: (reply) => this.emit({ kind: 'reply', stage: 'auth', reply, recipient: undefined }),
        note: (note, warning) => this.emit({ kind: 'note', note, severity: warning ? 'warning' : 'info' }),
        hide: (secret, kind) => this.connection.hide(secret, kind),
      },
      plan,
      capabilities,
      this.plan.tlsName ?? this.connection.host,
      {
        remoteAddress: this.connection.remoteAddress,
        tls: this.connection.tls,
        unixSocket: this.connection.unixSocket,
        nameGiven: this.nameGiven,
      },
    );
  }

  /** MAIL's parameters for this message and server; throws CapabilityError when it cannot take the message. */
  private mailParams(capabilities: Capabilities, message: ComposedMessage): string[] {
    const { from, recipients } = this.plan.envelope;
    const limit = capabilities.sizeLimit;
    if (limit !== undefined && message.size > limit) throw new CapabilityError({ code: 'MAILV_TOO_BIG', size: message.size, limit }, 'mail');
    // The envelope is the same for every transaction of the session: looked at once.
    this.envelopeNeedsUtf8 ??= [from, ...recipients].some(needsSmtpUtf8);
    const utf8 = this.envelopeNeedsUtf8;
    if (utf8 && !capabilities.has('SMTPUTF8')) throw new CapabilityError({ code: 'MAILV_NO_SMTPUTF8' }, 'mail');
    const params: string[] = [];
    if (capabilities.has('SIZE')) params.push(`SIZE=${message.size}`);
    // A header in UTF-8 is 8-bit octets too, whatever the body's encoding (RFC 6152 covers the whole message).
    if ((message.eightBit || message.utf8Header === true) && capabilities.has('8BITMIME')) params.push('BODY=8BITMIME');
    // A header in UTF-8 asks for SMTPUTF8 where it is offered; elsewhere it goes as before, most servers take it.
    if (utf8 || (message.utf8Header === true && capabilities.has('SMTPUTF8'))) params.push('SMTPUTF8');
    const { dsn } = this.plan;
    if (dsn !== undefined && capabilities.has('DSN')) {
      this.dsn = dsn;
      params.push(...mailDsnParams(dsn));
    } else if (dsn !== undefined) {
      this.emit({ kind: 'note', note: { code: 'dsn-not-offered' }, severity: 'warning' });
    }
    return params;
  }

  /** The 'login-not-tried' note, once a session, when a refusal asks for the login mailv did not attempt. */
  private noteLoginNotTried(capabilities: Capabilities, replies: EnvelopeReplies): void {
    if (this.loginNotTriedSaid || this.plan.auth !== undefined || this.plan.loginPossible !== true || capabilities.authMechanisms === undefined) return;
    if (![replies.mail, ...replies.rcpts].some((reply) => reply !== undefined && asksForLogin(reply))) return;
    this.loginNotTriedSaid = true;
    this.emit({ kind: 'note', note: { code: 'login-not-tried' }, severity: 'warning' });
  }

  private rcptOutcome(recipient: string, reply: Reply): RecipientResult {
    if (isPositive(reply)) return { recipient, outcome: 'sent', reply };
    const outcome: RecipientOutcome = reply.code >= 500 ? 'refused' : 'deferred';
    const next = outcome === 'deferred' && this.plan.putOffGoesOn === true && this.probe === undefined;
    this.emit({ kind: 'recipient', recipient, outcome, reply, ...(next ? { next: true as const } : {}) });
    const result: RecipientResult = { recipient, outcome, reply, ...(next ? { goesOn: true as const } : {}) };
    if (outcome === 'refused') this.refused.push(result);
    return result;
  }

  /**
   * Nobody is to get the message, but a pipelined DATA may have been accepted anyway: send an
   * empty message and reset, so nothing is delivered (RFC 2920 §3.1).
   */
  private async abandonData(dataReply: Reply | undefined): Promise<void> {
    if (dataReply?.code !== 354) return;
    this.inData = true;
    await this.send('body', { verb: '.' });
    this.inData = false;
    await this.endOfData();
    try {
      await this.rset();
    } catch (error) {
      // The refusal before it is the verdict: a server that hangs up at the RSET that tidies up
      // after it, or refuses that RSET, does not make a refused message one lost with its
      // connection or a protocol error (a load run would send it again; a send would not say 67).
      // A 3xx there still is one: the server took the dot for message content, QUIT would be too.
      const refused = error instanceof ProtocolError && error.fact.code === 'MAILV_UNEXPECTED_REPLY' && error.fact.reply.code >= 400;
      if (!(error instanceof TransportError) && !refused) throw error;
    }
  }

  /** The reply to the final dot: whatever it says, it ends the transaction (RFC 5321 §4.1.1.4). */
  private async endOfData(): Promise<Reply> {
    const reply = await this.read('body');
    // Unless the next transaction's MAIL went with the dot (see sendAhead()).
    if (this.ahead === undefined) this.mailOpen = false;
    return reply;
  }

  // The verbs. Each writes its command (pipelined: queues it for the next write), and those that
  // are never pipelined await their reply.

  /** EHLO (LHLO for LMTP); the capabilities when the reply is 250. */
  ehlo(domain: string): Promise<EhloAnswer> {
    const writing = this.send('ehlo', { verb: this.plan.lmtp ? 'LHLO' : 'EHLO', domain });
    return writing ? writing.then(() => this.ehloAnswer()) : this.ehloAnswer();
  }

  /** The reply to an EHLO already written; a 250 is also offered to the app to remember. */
  private ehloAnswer(): Promise<EhloAnswer> {
    return this.receive('ehlo').then((reply) => this.ehloAnswered(reply));
  }

  private ehloAnswered(reply: Reply): EhloAnswer {
    const capabilities = reply.code === 250 ? Capabilities.fromEhlo(reply) : undefined;
    // No QUIT after a 421 here either, as after any other command.
    this.closingOn(reply);
    this.emit({ kind: 'reply', stage: 'ehlo', reply, recipient: undefined, ...(capabilities ? { ehlo: capabilities.offer } : {}) });
    judge('ehlo', reply, false);
    // After STARTTLS nothing is sent early (see remembered()): that reply is not worth keeping.
    const tls = this.tlsState();
    if (capabilities && this.plan.remembered && tls !== 'starttls') this.rememberOffer(tls, capabilities.offer);
    return { reply, capabilities };
  }

  /**
   * What an EHLO reply changes in what is remembered: a server offering PIPECONNECT is learned; one
   * remembered for it that offers it no more is forgotten; any other leaves nothing to say.
   */
  private rememberOffer(tls: EhloTlsState, offer: EhloOffer): void {
    if (rememberable(offer)) {
      const key = this.ehloKey(tls);
      if (this.plan.refusesEarly?.(key) === true) return;
      const notEarly = this.notEarly(tls, offer);
      this.emit({ kind: 'ehlo-learned', key, offer, ...(notEarly === undefined ? {} : { notEarly }) });
      return;
    }
    if (this.plan.remembered === undefined || this.plan.remembered.length === 0) return;
    const key = this.ehloKey(tls);
    if (this.plan.remembered.some((entry) => sameKey(entry, key))) this.emit({ kind: 'ehlo-forgotten', key, lasting: false });
  }

  /**
   * Why an EHLO reply kept for `tls` does not let EHLO go before the greeting under this run's TLS
   * setting: in clear when TLS is to follow (STARTTLS offered and not --tls off, or --tls
   * required), nothing goes before the handshake; early EHLO is pipelining before the greeting, not
   * for a server that takes none after it.
   */
  private notEarly(tls: EhloTlsState, offer: EhloOffer): NotEarly | undefined {
    if (tls === 'clear' && (this.plan.tls === 'required' || (this.plan.tls === 'auto' && offers(offer, 'STARTTLS')))) return 'tls-follows';
    return offers(offer, 'PIPELINING') ? undefined : 'no-pipelining';
  }

  /** HELO, for a server that does not know EHLO. */
  async helo(domain: string): Promise<Reply> {
    await this.send('ehlo', { verb: 'HELO', domain });
    return this.read('ehlo');
  }

  async starttls(): Promise<Reply> {
    await this.send('starttls', { verb: 'STARTTLS' });
    void this.prepareTls(); // while the 220 is on its way
    return this.read('starttls');
  }

  /** MAIL FROM: written now, or queued when pipelined (then nothing to wait for); the reply is the caller's to read. */
  mail(from: string, params: readonly string[], pipelined: boolean): Promise<unknown> | undefined {
    return this.send('mail', { verb: 'MAIL', from, params }, pipelined);
  }

  /** RCPT TO: as MAIL. */
  rcpt(to: string, params: readonly string[], pipelined: boolean): Promise<unknown> | undefined {
    return this.send('rcpt', { verb: 'RCPT', to, params }, pipelined);
  }

  /** DATA: its reply (354) is the one intermediate reply of a transaction. */
  data(pipelined: boolean): Promise<unknown> | undefined {
    return this.send('data', { verb: 'DATA' }, pipelined);
  }

  /**
   * After 354: the message, dot-stuffed, and the final dot (QUIT in the same write when
   * `withQuit`). Once that write is taken, the message is committed.
   */
  async content(message: ComposedMessage, withQuit: boolean, finalReplies = 1, carry?: () => Promise<void> | undefined): Promise<void> {
    // One pause for the whole message: after 354 the server waits for all of it, and reads even
    // QUIT as part of it, so stopping here means hanging up.
    this.inData = true;
    if (this.plan.step) await this.step({ content: message.size, commands: withQuit ? [{ verb: '.' }, QUIT] : [{ verb: '.' }] });
    const timeout = this.plan.timeouts.dataBlock;
    // A message held whole (a load run's) was stuffed once, and its memory is never reused: its
    // last write need not wait for the socket to take it.
    const staging = message.whole === undefined ? this.stageContent(message, timeout) : this.leadWhole(message.whole, timeout);
    const { last, end, reused } = staging instanceof Promise ? await staging : staging;

    // The end-of-data marker rides in the same write as the last of the content, and so does the
    // next transaction's envelope when one follows (see next()).
    const carrying = carry?.();
    if (carrying) await carrying;
    const carried = this.queued;
    this.queued = [];
    // A reply nobody asked for may have ended the connection already: then nothing more is shown.
    this.connection.throwIfFailed('body');
    if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(last) });
    const commands = 1 + carried.length + (withQuit ? 1 : 0);
    if (commands > 1) this.emit({ kind: 'flight', commands });
    this.emit({ kind: 'send', stage: 'body', command: { verb: '.' }, pipelined: commands > 1 });
    const pieces = [last, end];
    if (carried.length > 0) pieces.push(Buffer.from(this.groupLines(carried)));
    if (withQuit) pieces.push(this.pipelinedQuit());
    // From the first octet of this write the end marker may reach the server, even if the write
    // then fails (the kernel sends what it took): a failure from here on is after the commit.
    this.committedMessage = true;
    if (carried.length > 0 && this.ahead) this.ahead.written = true;
    const writing = this.connection.write(pieces, commands, 'body', timeout, reused);
    if (this.connection.lastWriteRefused) {
      // Refused before any of it left: the end marker never went, nor the envelope riding with it.
      this.committedMessage = false;
      if (carried.length > 0 && this.ahead) this.ahead.written = false;
    } else if (this.plan.lmtp) {
      // Owed once the dot is sure to have left (no reply is read before this turn ends): none for one that did not.
      this.connection.expectMore(finalReplies - 1);
    }
    if (writing) await writing;
    this.commit('DATA', message.size);
  }

  /**
   * A held message, stuffed once: all but its last WRITE_BATCH octets written first, a block at a
   * time, each with its own data-block time limit (as stageContent() does, so a large message on a
   * slow link is not held to one limit for the whole); the rest is returned to go with the dot.
   * A message of one batch (a load run's, as a rule) is returned at once, without a promise.
   */
  private leadWhole(whole: Buffer, timeout: number): StagedContent | Promise<StagedContent> {
    const stuffed = stuffedWhole(whole);
    return stuffed.last.length <= WRITE_BATCH ? stuffed : this.writeLead(stuffed, timeout);
  }

  private async writeLead(stuffed: StagedContent, timeout: number): Promise<StagedContent> {
    let from = 0;
    for (; stuffed.last.length - from > WRITE_BATCH; from += WRITE_BATCH) {
      this.connection.throwIfFailed('body');
      const block = stuffed.last.subarray(from, from + WRITE_BATCH);
      if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(block) });
      const writing = this.connection.write(block, 0, 'body', timeout);
      if (writing) await writing;
    }
    return from === 0 ? stuffed : { ...stuffed, last: stuffed.last.subarray(from) };
  }

  /**
   * The message, dot-stuffed, written in batches but for the last, which is returned with the
   * end-of-data marker to go out with the final dot. `reused`: the last batch's memory is reused,
   * so it must be taken before the next message.
   */
  private async stageContent(message: ComposedMessage, timeout: number): Promise<StagedContent> {
    const stuffer = new DotStuffer();
    const staged = new WriteBuffer(Math.max(1, Math.min(WRITE_BATCH, message.size)));
    const flush = async () => {
      this.connection.throwIfFailed('body');
      if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(staged.contents()) });
      await this.connection.write(staged.contents(), 0, 'body', timeout, true);
      staged.reset();
    };
    let content = 0;
    for await (const chunk of message.lentChunks()) {
      content += chunk.length;
      const stuffed = stuffer.push(chunk);
      for (let from = 0; from < stuffed.length; ) {
        // Written only when more must come in: the last of the message goes out with the dot.
        if (staged.length === staged.capacity) await flush();
        from += staged.fill(stuffed, from);
      }
    }
    // Without the final dot the server discards what it has: a message that is not the one
    // announced never ends.
    if (content > message.size) throw grewPastSize(message.size);
    if (content < message.size) throw endedShort(message.size - content);
    return { last: staged.contents(), end: stuffer.end(), reused: true };
  }

  /**
   * `BDAT n [LAST]` and its octets in one write, after any queued commands; when pipelined, QUIT
   * ends the flight with the last chunk. Once the last chunk is taken, the message is committed.
   * `flight`: the commands of the flight this chunk begins, said when more than one (0: none begins here).
   */
  private async bdat(chunk: BdatChunk, pipelined: boolean, flight: number): Promise<void> {
    await this.flush();
    const command: Command = { verb: 'BDAT', size: chunk.data.length, last: chunk.last };
    const withQuit = pipelined && chunk.last && this.lastTransaction;
    // Paused before anything of the chunk is shown: what is shown is what gets sent.
    await this.step({ content: undefined, commands: withQuit ? [command, QUIT] : [command] });
    this.connection.throwIfFailed('body');
    if (flight > 1) this.emit({ kind: 'flight', commands: flight });
    else if (withQuit && this.plan.step !== undefined) this.emit({ kind: 'flight', commands: 2 });
    this.emit({ kind: 'send', stage: chunkStage(chunk), command, pipelined });
    if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(chunk.data) });
    const pieces = [Buffer.from(`BDAT ${chunk.data.length}${chunk.last ? ' LAST' : ''}\r\n`), chunk.data];
    if (withQuit) pieces.push(this.pipelinedQuit());
    // As with the final dot: once this write starts, the last chunk may reach the server.
    if (chunk.last) this.committedMessage = true;
    // Until taken: the chunk's memory is reused for the next one.
    const writing = this.connection.write(pieces, withQuit ? 2 : 1, 'body', this.plan.timeouts.dataBlock, true);
    if (chunk.last && this.connection.lastWriteRefused) {
      // Refused before any of it left: the server never had this message (the one sent ahead's, or this one's).
      if (this.ahead !== undefined) this.ahead.messageRefused = true;
      else this.committedMessage = false;
    }
    await writing;
    this.chunked += chunk.data.length;
    if (chunk.last) this.commit('BDAT', this.chunked);
  }

  /** RSET: the transaction is abandoned, the session kept. */
  async rset(): Promise<Reply> {
    await this.send('rset', { verb: 'RSET' });
    const reply = await this.read('rset');
    judgeRset(reply);
    return reply;
  }

  /**
   * QUIT and its reply; a server that hangs up without 221 earns a warning, not a failure. When
   * QUIT already left with the end of the message, the session is said to close only now, after
   * the verdict, just before its 221 is read.
   */
  async quit(): Promise<void> {
    // After a 421 the server is closing (RFC 5321 §3.8): no QUIT goes, and none is owed a reply,
    // even one that left before the 421 came.
    if (this.hungUp || this.closingReply !== undefined || this.quitAnswered) return;
    this.quitAnswered = true;
    // QUIT left with the message's end (RFC 2920 §3.1): its reply is the last of that flight's.
    const withEnd = this.quitSent && this.committed;
    try {
      if (!this.closingShown) {
        this.closingShown = true;
        this.emit({ kind: 'closing', host: this.plan.serverName ?? this.connection.host });
      }
      if (!this.quitSent) {
        this.quitSent = true;
        await this.send('quit', QUIT);
      }
      const reply = await this.read('quit');
      // RFC 5321 §4.1.1.10: QUIT is answered 221. Anything else was owed to another command. A
      // refusal there, in the flight of the message's end, may be the message's own, the verdict
      // read before it another command's: that fails the send (run() throws it).
      if (withEnd && refusedNotClosing(reply)) this.outOfStep = reply;
      else if (reply.code !== 221) throw unexpected('quit', reply);
    } catch (error) {
      if (!(error instanceof MailvError)) throw error;
      // Interrupted: the goodbye was the user's to cut short, not the server's to leave unanswered;
      // the verdict stands. Said, but for a load run waiting for its next message (it says so).
      if (error instanceof InterruptedError) {
        if (this.committed) this.emit({ kind: 'note', note: { code: 'quit-interrupted', signal: error.signal }, severity: 'warning' });
        return;
      }
      // The transaction is over: a broken goodbye is worth a warning, not a failure.
      this.showUnreadable();
      this.emit({
        kind: 'note',
        note: { code: error instanceof ProtocolError ? 'quit-unexpected' : 'quit-unanswered', error: error.fact },
        severity: 'warning',
      });
    }
  }

  /**
   * RFC 2920 §3.1: QUIT may end a pipelined group (it saves a round trip); returns its bytes for
   * the caller's write. `Closing connection` waits for the verdict (see quit()).
   */
  private pipelinedQuit(): Buffer {
    this.emit({ kind: 'send', stage: 'quit', command: QUIT, pipelined: true });
    this.quitSent = true;
    return Buffer.from('QUIT\r\n');
  }

  /**
   * The whole message was handed to the socket (and, when its memory is reused, taken from it):
   * the event says so (`committed` was set when the write began).
   */
  private commit(verb: 'DATA' | 'BDAT', size: number): void {
    this.emit({ kind: 'committed', verb, size });
  }

  /**
   * Writes the command, shown as it goes (after --step's go, never before); pipelined, it waits
   * for the next write with the rest of its group, and is shown then.
   */
  private send(stage: Stage, command: Command, pipelined = false): Promise<unknown> | undefined {
    if (command.verb === 'MAIL') this.mailOpen = true;
    else if (command.verb === 'RSET') this.mailOpen = false;
    if (pipelined) {
      this.queued.push({ stage, command });
      return undefined;
    }
    return this.sendNow(stage, command);
  }

  /**
   * These writers return what is left to wait for, nothing when the socket took it all at once,
   * and throw a failure already known as it is met: no promise of their own for a step that did
   * not wait (a load run takes thousands of them a second).
   */
  private sendNow(stage: Stage, command: Command): Promise<unknown> | undefined {
    const paused = this.step({ content: undefined, commands: [command] });
    return paused ? paused.then(() => this.writeCommand(stage, command)) : this.writeCommand(stage, command);
  }

  private writeCommand(stage: Stage, command: Command): Promise<unknown> | undefined {
    this.connection.throwIfFailed(stage);
    this.emit({ kind: 'send', stage, command, pipelined: false });
    return this.connection.write(`${formatCommand(command)}\r\n`, 1, stage, this.plan.timeouts.forStage(stage));
  }

  /** The queued group in one write: with Nagle off, each write would be its own packet. */
  private flush(): Promise<unknown> | undefined {
    if (this.queued.length === 0) return undefined;
    const group = this.queued;
    // Queued until the pause says go: a group that never left is known as such (see envelope()).
    const paused = this.step({ content: undefined, commands: group.map(({ command }) => command) });
    return paused ? paused.then(() => this.writeGroup(group)) : this.writeGroup(group);
  }

  private writeGroup(group: readonly { readonly stage: Stage; readonly command: Command }[]): Promise<unknown> | undefined {
    this.queued = [];
    this.connection.throwIfFailed(group[0]!.stage);
    if (group.length > 1) this.emit({ kind: 'flight', commands: group.length });
    return this.connection.write(this.groupLines(group), group.length, group[0]!.stage, this.plan.timeouts.forStage('mail'));
  }

  /** A pipelined group's lines, each shown as it goes. */
  private groupLines(group: readonly { readonly stage: Stage; readonly command: Command }[]): string {
    for (const { stage, command } of group) this.emit({ kind: 'send', stage, command, pipelined: true });
    return group.map(({ command }) => `${formatCommand(command)}\r\n`).join('');
  }

  /**
   * The next reply, not yet shown; any queued commands are written first (a failure already known
   * is thrown as it is met, as the writers do).
   */
  private receive(stage: Stage): Promise<Reply> {
    const read = () => this.connection.readReply(stage, this.plan.timeouts.forStage(stage));
    // No promise of its own when nothing waits to be written: a load run reads four replies a message.
    const writing = this.flush();
    return writing ? writing.then(read) : read();
  }

  /** The next reply, shown and checked: a 3xx only where an intermediate reply is due. */
  private read(stage: Stage, recipient?: string, intermediate = false): Promise<Reply> {
    return this.receive(stage).then((reply) => this.accept(stage, reply, recipient, intermediate));
  }

  /** A reply just read: a 421 remembered, the reply shown, then checked. */
  /** A 421 is the server closing (RFC 5321 §3.8): kept, so that nothing more is sent, QUIT included. */
  private closingOn(reply: Reply): Reply {
    if (reply.code === 421) this.closingReply = reply;
    return reply;
  }

  private accept(stage: Stage, reply: Reply, recipient: string | undefined, intermediate: boolean): Reply {
    this.closingOn(reply);
    if (stage === 'body') this.verdict = reply;
    this.emit({ kind: 'reply', stage, reply, recipient });
    judge(stage, reply, intermediate);
    return reply;
  }
}

const QUIT: Command = { verb: 'QUIT' };

/**
 * After a 421 the server is closing (RFC 5321 §3.8) and the rest of its flight is never answered:
 * each reply still owed is that 421, so the sender, a recipient, DATA or the message is refused by
 * it rather than judged on a reply that never came.
 */
function owedAnsweredBy(closing: Reply, replies: EnvelopeReplies, recipients: number, ending: Ending): void {
  replies.mail ??= closing;
  while (replies.rcpts.length < recipients) replies.rcpts.push(closing);
  if (ending.kind === 'data') replies.data ??= closing;
  if (ending.kind === 'bdat' && replies.chunks.length === 0) replies.chunks.push(closing);
}

interface EhloAnswer {
  readonly reply: Reply;
  readonly capabilities: Capabilities | undefined;
}

function isQuitAlone(next: PendingWrite): boolean {
  return next.content === undefined && next.commands.length === 1 && next.commands[0]!.verb === 'QUIT';
}

function isPositive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** A BDAT chunk is part of the data; the last one ends the message, and its reply is the message's. */
function chunkStage(chunk: BdatChunk): Stage {
  return chunk.last ? 'body' : 'data';
}

/** 452 to RCPT, "too many recipients" (4.5.3) or unqualified: the limit RFC 5321 §4.5.3.1.10 names. */
function isOverLimit(reply: Reply): boolean {
  return reply.code === 452 && (reply.enhanced === undefined || reply.enhanced === '4.5.3');
}

/**
 * RFC 5321 §4.2.1: a 3xx asks for more, and only DATA asks (354); a 3xx anywhere else (354 to RCPT,
 * to BDAT, to RSET) leaves client and server out of step: ProtocolError. So does a 221 to anything
 * but QUIT (§4.3.2): with QUIT written behind the message, a server that never answered the message
 * would otherwise have its 221 taken for the message's 250.
 */
function judge(stage: Stage, reply: Reply, intermediate: boolean): void {
  if (!intermediate && reply.code >= 300 && reply.code < 400) throw unexpected(stage, reply);
  // 221 where the verdict on the message was due: the server closed the session without one, after
  // the message's end had left; as any connection closed then, the server may have it.
  if (reply.code === 221 && stage === 'body') throw new TransportError({ code: 'MAILV_SERVICE_CLOSING', reply }, stage, 'closed');
  if (reply.code === 221 && stage !== 'quit') throw unexpected(stage, reply);
}

type Refusal = Extract<SmtpErrorFact, { reply: Reply }>;

/** A refusal (4xx, 5xx), or a protocol error when the code makes no sense where it came. */
function refusal(fact: Exclude<Refusal, { code: 'MAILV_UNEXPECTED_REPLY' | 'MAILV_SERVICE_CLOSING' }>, stage: Stage): SmtpReplyError | ProtocolError {
  if (fact.reply.code < 400) return unexpected(stage, fact.reply);
  return new SmtpReplyError(fact, stage, fact.reply);
}

/** A refusal other than the server closing (421 may answer any command, RFC 5321 §3.8). */
function refusedNotClosing(reply: Reply): boolean {
  return reply.code >= 400 && reply.code !== 421;
}

/** RFC 5321 §4.1.1.5: RSET is answered 250; a refusal there (not the server closing) is another command's. */
function judgeRset(reply: Reply): void {
  if (refusedNotClosing(reply)) throw unexpected('rset', reply);
}

function unexpected(stage: Stage, reply: Reply): ProtocolError {
  return new ProtocolError({ code: 'MAILV_UNEXPECTED_REPLY', stage, reply }, stage);
}

/**
 * A refusal that may mean "log in first": 530 (RFC 4954 §6, authentication required) or a 5.7
 * policy code (RFC 3463: Gmail's 530 5.7.0, Postfix's 554 5.7.1 relay or access denied).
 */
function asksForLogin(reply: Reply): boolean {
  return reply.code === 530 || (reply.code >= 500 && reply.enhanced?.startsWith('5.7.') === true);
}

/** A message held whole, dot-stuffed, and its end-of-data marker: computed once per message. */
function stuffedWhole(whole: Buffer): StagedContent {
  const known = stuffedWholes.get(whole);
  if (known !== undefined) return known;
  const stuffer = new DotStuffer();
  const made = { last: stuffer.push(whole), end: stuffer.end(), reused: false };
  stuffedWholes.set(whole, made);
  return made;
}
