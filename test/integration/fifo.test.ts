// FIFOs where mailv reads or writes a file: a password file may be one (`--password-file <(pass
// show mail)`) and is read without holding up signals while it waits for its writer; an attachment
// and $DEAD may not.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MAILV, freshHome, runCli } from '../helpers/cli.js';

function fifoIn(home: string): string {
  const path = join(home, 'fifo');
  execFileSync('mkfifo', ['-m', '600', path]);
  return path;
}

/** The process has `path` open (it waits on it). */
function holds(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('a FIFO given as a file', () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`--password-file on a FIFO nobody writes: ${signal} ends the run at once (${status}), the message kept`, { timeout: 30_000 }, async () => {
      const home = freshHome();
      const fifo = fifoIn(home);
      const child = spawn(process.execPath, [MAILV, '--demo', '--user', 'alice', '--password-file', fifo, '-s', 'x', 'bob@example.org'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.stdin.end('typed before the password\n');
      for (let i = 0; i < 100 && !holds(child.pid!, fifo); i++) await sleep(50);
      // The signal must find mailv waiting on the FIFO, not before it got there.
      assert.ok(holds(child.pid!, fifo), 'mailv holds the FIFO open');
      child.kill(signal);
      const started = Date.now();
      const code = await Promise.race([exited, sleep(5000).then(() => 'still running')]);
      if (code === 'still running') child.kill('SIGKILL');
      assert.equal(code, status, `exit status after ${signal}`);
      assert.ok(Date.now() - started < 2000, 'at once');
      assert.equal(stderr, `mailv: interrupted by ${signal}\nmailv: the message was saved in ${join(home, 'dead.letter')}\n`);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\ntyped before the password\n\n$/);
    });
  }

  it('--password-file on a FIFO: its first line is the password once a writer comes', { timeout: 30_000 }, async () => {
    const home = freshHome();
    const fifo = fifoIn(home);
    // The writer waits for mailv to open the FIFO, as `pass show mail > fifo` would.
    const writer = spawn('sh', ['-c', `sleep 0.3; printf 's3cret\\nsecond line\\n' > '${fifo}'`]);
    const run = await runCli(['--demo', '--user', 'alice', '--password-file', fifo, '--auth', 'PLAIN', '--show-secrets', '-s', 'x', 'bob@example.org'], {
      input: 'x\n',
      home,
    });
    writer.kill();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\(sent, decoded: "\\0alice\\0s3cret"\)$/m);
  });

  it('--ca on a FIFO or a device is refused at once (66), never waited on nor read without end, the message kept', { timeout: 30_000 }, async () => {
    for (const ca of [fifoIn(freshHome()), '/dev/zero']) {
      const home = freshHome();
      const started = Date.now();
      const run = await runCli(['--ca', ca, '--server', '127.0.0.1:9', '-s', 'x', 'bob@example.org'], { input: 'keep me\n', home });
      assert.equal(run.code, 66, run.stderr);
      assert.ok(Date.now() - started < 5000, 'at once');
      assert.equal(run.stderr.split('\n')[0], `mailv: cannot read --ca ${ca}: not a regular file`);
      // Piped, the message has no other copy: read, then kept.
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nkeep me\n\n$/);
    }
  });

  it('-a on a FIFO is refused at once (66), not waited on', { timeout: 30_000 }, async () => {
    const home = freshHome();
    const fifo = fifoIn(home);
    const run = await runCli(['-a', fifo, '--dry-run', '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 66);
    assert.equal(run.stderr, `mailv: cannot attach ${fifo}: not a regular file\n`);
    assert.equal(run.stdout, '');
  });

  it('-a of a file that tells no size (/proc) is read whole, not attached empty; past 16 MiB, refused (66)', async () => {
    const run = await runCli(['-a', '/proc/self/status', '--dry-run', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    const part = /filename="status"\r\n[^\r]*\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n\r\n/.exec(run.stdout)?.[1];
    assert.ok(part !== undefined, run.stdout);
    assert.match(Buffer.from(part.replace(/\r\n/g, ''), 'base64').toString(), /^Name:\t[\s\S]*\nPid:\t\d+\n/);
    const endless = await runCli(['-a', '/proc/self/pagemap', '--dry-run', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(endless.code, 66);
    assert.equal(
      endless.stderr,
      'mailv: cannot attach /proc/self/pagemap: it tells no size and holds more than the 16 MiB read into memory (copy it to a file first)\n',
    );
  });

  it('--password-file on a device is refused without being opened (66)', async () => {
    const run = await runCli(['--demo', '--user', 'alice', '--password-file', '/dev/zero', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 66);
    assert.match(run.stderr, /^mailv: cannot read --password-file \/dev\/zero: neither a regular file nor a pipe\nmailv: the message was saved in /);
  });

  it('$DEAD on a FIFO is refused in one line, at once, and left in place', { timeout: 30_000 }, async () => {
    const home = freshHome();
    const fifo = fifoIn(home);
    // Nothing listens on port 1 of this machine: the connection is refused and the message kept.
    const run = await runCli(['--server', '127.0.0.1:1', '-s', 'x', 'bob@example.org'], { input: 'x\n', home, env: { DEAD: fifo } });
    assert.equal(run.code, 75);
    assert.match(run.stderr, new RegExp(`\nmailv: cannot save the message to ${fifo}: it is a FIFO, not a regular file; the message is lost\n$`));
    assert.ok(statSync(fifo).isFIFO());
  });
});
