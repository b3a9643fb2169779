// Where each address of a message goes and whence it came: the envelope (MAIL From, RCPT To), which
// decides delivery, set against the header fields the reader sees (RFC 5321 §2.3.1, RFC 5322 §3.6).
// Told by -v's table before the dialogue, and by --explain beside the commands that carry them.
import { domainToUnicode } from 'node:url';

/** The fields that show the author: From, and a resent message's Resent-From (RFC 5322 §3.6.6). */
export const AUTHOR_FIELDS = ['From', 'Resent-From'] as const;
/** The fields that show recipients, in the order the table names them (Bcc shows none). */
export const RECIPIENT_FIELDS = ['To', 'Cc', 'Resent-To', 'Resent-Cc'] as const;
/** The header fields whose addresses are set against the envelope. */
export const SHOWN_FIELDS = [...AUTHOR_FIELDS, ...RECIPIENT_FIELDS] as const;
export type ShownField = (typeof SHOWN_FIELDS)[number];
export type AuthorField = (typeof AUTHOR_FIELDS)[number];

/** Whether `field` shows the author (the envelope sender's place), not a recipient. */
export function isAuthorField(field: ShownField | undefined): field is AuthorField {
  return (AUTHOR_FIELDS as readonly (ShownField | undefined)[]).includes(field);
}

/** The fields of a -t message that name its recipients: those of a message being resent (RFC 5322 §3.6.6) when it has any. */
export type RecipientField = 'To' | 'Cc' | 'Bcc' | 'Resent-To' | 'Resent-Cc' | 'Resent-Bcc';

export interface AddressOrigin {
  readonly address: string;
  /** undefined: in a header only (a -t message's From: that is not the envelope sender). */
  readonly envelope: 'MAIL From' | 'RCPT To' | undefined;
  /** The header field that shows it; undefined: the envelope only (a blind copy, a recipient or a sender no header names). */
  readonly header: ShownField | undefined;
  /** A blind copy (-b, a -t message's Bcc: or Resent-Bcc:): in the envelope, kept out of every header on purpose. */
  readonly blind: boolean;
  /** The field of a -t message that named it, the configuration file or $USER (a sender); undefined: the command line. */
  readonly source: AuthorField | RecipientField | 'config-file' | 'user' | undefined;
}

/**
 * Whether two addresses are the same mailbox as the table tells them: in any case, and a domain in
 * A-labels (as a server without SMTPUTF8 gets it) the same as in Unicode (as it was typed).
 */
export function sameMailbox(a: string, b: string): boolean {
  return mailboxKey(a) === mailboxKey(b);
}

/** An address in the one form sameMailbox() compares: lower case, its domain in Unicode. */
export function mailboxKey(address: string): string {
  return envelopeKey(address).toLowerCase();
}

/**
 * An envelope address in the form the table tells each apart: its domain in lower case and in
 * Unicode, its local part as it went, for `Bob@` and `bob@` are two RCPTs (a local part's case is
 * the destination's to judge, RFC 5321 §2.4).
 */
export function envelopeKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at === -1) return address;
  const domain = address.slice(at + 1).toLowerCase();
  const unicode = /(^|\.)xn--/.test(domain) ? domainToUnicode(domain) || domain : domain;
  return `${address.slice(0, at)}@${unicode.toLowerCase()}`;
}
