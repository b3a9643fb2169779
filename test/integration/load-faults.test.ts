// The load mode against scripted servers that misbehave as busy servers do: one that refuses every
// third connection (hanging up at once, or greeting with 554), one that says 421 and hangs up after
// five messages on a connection, one that answers 451 to MAIL once it has taken twenty. Every
// failure is counted once, by its code; none stops the run unless --stop-on-error asks.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ACCOUNT, startAuthSink } from '../helpers/auth-servers.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { answerPlainly } from '../helpers/plain-responder.js';
import { loadSummary } from '../helpers/load-summary.js';
import { startScriptedServer, type Action, type Script } from '../helpers/scripted-server.js';

function load(port: number, extra: readonly string[]) {
  return runCli(['--server', `127.0.0.1:${port}`, '-r', 'load@example.org', '-s', 'load', ...extra, 'sink@example.org'], { input: 'Hello.\n' });
}

async function withServer<T>(script: Script, work: (port: number) => Promise<T>): Promise<T> {
  const server = await startScriptedServer(script);
  try {
    return await work(server.port);
  } finally {
    await server.close();
  }
}

/**
 * No PIPELINING; the first message's verdict comes with a line that is no reply, in one write;
 * with `refuseSecondRecipient`, the second RCPT of the run is refused for good.
 */
function garbageAfterFirstVerdict(refuseSecondRecipient = false): Script {
  let ends = 0;
  let rcpts = 0;
  return {
    replies: {
      EHLO: '250-scripted.test\r\n250 ENHANCEDSTATUSCODES',
      RCPT: () => (++rcpts === 2 && refuseSecondRecipient ? '550 5.1.1 No such user' : '250 2.1.5 Ok'),
      '.': () => (++ends === 1 ? { raw: '250 2.0.0 Ok: queued as Q1\r\nhello garbage\r\n' } : `250 2.0.0 Ok: queued as Q${ends}`),
    },
  };
}

/** Every third connection refused with `refusal`. */
/** A connection fault of `hello garbage`, as --json gives it: the fact whole, and its reason in English. */
const garbageSaid = (stage: 'mail' | 'rset') => ({
  count: 1,
  code: 'MAILV_REPLY_SYNTAX',
  stage,
  reply: null,
  reason: `protocol error during ${stage}: malformed reply: "hello garbage"`,
  error: { code: 'MAILV_REPLY_SYNTAX', stage, fault: { fault: 'malformed', text: 'hello garbage' } },
});

const refusingEveryThird = (refusal: Action): Script => ({ perConnection: (index) => (index % 3 === 0 ? { greeting: refusal } : {}) });

