// -v in a load run keeps every connection's dialogue until the run's first failure: bounded by the
// number of events and by their size, whatever the server sends, and given away once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import { type Witness, WitnessBuffer } from '../../dist/load/witness.js';

/** A 250 reply of `lines` lines of `width` octets, numbered by `sequence` so that order can be checked. */
const reply = (sequence: number, lines = 1, width = 20): SessionEvent => {
  const raw = Array.from({ length: lines }, (_, index) => `250${index === lines - 1 ? ' ' : '-'}${String(sequence).padStart(width - 4, '0')}`);
  return { kind: 'reply', stage: 'mail', reply: { code: 250, enhanced: undefined, lines: raw.map((line) => line.slice(4)), raw }, recipient: undefined };
};
const sequenceOf = (event: SessionEvent): number => (event.kind === 'reply' ? Number(event.reply.lines[0]) : Number.NaN);
/** Octets of reply text an event holds. */
const octets = (events: readonly SessionEvent[]): number =>
  events.reduce((sum, event) => sum + (event.kind === 'reply' ? event.reply.raw.reduce((lines, line) => lines + line.length, 0) : 0), 0);

/** A buffer fed `opening` before the first transaction and `rest` after it, then failed: what it gave. */
function witnessOf(opening: readonly SessionEvent[], rest: readonly SessionEvent[]): Witness {
  let given: Witness | undefined;
  const buffer = new WitnessBuffer({ given: false }, (witness) => (given = witness));
  for (const event of opening) buffer.see(event);
  buffer.transaction();
  for (const event of rest) buffer.see(event);
  buffer.failed();
  assert.ok(given !== undefined, 'the failure gave the witness away');
  return given;
}

describe('the load witness (-v)', () => {
  it('keeps at most 300 events after the opening, the newest, in order, and counts the rest', () => {
    const rest = Array.from({ length: 420 }, (_, index) => reply(index));
    const { opening, omitted, last } = witnessOf([reply(-1)], rest);
    assert.equal(opening.length, 1);
    assert.equal(last.length, 300);
    assert.equal(omitted, 120);
    assert.deepEqual(
      last.map(sequenceOf),
      Array.from({ length: 300 }, (_, index) => 120 + index),
    );
  });

  it('weighs long replies: a flood of 80 KB replies keeps a few hundred KB, the failing one always', () => {
    // 10 lines of 8000 octets: far under the 1 MiB a reply may have, and 300 of them would be 24 MB a connection.
    const rest = Array.from({ length: 50 }, (_, index) => reply(index, 10, 8000));
    const { last, omitted } = witnessOf([], rest);
    assert.ok(octets(last) <= 256 * 1024, `${octets(last)} octets of replies kept`);
    assert.ok(last.length >= 1 && last.length < 5, `${last.length} replies kept`);
    assert.equal(sequenceOf(last.at(-1)!), 49, 'the newest is kept');
    assert.equal(omitted + last.length, 50);
    // One reply larger than the whole allowance is still shown when it is the one that failed.
    const huge = reply(7, 120, 8000);
    const alone = witnessOf([], [reply(1), huge]);
    assert.deepEqual(alone.last, [huge]);
    assert.equal(alone.omitted, 1);
  });

  it('weighs the opening too: a greeting and EHLO reply flood stop being kept, and are counted', () => {
    const opening = Array.from({ length: 20 }, (_, index) => reply(index, 4, 8000));
    const { opening: kept, omitted, last } = witnessOf(opening, [reply(99)]);
    assert.ok(kept.length >= 1 && octets(kept) <= 64 * 1024, `${kept.length} events, ${octets(kept)} octets kept of the opening`);
    assert.deepEqual(
      kept.map(sequenceOf),
      Array.from({ length: kept.length }, (_, index) => index),
      'the first ones, in order',
    );
    assert.equal(omitted, 20 - kept.length);
    assert.deepEqual(last.map(sequenceOf), [99]);
  });

  it('is given once a run: a second failing connection keeps and gives nothing', () => {
    const shared = { given: false };
    const given: Witness[] = [];
    const first = new WitnessBuffer(shared, (witness) => given.push(witness));
    const second = new WitnessBuffer(shared, (witness) => given.push(witness));
    first.see(reply(1));
    second.see(reply(2));
    first.failed();
    second.see(reply(3));
    second.failed();
    assert.equal(given.length, 1);
    assert.deepEqual(given[0]!.opening.map(sequenceOf), [1]);
  });
});
