// What each worker has open and under way, read when a distinct failure first comes: with several
// connections, messages the server took before it may not have their verdicts yet, and a server's
// limit on connections bites at a number of them open; the summary says both.
import type { SmtpSession } from '../smtp/session.js';

/** One worker's connection: whether one is open, its session (whose next envelope may have gone ahead), and whether a transaction is under way. */
export class Flight {
  open = false;
  inTransaction = false;
  session: SmtpSession | undefined;

  /** Messages under way here: the transaction's own, and the next one's whose envelope already left. */
  get underWay(): number {
    return (this.inTransaction ? 1 : 0) + (this.session?.aheadSent === true ? 1 : 0);
  }
}

/** The other connections when a failure comes: how many were open, and how many messages were under way on them. */
export interface Elsewhere {
  readonly connectionsOpen: number;
  readonly underWay: number;
}

/** Every connection but `own`'s (whose next messages left after its failure). */
export function elsewhere(flights: readonly Flight[], own: Flight | undefined): Elsewhere {
  let connectionsOpen = 0;
  let underWay = 0;
  for (const flight of flights) {
    if (flight === own || !flight.open) continue;
    connectionsOpen++;
    underWay += flight.underWay;
  }
  return { connectionsOpen, underWay };
}