describe('load mode against a server that refuses every third connection', () => {
  it('hung up at once: 10 of 30 lost, each counted as deferred, the run goes on, 75', async () => {
    const run = await withServer(refusingEveryThird({ close: true }), (port) =>
      load(port, ['--count', '30', '--concurrency', '3', '--per-connection', '1', '--json']),
    );
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, refused: summary.refused, deferred: summary.deferred },
      { accepted: 20, failed: 10, refused: 0, deferred: 10 },
    );
    assert.equal(summary.stopped, null);
  });

  it('greeted with 554: 10 of 30 refused for good, counted by code, each refusal answered with QUIT, 69', async () => {
    const server = await startScriptedServer(refusingEveryThird('554 5.7.1 No service for you'));
    const run = await load(server.port, ['--count', '30', '--concurrency', '3', '--per-connection', '1', '--json']).finally(() => server.close());
    assert.equal(run.code, 69, run.stderr);
    // 20 connections said QUIT behind their message, and so did the 10 refused ones: 30.
    assert.equal(server.commands.filter((command) => command === 'QUIT').length, 30);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, refused: summary.refused, deferred: summary.deferred, greeted554: summary.replies['554 5.7.1'] },
      { accepted: 20, refused: 10, deferred: 0, greeted554: 10 },
    );
  });

  it('--stop-on-error: the first refused connection stops the run, its status is the run’s', async () => {
    const run = await withServer(refusingEveryThird('554 5.7.1 No service for you'), (port) =>
      load(port, ['--count', '30', '--per-connection', '1', '--stop-on-error']),
    );
    assert.equal(run.code, 69, run.stderr);
    assert.match(run.stdout, /^30 messages in [\d.]+ s over 3 connections: 2 accepted, 1 failed$/m);
    assert.match(run.stdout, /^stopped at the first failure \(--stop-on-error\), 27 messages not sent: .*554 5\.7\.1 No service for you/m);
  });

  it('--stop-on-error: connections still waiting for their greeting at the stop send nothing of their messages, which count as never started', async () => {
    // The first connection greets at once and refuses the recipient; the others greet 300 ms later.
    const script: Script = {
      perConnection: (index) =>
        index === 1 ? { replies: { RCPT: '550 5.1.1 No such user', DATA: '554 5.5.1 No valid recipients' } } : { greetingDelayMs: 300 },
    };
    const server = await startScriptedServer(script);
    try {
      const run = await load(server.port, ['--count', '10', '--concurrency', '3', '--stop-on-error', '--json']);
      assert.equal(run.code, 67, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, refused: summary.refused }, { accepted: 0, failed: 1, refused: 1 });
      assert.equal(server.commands.filter((command) => command.startsWith('MAIL')).length, 1, server.commands.join(', '));
    } finally {
      await server.close();
    }
  });

  it('--stop-on-error: connections still opening at the stop, then refused or hung up, count their messages as never started, not failed', async () => {
    // The first connection is refused at once; the others wait 300 ms, then say 421 and hang up.
    const script: Script = {
      perConnection: (index) =>
        index === 1 ? { greeting: '554 5.7.1 Go away' } : { greetingDelayMs: 300, greeting: { raw: '421 4.7.0 Busy\r\n', close: true } },
    };
    const run = await withServer(script, (port) => load(port, ['--count', '10', '--concurrency', '3', '--stop-on-error', '--json']));
    assert.equal(run.code, 69, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, refused: summary.refused, deferred: summary.deferred, unsent: summary.stopped?.unsent },
      { accepted: 0, failed: 1, refused: 1, deferred: 0, unsent: 9 },
    );
    // Their 421s are still counted among the replies.
    assert.equal(summary.replies['421 4.7.0'], 2);
  });

  it('--stop-on-error: a connection under way starts no new message once the run stopped, its next envelope not sent with its end (PIPELINING)', async () => {
    // Connection 1 refuses its sender 200 ms late; connection 2 takes every message, each 354 30 ms late.
    let connections = 0;
    const mails = new Map<number, number>();
    const server = createServer((socket) => {
      const index = ++connections;
      let buffered = '';
      let inData = false;
      let queue = Promise.resolve();
      const say = (text: string, delayMs = 0) => {
        queue = queue.then(() => new Promise<void>((resolve) => setTimeout(() => resolve(void socket.write(`${text}\r\n`)), delayMs)));
      };
      socket.on('error', () => {});
      say('220 late.test ESMTP');
      socket.on('data', (data) => {
        buffered += data.toString('latin1');
        for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (inData) {
            if (line === '.') {
              inData = false;
              say('250 2.0.0 Ok: queued');
            }
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO') say('250-late.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES');
          else if (verb === 'MAIL') {
            mails.set(index, (mails.get(index) ?? 0) + 1);
            say(index === 1 ? '550 5.7.1 Not you' : '250 2.1.0 Ok', index === 1 ? 200 : 0);
          } else if (verb === 'RCPT') say(index === 1 ? '503 5.5.1 Need MAIL' : '250 2.1.5 Ok');
          else if (verb === 'DATA') {
            if (index === 1) say('503 5.5.1 Need RCPT');
            else {
              inData = true;
              say('354 Go ahead', 30);
            }
          } else if (verb === 'QUIT') {
            say('221 2.0.0 Bye');
            void queue.then(() => socket.end());
          } else say('250 2.0.0 Ok');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const run = await load(port, ['--count', '100', '--concurrency', '2', '--stop-on-error', '--json']);
      assert.equal(run.code, 69, run.stderr);
      const summary = loadSummary(run.stdout);
      // Every MAIL connection 2 sent began a message that was accepted: none began after the stop.
      assert.equal(summary.accepted, mails.get(2));
      assert.equal(summary.accepted + summary.failed + summary.stopped!.unsent, 100);
      const first = summary.failures[0]!;
      assert.equal(first.acceptedBefore + first.underWay, summary.accepted);
    } finally {
      server.close();
    }
  });

  it('--stop-on-error with connections hung up: stopped after the first, 75', async () => {
    const run = await withServer(refusingEveryThird({ close: true }), (port) =>
      load(port, ['--count', '30', '--per-connection', '1', '--stop-on-error', '--json']),
    );
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, unsent: summary.stopped?.unsent }, { accepted: 2, failed: 1, unsent: 27 });
  });
});

/**
 * Each connection takes five messages, then answers the sixth MAIL with 421 and hangs up; with
 * `chunking`, the server offers CHUNKING, and messages end with BDAT LAST instead of a dot.
 */
