// --password-cmd under a signal: the command is ended with everything it started, never left
// running after mailv has gone (a shell killed alone would orphan its children).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILV, freshHome } from '../helpers/cli.js';

/** A live process, not a zombie waiting for its parent. */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

describe('--password-cmd and signals', () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} while the command runs ends it and what it started: ${status}, the message kept`, { timeout: 30_000 }, async () => {
      const home = freshHome();
      const pidFile = join(home, 'grandchild.pid');
      // The shell starts a child of its own and waits for it, as `pass show x` or `gpg -d` would.
      const command = `sleep 30 & echo $! > '${pidFile}'; wait`;
      const child = spawn(process.execPath, [MAILV, '--demo', '--user', 'alice', '--password-cmd', command, '-s', 'x', 'bob@example.org'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester', LC_ALL: 'C' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.stdin.end('typed before the password\n');
      // The shell makes the file before it writes the number in it: waited for whole, its line ended.
      const written = () => (existsSync(pidFile) ? /^\d+\n$/.test(readFileSync(pidFile, 'utf8')) : false);
      for (let i = 0; i < 200 && !written(); i++) await sleep(50);
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(running(grandchild), 'the command is running');
      child.kill(signal);
      assert.equal(await exited, status, stderr);
      for (let i = 0; i < 40 && running(grandchild); i++) await sleep(50);
      const left = running(grandchild);
      if (left) process.kill(grandchild, 'SIGKILL');
      assert.equal(left, false, 'the command started by --password-cmd is not left running');
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\ntyped before the password\n\n$/);
    });
  }
});
