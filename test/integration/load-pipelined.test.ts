// The load mode pipelines each transaction's envelope behind the end of the one before. A server
// that hangs up at a message's end loses that message; the one whose envelope (only) went ahead
// goes again over a new connection, and each is counted once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILV, freshHome, runCli } from '../helpers/cli.js';
import { loadLines, loadSummary, type LoadSummary } from '../helpers/load-summary.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { exim } from '../helpers/servers/exim.js';

/** A load run of `extra` against the server on `port`: from load@example.org to sink@example.org, body `Hello.`. */
function loadAt(port: number, extra: readonly string[]) {
  return runCli(['--server', `127.0.0.1:${port}`, ...extra, '-r', 'load@example.org', 'sink@example.org'], { input: 'Hello.\n' });
}

describe('load mode, transactions pipelined, against a server that hangs up after every third message', () => {
  let server: ScriptedServer;
  let dots = 0;
  /** The subject of each message the server accepted, in order. */
  const accepted: string[] = [];
  before(async () => {
    server = await startScriptedServer({
      replies: {
        '.': (message) => {
          if (++dots % 3 === 0) return { close: true };
          accepted.push(/^Subject: (.*)$/m.exec(message)?.[1] ?? '');
          return '250 2.0.0 Ok: queued';
        },
      },
    });
  });
  after(() => server.close());

  it('10 messages over one connection at a time: the one lost is counted, the one whose envelope went ahead goes again, once', async () => {
    const run = await loadAt(server.port, ['--count', '10', '--per-connection', '10', '--vary', '--json', '-s', 'load']);
    const summary = loadSummary(run.stdout);
    // Per connection, the third message is cut off at its dot, the next one's envelope already
    // sent behind it; that one had not sent its message, so it starts the next connection:
    // 1 2 [3] | 4 5 [6] | 7 8 [9] | 10.
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, resent: summary.resent },
      { accepted: 7, failed: 3, connections: 4, resent: 3 },
    );
    assert.deepEqual(accepted, ['load #1', 'load #2', 'load #4', 'load #5', 'load #7', 'load #8', 'load #10']);
    assert.equal(run.code, 75, run.stderr);
  });
});

describe('load mode: what is not counted as sent again', () => {
  it('an envelope that went ahead on a lost connection, the run then stopped by --stop-on-error: never sent again, never counted so', async () => {
    let dots = 0;
    const server = await startScriptedServer({ replies: { '.': () => (++dots % 3 === 0 ? { close: true } : '250 2.0.0 Ok: queued') } });
    const run = await loadAt(server.port, ['--count', '10', '--per-connection', '10', '--stop-on-error', '--json']).finally(() => server.close());
    const summary = loadSummary(run.stdout);
    // 1 2 [3, with 4's envelope behind it]: the stop comes before 4 goes again.
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, resent: summary.resent, unsent: summary.stopped?.unsent },
      { accepted: 2, failed: 1, connections: 1, resent: 0, unsent: 7 },
    );
  });

  it('an envelope queued behind a message the server cut short with 421 after its 354: never written, so not sent again', async () => {
    const server = await startScriptedServer({ replies: { DATA: { raw: '354 go ahead\r\n421 4.3.2 Closing\r\n', close: true } } });
    const run = await loadAt(server.port, ['--count', '3', '--per-connection', '3', '--json']).finally(() => server.close());
    const summary = loadSummary(run.stdout);
    // Each connection: its first message refused by the 421, the next one (queued, never written) handed on.
    assert.deepEqual({ failed: summary.failed, connections: summary.connections, resent: summary.resent }, { failed: 3, connections: 3, resent: 0 });
    assert.equal(run.code, 75, run.stderr);
  });
});

