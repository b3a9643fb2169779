// How long each stage may wait (RFC 5321 §4.5.3.2), optionally capped by --timeout.
import type { Stage } from '../errors.js';

const MINUTE = 60_000;

/**
 * RFC 5321 §4.5.3.2 minimums; `body` is the final reply after the dot, `data` the 354. QUIT has
 * none there: its 221 changes nothing already decided (the verdict, a refusal), so a server that
 * leaves it unanswered (one that greeted 554, say) holds a script ten seconds, not a minute.
 */
const RFC_DEFAULTS: Readonly<Partial<Record<Stage, number>>> = {
  connect: 1 * MINUTE,
  greeting: 5 * MINUTE,
  ehlo: 5 * MINUTE,
  starttls: 2 * MINUTE,
  auth: 5 * MINUTE,
  mail: 5 * MINUTE,
  rcpt: 5 * MINUTE,
  data: 2 * MINUTE,
  body: 10 * MINUTE,
  quit: 10_000,
};

/** Each write of message data (a "data block") may take this long to drain. */
const DATA_BLOCK = 3 * MINUTE;

export class Timeouts {
  constructor(private readonly capMs: number | undefined) {}

  /** Milliseconds to wait for the reply of `stage`. */
  forStage(stage: Stage): number {
    return this.cap(RFC_DEFAULTS[stage] ?? 5 * MINUTE);
  }

  /** Milliseconds a block of message data may take to be written. */
  get dataBlock(): number {
    return this.cap(DATA_BLOCK);
  }

  private cap(ms: number): number {
    return this.capMs === undefined ? ms : Math.min(ms, this.capMs);
  }
}
