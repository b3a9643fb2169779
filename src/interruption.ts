// What tells a run's work to stop at once: a stop signal, or a failed write (as SIGPIPE). Node's
// AbortController did this, but its signal is an EventTarget, whose code Node compiles on first use:
// the first listener added cost about 0.4 ms and its removal 0.1 ms, in every send (the connection
// listens), and a dry run loaded the controller's module (0.3 to 0.45 ms) for a signal nothing
// listened to. A session needs only a set of callbacks. InterruptSignal is the part of AbortSignal
// mailv uses, so that a real AbortSignal is one too; Node's own APIs that take an AbortSignal get
// one from abortSignalOf().

/** The part of AbortSignal mailv's work listens to. `reason` is the stop signal's name. */
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

  get signal(): InterruptSignal {
    return this;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // Added after the interruption, it is never run: abort() runs once.
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }

  /** Interrupts once, with `reason`: every listener runs, even if one before it threw. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = [...this.listeners];
    this.listeners.clear();
    let thrown: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) throw thrown.error;
  }

  /** An AbortSignal that aborts with this interrupter, made once, when an API of Node's needs one. */
  abortSignal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/** `signal` as an AbortSignal, for Node's APIs: an interrupter's own, or the AbortSignal it is. */
export function abortSignalOf(signal: InterruptSignal): AbortSignal {
  return signal instanceof Interrupter ? signal.abortSignal() : (signal as AbortSignal);
}
