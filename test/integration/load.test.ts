// The load mode as a process, against Postfix's smtp-sink on loopback (from the postfix package):
// every message counted once, over as many connections as --concurrency and --per-connection say;
// and against a port nothing listens on: every failure counted, none fatal, 75.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../helpers/loopback-port.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.js';
import { loadLines, loadSummary } from '../helpers/load-summary.js';
import { skipUnlessRunning } from '../helpers/service.js';

const SMTP_SINK = '/usr/sbin/smtp-sink';

describe('load mode against smtp-sink', { skip: skipUnlessRunning(existsSync(SMTP_SINK), `${SMTP_SINK} is missing`, 'apt-get install postfix') }, () => {
  let sink: ChildProcess;
  let port: number;
  before(async () => {
    port = await closedPort();
    // -u nobody: smtp-sink refuses to run as root; -c counts; 100 is its listen backlog.
    sink = spawn(SMTP_SINK, ['-u', 'nobody', '-c', `127.0.0.1:${port}`, '100'], { stdio: 'ignore' });
    for (let tries = 0; tries < 50; tries++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = createServer();
        socket.once('error', () => resolve(true));
        socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(false)));
      });
      if (open) break;
      await sleep(50);
    }
  });
  after(() => {
    sink.kill();
  });

  for (const [concurrency, perConnection, connections] of [
    [1, 50, 4],
    [4, 10, 20],
  ] as const) {
    it(`200 messages, ${concurrency} at a time, ${perConnection} per connection: all accepted, each counted once`, async () => {
      const run = await runCli(
        [
          '--server',
          `127.0.0.1:${port}`,
          '--count',
          '200',
          '--concurrency',
          String(concurrency),
          '--per-connection',
          String(perConnection),
          '--vary',
          '--json',
          '-r',
          'load@example.org',
          '-s',
          'load',
          'sink@example.org',
        ],
        { input: 'Hello from the load test.\n' },
      );
      assert.equal(run.code, 0, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.equal(summary.count, 200);
      assert.equal(summary.accepted, 200);
      assert.equal(summary.failed, 0);
      // K is at most: near the end a worker may open a connection for what is left.
      assert.ok(summary.connections >= connections && summary.connections <= connections + concurrency, JSON.stringify(summary));
    });
  }
});

describe('load mode against a port nothing listens on', () => {
  it('every refused connection is counted, none is fatal, and the run ends 75', async () => {
    const port = await closedPort();
    const run = await runCli(['--server', `127.0.0.1:${port}`, '--count', '30', '--concurrency', '3', '--json', '-s', 'load', 'sink@example.org'], {
      input: 'Hello.\n',
    });
    assert.equal(run.code, 75, run.stderr);
    const { summary, result, deadLetter } = loadLines(run.stdout);
    assert.equal(summary.count, 30);
    assert.equal(summary.accepted, 0);
    assert.equal(summary.failed, 30);
    // As after any send that did not get through: the reason in one line, in --json's result too,
    // and the message, which reached nobody, kept once.
    const reason = `30 of 30 messages failed (connection refused by [127.0.0.1] port ${port})`;
    assert.deepEqual(
      run.stderr.split('\n').filter((line) => line.startsWith('mailv: ') && !line.includes('dead.letter')),
      [`mailv: ${reason}`],
    );
    assert.deepEqual(result, { event: 'result', ms: result.ms, status: 75, error: reason, code: 'MAILV_LOAD_FAILED', stage: null });
    assert.equal(deadLetter, true);
    const kept = readFileSync(join(run.home, 'dead.letter'), 'utf8');
    assert.equal(kept.match(/^From /gm)?.length, 1, kept);
    assert.match(kept, /^Hello\.$/m);
  });
});
