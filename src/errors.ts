// Typed failures: every error carries the stage where it happened and, when the server spoke,
// its reply. EXIT_TABLE, read by exitCodeOf(), is the single place that maps failures to sysexits codes.
import { ExitCode, STOP_SIGNALS, type StopSignal, signalStatus } from './exit-codes.js';
import type { AppErrorFact } from './app/facts.js';
import type { AuthErrorFact } from './auth/facts.js';
import type { CliErrorFact } from './cli/facts.js';
import type { ConfigErrorFact } from './config/facts.js';
import type { DeliveryErrorFact } from './delivery/facts.js';
import type { DnsErrorFact } from './dns/facts.js';
import type { MessageErrorFact } from './message/facts.js';
import type { RecordErrorFact } from './record/facts.js';
import type { SmtpErrorFact } from './smtp/facts.js';
import type { Reply } from './smtp/reply.js';

/** Where in the run a failure happened. */
export type Stage =
  | 'options'
  | 'resolve'
  | 'input'
  | 'compose'
  | 'connect'
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data'
  | 'body'
  | 'rset'
  | 'quit'
  /** Writing what mailv shows: standard output or standard error. */
  | 'output'
  /** No step in particular: the run as a whole (one that stalled). */
  | 'run';

/**
 * What went wrong, as data: a literal code (`MAILV_…`) and the facts a renderer needs to word it.
 * Each folder declares the facts it raises in its own facts.ts; the words are in src/words/.
 */
export type ErrorFact =
  | AppErrorFact
  | AuthErrorFact
  | CliErrorFact
  | ConfigErrorFact
  | DeliveryErrorFact
  | DnsErrorFact
  | MessageErrorFact
  | RecordErrorFact
  | SmtpErrorFact;

export type ErrorCode = ErrorFact['code'];

/** Why a connection failed: the decisions (next host? exit status?) read this, never the text. */
export type TransportReason = 'refused' | 'unreachable' | 'timeout' | 'reset' | 'closed' | 'aborted';

/**
 * Why a lookup failed: the name does not exist, takes no mail or has no address, as the DNS said
 * (permanent); or no usable answer came, in time or within the task's budget (temporary).
 */
export type DnsReason = 'no-such-domain' | 'no-mail' | 'no-address' | 'lookup-failed' | 'timeout' | 'budget';

export abstract class MailvError extends Error {
  /** What happened, for renderers and for --json. */
  readonly fact: ErrorFact;
  constructor(
    fact: ErrorFact,
    readonly stage: Stage,
  ) {
    // The message is the code: words come from src/words/, in the user's language.
    super(fact.code);
    this.fact = fact;
    // The class's name, for a stack trace's first line; minified in the bundle, where none is shown.
    this.name = new.target.name;
  }

  get code(): ErrorCode {
    return this.fact.code;
  }

  /** The sysexits status this failure means: see exitCodeOf, the one table. */
  get exitCode(): number {
    return exitCodeOf(this);
  }
}

/** Bad flags, header injection, malformed addresses. */
export class UsageError extends MailvError {
  constructor(what: ErrorFact) {
    super(what, 'options');
  }
}

/** Input that cannot be used: missing attachment (66) or unusable message data (65). */
export class InputError extends MailvError {
  readonly missing: boolean;
  constructor(what: ErrorFact, status: typeof ExitCode.NOINPUT | typeof ExitCode.DATAERR) {
    super(what, 'input');
    this.missing = status === ExitCode.NOINPUT;
  }
}

/** Local I/O failure: spool file, attachment read, dead.letter, stdin, stdout. */
export class LocalIoError extends MailvError {}

/** A file the user asked for (--record) cannot be created: 73, found before anything is sent. */
export class CannotCreateError extends MailvError {}

/** A host or domain that does not exist or takes no mail (68), or a lookup that failed for now (75). */
export class DnsError extends MailvError {
  constructor(
    what: DnsErrorFact,
    /** Decides the exit status (see exitCodeOf), and whether trying later may help. */
    readonly reason: DnsReason,
  ) {
    super(what, 'resolve');
  }
}

