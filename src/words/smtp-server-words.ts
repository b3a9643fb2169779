// The shape of the text of mailv-sendmail -bs's replies: after each code, what a client's log
// shows. It is English in every language, as every server's is: reply text is ASCII (RFC 5321
// §4.2), and the programs that read it (Symfony's exceptions, a log) expect it so.
import type { CheckedParameter } from '../smtp/server-parameters.js';

export interface SmtpServerWords {
  /** The greeting's text after this host's name. */
  readonly greeting: string;
  readonly ok: string;
  /** The message was handed on: to everyone named, or (`partly`) to some of them only. */
  readonly sent: (partly: boolean) => string;
  readonly startData: string;
  readonly bye: string;
  readonly nestedMail: string;
  readonly needMail: string;
  readonly needRecipient: string;
  /** `verb`'s arguments did not parse: the form it takes. */
  readonly syntax: (verb: 'HELO' | 'EHLO' | 'MAIL' | 'RCPT' | 'DATA' | 'RSET') => string;
  readonly notOffered: (verb: string) => string;
  readonly unknown: string;
  readonly lineTooLong: string;
  readonly notUtf8: string;
  readonly tooManyRecipients: string;
  /** A MAIL or RCPT parameter of no extension offered, as Postfix's smtpd answers it (555). */
  readonly unsupportedParameter: (parameter: string) => string;
  /** 501 to a MAIL or RCPT parameter whose value does not parse, as Postfix's smtpd words it. */
  readonly badParameter: (name: CheckedParameter) => string;
  /** 552 to a SIZE past what a file can hold, as Postfix's smtpd words it. */
  readonly sizeOverflow: string;
  /** 553 to a non-ASCII address in a transaction that MAIL did not declare SMTPUTF8 (RFC 6531 §3.4). */
  readonly undeclaredUtf8: string;
  /** 421 when a signal ends the dialogue. */
  readonly closing: string;
  /** The client sent nothing for the idle limit (421, as Postfix's smtpd_timeout). */
  readonly idle: string;
  readonly help: string;
  /** 252 to VRFY: no address is checked, a message to it will be tried. */
  readonly vrfy: string;
}
