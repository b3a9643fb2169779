// Typed failures: every error carries the stage where it happened and, when the server spoke,
// its reply. EXIT_TABLE, read by exitCodeOf(), is the single place that maps failures to sysexits codes.
import { ExitCode, STOP_SIGNALS, signalStatus } from './exit-codes.js';
export class MailvError extends Error {
  stage;
  /** What happened, for renderers and for --json. */
  fact;
  constructor(fact, stage) {
    // The message is the code: words come from src/words/, in the user's language.
    super(fact.code);
    this.stage = stage;
    this.fact = fact;
    this.name = new.target.name;
  }
  get code() {
    return this.fact.code;
  }
  /** The sysexits status this failure means: see exitCodeOf, the one table. */
  get exitCode() {
    return exitCodeOf(this);
  }
}
/** Bad flags, header injection, malformed addresses. */
export class UsageError extends MailvError {
  constructor(what) {
    super(what, 'options');
  }
}
/** Input that cannot be used: missing attachment (66) or unusable message data (65). */
export class InputError extends MailvError {
  missing;
  constructor(what, status) {
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
  reason;
  constructor(
    what,
    /** Decides the exit status (see exitCodeOf), and whether trying later may help. */
    reason,
  ) {
    super(what, 'resolve');
    this.reason = reason;
  }
}
/** Connection refused, reset, closed or timed out: worth trying again later. */
export class TransportError extends MailvError {
  reason;
  constructor(
    what,
    stage,
    /** Unknown only for failures not yet classified; decisions treat it as the worst case. */
    reason,
  ) {
    super(what, stage);
    this.reason = reason;
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
  reply;
  constructor(what, stage, reply) {
    super(what, stage);
    this.reply = reply;
  }
}
/**
 * Credentials refused by the server (535), or withheld by mailv because the connection could be
 * read or altered on the way (no TLS, unverified certificate): 77.
 */
export class AuthError extends MailvError {}
/** A configuration file that cannot be used: bad syntax, unknown key or account, unsafe mode. */
export class ConfigError extends MailvError {
  constructor(what) {
    super(what, 'options');
  }
}
/** --step: the user pressed q; the message was not sent (75: it can be sent later, and is kept). */
export class StepStop extends MailvError {
  constructor() {
    super({ code: 'MAILV_STEP_STOPPED' }, 'quit');
  }
}
/**
 * The run was stopped by a signal (SIGHUP, SIGINT, SIGQUIT, SIGTERM): the status a shell reports
 * for it, 128 + its number (129, 130, 131, 143).
 */
export class InterruptedError extends MailvError {
  signal;
  constructor(signal, stage) {
    super({ code: 'MAILV_INTERRUPTED', signal }, stage);
    this.signal = signal;
  }
}
/** What the DNS said for good (68), and what may go otherwise later (75). */
const DNS_EXIT_CODES = {
  'no-such-domain': ExitCode.NOHOST,
  'no-mail': ExitCode.NOHOST,
  'no-address': ExitCode.NOHOST,
  'lookup-failed': ExitCode.TEMPFAIL,
  timeout: ExitCode.TEMPFAIL,
  budget: ExitCode.TEMPFAIL,
};
/** A run stopped by a signal ends as a shell reports it: 128 + the signal's number. */
const SIGNAL_EXIT_CODES = Object.fromEntries(STOP_SIGNALS.map((signal) => [signal, signalStatus(signal)]));
function row(failure, statuses, decide) {
  // exitCodeOf asks a row only about failures of its own class.
  return { failure, statuses, decide: (error) => decide(error) };
}
/** A class of failure that always means `status`. */
function always(failure, status) {
  return row(failure, { always: status }, () => 'always');
}
/**
 * The one table from failures to the exit statuses the user is promised (sysexits.h, as sendmail
 * and mail use them), first matching class first. Refused recipients are not failures: their
 * status (67) comes from delivery/outcome.ts.
 */
const EXIT_TABLE = [
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
  always(ConfigError, ExitCode.CONFIG),
  // Raised for the stop signals only: any other would be a bug of mailv's (70).
  row(InterruptedError, SIGNAL_EXIT_CODES, (error) => error.signal),
];
/** The exit status of a failure, from the table; anything not a MailvError is mailv's own fault (70). */
export function exitCodeOf(error) {
  if (!(error instanceof MailvError)) return ExitCode.SOFTWARE;
  const found = EXIT_TABLE.find((each) => error instanceof each.failure);
  return (found ? found.statuses[found.decide(error)] : undefined) ?? ExitCode.SOFTWARE;
}
/**
 * Every status exitCodeOf can return, read from the table itself, in increasing order: what --help,
 * the man page and the README promise is checked against it.
 */
export function failureStatuses() {
  const meanings = new Map([[ExitCode.SOFTWARE, ['internal']]]);
  for (const each of EXIT_TABLE) {
    for (const status of new Set(Object.values(each.statuses))) meanings.set(status, [...(meanings.get(status) ?? []), each.failure.name]);
  }
  return [...meanings].sort(([a], [b]) => a - b).map(([status, failures]) => ({ status, failures }));
}