function closingAfterFive(chunking: boolean): Script {
  return {
    perConnection: () => {
      let taken = 0;
      const queued = () => `250 2.0.0 Ok: queued as Q${++taken}`;
      return {
        replies: {
          ...(chunking ? { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES', 'BDAT LAST': queued } : { '.': queued }),
          MAIL: () => (taken < 5 ? '250 2.1.0 Ok' : { raw: '421 4.7.0 Error: too many messages from you\r\n', close: true }),
        },
      };
    },
  };
}

describe('load mode against a server that rate-limits', () => {
  it('421 4.7.0 and a hang-up after five messages a connection: a new connection goes on, 75', async () => {
    const run = await withServer(closingAfterFive(false), (port) => load(port, ['--count', '30', '--per-connection', '10', '--json']));
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      {
        accepted: summary.accepted,
        deferred: summary.deferred,
        refused: summary.refused,
        connections: summary.connections,
        said421: summary.replies['421 4.7.0'],
      },
      { accepted: 25, deferred: 5, refused: 0, connections: 5, said421: 5 },
    );
    // A refusal is a transaction's verdict as an acceptance is: its time is among the latencies.
    assert.equal(summary.transaction?.samples, 30);
    // One connection at a time: the limit bit after the first connection's five messages, and still at the end.
    const [limit] = summary.failures;
    assert.deepEqual({ count: limit!.count, acceptedBefore: limit!.acceptedBefore }, { count: 5, acceptedBefore: 5 });
    assert.ok(limit!.firstMs > 0 && limit!.firstMs < limit!.lastMs && limit!.lastMs <= summary.ms, JSON.stringify(summary));
  });

  it('the same over CHUNKING: a message written whole behind the one refused 421 goes again, never counted as refused by that 421', async () => {
    // BDAT lets the next message go whole with the end of the one before: the sixth MAIL's 421
    // comes while the seventh is written, and the server, closing, never read it.
    const server = await startScriptedServer(closingAfterFive(true));
    const run = await load(server.port, ['--count', '30', '--per-connection', '10', '--json']).finally(() => server.close());
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, deferred: summary.deferred, connections: summary.connections, said421: summary.replies['421 4.7.0'] },
      { accepted: 25, deferred: 5, connections: 5, said421: 5 },
    );
    assert.deepEqual(
      summary.failures.map(({ count }) => count),
      [5],
    );
    // Each message written behind a 421 went again, and was accepted over the next connection; the
    // summary says it was written whole, not that its content never left.
    assert.deepEqual([summary.resent, summary.resentBehindClosing], [4, 4]);
    const text = await withServer(closingAfterFive(true), (port) => load(port, ['--count', '30', '--per-connection', '10']));
    assert.match(
      text.stdout,
      /^4 messages sent again over a new connection: each was written whole behind one the server answered 421, and the server, closing, read none of it$/m,
    );
    assert.doesNotMatch(text.stdout, /before the content went out/);
  });

  it('over CHUNKING, a message whose only recipient was put off (450) before a hang-up after BDAT LAST is counted as deferred by its 450, and not sent again', async () => {
    let mails = 0;
    const script: Script = {
      perConnection: () => {
        let transactions = 0;
        const second = () => transactions === 2;
        return {
          replies: {
            EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING',
            MAIL: () => {
              transactions++;
              mails++;
              return '250 2.1.0 Ok';
            },
            RCPT: () => (second() ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok'),
            'BDAT LAST': () => (second() ? { close: true } : '250 2.0.0 Ok: queued'),
          },
        };
      },
    };
    const run = await withServer(script, (port) => load(port, ['--count', '20', '--concurrency', '2', '--json']));
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted + summary.failed, 20);
    assert.ok(summary.failed > 0, run.stdout);
    assert.equal(mails, 20, 'each message once: none sent again as if never started');
    // The message was no one's: its recipient's 450 is its verdict, not the hang-up after it.
    const greylisted = summary.failures.find(({ code }) => code === 'recipient-deferred');
    assert.equal(greylisted?.reply, '450 4.2.0 Greylisted', run.stdout);
    assert.equal(greylisted.count, summary.replies['450 4.2.0'], run.stdout);
    // Any other is a message written whole behind it (BDAT) when the server hung up: it may have it.
    for (const other of summary.failures.filter((failure) => failure !== greylisted)) {
      assert.deepEqual([other.code, (other as { stage?: string }).stage], ['MAILV_CONNECTION_LOST', 'body'], run.stdout);
    }
    assert.equal(summary.transaction?.samples, summary.accepted + greylisted.count, 'each verdict timed, the 450s too');
  });

  it('messages put off (450) and hung up on where the reply to DATA was due, each one or the second on each connection: each counted by its 450, none sent again', async () => {
    const cases: [putOff: (transaction: number) => boolean, extra: string[], accepted: number][] = [
      [() => true, [], 0],
      [(transaction) => transaction === 2, ['--per-connection', '2'], 10],
    ];
    for (const [putOff, extra, accepted] of cases) {
      let mails = 0;
      const script: Script = {
        perConnection: () => {
          let transactions = 0;
          return {
            replies: {
              MAIL: () => {
                transactions++;
                mails++;
                return '250 2.1.0 Ok';
              },
              RCPT: () => (putOff(transactions) ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok'),
              DATA: () => (putOff(transactions) ? { close: true } : '354 Go ahead'),
            },
          };
        },
      };
      const run = await withServer(script, (port) => load(port, ['--count', '20', '--concurrency', '2', ...extra, '--json']));
      assert.equal(run.code, 75, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.deepEqual([summary.accepted, summary.failed, summary.resent], [accepted, 20 - accepted, 0], run.stdout);
      assert.equal(mails, 20, 'each message once: its verdict known, none sent again as if never started');
      // No message put off was anyone's: the hang-up is no failure of theirs.
      assert.deepEqual(
        summary.failures.map(({ code, reply, count }) => [code, reply, count]),
        [['recipient-deferred', '450 4.2.0 Greylisted', 20 - accepted]],
        run.stdout,
      );
    }
  });

  it('over CHUNKING, a reply cut short by a hang-up after BDAT LAST, every recipient put off: the cut reply is the failure, and -v shows it', async () => {
    const script: Script = {
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING',
        RCPT: '450 4.2.0 Greylisted',
        'BDAT LAST': { raw: '554 5.5.1 No valid rec', close: true },
      },
    };
    const json = await withServer(script, (port) => load(port, ['--count', '3', '--per-connection', '1', '--json']));
    assert.equal(json.code, 75, json.stderr);
    const summary = loadSummary(json.stdout);
    // The message's own failure, as a send alone says it: not its recipients' 450s.
    assert.deepEqual(
      summary.failures.map(({ code }) => code),
      ['MAILV_CONNECTION_LOST'],
      JSON.stringify(summary.failures),
    );
    assert.equal(summary.failures[0]!.count, 3);
    const shown = await withServer(script, (port) => load(port, ['--count', '1', '-v']));
    assert.match(shown.stdout, /^554 5\.5\.1 No valid rec$/m, shown.stdout);
  });

  it('a reply out of protocol read with the verdict on a message over CHUNKING: that message accepted, the one written behind it deferred (it may have arrived), the next never written goes again', async () => {
    // The second message's BDAT LAST is answered 250 and, in the same write, by a line that is no
    // reply. That write waits for the third message to have arrived whole: a client that read it
    // sooner would rightly write no third message on a broken connection, and nothing would be deferred.
    const CHUNKING_EHLO = '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES';
    const script: Script = {
      perConnection: (connection) => {
        if (connection > 1) return { replies: { EHLO: CHUNKING_EHLO } };
        const seen = { RSET: 0, MAIL: 0, RCPT: 0, 'BDAT LAST': 0 };
        // The third message's commands, and the second's BDAT LAST, wait for the third's BDAT LAST.
        const heldAt = { RSET: 2, MAIL: 3, RCPT: 3, 'BDAT LAST': 2 };
        const counted = (verb: keyof typeof seen, reply: string) => (): Action => (++seen[verb] === heldAt[verb] ? { silent: true } : reply);
        return {
          replies: {
            EHLO: CHUNKING_EHLO,
            RSET: counted('RSET', '250 2.0.0 Ok'),
            MAIL: counted('MAIL', '250 2.1.0 Ok'),
            RCPT: counted('RCPT', '250 2.1.5 Ok'),
            'BDAT LAST': () => {
              const end = ++seen['BDAT LAST'];
              if (end === 2) return { silent: true };
              return end === 3 ? { raw: '250 2.0.0 Ok: queued as Q2\r\nhello garbage\r\n' } : `250 2.0.0 Ok: queued as Q${end}`;
            },
          },
        };
      },
    };
    const server = await startScriptedServer(script);
    const run = await load(server.port, ['--count', '4', '--concurrency', '1', '--per-connection', '4', '--json']).finally(() => server.close());
    // As a send whose message left before the protocol broke: 75, the server may have it.
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    // The third left whole behind the second and met the fault: the server may have it, it counts
    // as failed, deferred. The fourth was never written: it went over a new connection, and was accepted.
    assert.deepEqual(
      { accepted: summary.accepted, refused: summary.refused, deferred: summary.deferred, connections: summary.connections, resent: summary.resent },
      { accepted: 3, refused: 0, deferred: 1, connections: 2, resent: 0 },
    );
    assert.deepEqual(
      summary.failures.map(({ count, code }) => ({ count, code })),
      [{ count: 1, code: 'MAILV_REPLY_SYNTAX' }],
    );
    // Counted once, as the third message's failure: no connection broken with no message lost.
    assert.deepEqual(summary.connectionFaults, { count: 0, first: [] });
  });

  it('the same reply out of protocol read before the third message was written: no message lost, the broken connection said all the same, 0', async () => {
    // The first message's replies wait for the second's end, and come with the second's, and the
    // line that is no reply, in one write: the connection has failed before the third could go ahead.
    const CHUNKING_EHLO = '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES';
    const both = '250 2.0.0 Ok: queued as Q1\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as Q2\r\nhello garbage\r\n';
    const script: Script = {
      perConnection: (connection) => {
        if (connection > 1) return { replies: { EHLO: CHUNKING_EHLO } };
        let ends = 0;
        let held = true;
        const heldReply = (reply: string) => (): Action => (held ? { silent: true } : reply);
        return {
          replies: {
            EHLO: CHUNKING_EHLO,
            RSET: heldReply('250 2.0.0 Ok'),
            MAIL: () => (ends === 0 ? '250 2.1.0 Ok' : heldReply('250 2.1.0 Ok')()),
            RCPT: () => (ends === 0 ? '250 2.1.5 Ok' : heldReply('250 2.1.5 Ok')()),
            'BDAT LAST': () => {
              if (++ends === 1) return { silent: true };
              held = false;
              return { raw: both };
            },
          },
        };
      },
    };
    const server = await startScriptedServer(script);
    const args = ['--count', '4', '--concurrency', '1', '--per-connection', '4'];
    const run = await load(server.port, [...args, '--json']).finally(() => server.close());
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, resent: summary.resent },
      { accepted: 4, failed: 0, connections: 2, resent: 0 },
    );
    assert.deepEqual(summary.connectionFaults, { count: 1, first: [garbageSaid('mail')] });
    // Four BDAT LAST in all: the third message was never written on the broken connection.
    assert.equal(server.commands.filter((line) => /^BDAT \d+ LAST$/.test(line)).length, 4);
    const again = await startScriptedServer(script);
    const text = await load(again.port, args).finally(() => again.close());
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^1 connection broken between messages, no message lost with it \(the messages it would have carried were left for another connection\):\n {2}1 × protocol error during mail: malformed reply: "hello garbage"$/m,
    );
  });

  it('a line that is no reply in RSET’s place, after a refused recipient: the next messages go over a new connection, the fault said', async () => {
    let rcpts = 0;
    const script: Script = {
      replies: {
        EHLO: '250-scripted.test\r\n250 ENHANCEDSTATUSCODES',
        RCPT: () => (++rcpts === 1 ? '550 5.1.1 No such user' : '250 2.1.5 Ok'),
        RSET: { raw: 'hello garbage\r\n' },
      },
    };
    const run = await withServer(script, (port) => load(port, ['--count', '3', '--concurrency', '1', '--per-connection', '3', '--json']));
    assert.equal(run.code, 67, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, refused: summary.refused, connections: summary.connections, connectionFaults: summary.connectionFaults },
      {
        accepted: 2,
        refused: 1,
        connections: 2,
        connectionFaults: { count: 1, first: [garbageSaid('rset')] },
      },
    );
  });

  it('under --rate, a line that is no reply while the connection waits for its next message: that message goes over a new connection, the fault said', async () => {
    const script = garbageAfterFirstVerdict();
    const run = await withServer(script, (port) => load(port, ['--count', '2', '--rate', '5', '--per-connection', '2', '--json']));
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, connections: summary.connections, connectionFaults: summary.connectionFaults },
      { accepted: 2, connections: 2, connectionFaults: { count: 1, first: [garbageSaid('mail')] } },
    );
  });

  it('without PIPELINING, a line that is no reply read with a verdict: the next message, never written, goes over a new connection, the fault said, 0', async () => {
    const script = garbageAfterFirstVerdict();
    const server = await startScriptedServer(script);
    const run = await load(server.port, ['--count', '2', '--concurrency', '1', '--per-connection', '2', '--json']).finally(() => server.close());
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, connections: summary.connections, connectionFaults: summary.connectionFaults },
      { accepted: 2, failed: 0, connections: 2, connectionFaults: { count: 1, first: [garbageSaid('mail')] } },
    );
    assert.equal(server.commands.filter((line) => line.startsWith('MAIL')).length, 2);
  });

  it('a hang-up, a reset or a 421 in RSET’s place is no broken connection: the next messages go over a new one, nothing said', async () => {
    for (const rset of [{ close: true }, { raw: '', abort: true }, { raw: '421 4.4.2 closing\r\n', close: true }] as const) {
      let rcpts = 0;
      const script: Script = {
        replies: { EHLO: '250-scripted.test\r\n250 ENHANCEDSTATUSCODES', RCPT: () => (++rcpts === 1 ? '550 5.1.1 No such user' : '250 2.1.5 Ok'), RSET: rset },
      };
      const run = await withServer(script, (port) => load(port, ['--count', '3', '--concurrency', '1', '--per-connection', '3', '--json']));
      assert.equal(run.code, 67, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.deepEqual(
        { accepted: summary.accepted, connectionFaults: summary.connectionFaults },
        { accepted: 2, connectionFaults: { count: 0, first: [] } },
        JSON.stringify(rset),
      );
    }
  });

  it('-v: with no message failed, the dialogue of the first connection the server broke, up to what could not be read; a failed message’s wins, and ends with what could not be read too', async () => {
    // The first verdict comes with a line that is no reply, and the connection breaks there.
    const breaking = garbageAfterFirstVerdict;
    const args = ['-v', '--count', '3', '--concurrency', '1', '--per-connection', '3'];
    const clean = await withServer(breaking(false), (port) => load(port, args));
    assert.equal(clean.code, 0, clean.stderr);
    const [witness] = clean.stdout.split('\n\n');
    const lines = witness!.split('\n');
    assert.equal(lines[0], 'No message failed; the first connection the server broke between messages (-v), as it went:');
    assert.equal(lines[1], '220 scripted.test ESMTP');
    assert.deepEqual(lines.slice(-3), ['250 2.0.0 Ok: queued as Q1', 'sink@example.org... Sent (Ok: queued as Q1)', 'hello garbage']);
    // A message refused on the next connection: its connection is the witness, as before.
    const refused = await withServer(breaking(true), (port) => load(port, args));
    assert.equal(refused.code, 67, refused.stderr);
    assert.match(refused.stdout, /^The first connection on which a message failed \(-v\), as it went:\n/);
    assert.doesNotMatch(refused.stdout, /hello garbage\n/);
    assert.match(refused.stdout, /^550 5\.1\.1 No such user$/m);
    // A message failed by a line that is no reply: its witness ends with that line too.
    const garbled = await withServer({ replies: { EHLO: '250 scripted.test', '.': { raw: 'hello garbage\r\n' } } }, (port) =>
      load(port, ['-v', '--count', '1']),
    );
    assert.equal(garbled.code, 75, garbled.stderr);
    assert.match(garbled.stdout, /^The first connection on which a message failed \(-v\), as it went:\n[\s\S]*\n>>> \.\nhello garbage\n\n/);
    // A message failed with nothing of its connection to show (the greeting hung up): still failed.
    const hungUp = await withServer({ ...breaking(false), perConnection: (index) => (index === 3 ? { greeting: { close: true } } : {}) }, (port) =>
      load(port, ['-v', '--count', '6', '--concurrency', '1', '--per-connection', '3']),
    );
    assert.equal(hungUp.code, 75, hungUp.stderr);
    assert.doesNotMatch(hungUp.stdout, /No message failed/);
  });

  it('451 4.7.1 to MAIL after twenty messages: each counted by its code, the run goes to its end, 75', async () => {
    let mails = 0;
    const script: Script = {
      perConnection: () => {
        // As Postfix: after a refused MAIL, RCPT and DATA have no transaction to belong to.
        let refused = false;
        return {
          replies: {
            MAIL: () => {
              refused = ++mails > 20;
              return refused ? '451 4.7.1 Try again later' : '250 2.1.0 Ok';
            },
            RCPT: () => (refused ? '503 5.5.1 Error: need MAIL command' : '250 2.1.5 Ok'),
            DATA: () => (refused ? '503 5.5.1 Error: need RCPT command' : '354 End data with <CR><LF>.<CR><LF>'),
          },
        };
      },
    };
    const run = await withServer(script, (port) => load(port, ['--count', '40', '--concurrency', '2', '--per-connection', '10', '--json']));
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { count: summary.count, accepted: summary.accepted, deferred: summary.deferred, refused: summary.refused, said451: summary.replies['451 4.7.1'] },
      { count: 40, accepted: 20, deferred: 20, refused: 0, said451: 20 },
    );
    assert.deepEqual(
      summary.failures.map(({ count, reply }) => ({ count, reply })),
      [{ count: 20, reply: '451 4.7.1 Try again later' }],
    );
  });
});

