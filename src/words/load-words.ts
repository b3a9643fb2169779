// The shape of the words of a load run's summary (--count). Figures arrive formatted.

export interface LoadWords {
  /** `count` messages over `connections` connections in `seconds`: how many accepted, how many failed. */
  readonly totals: (count: number, accepted: number, failed: number, connections: number, seconds: string) => string;
  readonly rate: (perSecond: string) => string;
  /** The heading of the latency table; each row is named by `phase`. */
  readonly latency: string;
  readonly phase: { readonly connect: string; readonly greeting: string; readonly transaction: string };
  readonly replies: string;
  /** `count` messages failed this way. */
  readonly failure: (count: number, what: string) => string;
  /** A recipient refused (5xx) or deferred (4xx) with `reply`. */
  readonly recipient: (recipient: string, outcome: 'refused' | 'deferred', reply: string) => string;
}