describe('load mode against a server that hangs up without a word after the first message of each connection', () => {
  let server: ScriptedServer;
  /** The subject of each message the server accepted, in order. */
  const accepted: string[] = [];
  before(async () => {
    server = await startScriptedServer({
      perConnection: () => ({
        replies: {
          '.': (message) => {
            accepted.push(/^Subject: (.*)$/m.exec(message)?.[1] ?? '');
            // The next message's envelope came in the same write as this dot: never answered.
            return { raw: '250 2.0.0 Ok: queued\r\n', close: true };
          },
        },
      }),
    });
  });
  after(() => server.close());

  it('every message gets through once, and the summary says how many went again, since the server saw their envelope twice', async () => {
    const args = ['--count', '4', '--per-connection', '2', '--vary', '-s', 'load'];
    const run = await loadAt(server.port, [...args, '--json']);
    const summary = loadSummary(run.stdout);
    // 1 [2 | 2 [3 | 3 [4 | 4: each connection's second envelope is lost with it, and starts the next.
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, resent: summary.resent },
      { accepted: 4, failed: 0, connections: 4, resent: 3 },
    );
    assert.deepEqual(accepted, ['load #1', 'load #2', 'load #3', 'load #4']);
    assert.equal(run.code, 0, run.stderr);
    accepted.length = 0;
    const words = await loadAt(server.port, args);
    assert.match(
      words.stdout,
      /^3 messages sent again over a new connection: each time, the connection that carried the envelope was lost before the content went out$/m,
    );
    assert.equal(words.code, 0, words.stderr);
  });
});

describe('load mode against a server without PIPELINING that hangs up at the second MAIL of each connection', () => {
  let server: ScriptedServer;
  const accepted: string[] = [];
  before(async () => {
    server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250 8BITMIME' },
      perConnection: () => {
        let mails = 0;
        return {
          replies: {
            MAIL: () => (++mails === 2 ? { close: true } : '250 2.1.0 Ok'),
            '.': (message) => {
              accepted.push(/^Subject: (.*)$/m.exec(message)?.[1] ?? '');
              return '250 2.0.0 Ok: queued';
            },
          },
        };
      },
    });
  });
  after(() => server.close());

  it('the same verdict as with PIPELINING: the message never started goes again over a new connection, once', async () => {
    const run = await loadAt(server.port, ['--count', '4', '--per-connection', '2', '--vary', '-s', 'load', '--json']);
    const summary = loadSummary(run.stdout);
    // 1 [2 | 2 [3 | 3 [4 | 4, as when the envelope went ahead (above).
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, resent: summary.resent },
      { accepted: 4, failed: 0, connections: 4, resent: 3 },
    );
    assert.deepEqual(accepted, ['load #1', 'load #2', 'load #3', 'load #4']);
    assert.ok(!server.commands.some((line) => line.startsWith('BDAT')) && server.commands.filter((line) => line === 'DATA').length === 4);
    assert.equal(run.code, 0, run.stderr);
  });
});

describe('load mode -v: the dialogue of the first connection on which a message failed', () => {
  let server: ScriptedServer;
  before(async () => {
    let rcpts = 0;
    server = await startScriptedServer({ replies: { RCPT: () => (++rcpts === 3 ? '452 4.2.2 Mailbox full' : '250 2.1.5 Ok') } });
  });
  after(() => server.close());

  it('shown before the summary, as one send shows it, up to the reply that failed; with --json, refused (the witness is not in it)', async () => {
    const run = await loadAt(server.port, ['--count', '5', '--per-connection', '1', '-v']);
    assert.equal(run.code, 75, run.stderr);
    const shown = run.stdout.split('\n');
    const start = shown.indexOf('The first connection on which a message failed (-v), as it went:');
    assert.ok(start === 0, run.stdout);
    const dialogue = shown.slice(1, shown.indexOf(''));
    assert.match(dialogue[0]!, /^220 /);
    assert.ok(dialogue.includes('>>> RCPT To:<sink@example.org>'), dialogue.join('\n'));
    assert.ok(dialogue.includes('452 4.2.2 Mailbox full'), dialogue.join('\n'));
    // Only that connection: one greeting, and the summary after it.
    assert.equal(dialogue.filter((line) => line.startsWith('220 ')).length, 1);
    assert.match(shown[shown.indexOf('') + 1]!, /^5 messages in /);
    const json = await loadAt(server.port, ['--count', '2', '-v', '--json']);
    assert.equal(json.code, 64, 'the witness is not in the JSON: -v would be ignored');
  });
});