/** A load run of `count` messages to nobody@ (refused for good at RCPT) and sink@, each message's end answered `end`. */
function refusedThenEnded(end: string, count: number, pipelining = true) {
  const script: Script = {
    replies: {
      EHLO: pipelining ? '250-scripted.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES' : '250-scripted.test\r\n250 ENHANCEDSTATUSCODES',
      RCPT: (line) => (line.includes('<nobody@') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'),
      '.': end,
    },
  };
  return withServer(script, (port) =>
    runCli(
      ['--server', `127.0.0.1:${port}`, '-r', 'load@example.org', '-s', 'load', '--count', String(count), '--json', 'nobody@example.org', 'sink@example.org'],
      {
        input: 'Hello.\n',
      },
    ),
  );
}

/** The run's status, its failed messages split, and its failures with their counts. */
function outcome(run: CliResult) {
  const summary = loadSummary(run.stdout);
  return {
    code: run.code,
    refused: summary.refused,
    deferred: summary.deferred,
    failures: summary.failures.map(({ count, reply }) => ({ count, reply })),
  };
}

describe('load mode against a server that refuses one recipient for good, then the message', () => {
  // For now (a 451): the refusal makes each message refused for good, not deferred (67); for good (a
  // 554): that decides (69), as for one send. The refusal is among the failures either way.
  const ends = [
    { end: '451 4.3.0 Try again later', code: 67, pipelinings: [false, true] },
    { end: '554 5.6.0 Refused', code: 69, pipelinings: [true] },
  ];
  for (const { end, code, pipelinings } of ends) {
    for (const pipelining of pipelinings) {
      it(`${end}: ${code}, each message refused for good, the refused recipient among the failures (${pipelining ? 'PIPELINING' : 'one command at a time'})`, async () => {
        const run = await refusedThenEnded(end, 2, pipelining);
        assert.deepEqual(outcome(run), {
          code,
          refused: 2,
          deferred: 0,
          failures: [
            { count: 2, reply: end },
            { count: 2, reply: '550 5.1.1 No such user' },
          ],
        });
      });
    }
  }

  it('with its transaction sent ahead (CHUNKING), then a hang-up at its end: the refusal still counts, 67', async () => {
    // Message 2's envelope and BDAT leave with message 1's end; the server refuses bob there, then hangs up at its BDAT LAST.
    let bobs = 0;
    let ends = 0;
    const script: Script = {
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES',
        RCPT: (line) => (line.includes('<bob@') && ++bobs === 2 ? '550 5.1.1 No such user' : '250 2.1.5 Ok'),
        'BDAT LAST': () => (++ends === 2 ? { close: true } : '250 2.0.0 Ok'),
      },
    };
    const run = await withServer(script, (port) =>
      runCli(['--server', `127.0.0.1:${port}`, '-r', 'load@example.org', '-s', 'load', '--count', '2', '--json', 'bob@example.org', 'carol@example.org'], {
        input: 'Hello.\n',
      }),
    );
    const seen = outcome(run);
    assert.deepEqual([seen.code, seen.refused, seen.deferred], [67, 1, 0], run.stdout);
    assert.ok(
      seen.failures.some(({ reply }) => reply === '550 5.1.1 No such user'),
      run.stdout,
    );
  });
});

