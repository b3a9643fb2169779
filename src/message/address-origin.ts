// Where each address of a message goes and whence it came: the envelope (MAIL From, RCPT To), which
// decides delivery, set against the header fields the reader sees (RFC 5321 §2.3.1, RFC 5322 §3.6).
// Told by -v's table before the dialogue, and by --explain beside the commands that carry them.

/** The header fields whose addresses are set against the envelope. */
export type ShownField = 'From' | 'To' | 'Cc' | 'Resent-To' | 'Resent-Cc';

/** The fields of a -t message that name its recipients: those of a message being resent (RFC 5322 §3.6.6) when it has any. */
export type RecipientField = 'To' | 'Cc' | 'Bcc' | 'Resent-To' | 'Resent-Cc' | 'Resent-Bcc';

export interface AddressOrigin {
  readonly address: string;
  /** undefined: in a header only (a -t message's From: that is not the envelope sender). */
  readonly envelope: 'MAIL From' | 'RCPT To' | undefined;
  /** The header field that shows it; undefined: the envelope only (a blind copy, a recipient or a sender no header names). */
  readonly header: ShownField | undefined;
  /** A blind copy (-b, a -t message's Bcc:): in the envelope, kept out of every header on purpose. */
  readonly blind: boolean;
  /** The field of a -t message that named it, the configuration file or $USER (a sender); undefined: the command line. */
  readonly source: 'From' | RecipientField | 'config-file' | 'user' | undefined;
}