describe('load mode against a server that hangs up after its 354, the next envelope already prepared behind the message', () => {
  let server: ScriptedServer;
  const accepted: string[] = [];
  before(async () => {
    server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 8BITMIME' },
      perConnection: (index) => {
        let mails = 0;
        return {
          replies: {
            MAIL: () => {
              mails++;
              return '250 2.1.0 Ok';
            },
            // The first connection: message 1 refused, message 2 cut off after its 354.
            RCPT: () => (index === 1 && mails === 1 ? '550 5.1.1 No such user' : '250 2.1.5 Ok'),
            DATA: () =>
              index === 1 && mails === 1
                ? '554 5.5.1 No valid recipients'
                : index === 1 && mails === 2
                  ? { raw: '354 Go ahead\r\n', abort: true }
                  : '354 Go ahead',
            '.': (message) => {
              accepted.push(/^Subject: (.*)$/m.exec(message)?.[1] ?? '');
              return '250 2.0.0 Ok: queued';
            },
          },
        };
      },
    });
  });
  after(() => server.close());

  it('the message cut off goes again, once, and so does the one prepared behind it: none twice, none lost', async () => {
    const home = freshHome();
    const attachment = join(home, 'big.bin');
    // The server reads nothing after its 354: 1 MiB, far more than a socket's buffers take before
    // the reset comes back, is met by the drop while it is still being written, however loaded the
    // machine (a server that kept reading, as after a plain end, let a 200 KB message be handed
    // over whole now and then, and it was then rightly counted failed, not sent again).
    writeFileSync(attachment, Buffer.alloc(1024 * 1024, 0x61));
    const run = await runCli(
      [
        '--server',
        `127.0.0.1:${server.port}`,
        '--count',
        '3',
        '--per-connection',
        '3',
        '--vary',
        '-s',
        'load',
        '-a',
        attachment,
        '--json',
        '-r',
        'load@example.org',
        'sink@example.org',
      ],
      { input: 'Hello.\n', home },
    );
    const summary = loadSummary(run.stdout);
    assert.deepEqual(accepted.sort(), ['load #2', 'load #3']);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, resent: summary.resent }, { accepted: 2, failed: 1, resent: 1 });
  });
});

describe('load mode against a server that never answers QUIT', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer({ replies: { QUIT: { silent: true } } });
  });
  after(() => server.close());

  it('the rate is counted up to the last message accepted, not over the wait for the goodbye', async () => {
    const run = await loadAt(server.port, ['--count', '4', '--timeout', '1', '--json']);
    const summary = loadLines(run.stdout).summary as LoadSummary & { perSecond: number };
    assert.equal(summary.accepted, 4);
    assert.ok(summary.ms >= 1000, `the run waited for the 221 (${summary.ms} ms)`);
    // Over the whole run it would be 4 ÷ its length; the messages took at most its length less the
    // 1 s wait for the 221, so the rate counted up to the last of them is well above that.
    const overTheWholeRun = 4000 / summary.ms;
    assert.ok(summary.perSecond > 1.2 * overTheWholeRun, `rate ${summary.perSecond}, over the whole run ${overTheWholeRun}`);
    assert.deepEqual(summary.quitUnanswered, { connections: 1, timedOut: 1 });
  });
});

describe('load mode -v: a long connection, and one that failed before saying anything', () => {
  let server: ScriptedServer;
  before(async () => {
    let rcpts = 0;
    server = await startScriptedServer({
      // The first connection is dropped before its greeting: nothing to show, so it is not the witness.
      perConnection: (index) => (index === 1 ? { greeting: { close: true } } : {}),
      replies: { RCPT: () => (++rcpts === 59 ? '554 5.7.1 Enough' : '250 2.1.5 Ok') },
    });
  });
  after(() => server.close());

  it('keeps the opening and the end, the failing reply last, and says how much was left out between', async () => {
    const run = await loadAt(server.port, ['--count', '60', '--per-connection', '60', '-v']);
    const shown = run.stdout.split('\n');
    assert.equal(shown[0], 'The first connection on which a message failed (-v), as it went:');
    const dialogue = shown.slice(1, shown.indexOf(''));
    assert.match(dialogue[0]!, /^220 /, 'the opening of the second connection: the first had none');
    assert.ok(
      dialogue.some((line) => /^\(… \d+ events of this connection left out here …\)$/.test(line)),
      dialogue.slice(0, 12).join('\n'),
    );
    assert.ok(dialogue.includes('554 5.7.1 Enough'), dialogue.slice(-8).join('\n'));
    assert.ok(dialogue.length < 450, `${dialogue.length} lines: bounded`);
  });
});

/**
 * Ten messages over two connections to `server`, SIGINT once `ready` says both connections have
 * reached the point under test: the exit status and what was printed.
 */
