// What a load run found, as data: counts, latencies, replies by code, the first distinct failures
// and the exit status they mean. Renderers word it; nothing here is a sentence.
import type { ErrorFact } from '../errors.js';
import type { CertificateProblem } from '../smtp/facts.js';
import type { Reply } from '../smtp/reply.js';
import type { LatencySummary } from './stats.js';

/** Why one message did not get through. */
export type LoadFailure =
  /**
   * The transaction or the connection failed: refused, dropped, 4xx/5xx to MAIL, DATA, the message.
   * `numbered`: the recipient the fact names (a 421 to its RCPT) is the address given under
   * --vary-recipients, one failure whatever number it went under.
   */
  | { readonly kind: 'error'; readonly error: ErrorFact; readonly numbered?: true }
  /**
   * A recipient was refused (5xx) or deferred (4xx) while the session went on. `numbered`: under
   * --vary-recipients, `recipient` is the address given, one failure whatever number it went under.
   */
  | { readonly kind: 'recipient'; readonly recipient: string; readonly outcome: 'refused' | 'deferred'; readonly reply: Reply; readonly numbered?: true };

/** One distinct failure of a run: how often, when first and last (ms from the start), after how many messages accepted. */
export interface LoadFailureSeen {
  readonly failure: LoadFailure;
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** Messages accepted when it first came (read), in the order verdicts arrived. */
  readonly acceptedBefore: number;
  /**
   * Messages then under way on other connections (a transaction, and the next one's envelope gone
   * ahead), whose verdicts were not yet known: the limit may have been reached by up to this many more.
   */
  readonly underWay: number;
  /** Other connections open when it first came: where a server's limit on connections bites. */
  readonly connectionsOpen: number;
}

/** How far a run has come, read while it runs (the live line). */
export interface LoadProgress {
  readonly accepted: number;
  /** Messages that failed for good (5xx, a refused recipient, anything but 75). */
  readonly refused: number;
  /** Messages that failed for now (4xx, a refused or dropped connection: 75). */
  readonly deferred: number;
  readonly elapsedMs: number;
}

/** The MX host a --direct load run chose: the first of the plan that accepted a connection. */
export interface LoadTarget {
  /** Absolute name, `mx.example.org.`. */
  readonly host: string;
  readonly address: string;
  readonly port: number;
}

/**
 * What stopped a run at a failure: --stop-on-error, or a login refused for good (77): the same
 * credentials would be refused on every connection, and tried thousands of times they can lock
 * the account.
 */
export type LoadStop = 'stop-on-error' | 'login-refused';

/** What of mailv's own cut a run short: an exception nothing caught, or a write that failed. */
export type CutShortBy = 'fault' | 'output';

