// What tells a run's work to stop at once: a stop signal, or a failed write (as SIGPIPE). Node's
// AbortController did this, but its signal is an EventTarget, whose code Node compiles on first use:
// the first listener added cost about 0.4 ms and its removal 0.1 ms, in every send (the connection
// listens), and a dry run loaded the controller's module (0.3 to 0.45 ms) for a signal nothing
// listened to. A session needs only a set of callbacks. InterruptSignal is the part of AbortSignal
// mailv uses, so that a real AbortSignal is one too; Node's own APIs that take an AbortSignal get
// one from abortSignalOf().

/**
 * The reason a run's work is interrupted with when no stop signal came, named as the kernel names
 * such an end: a write that failed (SIGPIPE), a fault of mailv's own (SIGABRT). It only ends what is
 * under way; the run says the failure itself.
 */
export const WRITE_FAILED = 'SIGPIPE';
export const FAULTED = 'SIGABRT';

/** The part of AbortSignal mailv's work listens to. `reason` is the stop signal's name, or one of the two above. */
export interface InterruptSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** `listener` runs once, at the interruption; added after it, never (as with an AbortSignal). */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** An AbortController's counterpart: `signal` is the interrupter itself. */
export class Interrupter implements InterruptSignal {
  aborted = false;
  reason: unknown = undefined;
  private readonly listeners = new Set<() => void>();
  private controller: AbortController | undefined;
  /** The interruption's listeners have all run. */
  private over = false;

  get signal(): InterruptSignal {
    return this;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // Added once the interruption is over, it would never run: not kept either.
    if (!this.over) this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }

  /**
   * Interrupts once, with `reason`, as an AbortController does: each listener runs in the order it
   * was added, one added meanwhile too, one removed meanwhile not; a listener that throws is
   * reported as an exception nothing caught, after the others have run.
   */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    // A set visits what is added to it while it is walked, and skips what is deleted.
    for (const listener of this.listeners) {
      this.listeners.delete(listener);
      runListener(listener);
    }
    this.over = true;
  }

  /** An AbortSignal that aborts with this interrupter, made once, when an API of Node's needs one. */
  abortSignal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      // Aborted in its turn among the listeners, as if Node's were added here.
      if (this.aborted) controller.abort(this.reason);
      else this.listeners.add(() => controller.abort(this.reason));
    }
    return this.controller.signal;
  }
}

/** Runs an interruption's `listener`; one that throws is reported after the others, as an exception nothing caught. */
export function runListener(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * `signal` as an AbortSignal, for Node's APIs: an interrupter's own, or the AbortSignal it is (an
 * InterruptSignal is one or the other).
 */
export function abortSignalOf(signal: InterruptSignal): AbortSignal {
  return signal instanceof Interrupter ? signal.abortSignal() : (signal as AbortSignal);
}
