import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Issuer } from '../../dist/load/issue.js';

describe('handing out the messages of a load run', () => {
  it('numbers 1 to count, then none', async () => {
    const issuer = new Issuer(3, undefined, performance.now());
    assert.deepEqual([await issuer.take(), await issuer.take(), await issuer.take(), await issuer.take()], [1, 2, 3, undefined]);
  });

  it('a number given back (its connection lost before it started) is handed out again first, now or ahead', async () => {
    const issuer = new Issuer(3, undefined, performance.now());
    assert.equal(await issuer.take(), 1);
    assert.equal(issuer.takeDue(), 2);
    issuer.giveBack(2);
    assert.equal(await issuer.take(), 2);
    assert.equal(issuer.takeDue(), 3);
    issuer.giveBack(3);
    assert.equal(issuer.more, true);
    assert.equal(issuer.takeDue(), 3);
    assert.equal(issuer.more, false);
  });

  it('--rate: taken ahead only when its turn has come', () => {
    const issuer = new Issuer(5, 10, performance.now());
    assert.equal(issuer.takeDue(), 1);
    assert.equal(issuer.takeDue(), undefined);
    assert.equal(issuer.more, true);
  });

  it('--rate: message i no sooner than start + (i − 1)/rate, and no burst to make up for a stall', async () => {
    const started = performance.now();
    const issuer = new Issuer(6, 50, started);
    const at: number[] = [];
    for (let index = 0; index < 3; index++) {
      await issuer.take();
      at.push(performance.now() - started);
    }
    await sleep(120); // a stall: six turns go by
    for (let index = 0; index < 3; index++) {
      await issuer.take();
      at.push(performance.now() - started);
    }
    for (const [index, ms] of at.slice(0, 3).entries()) assert.ok(ms >= index * 20, `message ${index + 1} at ${ms} ms`);
    // After the stall the messages keep their turns, 1/rate apart from the first after it, instead
    // of leaving at once. (Counted from that one: a late timer delays a message, not its successors.)
    assert.ok(at[4]! - at[3]! >= 19.5 && at[5]! - at[3]! >= 39.5, at.join(' '));
  });

  it('--rate: turns a little late (a timer) are caught up on, a stall is not', () => {
    // 1,000 a second, the schedule 3 ms behind: the three turns gone by and this one's are due now.
    // Before, each turn came 1/rate after the late one, and --rate 1000 sent 666 a second.
    const behind = new Issuer(100, 1000, performance.now() - 3);
    const due = Array.from({ length: 6 }, () => behind.takeDue());
    assert.ok(due.filter((each) => each !== undefined).length >= 4, due.join(' '));
    assert.deepEqual(due.slice(0, 4), [1, 2, 3, 4]);
    // 50 ms behind, far more than a timer's lateness: the schedule starts again from now, no burst.
    const stalled = new Issuer(100, 1000, performance.now() - 50);
    assert.deepEqual([stalled.takeDue(), stalled.takeDue()], [1, undefined]);
  });

  it('--rate: a message that started a little late (a timer) keeps the next turn; one much later pushes it on', () => {
    // One a second; the run began 10 s ago, so that only started() decides the next turn.
    const late = new Issuer(3, 1, performance.now() - 10_000);
    late.started(performance.now() - 997.5); // 2.5 ms within the lateness forgiven: the turn has come
    assert.equal(late.takeDue(), 1);
    const slow = new Issuer(3, 1, performance.now() - 10_000);
    slow.started(performance.now() - 900); // a connect and a greeting: the next turn is 1/rate after it, still ahead
    assert.equal(slow.takeDue(), undefined);
  });

  it('stopped: nothing more, and a message waiting for its turn gives up at once', async () => {
    const issuer = new Issuer(10, 0.5, performance.now());
    assert.equal(await issuer.take(), 1);
    const waiting = issuer.take(); // its turn is two seconds away
    const stoppedAt = performance.now();
    issuer.stop();
    assert.equal(await waiting, undefined);
    assert.ok(performance.now() - stoppedAt < 500);
    assert.equal(await issuer.take(), undefined);
  });

  it('--rate far below one a day: the turn waited for in steps Node can time, without a warning a millisecond', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const issuer = new Issuer(2, 1e-7, performance.now());
      assert.equal(await issuer.take(), 1);
      const waiting = issuer.take(); // its turn is 10^10 ms away: beyond the longest timer
      await sleep(30);
      issuer.stop();
      assert.equal(await waiting, undefined);
      await sleep(5); // warnings are emitted on the next tick
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
