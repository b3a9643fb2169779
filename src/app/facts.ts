// What the application reports, as data: a failed write to standard output or standard error, the
// results of a run that are not exceptions (refused recipients), and its notes on standard error.
// The words for each are in src/words/en/app.ts and src/words/fr/app.ts.
import type { ErrorFact } from '../errors.js';
import type { NothingToDo } from '../cli/sendmail-line.js';
import type { LoadFailure } from '../load/facts.js';
import type { RunInput } from '../record/facts.js';
import type { Reply } from '../smtp/reply.js';

/** Which of mailv's outputs a write failed on. */
export type OutputName = 'stdout' | 'stderr';

/** Failures raised by the application, and the outcomes a run can end with without an exception. */
export type AppErrorFact =
  /** A write to standard output or standard error failed (a full disk, /dev/full, an I/O error): 74. */
  | { readonly code: 'MAILV_OUTPUT_FAILED'; readonly output: OutputName; readonly errno: string | undefined; readonly detail: string }
  /** The --diagram file could not be created or written (74); `found`: the path is not a regular file. */
  | { readonly code: 'MAILV_DIAGRAM_FAILED'; readonly path: string; readonly errno: string | undefined; readonly detail: string; readonly found?: 'not-a-file' }
  /** The diagram's file is one the run reads or keeps messages in: drawn, it would be lost. */
  | { readonly code: 'MAILV_DIAGRAM_IS_INPUT'; readonly path: string; readonly input: RunInput }
  /** The run's result: these recipients were refused for good (67); the others, if any, got the message. */
  | { readonly code: 'MAILV_RECIPIENTS_REFUSED'; readonly recipients: readonly string[] }
  /** The run's result: these recipients were refused for now only (75): trying later may work. */
  | { readonly code: 'MAILV_RECIPIENTS_DEFERRED'; readonly recipients: readonly string[] }
  /** A load run's result: `failed` of its `count` messages did not get through; `decidedBy` is the failure whose status is the run's. */
  | { readonly code: 'MAILV_LOAD_FAILED'; readonly failed: number; readonly count: number; readonly decidedBy: LoadFailure };

/**
 * What kept the file NODE_EXTRA_CA_CERTS names from being read whole: a system error, a directory, a
 * size past the limit, a FIFO or device Node has read already (`read-by-node`: read again beside
 * --ca), or a damaged block (it and those after it left out).
 */
export interface NodeExtraCaProblem {
  readonly errno?: string | undefined;
  readonly detail?: string;
  readonly found?: 'directory' | 'read-by-node' | 'too-large' | 'damaged';
  /** With `damaged`: the PEM block the reading stopped at, from 1. */
  readonly block?: number;
}

/** What the application says on standard error besides the failure itself. */
export type AppNote =
  /** The message has no body, as mail(1) warns. */
  | { readonly code: 'null-body' }
  /** The body is neither ASCII nor UTF-8: it goes labelled charset=unknown-8bit (RFC 1428). */
  | { readonly code: 'body-not-utf8' }
  /** The file NODE_EXTRA_CA_CERTS names could not be read: the handshakes trust Node's CAs without it, as Node would. */
  | ({ readonly code: 'node-extra-ca-unreadable'; readonly path: string } & NodeExtraCaProblem)
  /** The private key of --tls-cert/--tls-key is in a file anyone on the machine may read (`mode`). */
  | { readonly code: 'client-key-readable'; readonly path: string; readonly mode: number }
  /** The wait for dead.letter's lock has lasted: another writer is at work on its entry. */
  | { readonly code: 'dead-letter-waiting'; readonly lock: string }
  /** A password or token file that anyone on the machine may read: used, and said. */
  | { readonly code: 'secret-file-readable'; readonly path: string; readonly mode: number }
  /** mailv-sendmail: an option value Postfix warns of and ignores, ignored too (said with -v). */
  | { readonly code: 'sendmail-option-ignored'; readonly option: string; readonly value: string }
  | { readonly code: 'sendmail-nothing-to-do'; readonly what: NothingToDo }
  /** -E: standard input was empty, so nothing is sent. */
  | { readonly code: 'empty-not-sent' }
  /** mailv-sendmail -bs: for `seconds`, outside a message, the client sent nothing, or (`unread`) read none of a reply: closed with 421. */
  | { readonly code: 'client-idle'; readonly seconds: number; readonly unread: boolean }
  /** A recipient the server refused, with its reply. */
  | { readonly code: 'recipient-not-delivered'; readonly recipient: string; readonly reply: Reply }
  /** --direct: the recipients of a domain none of whose hosts took the message, and why. */
  | { readonly code: 'domain-not-delivered'; readonly recipients: readonly string[]; readonly error: ErrorFact }
  /**
   * The recipients of a transaction past the server's limit of recipients a message that failed
   * without a reply to decide it, and that failure (the others may have got the message).
   */
  | { readonly code: 'recipients-unsettled'; readonly recipients: readonly string[]; readonly error: ErrorFact }
  /** The message (or, `unfinished`, what was read of it) was appended to dead.letter at `path`. */
  | { readonly code: 'dead-letter-saved'; readonly path: string; readonly unfinished: boolean }
  /** Kept without its attachments: `error` says which could no longer be read. */
  | { readonly code: 'dead-letter-saved-without-attachments'; readonly path: string; readonly error: ErrorFact }
  /** dead.letter could not take the message: it is lost, or only in the file standard input came from. */
  | { readonly code: 'dead-letter-failed'; readonly error: ErrorFact; readonly fate: 'lost' | 'in-input-file' };
