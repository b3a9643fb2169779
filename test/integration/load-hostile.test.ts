// The load mode against servers that break the dialogue where pipelined transactions make it
// fragile: a 421 to RSET or in the middle of a flight, a SIZE limit that the next varied message
// just passes, a reply too many before a BDAT flight. The run always ends; every message is
// counted exactly once; nothing of a command ever goes as message content.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { loadLines, loadSummary } from '../helpers/load-summary.js';
import { startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-server.js';

const CHUNKING = '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SIZE 1000000';

function load(port: number, extra: readonly string[], recipients: readonly string[] = ['sink@example.org']) {
  return runCli(['--server', `127.0.0.1:${port}`, '-r', 'load@example.org', '-s', 'load', '--json', ...extra, ...recipients], { input: 'Hello.\n' });
}

async function withServer<T>(script: Script, work: (server: ScriptedServer) => Promise<T>): Promise<T> {
  const server = await startScriptedServer(script);
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

describe('load mode against a server closing with 421 where no verdict was due', () => {
  it('RSET answered 421: the connection is given up, the next message goes over a new one, each counted once', async () => {
    const script: Script = { replies: { RCPT: '550 5.1.1 No such user', RSET: '421 4.7.0 Too many errors' } };
    const { run, commands } = await withServer(script, async (server) => ({
      run: await load(server.port, ['--count', '4', '--concurrency', '1', '--per-connection', '4']),
      commands: server.commands,
    }));
    assert.equal(run.code, 67, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, refused: summary.refused, connections: summary.connections }, { accepted: 0, refused: 4, connections: 4 });
    // Nothing follows a 421 on its connection: one RSET per connection, and no MAIL after it.
    assert.equal(commands.filter((line) => line === 'RSET').length, 4, commands.join('\n'));
    assert.equal(commands.filter((line) => line.startsWith('MAIL')).length, 4, commands.join('\n'));
  });

  it('a 421 to the second RCPT of a flight: the message is deferred, not a crash, and counted once', async () => {
    let rcpts = 0;
    const script: Script = { replies: { RCPT: () => (++rcpts % 2 === 0 ? '421 4.3.0 Closing' : '250 2.1.5 Ok') } };
    const run = await withServer(script, (server) =>
      load(server.port, ['--count', '4', '--concurrency', '1', '--per-connection', '4'], ['a@example.org', 'b@example.org']),
    );
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, deferred: summary.deferred, connections: summary.connections },
      { accepted: 0, deferred: 4, connections: 4 },
    );
  });

  it('with BDAT, a 421 to RCPT while the next transaction went ahead: each message counted once', async () => {
    const script: Script = { replies: { EHLO: CHUNKING, RCPT: '421 4.3.0 Closing' } };
    const run = await withServer(script, (server) =>
      load(server.port, ['--count', '4', '--concurrency', '2', '--per-connection', '4'], ['a@example.org', 'b@example.org']),
    );
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ count: summary.count, accepted: summary.accepted, failed: summary.failed }, { count: 4, accepted: 0, failed: 4 });
  });
});

