import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Timeouts } from '../../dist/smtp/timeouts.js';

describe('time limits', () => {
  it('are RFC 5321 §4.5.3.2’s for each step, and ten seconds for the reply to QUIT, whose 221 decides nothing', () => {
    const limits = new Timeouts(undefined);
    const minutes = (stage: Parameters<Timeouts['forStage']>[0]) => limits.forStage(stage) / 60_000;
    assert.deepEqual((['connect', 'greeting', 'ehlo', 'mail', 'rcpt', 'data', 'body'] as const).map(minutes), [1, 5, 5, 5, 5, 2, 10]);
    assert.equal(limits.dataBlock, 3 * 60_000);
    assert.equal(limits.forStage('quit'), 10_000);
  });

  it('--timeout lowers every longer limit to its value, and no shorter one', () => {
    const limits = new Timeouts(30_000);
    assert.equal(limits.forStage('greeting'), 30_000);
    assert.equal(limits.dataBlock, 30_000);
    assert.equal(limits.forStage('quit'), 10_000);
  });
});
