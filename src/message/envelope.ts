// The envelope of a message (RFC 5321 §2.3.1): who sends it, for MAIL FROM, and who gets it, for
// RCPT TO. It decides delivery; the header only says what the reader sees.

export interface Envelope {
  readonly from: string;
  readonly recipients: readonly string[];
}
