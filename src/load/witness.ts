// -v in a load run: the dialogue of the first connection on which a message failed, kept bounded
// (its opening, then its last events) while every connection runs, and given away once; when no
// message failed, that of the first connection the server broke between messages, if one did.
import type { SessionEvent } from '../events.js';

/** What the witness shows: the opening, how many events after it were left out, and the last ones. */
export interface Witness {
  readonly opening: readonly SessionEvent[];
  readonly omitted: number;
  readonly last: readonly SessionEvent[];
  /** Given for a connection the server broke between messages, no message having failed in the run. */
  readonly broke: boolean;
}

/** What the connections of a run share: whether the witness was given, and the first broken connection's, kept in case none is. */
export interface WitnessShared {
  given: boolean;
  broken?: Witness;
}

/**
 * Events kept of a connection's opening, and of what follows it, counted and weighed: every
 * connection keeps its own until the run's first failure, so a server's flood of events, or of
 * long replies (up to 1 MiB each), must not grow with the run.
 */
const WITNESS_OPENING = 100;
const WITNESS_LAST = 300;
const WITNESS_OPENING_OCTETS = 64 * 1024;
const WITNESS_LAST_OCTETS = 192 * 1024;
/** Of what the server sent that could not be read (up to the reader's 1 MiB), the last octets kept. */
const WITNESS_UNREAD_OCTETS = 16 * 1024;

/** About the memory an event holds: a reply's text twice (as received and parsed), else a small record. */
function weight(event: SessionEvent): number {
  const lines = event.kind === 'reply' ? event.reply.raw : event.kind === 'unreadable-reply' ? event.lines : [];
  let octets = 256;
  for (const line of lines) octets += 2 * line.length;
  return octets;
}

/** The witness's memory of one connection: given away at the first failure of the run, if any. */
export class WitnessBuffer {
  private readonly opening: SessionEvent[] = [];
  private openingOctets = 0;
  /** The opening had no room for an event: it and all after it go to the last events, so the cut is one. */
  private openingFull = false;
  /** The last events since the first transaction began, oldest first, with their weights. */
  private readonly last: SessionEvent[] = [];
  private readonly lastWeights: number[] = [];
  private lastOctets = 0;
  /** The newest reply among the last events that refused something: kept, as what failed may be it. */
  private refusal: SessionEvent | undefined;
  private omitted = 0;
  private transactionBegun = false;

  constructor(
    private readonly shared: WitnessShared,
    private readonly give: (witness: Witness) => void,
  ) {}

  see(event: SessionEvent): void {
    // Once the run's first failure was shown, nothing more is kept; nor message content (-vvv).
    if (this.shared.given || event.kind === 'body') return;
    const octets = weight(event);
    if (!this.transactionBegun && !this.openingFull) {
      if (this.opening.length < WITNESS_OPENING && this.openingOctets + octets <= WITNESS_OPENING_OCTETS) {
        this.opening.push(event);
        this.openingOctets += octets;
        return;
      }
      this.openingFull = true;
    }
    this.last.push(event);
    this.lastWeights.push(octets);
    this.lastOctets += octets;
    if (event.kind === 'reply' && event.reply.code >= 400) this.refusal = event;
    // The oldest go: what failed is at the end, or is the last refusal (pipelined replies may follow
    // it), so the newest event and that refusal are always kept.
    for (;;) {
      const pinned = this.last[0] === this.refusal ? 1 : 0;
      if (this.last.length <= 1 + pinned || (this.last.length <= WITNESS_LAST && this.lastOctets <= WITNESS_LAST_OCTETS)) break;
      this.last.splice(pinned, 1);
      this.lastOctets -= this.lastWeights.splice(pinned, 1)[0]!;
      this.omitted++;
    }
  }

  /** What the server sent that could not be read, its last lines (see WITNESS_UNREAD_OCTETS), as one send shows it. */
  seeUnread(lines: readonly string[]): void {
    let start = lines.length;
    for (let octets = 0; start > 0 && octets + lines[start - 1]!.length <= WITNESS_UNREAD_OCTETS; start--) octets += lines[start - 1]!.length;
    // A last line longer than the whole allowance: its end, the part nearest what broke.
    const kept = start === lines.length && start > 0 ? [lines[start - 1]!.slice(-WITNESS_UNREAD_OCTETS)] : lines.slice(start);
    if (kept.length > 0) this.see({ kind: 'unreadable-reply', lines: kept });
  }

  /** Nothing of the connection to show (it failed before its greeting). */
  private get empty(): boolean {
    return this.opening.length === 0 && this.last.length === 0;
  }

  /** A transaction begins: what follows is kept as the last events. */
  transaction(): void {
    this.transactionBegun = true;
  }

  /** A message failed: the first failure of the run with anything to show has its connection shown. */
  failed(): void {
    if (this.shared.given || this.empty) return;
    this.shared.given = true;
    this.give({ opening: this.opening, omitted: this.omitted, last: this.last, broke: false });
  }

  /**
   * The server broke this connection with no message lost (see LoadReport.connectionFaults): kept,
   * the first such, and given at the run's end only if no message failed (givenIfBroken).
   */
  broke(): void {
    if (this.shared.given || this.shared.broken !== undefined || this.empty) return;
    this.shared.broken = { opening: [...this.opening], omitted: this.omitted, last: [...this.last], broke: true };
  }
}

/** At the run's end: a connection the server broke is the witness when no message failed. */
export function givenIfBroken(shared: WitnessShared, give: (witness: Witness) => void): void {
  if (shared.given || shared.broken === undefined) return;
  shared.given = true;
  give(shared.broken);
}
