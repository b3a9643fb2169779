// Typed failures: every error carries the stage where it happened and, when the server spoke,
// its reply. exitCodeOf() is the single place that maps failures to sysexits codes.
import { ExitCode, signalStatus } from './exit-codes.js';
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
  | 'quit';

export abstract class MailvError extends Error {
  abstract readonly exitCode: number;
  constructor(
    message: string,
    readonly stage: Stage,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, header injection, malformed addresses. */
export class UsageError extends MailvError {
  readonly exitCode = ExitCode.USAGE;
  constructor(message: string) {
    super(message, 'options');
  }
}

/** Input that cannot be used: missing attachment (66) or unusable message data (65). */
export class InputError extends MailvError {
  constructor(
    message: string,
    readonly exitCode: typeof ExitCode.NOINPUT | typeof ExitCode.DATAERR,
  ) {
    super(message, 'input');
  }
}

/** Local I/O failure: spool file, attachment read, dead.letter, stdin. */
export class LocalIoError extends MailvError {
  readonly exitCode = ExitCode.IOERR;
}

/** A host or domain that does not exist or takes no mail (68), or a lookup that failed for now (75). */
export class DnsError extends MailvError {
  constructor(
    message: string,
    readonly exitCode: typeof ExitCode.NOHOST | typeof ExitCode.TEMPFAIL,
  ) {
    super(message, 'resolve');
  }
}

/** Connection refused, reset or timed out: worth trying again later. */
export class TransportError extends MailvError {
  readonly exitCode = ExitCode.TEMPFAIL;
}

/** The TLS handshake failed, or a certificate was not good enough where it had to be: 75. */
export class TlsError extends MailvError {
  readonly exitCode = ExitCode.TEMPFAIL;
}

/** The server broke the protocol: malformed or oversize replies. */
export class ProtocolError extends MailvError {
  readonly exitCode = ExitCode.PROTOCOL;
}

/** The server cannot take this message as it is (size, SMTPUTF8). */
export class CapabilityError extends MailvError {
  readonly exitCode = ExitCode.UNAVAILABLE;
}

/**
 * The server said no to the whole transaction: 4xx is temporary (75), 5xx permanent (69). Refused
 * recipients are not errors but outcomes (see delivery/outcome.ts: 67).
 */
export class SmtpReplyError extends MailvError {
  readonly exitCode: ExitCode;
  constructor(
    message: string,
    stage: Stage,
    readonly reply: Reply,
  ) {
    super(message, stage);
    this.exitCode = reply.code < 500 ? ExitCode.TEMPFAIL : ExitCode.UNAVAILABLE;
  }
}

/**
 * Credentials refused by the server (535), or withheld by mailv because the connection could be
 * read or altered on the way (no TLS, unverified certificate): 77.
 */
export class AuthError extends MailvError {
  readonly exitCode = ExitCode.NOPERM;
}

/** A configuration file that cannot be used: bad syntax, unknown key or account, unsafe mode. */
export class ConfigError extends MailvError {
  readonly exitCode = ExitCode.CONFIG;
  constructor(message: string) {
    super(message, 'options');
  }
}

/** --step: the user pressed q; the message was not sent (75: it can be sent later, and is kept). */
export class StepStop extends MailvError {
  readonly exitCode = ExitCode.TEMPFAIL;
  constructor() {
    super('stopped at your request (--step): the message was not sent', 'quit');
  }
}

/**
 * The run was stopped by a signal (SIGHUP, SIGINT, SIGQUIT, SIGTERM): the status a shell reports
 * for it, 128 + its number (129, 130, 131, 143).
 */
export class InterruptedError extends MailvError {
  readonly exitCode: number;
  constructor(
    readonly signal: NodeJS.Signals,
    stage: Stage,
  ) {
    super(`interrupted by ${signal}`, stage);
    this.exitCode = signalStatus(signal);
  }
}

/** Maps anything thrown to the exit status the user is promised. */
export function exitCodeOf(error: unknown): number {
  return error instanceof MailvError ? error.exitCode : ExitCode.SOFTWARE;
}
