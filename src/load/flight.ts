// What each worker has under way, read when a distinct failure first comes: with several
// connections, messages the server took before it may not have their verdicts yet, and the
// summary says how many were still awaited.
import type { SmtpSession } from '../smtp/session.js';

/** One worker's connection: whether a transaction is under way, and its session (whose next envelope may have gone ahead). */
export class Flight {
  inTransaction = false;
  session: SmtpSession | undefined;

  /** Messages under way here: the transaction's own, and the next one's whose envelope already left. */
  get underWay(): number {
    return (this.inTransaction ? 1 : 0) + (this.session?.aheadSent === true ? 1 : 0);
  }
}

/** Messages under way on every connection but `own`'s (whose next ones left after its failure). */
export function underWayBesides(flights: readonly Flight[], own: Flight | undefined): number {
  let count = 0;
  for (const flight of flights) if (flight !== own) count += flight.underWay;
  return count;
}