async function interruptedWhen(
  server: ScriptedServer,
  ready: () => boolean,
  extra: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    [
      MAILV,
      '--server',
      `127.0.0.1:${server.port}`,
      '--count',
      '10',
      '--concurrency',
      '2',
      ...extra,
      '-r',
      'load@example.org',
      '-s',
      'load',
      'sink@example.org',
    ],
    { env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), ...env } },
  );
  child.stdin.end('Hello.\n');
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let waited = 0; !ready() && waited < 100; waited++) await sleep(50);
  // The signal must come at the point the test is about, not after five seconds of waiting in vain.
  assert.ok(ready(), 'the run reached the point the signal is meant for');
  child.kill('SIGINT');
  return { code: await exited, stdout };
}

/** The counts of the summary after interruptedWhen(), its status checked: 130. */
async function countsWhenInterrupted(server: ScriptedServer, ready: () => boolean, extra: readonly string[]) {
  const run = await interruptedWhen(server, ready, [...extra, '--json']);
  assert.equal(run.code, 130);
  const summary = loadSummary(run.stdout);
  return { accepted: summary.accepted, failed: summary.failed, interrupted: summary.interrupted };
}

describe('load mode interrupted', () => {
  let server: ScriptedServer;
  before(async () => {
    // DATA is never answered: two messages wait, one on each connection.
    server = await startScriptedServer({ replies: { DATA: { silent: true } } });
  });
  after(() => server.close());

  /** SIGINT once both connections have sent their envelope and wait for the reply to DATA. */
  function interrupted(extra: readonly string[], env: Record<string, string> = {}) {
    const waiting = server.commands.filter((line) => line === 'DATA').length;
    return interruptedWhen(server, () => server.commands.filter((line) => line === 'DATA').length >= waiting + 2, extra, env);
  }

  it('SIGINT: the summary still comes, the messages cut short are deferred, not refused for good, and the status is 130', async () => {
    const run = await interrupted(['--json']);
    assert.equal(run.code, 130);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, refused: summary.refused, deferred: summary.deferred }, { accepted: 0, refused: 0, deferred: 2 });
    // The eight that never started are said, and by what.
    assert.deepEqual(summary.interrupted, { signal: 'SIGINT', unconfirmed: 0, unsent: 8 });
  });

  it('SIGINT without --json: the summary says the run was interrupted and how many messages never started', async () => {
    const run = await interrupted([], { LANG: 'C' });
    assert.equal(run.code, 130);
    assert.match(run.stdout, /^interrupted \(SIGINT\): 8 messages never started$/m);
  });

  it('SIGINT once the messages were written whole: under way with no verdict, neither accepted nor failed, since the server may have them', async () => {
    // The end of each message is never answered (nor the QUIT that rides with it: a connection a message).
    const silent = await startScriptedServer({ replies: { '.': { silent: true }, QUIT: { silent: true } } });
    try {
      const ends = () => silent.received().toString('latin1').split('\r\n.\r\n').length - 1;
      assert.deepEqual(await countsWhenInterrupted(silent, () => ends() >= 2, ['--per-connection', '1']), {
        accepted: 0,
        failed: 0,
        interrupted: { signal: 'SIGINT', unconfirmed: 2, unsent: 8 },
      });
      const words = await interruptedWhen(silent, () => ends() >= 4, ['--per-connection', '1'], { LANG: 'C' });
      assert.match(words.stdout, /^interrupted \(SIGINT\): 2 messages under way with no verdict, 8 never started$/m);
    } finally {
      await silent.close();
    }
  });

  it('SIGINT over CHUNKING with each message and the one written whole behind it unanswered: all four under way with no verdict', async () => {
    // Once a connection's first message has ended, nothing more is answered on it.
    const silent = await startScriptedServer({
      perConnection: () => {
        let ended = false;
        const unlessEnded = (reply: string) => () => (ended ? { silent: true as const } : reply);
        return {
          replies: {
            EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES',
            MAIL: unlessEnded('250 2.1.0 Ok'),
            RCPT: unlessEnded('250 2.1.5 Ok'),
            RSET: { silent: true },
            'BDAT LAST': () => {
              ended = true;
              return { silent: true };
            },
            QUIT: { silent: true },
          },
        };
      },
    });
    try {
      // Two messages a connection: the second leaves whole behind the first, before its verdict.
      const lasts = () => silent.commands.filter((line) => line.startsWith('BDAT') && line.endsWith('LAST')).length;
      assert.deepEqual(await countsWhenInterrupted(silent, () => lasts() >= 4, ['--per-connection', '2']), {
        accepted: 0,
        failed: 0,
        interrupted: { signal: 'SIGINT', unconfirmed: 4, unsent: 6 },
      });
    } finally {
      await silent.close();
    }
  });

  it('SIGINT while the connections wait for their greeting: their messages never started, none failed, as under --stop-on-error', async () => {
    const slow = await startScriptedServer({ greetingDelayMs: 10_000 });
    try {
      // Both connections are made at once; each waits ten seconds for its greeting.
      let polls = 0;
      assert.deepEqual(await countsWhenInterrupted(slow, () => ++polls > 6, []), {
        accepted: 0,
        failed: 0,
        interrupted: { signal: 'SIGINT', unconfirmed: 0, unsent: 10 },
      });
    } finally {
      await slow.close();
    }
  });
});