describe('load mode when the next message cannot be planned', () => {
  it('--vary past the SIZE limit at message 10: message 9 still ends with its dot, 10 to 12 fail as too big, no RSET where no MAIL went', async () => {
    // Message 9's size, as this machine's name makes it (in the Message-ID); message 10 is larger by the digits.
    const sizes = await withServer({}, async (server) => {
      await load(server.port, ['--count', '10', '--concurrency', '1', '--per-connection', '10', '--vary']);
      return server.commands.flatMap((line) => /^MAIL .* SIZE=(\d+)$/.exec(line)?.[1] ?? []).map(Number);
    });
    assert.ok(sizes.length === 10 && sizes[9]! > sizes[8]!, sizes.join(' '));
    const script: Script = { replies: { EHLO: `250-scripted.test\r\n250-PIPELINING\r\n250 SIZE ${sizes[8]}` } };
    const { run, commands, messages } = await withServer(script, async (server) => {
      const result = await load(server.port, ['--count', '12', '--concurrency', '1', '--per-connection', '12', '--vary']);
      const messages = [
        ...server
          .received()
          .toString('latin1')
          .matchAll(/\r\nDATA\r\n([\s\S]*?)\r\n\.\r\n/g),
      ].map((match) => match[1]!);
      return { run: result, commands: server.commands, messages };
    });
    assert.equal(run.code, 69, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, refused: summary.refused }, { accepted: 9, refused: 3 });
    assert.deepEqual(
      summary.failures.map((failure) => [failure.code, failure.count]),
      [['MAILV_TOO_BIG', 3]],
    );
    assert.equal(messages.length, 9, commands.join('\n'));
    for (const message of messages) assert.doesNotMatch(message, /^(RSET|MAIL|RCPT|DATA|QUIT)\b/m, message);
    // The dot's reply closed message 9's transaction; 10 to 12 never opened one: nothing to reset.
    assert.deepEqual(
      commands.filter((line) => line === 'RSET' || line === 'QUIT'),
      ['QUIT'],
    );
  });
});

describe('load mode with BDAT against a server answering MAIL twice', () => {
  it('the replies out of step end the connection; every message is counted once, as accepted or failed', async () => {
    const script: Script = { replies: { EHLO: CHUNKING, MAIL: '250 2.1.0 Ok\r\n250 2.1.0 Ok again' } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '6', '--concurrency', '1', '--per-connection', '3']));
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 6, run.stdout);
    // The extra reply is found out when it comes while no reply is owed. With every transaction
    // pipelined ahead, that may be only after the last QUIT's reply (the one before it, shifted) has
    // closed the connection: then nothing is out of step that mailv read, and all six count as
    // accepted (about one run in ten here). Either way, never another status or a crash.
    if (run.code === 0) assert.equal(summary.accepted, 6, run.stdout);
    else {
      assert.equal(run.code, 76, run.stderr);
      assert.ok(
        summary.failures.some((failure) => failure.code === 'MAILV_REPLY_SYNTAX'),
        run.stdout,
      );
    }
  });
});

describe('load mode with BDAT against a server answering MAIL twice and refusing every message', () => {
  it('the refusal that lands where RSET is answered shows the replies out of step: the connection ends, nothing more is counted accepted', async () => {
    const script: Script = { replies: { EHLO: CHUNKING, MAIL: '250 2.1.0 Ok\r\n250 2.1.0 Ok again', 'BDAT LAST': '554 5.7.1 Refused' } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '6', '--concurrency', '1', '--per-connection', '3', '--json']));
    // The messages written whole before the fault may have arrived: 75, as for a send.
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 6, run.stdout);
    // At most each connection's first verdict, read before anything showed the shift, is taken as
    // an acceptance; one whose QUIT rode with it is put in doubt by the refusal in QUIT's place.
    assert.ok(summary.accepted <= summary.connections, run.stdout);
    assert.ok(
      summary.failures.some((failure) => failure.code === 'MAILV_UNEXPECTED_REPLY' && failure.reply === '554 5.7.1 Refused'),
      run.stdout,
    );
  });
});