export interface LoadReport {
  readonly count: number;
  readonly accepted: number;
  /** refused + deferred. */
  readonly failed: number;
  readonly refused: number;
  readonly deferred: number;
  readonly connections: number;
  /**
   * Messages whose envelope had left on a connection that was then lost before their content
   * (a server that hangs up without a word after a message, say), and that went again over a new
   * one: the server may have seen their MAIL twice. Each is counted once here, however often it
   * went again, and once in `accepted` or `failed` by its last try.
   */
  readonly resent: number;
  /**
   * Of `resent`, those written whole (BDAT) behind a message the server answered 421 the last time
   * they went: the server was closing and read none of them (RFC 5321 §3.8).
   */
  readonly resentBehindClosing: number;
  /**
   * Connections whose QUIT got no reply (closed without one, or not answered in time), and how
   * many of those waited for it until the time limit: what slows a run with no failure to show.
   */
  readonly quitUnanswered: { readonly connections: number; readonly timedOut: number };
  /**
   * Connections whose TLS handshake failed when it offered a session kept from an earlier run (the
   * session is then forgotten, the server refused sessions for a day): their messages went back.
   */
  readonly resumptionsFailed: number;
  /** TLS handshakes that resumed a session (kept from an earlier run, or from this one's): what resumption saved. */
  readonly tlsResumed: number;
  /** TLS handshakes whose server certificate did not verify (--tls auto goes on with such a server, as --insecure does). */
  readonly tlsUnverified: number;
  /** Why the first of those did not verify: what advice fits (a name mismatch is no CA's to mend). */
  readonly tlsUnverifiedProblem?: CertificateProblem | undefined;
  /** --insecure: certificates were not checked (a single send warns of it in its dialogue; a load run shows none). */
  readonly certificatesUnchecked: boolean;
  /**
   * Connections something other than a hang-up or a 421 broke (a reply out of protocol, a line
   * nobody asked for, a silence to the time limit) where no message was lost with them: the messages
   * taken for them went again over new ones. How many, and the first few distinct causes, each with
   * how often it came. A server that broke one connection in the middle of a message instead has
   * that message counted among the failures.
   */
  readonly connectionFaults: { readonly count: number; readonly first: readonly { readonly error: ErrorFact; readonly count: number }[] };
  readonly elapsedMs: number;
  /**
   * From the start to the end of the last message accepted (elapsedMs when none was), or to the
   * moment the run was stopped if later, when it was stopped with messages never started: what the
   * rate is counted over, so that a server slow to answer QUIT, after every message was through,
   * does not bring the figure down to nothing, and a run stopped early under --rate is not said to
   * have gone at the pace of its first message.
   */
  readonly acceptedWithinMs: number;
  readonly connect: LatencySummary | undefined;
  readonly greeting: LatencySummary | undefined;
  /** Only when the sessions did TLS (STARTTLS or implicit): one sample per handshake. */
  readonly tls: LatencySummary | undefined;
  /** Only when the sessions authenticated: one sample per AUTH exchange. */
  readonly auth: LatencySummary | undefined;
  readonly transaction: LatencySummary | undefined;
  /** Every server reply, by its code and enhanced code (`250 2.0.0`, or `220`), with how often it came. */
  readonly replies: readonly (readonly [code: string, count: number])[];
  /**
   * The first few distinct failures, in the order first seen, with how often each came, when it
   * first and last came (ms from the start), how many messages had been accepted before the first,
   * and the other connections then: where a server's limit began to bite.
   */
  readonly failures: readonly LoadFailureSeen[];
  /**
   * The failures like none of `failures` (a server that puts an id or a time in each refusal makes
   * every one distinct): how many, and when the first and last came (ms from the start); undefined
   * when there were none.
   */
  readonly failuresNotShown: { readonly count: number; readonly firstMs: number; readonly lastMs: number } | undefined;
  /**
   * 0 when every message was accepted; else the sysexits status of the worst failure (see worse()),
   * or, when --stop-on-error stopped the run, that of the failure that stopped it; a signal's
   * (128 + its number) when one cut the run short.
   */
  readonly status: number;
  /** The failure whose status is the run's (the one that stopped it, under --stop-on-error); undefined when none failed. */
  readonly decidedBy: LoadFailure | undefined;
  /** Some message reached at least one recipient: the message is not kept in dead.letter. */
  readonly reachedSomeone: boolean;
  /**
   * The run was stopped by a failure: the failure, how many messages were never started, and what
   * stopped it: --stop-on-error, or a login refused for good, which every connection would meet.
   */
  readonly stopped: { readonly failure: LoadFailure; readonly unsent: number; readonly by: LoadStop } | undefined;
  /**
   * A signal (^C) cut the run short: which, how many messages were under way with their end
   * written, with no verdict (the server may have taken them; not counted as failed), and how many
   * were never started.
   */
  readonly interrupted: { readonly signal: NodeJS.Signals; readonly unconfirmed: number; readonly unsent: number } | undefined;
  /**
   * A failure of mailv's own cut the run short (a fault, or standard output that could not be
   * written), which the run says itself: the messages then under way, neither accepted nor
   * refused (the server may have taken some), and those never started. Not counted as failed.
   */
  readonly cutShort: { readonly by: CutShortBy; readonly unconfirmed: number; readonly unsent: number } | undefined;
  /** --direct: where the load went. */
  readonly target?: LoadTarget | undefined;
}