/** Connection refused, reset, closed or timed out: worth trying again later. */
export class TransportError extends MailvError {
  constructor(
    what: ErrorFact,
    stage: Stage,
    /** Unknown only for failures not yet classified; decisions treat it as the worst case. */
    readonly reason?: TransportReason,
  ) {
    super(what, stage);
  }
}

/** The TLS handshake failed, or a certificate was not good enough where it had to be: 75. */
export class TlsError extends MailvError {}

/** The server broke the protocol: malformed or oversize replies. */
export class ProtocolError extends MailvError {}

/** The server cannot take this message as it is (size, SMTPUTF8). */
export class CapabilityError extends MailvError {}

/**
 * The server said no to the whole transaction: 4xx is temporary (75), 5xx permanent (69). Refused
 * recipients are not errors but outcomes (see delivery/outcome.ts: 67).
 */
export class SmtpReplyError extends MailvError {
  constructor(
    what: ErrorFact,
    stage: Stage,
    readonly reply: Reply,
  ) {
    super(what, stage);
  }
}

/**
 * A delivery that failed for now after the server refused some recipients for good: 67, since
 * trying again cannot help those, as when the others were deferred at RCPT. `failure` is what
 * failed after the refusals (75 on its own), said as it would be alone.
 */
export class RefusedThenFailedError extends MailvError {
  constructor(
    readonly failure: MailvError,
    /** Each recipient refused, with the reply that refused it. */
    readonly refusals: readonly { readonly recipient: string; readonly outcome: 'refused'; readonly reply: Reply | undefined }[],
  ) {
    super({ code: 'MAILV_REFUSED_THEN_FAILED', refused: refusals.map((refusal) => refusal.recipient), error: failure.fact }, failure.stage);
  }

  /** The recipients refused, by address. */
  get refused(): readonly string[] {
    return this.refusals.map((refusal) => refusal.recipient);
  }
}

/**
 * Credentials refused by the server (535), or withheld by mailv because the connection could be
 * read or altered on the way (no TLS, unverified certificate): 77.
 */
export class AuthError extends MailvError {}

/** A configuration file that cannot be used: bad syntax, unknown key or account, unsafe mode. */
export class ConfigError extends MailvError {
  constructor(what: ErrorFact) {
    super(what, 'options');
  }
}

/**
 * --step: the user pressed q; the message was not sent, or not to all (75: it can be sent later, and is kept).
 * `notSentTo`: once some recipient got it (in an earlier transaction, another domain's under --direct)
 * or a host may have it, the recipients it was not sent to, of those no verdict was said of (none:
 * every recipient's was).
 */
export class StepStop extends MailvError {
  constructor(notSentTo?: readonly string[]) {
    super({ code: 'MAILV_STEP_STOPPED', ...(notSentTo === undefined ? {} : { notSentTo }) }, 'quit');
  }
}

/**
 * The run was stopped by a signal (SIGHUP, SIGINT, SIGQUIT, SIGTERM): the status a shell reports
 * for it, 128 + its number (129, 130, 131, 143).
 */
export class InterruptedError extends MailvError {
  constructor(
    readonly signal: NodeJS.Signals,
    stage: Stage,
  ) {
    super({ code: 'MAILV_INTERRUPTED', signal }, stage);
  }
}

/**
 * The run stopped before its end with nothing left to wait for: what it awaits can no longer come.
 * A fault of mailv's own (70), found when the event loop emptied under a run that had not ended.
 */
export class StalledError extends MailvError {
  constructor() {
    super({ code: 'MAILV_STALLED' }, 'run');
  }
}

/** What the DNS said for good (68), and what may go otherwise later (75). */
const DNS_EXIT_CODES: Readonly<Record<DnsReason, number>> = {
  'no-such-domain': ExitCode.NOHOST,
  'no-mail': ExitCode.NOHOST,
  'no-address': ExitCode.NOHOST,
  'lookup-failed': ExitCode.TEMPFAIL,
  timeout: ExitCode.TEMPFAIL,
  budget: ExitCode.TEMPFAIL,
};

