// The load mode pipelines each transaction's envelope behind the end of the one before. A server
// that hangs up after a message takes with it the message already under way: both are counted,
// each once, and the run goes on over a new connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lines, runCli } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

interface LoadSummary {
  event: string;
  count: number;
  accepted: number;
  failed: number;
  connections: number;
  replies: Record<string, number>;
}

describe('load mode, transactions pipelined, against a server that hangs up after every third message', () => {
  let server: ScriptedServer;
  let dots = 0;
  before(async () => {
    server = await startScriptedServer({ replies: { '.': () => (++dots % 3 === 0 ? { close: true } : '250 2.0.0 Ok: queued') } });
  });
  after(() => server.close());

  it('10 messages over one connection at a time: the lost message and the one pipelined behind it are both failures', async () => {
    const run = await runCli(
      ['--server', `127.0.0.1:${server.port}`, '--count', '10', '--per-connection', '10', '--json', '-r', 'load@example.org', '-s', 'load', 'sink@example.org'],
      { input: 'Hello.\n' },
    );
    const summary = lines(run.stdout)
      .map((line) => JSON.parse(line) as LoadSummary)
      .find((event) => event.event === 'load');
    assert.ok(summary, run.stdout);
    // Per connection: two delivered, the third cut off with the fourth already sent behind it.
    // 1 2 [3 4] | 5 6 [7 8] | 9 10.
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, connections: summary.connections }, { accepted: 6, failed: 4, connections: 3 });
    assert.equal(summary.replies['250 2.0.0'], 6);
    assert.equal(run.code, 75, run.stderr);
    // What left: 10 envelopes whose DATA got its 354 (the fourth's included, pipelined).
    assert.equal(server.commands.filter((line) => line === 'DATA').length, 10);
  });
});
