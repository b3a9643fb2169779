// The run's signal as one worker's connections listen to it: the run's own is listened to once for
// all workers, and each connection's listeners are kept here, a few at a time, where thousands a
// second added to the run's own and taken from it again kept the collector busy (each connection's
// objects outlived a scavenge).
import { runListener, type InterruptSignal } from '../interruption.js';

export class WorkerSignal implements InterruptSignal {
  private readonly listening: (() => void)[] = [];
  private over = false;

  constructor(private readonly run: InterruptSignal) {}

  get aborted(): boolean {
    return this.run.aborted;
  }

  get reason(): unknown {
    return this.run.reason;
  }

  /** Added once this worker's interruption is over, it would never run: not kept either. */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.over) this.listening.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listening.indexOf(listener);
    if (index !== -1) this.listening.splice(index, 1);
  }

  /**
   * The run's signal aborted: each listener runs once, in the order added, one added meanwhile too,
   * one removed meanwhile not; one that throws is reported as an exception nothing caught, after
   * the others have run (as the run's own Interrupter does).
   */
  abort(): void {
    for (let listener = this.listening.shift(); listener !== undefined; listener = this.listening.shift()) runListener(listener);
    this.over = true;
  }
}
