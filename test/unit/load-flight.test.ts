// What a failure's line counts on the other connections: each one open, and on it the transaction
// under way and the next message whose envelope already left with it; never the failing one's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flight, elsewhere } from '../../dist/load/flight.js';
import type { SmtpSession } from '../../dist/smtp/session.js';

const withSession = (aheadSent: boolean, inTransaction: boolean): Flight => {
  const flight = new Flight();
  flight.open = true;
  flight.session = { aheadSent } as SmtpSession;
  flight.inTransaction = inTransaction;
  return flight;
};

describe('the other connections when a failure comes', () => {
  it('counts those open, and on them a transaction and the envelope gone ahead of the next, but not the failing one', () => {
    const own = withSession(true, false);
    // The last: a worker between connections (or still connecting): not open.
    const flights = [own, withSession(true, true), withSession(false, true), withSession(true, false), withSession(false, false), new Flight()];
    assert.deepEqual(elsewhere(flights, own), { connectionsOpen: 4, underWay: 2 + 1 + 1 });
    // A connection that never opened (its connect failed): every open one counts.
    assert.deepEqual(elsewhere(flights, undefined), { connectionsOpen: 5, underWay: 1 + 2 + 1 + 1 });
    assert.deepEqual(elsewhere([own], own), { connectionsOpen: 0, underWay: 0 });
    // One the express lane plays: open with no session, its transaction under way once MAIL left.
    const played = new Flight();
    played.open = true;
    played.inTransaction = true;
    assert.deepEqual(elsewhere([own, played], own), { connectionsOpen: 1, underWay: 1 });
  });
});
