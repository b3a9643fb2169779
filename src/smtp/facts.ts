// What smtp/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/smtp.ts and src/words/fr/smtp.ts.
import type { ErrorFact } from '../errors.js';
import type { QuitPoint } from './quit-points.js';
import type { Reply } from './reply.js';

/** Failures raised in smtp/. */
export type SmtpErrorFact = never;

/** Notes emitted from smtp/ (facts worth showing that are not failures). */
export type SmtpNote =
  /** --quit-after reached its step; `connect` closes without a word, `data` hangs up mid-message. */
  | { readonly code: 'quit-after'; readonly point: QuitPoint }
  /** --quit-after data, but no recipient was accepted: the session ends with QUIT before DATA. */
  | { readonly code: 'quit-before-data'; readonly point: QuitPoint }
  /** Certificates are not checked: anyone on the path could pose as the server. */
  | { readonly code: 'certificates-unchecked' }
  /** The server refused STARTTLS; opportunistic TLS goes on in plaintext (RFC 7435). */
  | { readonly code: 'starttls-refused'; readonly reply: Reply }
  /** QUIT went unanswered, or was answered out of the protocol: the transaction was already over. */
  | { readonly code: 'quit-unanswered'; readonly error: ErrorFact }
  | { readonly code: 'quit-unexpected'; readonly error: ErrorFact };
