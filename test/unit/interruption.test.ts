// The run's interrupter: what a session, a DNS exchange or a read listens to for a stop signal. It
// must behave as the AbortController it stands in for does, where mailv relies on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

  it('runs a listener added while it interrupts, not one removed meanwhile, in the order they were added', () => {
    const interrupter = new Interrupter();
    const seen: string[] = [];
    const removed = () => seen.push('removed');
    interrupter.addEventListener('abort', () => {
      seen.push('first');
      interrupter.removeEventListener('abort', removed);
      interrupter.addEventListener('abort', () => seen.push('added meanwhile'));
    });
    interrupter.addEventListener('abort', removed);
    const signal = abortSignalOf(interrupter);
    signal.addEventListener('abort', () => seen.push("Node's, in its turn"));
    interrupter.addEventListener('abort', () => seen.push('last'));
    interrupter.abort('SIGINT');
    assert.deepEqual(seen, ['first', "Node's, in its turn", 'last', 'added meanwhile']);
  });

  it('runs every listener even when one throws, and reports the error afterwards as an exception nothing caught', () => {
    // In a process of its own: the report is an uncaught exception, which would end this one.
    const script = `
      import { Interrupter } from ${JSON.stringify(new URL('../../dist/interruption.js', import.meta.url).href)};
      const interrupter = new Interrupter();
      const seen = [];
      interrupter.addEventListener('abort', () => { seen.push('first'); throw new Error('from a listener'); });
      interrupter.addEventListener('abort', () => seen.push('second'));
      interrupter.abort('SIGTERM');
      console.log('abort returned after', seen.join(' and '));
    `;
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(ran.stdout, 'abort returned after first and second\n');
    assert.equal(ran.status, 1);
    assert.match(ran.stderr, /^Error: from a listener$/m);
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
