// Which message goes next, and when: numbers 1…count handed out in order, each no earlier than its
// turn under --rate, none once the run was stopped (--stop-on-error, a signal). The turns keep to
// one schedule, message i at (i − 1)/rate: a turn that came a little late (a timer fires a
// millisecond or so after its time, whatever is asked of it) is taken back by starting the next
// ones sooner, or at 1,000 a second every turn would come that much late and the rate fall to two
// thirds of --rate. A stall longer than LATENESS_FORGIVEN_MS is not made up for: the schedule
// starts again from the message that was late, so no burst follows a slow spell (a message's turn
// is given when it is taken; one whose MAIL left much later pushes the next turn on).
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortSignalOf, type InterruptSignal } from '../interruption.js';

/**
 * The longest one timer may wait: Node's timers take 2^31 - 1 ms (about 24.8 days); a longer delay
 * is cut to 1 ms with a warning. A turn further off (a very slow --rate) is waited for in steps.
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * How late a message may start after its turn without pushing the next one on (timers, a busy event
 * loop): the most a run catches up on at once, LATENESS_FORGIVEN_MS × rate messages sooner than 1/rate apart.
 */
const LATENESS_FORGIVEN_MS = 5;

export class Issuer {
  private issued = 0;
  /** Numbers taken for a connection that was lost before they were started: handed out again first. */
  private readonly returned: number[] = [];
  private readonly stopping = new AbortController();
  private readonly waiting: AbortSignal;
  /** When the next message may start, in ms on the performance clock. */
  private nextStart: number;

  constructor(
    private readonly count: number,
    private readonly rate: number | undefined,
    started: number,
    signal?: InterruptSignal,
  ) {
    this.nextStart = started;
    this.waiting = signal === undefined ? this.stopping.signal : AbortSignal.any([abortSignalOf(signal), this.stopping.signal]);
    // Every connection waiting for its turn (--rate) listens to it: as many as --concurrency, no leak.
    setMaxListeners(0, this.waiting);
  }

  /**
   * The next message's number, once its turn has come; undefined when none is left or the run
   * stopped. A promise only when its turn is to be waited for (--rate).
   */
  take(): number | undefined | Promise<number | undefined> {
    if (!this.more) return undefined;
    // A message given back already had its turn.
    if (this.returned.length > 0) return this.returned.shift();
    const sequence = ++this.issued;
    if (this.rate === undefined) return this.waiting.aborted ? undefined : sequence;
    return this.waitTurn(sequence, this.rate);
  }

  private async waitTurn(sequence: number, rate: number): Promise<number | undefined> {
    const startAt = this.nextTurn(performance.now(), rate);
    // A timer may fire a fraction of a millisecond early: wait again until the turn has come.
    for (let left = startAt - performance.now(); left > 0 && !this.waiting.aborted; left = startAt - performance.now()) {
      await sleep(Math.min(Math.ceil(left), LONGEST_TIMER_MS), undefined, { signal: this.waiting }).catch(() => undefined);
    }
    return this.waiting.aborted ? undefined : sequence;
  }

  /**
   * The turn of the message taken at `now`, and the next one's after it: its place in the schedule,
   * or `now` when it comes more than the lateness forgiven after that (a stall, not made up for).
   */
  private nextTurn(now: number, rate: number): number {
    const turn = now - this.nextStart > LATENESS_FORGIVEN_MS ? now : this.nextStart;
    this.nextStart = turn + 1000 / rate;
    return turn;
  }

  /**
   * A message's MAIL is written now, maybe long after its turn was given (a connection's first, after
   * the connect, the greeting and the login): the next turn comes no sooner than 1/rate after it,
   * less the lateness forgiven.
   */
  started(at: number): void {
    if (this.rate === undefined) return;
    this.nextStart = Math.max(this.nextStart, at + 1000 / this.rate - LATENESS_FORGIVEN_MS);
  }

  /**
   * The next message's number if its turn has already come, without waiting: for taking the next
   * message ahead (pipelined with the current one's end), which must never hold the current one back.
   */
  takeDue(): number | undefined {
    if (!this.more) return undefined;
    if (this.returned.length > 0) return this.returned.shift();
    if (this.rate !== undefined) {
      const now = performance.now();
      if (this.nextStart > now) return undefined;
      this.nextTurn(now, this.rate);
    }
    return ++this.issued;
  }

  /** Whether any message is left to hand out (perhaps later, under --rate). */
  get more(): boolean {
    return (this.returned.length > 0 || this.issued < this.count) && !this.waiting.aborted;
  }

  /** `sequence` was taken but never started (its connection was lost): another connection takes it. */
  giveBack(sequence: number): void {
    this.returned.push(sequence);
  }

  /** No more messages: those waiting for their turn give up at once; those under way finish. */
  stop(): void {
    this.stopping.abort();
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }
}
