// The bundle bin/build.mjs makes, as bin/mailv.js needs it: runnable through node:vm, and light to
// start (commander's node:child_process left out).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAILV, freshHome } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

/** Runs `script` in a fresh node, the message on stdin; resolves with the built-in modules it loaded. */
function builtinsLoaded(script: string, input: string | number, stdout: 'pipe' | number = 'pipe'): Promise<string[]> {
  const probe = `process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(process.moduleLoadList)));\n${script}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', probe], {
      env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', USER: 'tester' },
      stdio: [typeof input === 'number' ? input : 'pipe', stdout, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout?.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr}`));
      resolve((JSON.parse(stderr.slice(stderr.lastIndexOf('["'))) as string[]).map((entry) => entry.replace(/^NativeModule /, '')));
    });
    if (typeof input === 'string') child.stdin!.end(input);
  });
}

describe('the bundle', () => {
  const bundle = readFileSync(new URL('../../dist/bundle/mailv.cjs', import.meta.url), 'latin1');

  it('holds no import(): node:vm, which runs it, has no dynamic-import callback', () => {
    assert.doesNotMatch(bundle, /\bimport\(/);
  });

  it('loads no node:child_process for a send (commander reaches the stub instead)', async () => {
    const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, '--dry-run', '-q', '-s', 'x', 'bob@example.org'];\nrequire(${JSON.stringify(MAILV)});`;
    const loaded = await builtinsLoaded(run, 'Hello.\n');
    assert.ok(loaded.includes('fs'), 'the probe lists what was loaded');
    assert.deepEqual(
      loaded.filter((name) => /child_process/.test(name)),
      [],
    );
    const control = await builtinsLoaded("require('node:child_process');", '');
    assert.ok(control.includes('child_process'), 'the probe sees child_process when it is loaded');
  });

  it('loads no node:fs/promises, readline or perf_hooks for a send, nor node:tls when no TLS is offered', async () => {
    const server = await startScriptedServer();
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-q', '-s', 'x', 'bob@example.org'];
      const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, ...${JSON.stringify(args)}];\nrequire(${JSON.stringify(MAILV)});`;
      const loaded = await builtinsLoaded(run, 'Hello.\n');
      assert.ok(loaded.includes('net'), 'the probe lists what was loaded, a socket among it');
      assert.ok(server.commands.includes('QUIT'), 'the send went through to its end');
      assert.deepEqual(
        loaded.filter((name) => ['fs/promises', 'readline', 'perf_hooks', 'tls'].includes(name)),
        [],
      );
    } finally {
      await server.close();
    }
  });

  it('loads no node:stream for a dry run from a file to /dev/null: plain reads and writes, a start-up cost saved', async () => {
    const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, '--dry-run', '-q', '-s', 'x', 'bob@example.org'];\nrequire(${JSON.stringify(MAILV)});`;
    const body = join(freshHome(), 'body.txt');
    writeFileSync(body, 'Hello.\n');
    const [input, devNull] = [openSync(body, 'r'), openSync('/dev/null', 'w')];
    try {
      const loaded = await builtinsLoaded(run, input, devNull);
      assert.ok(loaded.includes('fs'), 'the probe lists what was loaded');
      assert.deepEqual(
        loaded.filter((name) => name === 'stream' || name === 'net'),
        [],
      );
    } finally {
      closeSync(input);
      closeSync(devNull);
    }
  });
});
