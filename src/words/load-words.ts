// The shape of the words of a load run's summary (--count). Figures arrive formatted.
import type { CutShortBy, LoadStop } from '../load/facts.js';
import type { CertificateProblem } from '../smtp/facts.js';

/** What a failure's first coming was read among: messages accepted, other connections open, messages under way on them. */
export interface FailureContext {
  readonly acceptedBefore: number;
  readonly connectionsOpen: number;
  readonly underWay: number;
}

export interface LoadWords {
  /** `count` messages over `connections` connections in `seconds`: how many accepted, how many failed. */
  readonly totals: (count: number, accepted: number, failed: number, connections: number, seconds: string) => string;
  /** The failed ones, split: for good (5xx…) and for now (4xx, connections refused or dropped). */
  readonly split: (refused: number, deferred: number) => string;
  /** `resent` messages went again over a new connection: the one their envelope had left on was lost before their content. */
  readonly resent: (resent: number) => string;
  /** `resent` messages went again over a new connection: each was written whole behind one the server answered 421. */
  readonly resentBehindClosing: (resent: number) => string;
  /** `connections` got no reply to QUIT; on `timedOut` of them the wait for it ran to the time limit. */
  readonly quitUnanswered: (connections: number, timedOut: number) => string;
  /** On `connections`, the TLS handshake failed when it offered a kept session: forgotten, and their messages went again. */
  readonly resumptionsFailed: (connections: number) => string;
  /** Of `handshakes` TLS handshakes, `resumed` resumed a session (below the latency table). */
  readonly tlsResumed: (resumed: number, handshakes: number) => string;
  /** `unverified` of `handshakes` TLS handshakes met a certificate that did not verify; `unchecked`: --insecure said so. */
  /** `problem`: why the first certificate did not verify. */
  readonly tlsUnverified: (unverified: number, handshakes: number, unchecked: boolean, problem: CertificateProblem | undefined) => string;
  /**
   * `connections` were broken by something else than a hang-up or a 421 with no message lost: those
   * they would have carried went over new ones. Each distinct cause follows, as a failure's line.
   */
  readonly connectionFaults: (connections: number) => string;
  /** A failure stopped the run (`by` --stop-on-error, or a login refused for good) at `what`; `unsent` messages were never started. */
  readonly stopped: (unsent: number, what: string, by: LoadStop) => string;
  /**
   * A signal (`SIGINT`) cut the run short: `unconfirmed` messages were under way with their end
   * written, with no verdict (said only when some were), and `unsent` were never started.
   */
  readonly interrupted: (signal: string, unconfirmed: number, unsent: number) => string;
  /**
   * A failure of mailv's own (`by`) cut the run short: `unconfirmed` messages were under way, with
   * no verdict, and `unsent` were never started.
   */
  readonly cutShort: (by: CutShortBy, unconfirmed: number, unsent: number) => string;
  /** --direct: the MX host loaded, the first of the plan that accepted a connection. */
  readonly target: (host: string, address: string, port: number) => string;
  /** The live line on a terminal while the run goes on; figures arrive formatted. */
  readonly progress: (accepted: number, refused: number, deferred: number, perSecond: string, seconds: string) => string;
  readonly rate: (perSecond: string) => string;
  /** A decimal figure as the language writes it (`0.187`, `0,187`). */
  readonly decimal: (figure: string) => string;
  /** The heading of the latency table, with its colon; each row is named by `phase`. */
  readonly latency: string;
  /** The latency table's last heading: how many measurements each row's percentiles are of. */
  readonly samples: string;
  readonly phase: { readonly connect: string; readonly greeting: string; readonly tls: string; readonly auth: string; readonly transaction: string };
  /** Before the replies counted by code, with its colon. */
  readonly replies: string;
  /** `count` messages failed this way. */
  readonly failure: (count: number, what: string) => string;
  /**
   * Under a failure: when it first came (`first`, seconds from the start, formatted), after how many
   * messages accepted, with how many other transactions under way (their verdicts unknown yet), and,
   * when it came more than once, when it last did.
   */
  readonly failureWhen: (count: number, first: string, last: string, context: FailureContext) => string;
  /** After the failures shown: `count` more, each unlike them (`first`, `last`: seconds from the start, formatted). */
  readonly failuresNotShown: (count: number, first: string, last: string) => string;
  /** -v: before the dialogue of the first connection on which a message failed, with its colon. */
  readonly witness: string;
  /** -v, when no message failed: before the dialogue of the first connection the server broke between messages, with its colon. */
  readonly witnessBroken: string;
  /** -v: where `count` events of that dialogue were left out (it keeps the opening and the end). */
  readonly witnessOmitted: (count: number) => string;
  /** A recipient refused (5xx) or deferred (4xx) with `reply`. */
  /** `numbered`: under --vary-recipients, every number `recipient` went under. */
  readonly recipient: (recipient: string, outcome: 'refused' | 'deferred', reply: string, numbered: boolean) => string;
  /** A failure whose fact names a recipient given under --vary-recipients, one whatever its number. */
  readonly numbered: (failure: string) => string;
}