describe('load mode with replies out of step at the end', () => {
  it("a refusal in the place of QUIT's 221, behind each accepted message: none counted accepted, each deferred (the server may have it)", async () => {
    const script: Script = { replies: { '.': '250 2.0.0 Ok: queued\r\n554 5.7.1 Refused after all' } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '3', '--per-connection', '1', '--json']));
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, deferred: summary.deferred }, { accepted: 0, deferred: 3 });
    assert.ok(
      summary.failures.some((failure) => failure.code === 'MAILV_REPLIES_OUT_OF_STEP'),
      run.stdout,
    );
  });

  it('RSET refused (502) behind messages sent whole with BDAT: those are no refusals of the server, but deferred (it may have them)', async () => {
    const script: Script = { replies: { EHLO: CHUNKING, RSET: '502 5.5.2 RSET not implemented' } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '3', '--per-connection', '3', '--json']));
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 3, run.stdout);
    assert.ok(summary.failed > 0, run.stdout);
    assert.equal(summary.refused, 0, run.stdout);
  });

  it('a reply out of place for one message over CHUNKING: that one 76 as for a send, the one written whole behind it deferred (the server took it)', async () => {
    let lasts = 0;
    const script: Script = { replies: { EHLO: CHUNKING, 'BDAT LAST': () => (++lasts === 1 ? '354 what' : '250 2.0.0 Ok: queued') } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '3', '--per-connection', '3', '--json']));
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 3, run.stdout);
    assert.equal(summary.refused, 1, run.stdout);
    assert.ok(summary.deferred >= 1, run.stdout);
    // A 354 to RCPT, the message's BDAT LAST already written: 76 as a send says it, not 75.
    const rcpt = await withServer({ replies: { EHLO: CHUNKING, RCPT: '354 huh' } }, (server) =>
      load(server.port, ['--count', '2', '--per-connection', '1', '--json']),
    );
    assert.equal(rcpt.code, 76, rcpt.stderr);
    assert.equal(loadSummary(rcpt.stdout).refused, 2, rcpt.stdout);
  });

  it("a refusal where RSET's 250 is due, RSET sent alone after a failed transaction: nothing more on that connection, each message its own verdict", async () => {
    const script: Script = { replies: { DATA: '554 5.5.1 No data for you', RSET: '554 5.5.1 Out of step' } };
    const { run, commands } = await withServer(script, async (server) => ({
      run: await load(server.port, ['--count', '3', '--per-connection', '3', '--json']),
      commands: server.commands,
    }));
    assert.equal(run.code, 69, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ refused: summary.refused, connections: summary.connections }, { refused: 3, connections: 3 }, run.stdout);
    // After the refused RSET no MAIL follows on its connection: a new one carries the next message.
    assert.equal(commands.filter((line) => line.startsWith('EHLO')).length, 3, commands.join('\n'));
  });

  it('221 in place of a BDAT verdict, the next message written whole behind it: never sent again, nor said read by no one', async () => {
    let lasts = 0;
    const script: Script = {
      replies: { EHLO: CHUNKING, 'BDAT LAST': () => (++lasts === 2 ? { raw: '221 2.0.0 Bye\r\n', close: true } : '250 2.0.0 Ok: queued') },
    };
    const { run, commands } = await withServer(script, async (server) => ({
      run: await load(server.port, ['--count', '4', '--per-connection', '4', '--json']),
      commands: server.commands,
    }));
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 4, run.stdout);
    assert.equal(summary.resentBehindClosing, 0, run.stdout);
    assert.ok(commands.filter((line) => line.startsWith('BDAT')).length <= 4, commands.join('\n'));
  });
});