describe('load mode against a server that answers DATA with 354 after refusing MAIL, then hangs up at the RSET', () => {
  it('each refused message is counted by its refusal, never sent again as one lost with its connection (RFC 2920 §3.1)', async () => {
    // Every connection's second MAIL is refused; DATA is answered 354 all the same, the lone dot
    // 554, and the RSET that tidies up after it meets a hang-up.
    const script: Script = {
      perConnection: () => {
        let mails = 0;
        let refused = false;
        return {
          replies: {
            MAIL: () => {
              refused = ++mails === 2;
              return refused ? '451 4.7.1 Rate limited' : '250 2.1.0 Ok';
            },
            '.': () => (refused ? '554 5.5.1 Error: no valid recipients' : '250 2.0.0 Ok: queued as S1'),
            RSET: { close: true },
          },
        };
      },
    };
    const run = await withServer(script, (port) => load(port, ['--count', '6', '--concurrency', '1', '--per-connection', '2', '--json']));
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, deferred: summary.deferred, resent: summary.resent, said451: summary.replies['451 4.7.1'] },
      { accepted: 3, deferred: 3, resent: 0, said451: 3 },
    );
    assert.deepEqual(
      summary.failures.map(({ count, reply }) => ({ count, reply })),
      [{ count: 3, reply: '451 4.7.1 Rate limited' }],
    );
  });

  it('a single send reports the refusal, not the hang-up', async () => {
    const script: Script = { replies: { MAIL: '451 4.7.1 Rate limited', '.': '554 5.5.1 Error: no valid recipients', RSET: { close: true } } };
    const run = await withServer(script, (port) => load(port, ['-q']));
    assert.equal(run.code, 75, run.stderr);
    assert.match(run.stderr, /^mailv: .*451 4\.7\.1 Rate limited/m);
    assert.doesNotMatch(run.stderr, /connection|closed/);
  });
});