/** A run stopped by a signal ends as a shell reports it: 128 + the signal's number. */
const SIGNAL_EXIT_CODES = Object.fromEntries(STOP_SIGNALS.map((signal) => [signal, signalStatus(signal)])) as Readonly<Record<StopSignal, number>>;

/**
 * One row of the table: a class of failure, every status it can mean keyed by what decides among
 * them, and how one failure of the class decides.
 */
interface ExitRow {
  readonly failure: abstract new (...args: never[]) => MailvError;
  readonly statuses: Readonly<Record<string, number>>;
  readonly decide: (error: MailvError) => string;
}

function row<E extends MailvError, K extends string>(
  failure: abstract new (...args: never[]) => E,
  statuses: Readonly<Record<K, number>>,
  decide: (error: E) => K,
): ExitRow {
  // exitCodeOf asks a row only about failures of its own class.
  return { failure, statuses, decide: (error) => decide(error as E) };
}

/** A class of failure that always means `status`. */
function always(failure: abstract new (...args: never[]) => MailvError, status: number): ExitRow {
  return row(failure, { always: status }, () => 'always');
}

/**
 * The one table from failures to the exit statuses the user is promised (sysexits.h, as sendmail
 * and mail use them), first matching class first. Refused recipients are not failures: their
 * status (67) comes from delivery/outcome.ts, unless the delivery then failed for now.
 */
const EXIT_TABLE: readonly ExitRow[] = [
  always(UsageError, ExitCode.USAGE),
  row(InputError, { missing: ExitCode.NOINPUT, data: ExitCode.DATAERR }, (error) => (error.missing ? 'missing' : 'data')),
  always(LocalIoError, ExitCode.IOERR),
  always(CannotCreateError, ExitCode.CANTCREAT),
  row(DnsError, DNS_EXIT_CODES, (error) => error.reason),
  always(TransportError, ExitCode.TEMPFAIL),
  always(TlsError, ExitCode.TEMPFAIL),
  always(StepStop, ExitCode.TEMPFAIL),
  always(ProtocolError, ExitCode.PROTOCOL),
  always(CapabilityError, ExitCode.UNAVAILABLE),
  row(SmtpReplyError, { temporary: ExitCode.TEMPFAIL, permanent: ExitCode.UNAVAILABLE }, (error) => (error.reply.code < 500 ? 'temporary' : 'permanent')),
  always(AuthError, ExitCode.NOPERM),
  always(RefusedThenFailedError, ExitCode.NOUSER),
  always(ConfigError, ExitCode.CONFIG),
  always(StalledError, ExitCode.SOFTWARE),
  // A stop signal's status; one raised by a fault or a failed write is never the run's (the run
  // reports that failure instead), and any other reason would be a bug of mailv's (70).
  row(InterruptedError, SIGNAL_EXIT_CODES, (error) => error.signal as StopSignal),
];

/** The exit status of a failure, from the table; anything not a MailvError is mailv's own fault (70). */
export function exitCodeOf(error: unknown): number {
  if (!(error instanceof MailvError)) return ExitCode.SOFTWARE;
  const found = EXIT_TABLE.find((each) => error instanceof each.failure);
  return (found ? found.statuses[found.decide(error)] : undefined) ?? ExitCode.SOFTWARE;
}

/** One exit status a failure can end with, and the classes of failure that mean it. */
export interface FailureStatus {
  readonly status: number;
  /** Class names, and `internal` for anything thrown that is not a MailvError. */
  readonly failures: readonly string[];
}

/**
 * Every status exitCodeOf can return, read from the table itself, in increasing order: what --help,
 * the man page and the README promise is checked against it.
 */
export function failureStatuses(): FailureStatus[] {
  const meanings = new Map<number, string[]>([[ExitCode.SOFTWARE, ['internal']]]);
  for (const each of EXIT_TABLE) {
    for (const status of new Set(Object.values(each.statuses))) meanings.set(status, [...(meanings.get(status) ?? []), each.failure.name]);
  }
  return [...meanings].sort(([a], [b]) => a - b).map(([status, failures]) => ({ status, failures }));
}
