// Signals while a message is still being read from a pipe: SIGHUP and SIGQUIT end the run as SIGINT
// and SIGTERM do, with 128 + the signal's number, what was read kept in dead.letter and no spool
// left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILV, freshHome } from '../helpers/cli.js';

/** Octets the process has read so far (/proc/PID/io), to tell when it waits for more. */
function octetsRead(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

/**
 * Whether the process waits on its standard input through its event loop (descriptor 0 in one of
 * its epoll sets): it has begun to read the message, its signal handlers set before.
 */
function pollsStandardInput(pid: number): boolean {
  const fds = `/proc/${pid}/fd`;
  for (const fd of readdirSync(fds)) {
    try {
      if (readlinkSync(join(fds, fd)) === 'anon_inode:[eventpoll]' && /^tfd:\s+0\s/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))) return true;
    } catch {
      // Closed meanwhile.
    }
  }
  return false;
}

/**
 * Starts mailv on a message read from a pipe, writes `part` to it and leaves the pipe open;
 * resolves once mailv has read all of it and waits for more. `stop` is the caller's to send.
 */
async function readingMidPipe(part: Buffer) {
  const home = freshHome();
  const tmp = freshHome();
  const child = spawn(process.execPath, [MAILV, '-q', '--server', '127.0.0.1:9', '-s', 'cut short', 'bob@example.org'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester', TMPDIR: tmp },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, by) => resolve({ code, signal: by })),
  );
  await new Promise<void>((resolve) => child.stdin.write(part, () => resolve()));
  // Reading the message (not still starting: a start reads nothing for a while on a busy host)...
  for (let waited = 0; !pollsStandardInput(child.pid!); waited++) {
    assert.ok(waited < 400, 'mailv never waited on its standard input');
    await sleep(25);
  }
  // ...and the pipe may still hold the last octets written: wait until mailv has read them and waits
  // (its reads stopped for a quarter of a second: a spool write between two reads takes less).
  for (let last = -1, now = octetsRead(child.pid!); now !== last; last = now, now = octetsRead(child.pid!)) await sleep(250);
  return {
    home,
    tmp,
    stop: (signal: NodeJS.Signals) => child.kill(signal),
    /** How the run ended, and what it said on standard error. */
    ended: async () => {
      const result = await exited;
      child.stdin.destroy();
      return { ...result, stderr };
    },
  };
}

/** Writes `part` to mailv's standard input, leaves the pipe open, and sends `signal` once all is read. */
async function signalMidPipe(signal: NodeJS.Signals, part: Buffer) {
  const run = await readingMidPipe(part);
  run.stop(signal);
  return { ...(await run.ended()), home: run.home, tmp: run.tmp };
}

/** The body of the one message in dead.letter, LF lines as mbox keeps them. */
function keptBody(home: string): { headers: string; body: string } {
  const kept = readFileSync(join(home, 'dead.letter'), 'utf8');
  assert.match(kept, /^From tester@\S+ [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
  const split = kept.indexOf('\n\n');
  return { headers: kept.slice(0, split), body: kept.slice(split + 2) };
}

describe('signals while a pipe is read', () => {
  it('a second signal while dead.letter is written waits until the entry is whole, then ends mailv', { timeout: 60_000 }, async () => {
    const part = Buffer.from('a line of a message large enough to take a while to keep\n'.repeat(1_200_000)); // about 68 MB
    const run = await readingMidPipe(part);
    run.stop('SIGTERM');
    const deadLetter = join(run.home, 'dead.letter');
    for (let i = 0; i < 2000 && !(existsSync(deadLetter) && statSync(deadLetter).size > 0); i++) await sleep(5);
    const sizeAtSecond = statSync(deadLetter).size;
    run.stop('SIGTERM');
    const result = await run.ended();
    assert.ok(sizeAtSecond < part.length, `the second signal came while the entry was being written (${sizeAtSecond} octets)`);
    assert.equal(result.signal, 'SIGTERM', `ended by the second signal: ${result.stderr}`);
    assert.equal(keptBody(run.home).body, `${part}\n`, 'the whole entry, not a shorter message');
    // Said before the second signal ends mailv: the user learns where the message is.
    assert.equal(result.stderr, `mailv: interrupted by SIGTERM\nmailv: what was read of the message was saved in ${deadLetter}\n`);
  });

  it('a second signal right after the first (a double Ctrl-C) lets the message be kept first, then ends mailv', async () => {
    const run = await readingMidPipe(Buffer.from('typed into a pipe\n'));
    // Before, the second ended mailv before the run had begun to keep anything: nothing was kept,
    // though a line may already have promised a copy.
    // Two signals of one kind sent together may reach it as one: two kinds always come as two.
    run.stop('SIGINT');
    run.stop('SIGTERM');
    const result = await run.ended();
    // The two may be taken in either order: by the second signal, or by the first's status when the run's own end came first.
    const first = /^mailv: interrupted by (SIGINT|SIGTERM)\n/.exec(result.stderr)?.[1];
    const second = first === 'SIGINT' ? 'SIGTERM' : 'SIGINT';
    assert.ok(result.signal === second || result.code === (first === 'SIGINT' ? 130 : 143), `${result.code} ${result.signal}: ${result.stderr}`);
    assert.equal(keptBody(run.home).body, 'typed into a pipe\n\n');
    assert.equal(result.stderr, `mailv: interrupted by ${first}\nmailv: what was read of the message was saved in ${join(run.home, 'dead.letter')}\n`);
  });

  it('SIGHUP: 129, what was read (spooled, 5 MiB) in dead.letter, nothing in TMPDIR', async () => {
    const part = Buffer.from('a line of the message sent so far\n'.repeat(150_000)); // over 4 MiB: spooled
    const run = await signalMidPipe('SIGHUP', part);
    assert.deepEqual({ code: run.code, signal: run.signal }, { code: 129, signal: null });
    assert.equal(run.stderr, `mailv: interrupted by SIGHUP\nmailv: what was read of the message was saved in ${join(run.home, 'dead.letter')}\n`);
    const { headers, body } = keptBody(run.home);
    assert.match(headers, /^Subject: cut short$/m);
    assert.equal(body, `${part}\n`, 'every octet read, and nothing else');
    assert.deepEqual(readdirSync(run.tmp), []);
  });

  it('SIGQUIT: 131, what was read (in memory) in dead.letter', async () => {
    const part = Buffer.from('first line\nsecond line\n');
    const run = await signalMidPipe('SIGQUIT', part);
    assert.deepEqual({ code: run.code, signal: run.signal }, { code: 131, signal: null });
    assert.equal(run.stderr, `mailv: interrupted by SIGQUIT\nmailv: what was read of the message was saved in ${join(run.home, 'dead.letter')}\n`);
    assert.equal(keptBody(run.home).body, 'first line\nsecond line\n\n');
    assert.deepEqual(readdirSync(run.tmp), []);
  });

  it('SIGINT and SIGTERM keep what was read too: 130, 143', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const run = await signalMidPipe(signal, Buffer.from('typed into a pipe\n'));
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, new RegExp(`^mailv: interrupted by ${signal}\\nmailv: what was read of the message was saved in `));
      assert.equal(keptBody(run.home).body, 'typed into a pipe\n\n');
    }
  });
});

