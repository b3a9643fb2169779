// The TLS and AUTH latencies of one connection, read from the session's events: TLS from STARTTLS
// (or, for implicit TLS, from the connection) to the end of the handshake; AUTH from its first
// command to its final reply (235, or the refusal), the 334 challenges in between. The greeting is
// waited for from the connection, or from the end of the handshake when TLS came first (smtps).
import type { SessionEvent } from '../events.js';
import type { Samples } from './stats.js';

export class PhaseClock {
  private tlsFrom: number;
  private authFrom: number | undefined;
  private greetingFrom: number;

  constructor(
    private readonly tls: Samples,
    private readonly auth: Samples,
    connectedAt: number,
  ) {
    this.tlsFrom = connectedAt;
    this.greetingFrom = connectedAt;
  }

  /** How long the greeting took, when it arrives at `now`. */
  greeting(now: number): number {
    return now - this.greetingFrom;
  }

  /** Whether `event` is one the clock must see (with the time it was emitted at). */
  static times(event: SessionEvent): boolean {
    switch (event.kind) {
      case 'tls':
        return true;
      case 'send':
        return event.stage === 'starttls' || event.stage === 'auth';
      case 'reply':
        return event.stage === 'greeting' || event.stage === 'auth';
      default:
        return false;
    }
  }

  /** `event`, seen at `now` (ms on the same clock as connectedAt). */
  see(event: SessionEvent, now: number): void {
    if (event.kind === 'send' && event.stage === 'starttls') this.tlsFrom = now;
    else if (event.kind === 'tls') {
      this.tls.add(now - this.tlsFrom);
      this.greetingFrom = now;
    } else if (event.kind === 'send' && event.stage === 'auth') this.authFrom ??= now;
    else if (event.kind === 'reply' && event.stage === 'auth' && event.reply.code !== 334 && this.authFrom !== undefined) {
      this.auth.add(now - this.authFrom);
      this.authFrom = undefined;
    }
  }
}
