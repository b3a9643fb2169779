// A worker's view of the run's signal (src/load/worker-signal.ts): its connections' listeners run
// as the run's own Interrupter runs them, once, in order, one that throws not stopping the others.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Interrupter } from '../../dist/interruption.js';
import { WorkerSignal } from '../../dist/load/worker-signal.js';

describe("a worker's signal", () => {
  it('tells the run’s state, and runs each listener once, in order: one added meanwhile too, one removed meanwhile not', () => {
    const run = new Interrupter();
    const worker = new WorkerSignal(run.signal);
    run.addEventListener('abort', () => worker.abort());
    const ran: string[] = [];
    const removed = () => ran.push('removed');
    const added = () => ran.push('added');
    worker.addEventListener('abort', () => {
      ran.push('first');
      worker.removeEventListener('abort', removed);
      worker.addEventListener('abort', added);
    });
    worker.addEventListener('abort', removed);
    worker.addEventListener('abort', () => ran.push('last'));
    assert.deepEqual([worker.aborted, worker.reason], [false, undefined]);
    run.abort('SIGINT');
    assert.deepEqual([worker.aborted, worker.reason], [true, 'SIGINT']);
    assert.deepEqual(ran, ['first', 'last', 'added']);
    // Over: a listener added now would never run, and is not kept.
    worker.addEventListener('abort', () => ran.push('late'));
    worker.abort();
    assert.deepEqual(ran, ['first', 'last', 'added']);
  });

  it('one listener that throws: the others run, and the exception is reported after them, as nothing caught', () => {
    // In a process of its own: the report is an uncaught exception, which would end this one.
    const dist = (path: string) => JSON.stringify(new URL(`../../dist/${path}`, import.meta.url).href);
    const script = `
      import { Interrupter } from ${dist('interruption.js')};
      import { WorkerSignal } from ${dist('load/worker-signal.js')};
      const run = new Interrupter();
      const worker = new WorkerSignal(run.signal);
      const seen = [];
      worker.addEventListener('abort', () => { seen.push('first'); throw new Error('from a listener'); });
      worker.addEventListener('abort', () => seen.push('second'));
      run.abort('SIGTERM');
      worker.abort();
      console.log('abort returned after', seen.join(' and '));
    `;
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(ran.stdout, 'abort returned after first and second\n');
    assert.equal(ran.status, 1);
    assert.match(ran.stderr, /^Error: from a listener$/m);
  });
});
