// The record of a run (--record), as JSON lines: the first names the format and its version, then
// one line per event (or note said on standard error) with its time in milliseconds since the run
// started, then the run's end: its exit status and, when it failed, the failure as a fact. Pure:
// mailv replay reads it back with decode.ts, into the same types.
import type { ErrorFact, Stage } from '../errors.js';
import type { Note, SessionEvent } from '../events.js';
import type { Language } from '../words/language.js';

export const RECORD_FORMAT = 'mailv-record';
/** Read back by this mailv; a record of another version is refused (65). */
export const RECORD_VERSION = 1;

/** The first line. */
export interface RecordHeader {
  readonly format: typeof RECORD_FORMAT;
  readonly version: typeof RECORD_VERSION;
  /** The version of the mailv that wrote it. */
  readonly mailv: string;
  /** When the run started, as an ISO 8601 date. */
  readonly started: string;
  /** The language the run spoke: a replay speaks it unless told otherwise. */
  readonly language: Language;
  /**
   * A run of `--mx`, which shows the DNS exchange at the default verbosity and ends on the plan's
   * advice (the port --direct would use): a replay shows them as it did. Absent for a send.
   */
  readonly mxLookup?: { readonly domain: string; readonly port: number };
}

/** Why the run did not end with 0 (or, as an entry, the one line said of it on standard error). */
export interface RecordedFailure {
  readonly fact: ErrorFact;
  /** Undefined for a failure of mailv's own (MAILV_INTERNAL). */
  readonly stage: Stage | undefined;
}

export interface RecordedEnd {
  readonly at: number;
  /** Its line in the record, counted from 1. */
  readonly line: number;
  readonly status: number;
  readonly failure: RecordedFailure | undefined;
}

/** What happened during the run, in order: an event, a note or a failure said on standard error. */
export type RecordedEntry = { readonly at: number; readonly line: number } & (
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | { readonly kind: 'note'; readonly note: Note }
  | { readonly kind: 'failure'; readonly failure: RecordedFailure }
);

/** A whole record, as read back. */
export interface Recording {
  readonly header: RecordHeader;
  readonly entries: readonly RecordedEntry[];
  readonly end: RecordedEnd;
}

/** Times are kept to the microsecond: enough for --timing's tenths, short enough to read. */
function time(at: number): number {
  return Math.round(Math.max(0, at) * 1000) / 1000;
}

export function headerLine(header: RecordHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/** The event as the record keeps it: the octets of `body` as base64, so that any octet survives. */
export function eventJson(event: SessionEvent): unknown {
  if (event.kind === 'body') return { kind: 'body', bytes: event.bytes.toString('base64') };
  return event;
}

export function eventLine(event: unknown, at: number): string {
  return `${JSON.stringify({ at: time(at), event })}\n`;
}

export function noteLine(note: unknown, at: number): string {
  return `${JSON.stringify({ at: time(at), note })}\n`;
}

export function failureLine(failure: unknown, at: number): string {
  return `${JSON.stringify({ at: time(at), failure })}\n`;
}

export function endLine(at: number, status: number, failure: unknown): string {
  return `${JSON.stringify({ at: time(at), end: failure === undefined ? { status } : { status, failure } })}\n`;
}
