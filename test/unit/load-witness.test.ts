// -v in a load run keeps every connection's dialogue until the run's first failure: bounded by the
// number of events and by their size, whatever the server sends, and given away once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import { type Witness, WitnessBuffer, type WitnessShared, givenIfBroken } from '../../dist/load/witness.js';

/** A reply of `lines` lines of `width` octets (250 unless `code`), numbered by `sequence` so that order can be checked. */
const reply = (sequence: number, lines = 1, width = 20, code = 250): SessionEvent => {
  const raw = Array.from({ length: lines }, (_, index) => `${code}${index === lines - 1 ? ' ' : '-'}${String(sequence).padStart(width - 4, '0')}`);
  return { kind: 'reply', stage: 'mail', reply: { code, enhanced: undefined, lines: raw.map((line) => line.slice(4)), raw }, recipient: undefined };
};
const sequenceOf = (event: SessionEvent): number => (event.kind === 'reply' ? Number(event.reply.lines[0]) : Number.NaN);
/** Octets of reply text an event holds. */
const octets = (events: readonly SessionEvent[]): number =>
  events.reduce((sum, event) => sum + (event.kind === 'reply' ? event.reply.raw.reduce((lines, line) => lines + line.length, 0) : 0), 0);

/** A buffer fed `opening` before the first transaction and `rest` after it (then `before`), then failed: what it gave. */
function witnessOf(opening: readonly SessionEvent[], rest: readonly SessionEvent[], before?: (buffer: WitnessBuffer) => void): Witness {
  let given: Witness | undefined;
  const buffer = new WitnessBuffer({ given: false }, (witness) => (given = witness));
  for (const event of opening) buffer.see(event);
  buffer.transaction();
  for (const event of rest) buffer.see(event);
  before?.(buffer);
  buffer.failed();
  assert.ok(given !== undefined, 'the failure gave the witness away');
  return given;
}

describe('the load witness (-v)', () => {
  it('keeps of what could not be read the last lines within 16 KiB, or the end of a longer last line', () => {
    const unreadOf = (lines: readonly string[]) => {
      const event = witnessOf([], [reply(1)], (buffer) => buffer.seeUnread(lines)).last.at(-1);
      return event?.kind === 'unreadable-reply' ? event.lines : [];
    };
    const lines = Array.from({ length: 40 }, (_, index) => `${String(index).padStart(2, '0')}${'x'.repeat(998)}`);
    assert.deepEqual(unreadOf(lines), lines.slice(-16), '16 lines of 1,000 octets: 16,000 within 16,384');
    assert.deepEqual(
      unreadOf(['short', `${'y'.repeat(40_000)}END`]).map((line) => [line.length, line.slice(-3)]),
      [[16 * 1024, 'END']],
    );
    assert.deepEqual(unreadOf([]), []);
  });

  it('gives a broken connection at the end only when nothing was given, with broke set', () => {
    const broken = (shared: WitnessShared) => {
      const buffer = new WitnessBuffer(shared, () => {});
      buffer.see(reply(1));
      buffer.broke();
      let given: Witness | undefined;
      givenIfBroken(shared, (witness) => (given = witness));
      return given;
    };
    assert.deepEqual(broken({ given: false })?.broke, true);
    assert.equal(broken({ given: true }), undefined);
  });

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

  it('weighs long replies: a flood of 80 KB replies keeps about 96 KB of their text, and the newest always', () => {
    // 10 lines of 8000 octets: far under the 1 MiB a reply may have, and 300 of them would be 24 MB a connection.
    const rest = Array.from({ length: 50 }, (_, index) => reply(index, 10, 8000));
    const { last, omitted } = witnessOf([], rest);
    // A reply's text is held twice (as received and parsed): 192 KiB of memory is about 96 KiB of text.
    assert.ok(octets(last.slice(0, -1)) <= 96 * 1024, `${octets(last)} octets of replies kept`);
    assert.ok(last.length >= 1 && last.length < 5, `${last.length} replies kept`);
    assert.equal(sequenceOf(last.at(-1)!), 49, 'the newest is kept');
    assert.equal(omitted + last.length, 50);
    // One reply larger than the whole allowance is still shown when it is the newest.
    const huge = reply(7, 120, 8000);
    const alone = witnessOf([], [reply(1), huge]);
    assert.deepEqual(alone.last, [huge]);
    assert.equal(alone.omitted, 1);
  });

  it('keeps the last refusal, however long, though pipelined replies came after it', () => {
    const refusal = reply(2, 30, 8000, 550);
    const { last, omitted } = witnessOf([], [reply(1), refusal, reply(3), reply(4)]);
    assert.deepEqual(last.map(sequenceOf), [2, 4], 'the refusal and the newest, the others left out');
    assert.equal(last[0], refusal);
    assert.equal(omitted, 2);
  });

  it('weighs the opening too: once an event does not fit, it and all after it go with the last events, one cut between', () => {
    const opening = [reply(0, 4, 8000), reply(1, 4, 8000), reply(2), reply(3, 30, 8000, 535)];
    const { opening: kept, omitted, last } = witnessOf(opening, []);
    assert.deepEqual(kept.map(sequenceOf), [0], 'the first, that fits');
    assert.equal(sequenceOf(last.at(-1)!), 3, 'the refusal that ended the opening is shown');
    assert.deepEqual(last.map(sequenceOf), [1, 2, 3].slice(3 - last.length), 'the small event after a large one is not shown before the cut');
    assert.equal(omitted + kept.length + last.length, 4);
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
