// What a load run found, as data: counts, latencies, replies by code, the first distinct failures
// and the exit status they mean. Renderers word it; nothing here is a sentence.
import type { ErrorFact } from '../errors.js';
import type { Reply } from '../smtp/reply.js';
import type { LatencySummary } from './stats.js';

/** Why one message did not get through. */
export type LoadFailure =
  /** The transaction or the connection failed: refused, dropped, 4xx/5xx to MAIL, DATA, the message. */
  | { readonly kind: 'error'; readonly error: ErrorFact }
  /** A recipient was refused (5xx) or deferred (4xx) while the session went on. */
  | { readonly kind: 'recipient'; readonly recipient: string; readonly outcome: 'refused' | 'deferred'; readonly reply: Reply };

export interface LoadReport {
  readonly count: number;
  readonly accepted: number;
  readonly failed: number;
  readonly connections: number;
  readonly elapsedMs: number;
  readonly connect: LatencySummary | undefined;
  readonly greeting: LatencySummary | undefined;
  readonly transaction: LatencySummary | undefined;
  /** Every server reply, by its code and enhanced code (`250 2.0.0`, or `220`), with how often it came. */
  readonly replies: readonly (readonly [code: string, count: number])[];
  /** The first few distinct failures, in the order first seen, with how often each came. */
  readonly failures: readonly { readonly failure: LoadFailure; readonly count: number }[];
  /** 0 when every message was accepted; else the sysexits status of the worst failure (see worse()). */
  readonly status: number;
}
