// -v in a load run: the dialogue of the first connection on which a message failed, kept bounded
// (its opening, then its last events) while every connection runs, and given away once.
import type { SessionEvent } from '../events.js';

/** What the witness shows: the opening, how many events after it were left out, and the last ones. */
export interface Witness {
  readonly opening: readonly SessionEvent[];
  readonly omitted: number;
  readonly last: readonly SessionEvent[];
}

/** Events kept of a connection's opening, and of what follows it: a server's flood stays bounded. */
const WITNESS_OPENING = 100;
const WITNESS_LAST = 300;

/** The witness's memory of one connection: given away at the first failure of the run, if any. */
export class WitnessBuffer {
  private readonly opening: SessionEvent[] = [];
  /** The last events since the first transaction began, oldest first (a ring once full). */
  private readonly last: SessionEvent[] = [];
  private next = 0;
  private omitted = 0;
  private transactionBegun = false;

  constructor(
    private readonly shared: { given: boolean },
    private readonly give: (witness: Witness) => void,
  ) {}

  see(event: SessionEvent): void {
    // Once the run's first failure was shown, nothing more is kept; nor message content (-vvv).
    if (this.shared.given || event.kind === 'body') return;
    if (!this.transactionBegun) {
      if (this.opening.length < WITNESS_OPENING) this.opening.push(event);
      else this.omitted++;
    } else if (this.last.length < WITNESS_LAST) this.last.push(event);
    else {
      // The oldest goes: what failed is at the end.
      this.last[this.next] = event;
      this.next = (this.next + 1) % WITNESS_LAST;
      this.omitted++;
    }
  }

  /** A transaction begins: what follows is kept as the last events. */
  transaction(): void {
    this.transactionBegun = true;
  }

  /** A message failed: the first failure of the run with anything to show has its connection shown. */
  failed(): void {
    if (this.shared.given || (this.opening.length === 0 && this.last.length === 0)) return;
    this.shared.given = true;
    this.give({ opening: this.opening, omitted: this.omitted, last: [...this.last.slice(this.next), ...this.last.slice(0, this.next)] });
  }
}
