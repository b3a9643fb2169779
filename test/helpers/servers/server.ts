// A real mail server (or a faithful double) the scenario matrix runs mailv against: where it
// listens, what it offers, who it delivers to, and how a delivered message is read back. One file
// per server in this folder, each exporting one MailServerUnderTest; servers/index.ts lists them.

export interface ServerAuth {
  /** The mechanisms the server offers, as it names them in EHLO. */
  readonly mechanisms: readonly string[];
  readonly user: string;
  readonly password: string;
  /** Offered only after STARTTLS (Exim, OpenSMTPD), or in clear as well (sendmail). */
  readonly afterTlsOnly: boolean;
}

export interface MailServerUnderTest {
  /** As the README's compatibility table names it: 'Postfix', 'Exim', 'sendmail', 'OpenSMTPD', 'qmail (double)'. */
  readonly name: string;
  /** The version it runs, as its package or banner gives it ('3.7.11'). */
  version(): Promise<string>;
  readonly host: string;
  /** The port it takes mail on (STARTTLS offered there when `starttls`). */
  readonly port: number;
  /** Two local recipients whose mailboxes the tests can read. */
  readonly recipients: readonly [string, string];
  /** A recipient refused at RCPT (an unknown user, or relaying denied). */
  readonly refused: string;
  /** STARTTLS on `port`, with a certificate for 127.0.0.1 signed by the test CA (TEST_CA). */
  readonly starttls: boolean;
  readonly auth: ServerAuth | undefined;
  /** The SIZE limit its EHLO announces, if it announces one. */
  readonly sizeLimit: number | undefined;
  /** Waits for the message holding `marker` (a unique Message-ID) in `recipient`'s mailbox; its bytes as stored. */
  delivered(recipient: string, marker: string, timeoutMs?: number): Promise<Buffer>;
  /**
   * What the client sent, from the stored message: the trace headers the server prepended
   * removed, and line ends as on the wire (CRLF), so that it compares byte for byte.
   */
  asSent(stored: Buffer, firstHeader: string): Buffer;
  /** undefined when it is running; else the reason to skip (outside CI) — in CI it throws. */
  skipReason(): Promise<string | undefined>;
  /** An in-process double starts here (its `port` is known after); a real server is already running. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