describe('signals while standard output is not read', () => {
  it('a dry run into a pipe nobody reads: one signal ends it, said, by that signal', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(process.execPath, [MAILV, '--dry-run', '-s', 'unread', 'bob@example.org'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      // Standard output is never read: its pipe fills, and mailv waits for a reader that never reads.
      child.stdout.pause();
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, by) => resolve({ code, signal: by })),
      );
      child.stdin.end(Buffer.alloc(4 * 1024 * 1024, 'line of a long message\n'));
      // Waits until it has read the whole message and waits on its output.
      for (let last = -1, now = octetsRead(child.pid!); now !== last || now < 4 * 1024 * 1024; last = now, now = octetsRead(child.pid!)) await sleep(100);
      const sent = performance.now();
      child.kill(signal);
      const result = await ended;
      assert.ok(performance.now() - sent < 5000, 'ended at the first signal');
      assert.equal(result.signal, signal, `ended by ${signal} itself, as a shell reports it (128 + its number)`);
      assert.equal(stderr, `mailv: interrupted by ${signal}\n`);
      child.stdout.destroy();
    }
  });

  it('a fault of its own while its output waits for a reader that never reads: 70 at once, said in one line', async () => {
    // The fault comes once standard output is full: thrown at the next turn after a write it refused.
    const plant = join(freshHome(), 'plant.cjs');
    writeFileSync(
      plant,
      'const write = process.stdout.write;\nlet planted = false;\nprocess.stdout.write = function (...rest) {\n' +
        "  const taken = write.apply(this, rest);\n  if (!taken && !planted) { planted = true; setImmediate(() => { throw new Error('planted while output waits'); }); }\n" +
        '  return taken;\n};\n',
    );
    const child = spawn(process.execPath, ['-r', plant, MAILV, '--dry-run', '-s', 'unread', 'bob@example.org'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.pause();
    const started = performance.now();
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.end(Buffer.alloc(4 * 1024 * 1024, 'line of a long message\n'));
    const code = await ended;
    child.stdout.destroy();
    assert.equal(code, 70, stderr);
    assert.ok(performance.now() - started < 10_000, 'ended without its reader');
    assert.match(stderr, /^mailv: internal error: Error: planted while output waits\\x0a [^\n]*\n$/);
  });
});