describe('load mode stopped by a signal between two messages', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer();
  });
  after(() => server.close());

  it('SIGTERM while --rate holds the next message back: nothing failed, and still the status is 143, said on standard error and in the result', async () => {
    const child = spawn(
      process.execPath,
      [MAILV, '--server', `127.0.0.1:${server.port}`, '--count', '10', '--rate', '1', '--json', '-r', 'load@example.org', '-s', 'load', 'sink@example.org'],
      { env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), LANG: 'C' } },
    );
    child.stdin.end('Hello.\n');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The first message is through (its verdict read within 0.3 s of its DATA, however busy the host);
    // the second's turn is a second after the first's.
    for (let waited = 0; !server.commands.includes('DATA') && waited < 100; waited++) await sleep(50);
    await sleep(300);
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
    const { summary, result, deadLetter } = loadLines(stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, interrupted: summary.interrupted },
      { accepted: 1, failed: 0, interrupted: { signal: 'SIGTERM', unconfirmed: 0, unsent: 9 } },
    );
    // The goodbye was cut short by the signal, not left unanswered by the server.
    assert.deepEqual(summary.quitUnanswered, { connections: 0, timedOut: 0 });
    assert.deepEqual({ code: result.code, error: result.error }, { code: 'MAILV_INTERRUPTED', error: 'interrupted by SIGTERM' });
    assert.equal(stderr, 'mailv: interrupted by SIGTERM\n');
    // One message got through: nothing goes to dead.letter.
    assert.equal(deadLetter, false);
  });
});

describe('load mode with BDAT pipelined, against the real Exim (which keeps a transaction open when its BDAT is refused)', {
  skip: await exim.skipReason(),
}, () => {
  it('every recipient refused: each message is counted refused once, and the next MAIL is never answered "sender already given"', async () => {
    const run = await runCli(['--server', `${exim.host}:${exim.port}`, '--tls', 'off', '--count', '4', '--json', '-r', 'load@example.org', exim.refused], {
      input: 'Hello.\n',
    });
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, refused: summary.refused, connections: summary.connections }, { accepted: 0, refused: 4, connections: 1 });
    // One 550 to each RCPT and one 503 to each BDAT (no valid recipient): the MAILs, each after an RSET, were all taken.
    assert.equal(summary.replies['550'], 4, JSON.stringify(summary.replies));
    assert.equal(summary.replies['503'], 4, JSON.stringify(summary.replies));
    assert.deepEqual(
      summary.failures.map((failure) => failure.code),
      ['recipient-refused'],
    );
    assert.equal(run.code, 67, run.stderr);
  });

  it('messages Exim takes still go in one connection, an RSET before each one after the first', async () => {
    const run = await runCli(
      ['--server', `${exim.host}:${exim.port}`, '--tls', 'off', '--count', '3', '--json', '-r', 'load@example.org', exim.recipients[0]!],
      {
        input: 'Hello.\n',
      },
    );
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, connections: summary.connections }, { accepted: 3, failed: 0, connections: 1 });
    // EHLO, MAIL, RCPT and BDAT of each message, and the two RSETs: 12 × 250 (10 without the RSETs).
    assert.deepEqual(summary.replies, { '220': 1, '221': 1, '250': 12 });
    assert.equal(run.code, 0, run.stderr);
  });
});
