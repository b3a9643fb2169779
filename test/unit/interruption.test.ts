// The run's interrupter: what a session, a DNS exchange or a read listens to for a stop signal. It
// must behave as the AbortController it stands in for does, where mailv relies on it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Interrupter, abortSignalOf } from '../../dist/interruption.js';

describe('an interrupter', () => {
  it('runs each listener once, at the interruption, with the reason set before', () => {
    const interrupter = new Interrupter();
    const seen: unknown[] = [];
    const listener = () => seen.push(interrupter.signal.reason);
    interrupter.signal.addEventListener('abort', listener, { once: true });
    interrupter.signal.addEventListener('abort', listener, { once: true });
    assert.equal(interrupter.signal.aborted, false);
    assert.deepEqual(seen, []);
    interrupter.abort('SIGINT');
    interrupter.abort('SIGTERM');
    assert.deepEqual(seen, ['SIGINT']);
    assert.equal(interrupter.signal.aborted, true);
    assert.equal(interrupter.signal.reason, 'SIGINT');
  });

  it('never runs a listener removed before, nor one added after', () => {
    const interrupter = new Interrupter();
    const seen: string[] = [];
    const removed = () => seen.push('removed');
    interrupter.addEventListener('abort', removed);
    interrupter.removeEventListener('abort', removed);
    interrupter.addEventListener('abort', () => seen.push('kept'));
    interrupter.abort('SIGHUP');
    interrupter.addEventListener('abort', () => seen.push('late'));
    interrupter.abort('SIGINT');
    assert.deepEqual(seen, ['kept']);
  });

  it('runs every listener even when one throws, then throws the first error', () => {
    const interrupter = new Interrupter();
    const seen: string[] = [];
    interrupter.addEventListener('abort', () => {
      seen.push('first');
      throw new Error('first');
    });
    interrupter.addEventListener('abort', () => {
      seen.push('second');
      throw new Error('second');
    });
    interrupter.addEventListener('abort', () => seen.push('third'));
    assert.throws(() => interrupter.abort('SIGTERM'), /^Error: first$/);
    assert.deepEqual(seen, ['first', 'second', 'third']);
  });

  it("gives Node's APIs an AbortSignal that aborts with it, made once", async () => {
    const interrupter = new Interrupter();
    const signal = abortSignalOf(interrupter);
    assert.ok(signal instanceof AbortSignal);
    assert.equal(abortSignalOf(interrupter), signal);
    assert.equal(signal.aborted, false);
    const waiting = once(new (await import('node:events')).EventEmitter(), 'never', { signal });
    interrupter.abort('SIGQUIT');
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(signal.reason, 'SIGQUIT');
  });

  it('gives an AbortSignal already aborted, with the reason, once interrupted', () => {
    const interrupter = new Interrupter();
    interrupter.abort('SIGPIPE');
    const signal = abortSignalOf(interrupter);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, 'SIGPIPE');
  });

  it('takes a real AbortSignal as it is', () => {
    const controller = new AbortController();
    assert.equal(abortSignalOf(controller.signal), controller.signal);
  });
});
