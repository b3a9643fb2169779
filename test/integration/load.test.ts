// The load mode as a process, against Postfix's smtp-sink on loopback (from the postfix package):
// every message counted once, over as many connections as --concurrency and --per-connection say;
// and against a port nothing listens on: every failure counted, none fatal, 75.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { greetingOf } from '../helpers/greeting.js';
import { closedPort } from '../helpers/loopback-port.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.js';
import { loadLines, loadSummary } from '../helpers/load-summary.js';
import { skipUnlessRunning } from '../helpers/service.js';

const SMTP_SINK = '/usr/sbin/smtp-sink';

/**
 * Starts smtp-sink on a free loopback port and resolves once it greets with the name it was given,
 * so that another server that took the port meanwhile is never mistaken for it. A sink that exits
 * first (the port taken) is started again on another port; one that never listens fails the suite
 * with what it said, instead of leaving the tests to meet a closed port.
 */
async function startPostfixSink(): Promise<{ sink: ChildProcess; port: number }> {
  const said: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await closedPort();
    const name = `sink-${process.pid}-${port}.invalid`;
    // -u nobody: smtp-sink refuses to run as root; -h: its name in the greeting; -c counts; 100 is its listen backlog.
    const sink = spawn(SMTP_SINK, ['-u', 'nobody', '-h', name, '-c', `127.0.0.1:${port}`, '100'], { stdio: ['ignore', 'ignore', 'pipe'] });
    sink.stderr?.on('data', (data: Buffer) => said.push(data.toString()));
    let exited = false;
    sink.once('exit', () => {
      exited = true;
    });
    sink.once('error', (error) => {
      said.push(error.message);
      exited = true;
    });
    // A loaded machine (the whole suite runs in parallel) can take seconds to start it.
    const deadline = Date.now() + 20_000;
    while (!exited && Date.now() < deadline) {
      if ((await greetingOf('127.0.0.1', port, new RegExp(`^220 ${name.replaceAll('.', '\\.')} `))) !== undefined) return { sink, port };
      await sleep(50);
    }
    sink.kill();
  }
  throw new Error(`smtp-sink never listened: ${said.join('').trim() || 'it said nothing'}`);
}

describe('load mode against smtp-sink', { skip: skipUnlessRunning(existsSync(SMTP_SINK), `${SMTP_SINK} is missing`, 'apt-get install postfix') }, () => {
  let sink: ChildProcess;
  let port: number;
  before(async () => {
    ({ sink, port } = await startPostfixSink());
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