describe('load mode with a login the server refuses for good', () => {
  it('stops issuing at the first 535, without --stop-on-error: the same login is not tried once a message, 77', async () => {
    const sink = await startAuthSink(['PLAIN']);
    try {
      const run = await runCli(
        [
          '--server',
          `127.0.0.1:${sink.port}`,
          '--user',
          ACCOUNT.user,
          '--count',
          '10',
          '--concurrency',
          '2',
          '--per-connection',
          '5',
          '--json',
          '-r',
          'load@example.org',
          '-s',
          'load',
          'sink@example.org',
        ],
        { input: 'Hello.\n', env: { MAILV_PASSWORD: 'wrong' } },
      );
      assert.equal(run.code, 77, run.stderr);
      const summary = loadSummary(run.stdout);
      // Each connection already open when the first refusal came tries once; no new one opens. The
      // first refusal stops the run: a connection whose login was then under way never started its
      // message, which counts as not sent, as under --stop-on-error.
      assert.ok(sink.attempts.length >= 1 && sink.attempts.length <= 2, `${sink.attempts.length} logins tried`);
      assert.equal(summary.failed, 1);
      assert.equal(summary.stopped?.by, 'login-refused');
      assert.equal(summary.stopped?.unsent, 10 - summary.failed);
      assert.match(run.stderr, /^mailv: \d+ of 10 messages failed \(/m);
    } finally {
      await sink.close();
    }
  });
});

describe('load mode under --rate against a server with an idle timeout', () => {
  it('a connection the server closed while the next message waited its turn: that message goes over a new one, not counted as failed', async () => {
    // As Postfix's smtpd_timeout: 421 and a hang-up after 400 ms of silence.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      let idle: NodeJS.Timeout | undefined;
      const quiet = () => {
        clearTimeout(idle);
        idle = setTimeout(() => socket.end('421 4.4.2 Error: timeout exceeded\r\n'), 400);
      };
      socket.on('close', () => clearTimeout(idle));
      socket.on('data', quiet);
      quiet();
      answerPlainly(socket, ['idle.test', 'ENHANCEDSTATUSCODES', 'PIPELINING']);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const run = await load(port, ['--count', '3', '--rate', '1', '--json']);
      assert.equal(run.code, 0, run.stdout);
      const summary = loadSummary(run.stdout);
      assert.deepEqual({ accepted: summary.accepted, failed: summary.failed, connections: summary.connections }, { accepted: 3, failed: 0, connections: 3 });
      assert.equal(summary.replies['421 4.4.2'], 2, JSON.stringify(summary.replies));
      assert.deepEqual(summary.connectionFaults, { count: 0, first: [] });
    } finally {
      server.close();
    }
  });
});

describe('load mode against a server that greets with 421', () => {
  it('sends nothing after it, QUIT included: the server is closing', async () => {
    const server = await startScriptedServer({ greeting: { raw: '421 4.7.0 Too many connections\r\n', close: true } });
    const run = await load(server.port, ['--count', '2', '--per-connection', '1', '--json']).finally(() => server.close());
    assert.equal(run.code, 75, run.stderr);
    assert.deepEqual(server.commands, []);
    assert.deepEqual(loadSummary(run.stdout).quitUnanswered, { connections: 0, timedOut: 0 });
  });
});

describe('load mode against servers that leave QUIT unanswered', () => {
  it('never answered (counted as waited until the time limit) or closed without a reply: every message accepted, the summary says which', async () => {
    for (const [quit, timedOut] of [[{ silent: true }, 2] as const, [{ close: true }, 0] as const]) {
      const run = await withServer({ replies: { QUIT: quit } }, (port) => load(port, ['--count', '2', '--per-connection', '1', '--timeout', '0.3', '--json']));
      assert.equal(run.code, 0, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.deepEqual({ accepted: summary.accepted, quitUnanswered: summary.quitUnanswered }, { accepted: 2, quitUnanswered: { connections: 2, timedOut } });
    }
  });
});