describe('load mode with recipients refused for good and for now', () => {
  /** ok@ takes the message, refused@ is refused for good, later@ for now; the message line is given as is. */
  const byRecipient = (bad: string) => (line: string) =>
    line.includes('refused@') ? `550 5.1.1 ${bad}` : line.includes('later@') ? '450 4.2.0 Try later' : '250 2.1.5 Ok';

  it('--stop-on-error at a message refused for one recipient and deferred for the next: the refusal stops the run and decides its status', async () => {
    const run = await withServer({ replies: { RCPT: byRecipient('No such user') } }, (server) =>
      load(server.port, ['--count', '3', '--concurrency', '1', '--stop-on-error'], ['refused@example.org', 'later@example.org']),
    );
    assert.equal(run.code, 67, run.stderr);
    const { summary, result, deadLetter } = loadLines(run.stdout);
    const refusal = 'refused@example.org refused: 550 5.1.1 No such user';
    // The next message's envelope may have gone ahead before the stop: it is counted too.
    const unsent = summary.count - summary.accepted - summary.failed;
    assert.deepEqual(summary.stopped, {
      unsent,
      by: 'stop-on-error',
      code: 'recipient-refused',
      recipient: 'refused@example.org',
      reply: '550 5.1.1 No such user',
      reason: 'refused@example.org refused: 550 5.1.1 No such user',
    });
    assert.equal(result.error, `${summary.failed} of 3 messages failed (${refusal})`);
    assert.match(run.stderr, new RegExp(`^mailv: ${summary.failed} of 3 messages failed \\(${refusal}\\)$`, 'm'));
    // Nobody got it: kept.
    assert.equal(deadLetter, true);
  });

  it('--stop-on-error over one connection: the message taken after the refused one is not sent', async () => {
    const { run, commands } = await withServer({ replies: { RCPT: '550 5.1.1 No such user' } }, async (server) => ({
      run: await load(server.port, ['--count', '10', '--concurrency', '1', '--stop-on-error']),
      commands: server.commands,
    }));
    assert.equal(run.code, 67, run.stderr);
    const { summary } = loadLines(run.stdout);
    assert.deepEqual({ failed: summary.failed, unsent: summary.stopped?.unsent }, { failed: 1, unsent: 9 });
    assert.equal(commands.filter((line) => line.startsWith('RCPT')).length, 1, commands.join('\n'));
  });

  it('a server that hangs up after accepting a message: the next one, whose envelope had gone ahead, goes over a new connection, not counted as failed', async () => {
    let dots = 0;
    const script: Script = { replies: { '.': () => (++dots % 2 === 0 ? { raw: '250 2.0.0 queued, bye\r\n', close: true } : '250 2.0.0 queued') } };
    const run = await withServer(script, (server) => load(server.port, ['--count', '6', '--concurrency', '1']));
    assert.equal(run.code, 0, run.stdout);
    const { summary } = loadLines(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, connections: summary.connections }, { accepted: 6, failed: 0, connections: 3 });
  });

  it('a server that hangs up after MAIL on every connection: each message counted as failed once, and the run ends', async () => {
    const run = await withServer({ replies: { MAIL: { close: true } } }, (server) => load(server.port, ['--count', '4', '--concurrency', '1']));
    assert.equal(run.code, 75, run.stdout);
    const { summary } = loadLines(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed }, { accepted: 0, failed: 4 });
  });

  it('a message taken by one recipient and refused for another fails, and reached someone: no dead.letter, as after one such send', async () => {
    const run = await withServer({ replies: { RCPT: byRecipient('No such user') } }, (server) =>
      load(server.port, ['--count', '2'], ['ok@example.org', 'refused@example.org']),
    );
    assert.equal(run.code, 67, run.stderr);
    const { summary, deadLetter } = loadLines(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, refused: summary.refused }, { accepted: 0, refused: 2 });
    assert.equal(deadLetter, false);
    assert.equal(existsSync(join(run.home, 'dead.letter')), false);
  });

  it("the server's words in the summary and the failure line: escaped, never a terminal control", async () => {
    const run = await withServer({ replies: { RCPT: byRecipient('bad \x1b]0;pwned\x07 \x1b[2J user') } }, (server) =>
      runCli(['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '2', 'refused@example.org'], {
        input: 'Hello.\n',
        env: { LANG: 'C' },
      }),
    );
    assert.equal(run.code, 67, run.stderr);
    for (const output of [run.stdout, run.stderr]) assert.doesNotMatch(output, /[\x00-\x08\x0b-\x1f\x7f]/, JSON.stringify(output));
    assert.match(run.stdout, /^2 × refused@example\.org refused: 550 5\.1\.1 bad .*pwned.* user$/m);
    assert.match(run.stderr, /^mailv: 2 of 2 messages failed \(refused@example\.org refused: 550 5\.1\.1 bad .*pwned.* user\)$/m);
  });
});
