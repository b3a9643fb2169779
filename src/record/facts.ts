// What record/ reports, as data: a record that cannot be written or read, and what is wrong with
// a damaged one. The words for each are in src/words/en/record.ts and src/words/fr/record.ts.
import type { SystemProblem } from '../cli/facts.js';

/** The JSON type a field should have held: the words name it. */
export type ExpectedValue =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'array'
  | 'object'
  | 'base64'
  | 'reply-code'
  /** -4 or -6: 4 or 6. */
  | 'address-family'
  /** A reply's code, enhanced code and text are what its raw lines say: an edit of one alone would contradict the other. */
  | 'reply-of-its-lines'
  | 'time'
  /** A row of the address table that holds together: see decode.ts, addressOrigin(). */
  | 'address-row'
  /** A run's clock never goes back: each line's time is at least the one before's. */
  | 'later-time';

/** What is wrong with a record, at its line. */
export type RecordProblem =
  /** Nothing in the file at all. */
  | { readonly kind: 'empty' }
  /** The line is not JSON (or not a JSON object). */
  | { readonly kind: 'not-json' }
  /** The first line does not name the format `mailv-record`. */
  | { readonly kind: 'not-a-record' }
  /** A version this mailv does not read: newer than `supported`, or none it knows. */
  | { readonly kind: 'unknown-version'; readonly version: string; readonly supported: number }
  /** An event whose kind (or a note or failure whose code) mailv does not know. */
  | { readonly kind: 'unknown-kind'; readonly field: string; readonly value: string }
  /** A field missing, or of the wrong type; `field` is its path (`event.reply.code`). */
  | { readonly kind: 'bad-field'; readonly field: string; readonly expected: ExpectedValue }
  /** A field that holds none of the values it may hold. */
  | { readonly kind: 'bad-value'; readonly field: string; readonly value: string; readonly choices: readonly string[] }
  /** The line is neither an event, a note nor the end. */
  | { readonly kind: 'unknown-line' }
  /** The last line stops in the middle: the run that wrote it was killed. */
  | { readonly kind: 'truncated' }
  /** No line says how the run ended: the run that wrote it was killed. */
  | { readonly kind: 'no-end' }
  /** Lines after the end. */
  | { readonly kind: 'after-end' }
  /** A header line where events were due: two records joined, or one header written twice. */
  | { readonly kind: 'second-header' }
  /** Facts that mailv cannot show as they are, though each field has its type. */
  | { readonly kind: 'unshowable' };

/** Failures raised in record/ and by --record and mailv replay. */
export type RecordErrorFact =
  /** --record FILE cannot be created: nothing is sent. */
  | ({ readonly code: 'MAILV_RECORD_UNWRITABLE'; readonly path: string } & SystemProblem)
  /** Something other than a regular file is there (a directory, a device, a FIFO). */
  | { readonly code: 'MAILV_RECORD_NOT_A_FILE'; readonly path: string; readonly reading: boolean }
  /** The file named for the record is one the run reads or keeps messages in: emptied, it would be lost. */
  | { readonly code: 'MAILV_RECORD_IS_INPUT'; readonly path: string; readonly input: RunInput }
  /** A write to the record failed during the run. */
  /** `allElseDone`: the run did all else it was asked (its status would have been 0). */
  | ({ readonly code: 'MAILV_RECORD_WRITE_FAILED'; readonly path: string; readonly allElseDone?: boolean } & SystemProblem)
  /** mailv replay FILE cannot read FILE (`-`: standard input). */
  | ({ readonly code: 'MAILV_RECORD_UNREADABLE'; readonly path: string } & SystemProblem)
  /** mailv replay FILE: more than `limit` octets, which no record of a session comes near (a pipe without end). */
  | { readonly code: 'MAILV_RECORD_TOO_LARGE'; readonly path: string; readonly limit: number }
  /** The record is damaged, from another version, or no record at all; `line` counts from 1. */
  | { readonly code: 'MAILV_RECORD_DAMAGED'; readonly path: string; readonly line: number; readonly problem: RecordProblem };

/**
 * A file the run reads or keeps messages in: the message on standard input, an attachment,
 * dead.letter, a certificate or key (--ca, --tls-cert, --tls-key), a password or token file, the
 * record replayed, the accounts file; or the record the run writes (for its diagram).
 */
export type RunInput = 'stdin' | 'attachment' | 'dead-letter' | 'trust' | 'secret' | 'record' | 'config' | 'own-record';
