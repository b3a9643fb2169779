// What a failure's line counts as under way elsewhere: each other connection's transaction, and the
// next message whose envelope already left with it; never the failing connection's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flight, underWayBesides } from '../../dist/load/flight.js';
import type { SmtpSession } from '../../dist/smtp/session.js';

const withSession = (aheadSent: boolean, inTransaction: boolean): Flight => {
  const flight = new Flight();
  flight.session = { aheadSent } as SmtpSession;
  flight.inTransaction = inTransaction;
  return flight;
};

describe('messages under way on the other connections', () => {
  it('counts a transaction and the envelope gone ahead of the next, on every connection but the failing one', () => {
    const own = withSession(true, false);
    const flights = [own, withSession(true, true), withSession(false, true), withSession(true, false), new Flight()];
    assert.equal(underWayBesides(flights, own), 2 + 1 + 1);
    // A connection not yet open (its connect failed): every other one counts.
    assert.equal(underWayBesides(flights, undefined), 1 + 2 + 1 + 1);
    assert.equal(underWayBesides([own], own), 0);
  });
});
