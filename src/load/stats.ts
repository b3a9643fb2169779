// Latency samples and their summary: percentiles by the nearest-rank method (the smallest sample
// at or above the share asked for), so that every figure shown is a time that was measured.

export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Samples in a typed array grown by doubling: 100,000 of them take 800 kB, not a list of objects. */
export class Samples {
  private values: Float64Array;
  private size = 0;

  constructor(expected = 64) {
    this.values = new Float64Array(Math.max(1, expected));
  }

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** undefined when nothing was measured. */
  summary(): LatencySummary | undefined {
    if (this.size === 0) return undefined;
    const sorted = this.values.slice(0, this.size).sort();
    return {
      samples: this.size,
      p50: nearestRank(sorted, 50),
      p90: nearestRank(sorted, 90),
      p99: nearestRank(sorted, 99),
      max: sorted[sorted.length - 1]!,
    };
  }
}

/** The `percent`th percentile of ascending `sorted` (not empty): the sample of rank ⌈p/100 × n⌉. */
export function nearestRank(sorted: ArrayLike<number>, percent: number): number {
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Messages a second over `elapsedMs`; 0 when no time passed. */
export function perSecond(messages: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0;
}

/** A rate as shown: under 10 a second with its tenths (--rate 0.75 is not 1 a second), else whole; none is 0. */
export function rateFigure(perSecond: number): string {
  if (perSecond === 0) return '0';
  return perSecond < 10 ? perSecond.toFixed(1) : perSecond.toFixed(0);
}
