// The load mode's express lane (src/load/express.ts): a connection per message played again from
// the dialogue of the first that delivered one, handed to a session at the first thing that differs.
// Each run is made twice against the same script, with the lane and without: the server must read
// the same commands and the same octets, and the two reports must be the same but for the times.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runLoad, type LoadPlan } from '../../dist/load/driver.js';
import type { LoadReport } from '../../dist/load/facts.js';
import type { ComposedMessage } from '../../dist/message/compose.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';
import type { SessionPlan } from '../../dist/smtp/session.js';
import { startScriptedServer, type Script } from '../helpers/scripted-server.js';

const octets = Buffer.from('Subject: load\r\n\r\nHello.\r\n');
async function* whole() {
  yield octets;
}
/** The one message of every run, as a load run without --vary holds it. */
const MESSAGE = { size: octets.length, eightBit: false, chunks: whole, lentChunks: whole, whole: octets } as unknown as ComposedMessage;

function sessionPlan(timeoutMs: number): SessionPlan {
  return {
    helo: 'client.test',
    envelope: { from: 'load@example.org', recipients: ['sink@example.org'] },
    timeouts: new Timeouts(timeoutMs),
    echoBody: false,
    tls: 'off',
    prepare: () => MESSAGE,
  } as unknown as SessionPlan;
}

interface Run {
  readonly report: LoadReport;
  readonly commands: readonly string[];
  readonly received: Buffer;
  readonly played: number;
  readonly handedOver: number;
}

async function run(script: Script, express: boolean, { count = 9, timeoutMs = 30_000, plan = {} as Partial<LoadPlan> } = {}): Promise<Run> {
  const server = await startScriptedServer(script);
  let played = 0;
  let handedOver = 0;
  try {
    const report = await runLoad(
      { host: '127.0.0.1', port: server.port, implicitTls: false },
      {
        count,
        concurrency: 1,
        perConnection: 1,
        session: sessionPlan(timeoutMs),
        message: () => MESSAGE,
        sameMessage: true,
        express,
        played: (over) => (over ? handedOver++ : played++),
        ...plan,
      },
    );
    return { report, commands: [...server.commands], received: server.received(), played, handedOver };
  } finally {
    await server.close();
  }
}

/** A report without its times: what two runs against the same server must share. */
function facts(report: LoadReport): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, value: unknown) =>
      ['elapsedMs', 'acceptedWithinMs', 'firstMs', 'lastMs', 'p50', 'p90', 'p99', 'max'].includes(key) ? undefined : value,
    ),
  );
}

/** Runs `script` with the lane and without; checks they agree, and returns the lane's run. */
async function agree(script: () => Script, options?: Parameters<typeof run>[2]): Promise<Run> {
  const lane = await run(script(), true, options);
  const session = await run(script(), false, options);
  assert.deepEqual(lane.commands, session.commands);
  assert.ok(lane.received.equals(session.received), 'the server read other octets through the lane');
  assert.deepEqual(facts(lane.report), facts(session.report));
  assert.equal(session.played + session.handedOver, 0);
  return lane;
}

/** Connection `index` (from 1) of every third answers otherwise, through `changes`. */
const everyThird =
  (changes: Pick<Script, 'greeting' | 'replies'>): (() => Script) =>
  () => ({ perConnection: (index) => (index % 3 === 0 ? changes : {}) });

const DEVIATIONS: readonly (readonly [string, Pick<Script, 'greeting' | 'replies'>])[] = [
  ['greeted with 554', { greeting: '554 5.7.1 No service' }],
  ['hung up at once', { greeting: { close: true } }],
  ['greeted with 421', { greeting: '421 4.3.2 Busy' }],
  ['EHLO refused', { replies: { EHLO: '550 5.7.1 Go away' } }],
  ['EHLO without PIPELINING (lock-step)', { replies: { EHLO: '250-scripted.test\r\n250 ENHANCEDSTATUSCODES' } }],
  ['EHLO with CHUNKING (BDAT)', { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES' } }],
  ['MAIL put off', { replies: { MAIL: '451 4.3.0 Try later' } }],
  ['421 to MAIL, then a hang-up', { replies: { MAIL: { raw: '421 4.3.2 Closing\r\n', close: true } } }],
  ['RCPT refused', { replies: { RCPT: '550 5.1.1 No such user' } }],
  ['RCPT put off', { replies: { RCPT: '450 4.2.0 Greylisted' } }],
  ['RCPT taken with another enhanced code', { replies: { RCPT: '250 2.1.0 Ok' } }],
  ['DATA refused', { replies: { DATA: '554 5.5.1 No valid recipients' } }],
  ['a hang-up after the 354', { replies: { DATA: { raw: '354 go on\r\n', close: true } } }],
  ['the message refused', { replies: { '.': '552 5.3.4 Too big' } }],
  ['the message put off', { replies: { '.': '451 4.3.0 Try later' } }],
  ['a hang-up where the verdict was due', { replies: { '.': { close: true } } }],
  ['a line that is no reply after the verdict', { replies: { '.': { raw: '250 2.0.0 Ok: queued as Q\r\nhello garbage\r\n' } } }],
  ['QUIT unanswered, a hang-up', { replies: { QUIT: { close: true } } }],
  ['QUIT answered 250', { replies: { QUIT: '250 2.0.0 Bye' } }],
  ['a reset after the RCPT reply', { replies: { RCPT: { raw: '250 2.1.5 Ok\r\n', abort: true } } }],
];

describe('the express lane', () => {
  for (const [name, changes] of DEVIATIONS) {
    it(`every third connection ${name}: the same commands, octets and report as sessions alone; the other connections played`, async () => {
      const lane = await agree(everyThird(changes));
      // The first connection records; the eight after it go through the lane, three of them handed over.
      assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 5, handedOver: 3 });
    });
  }

  it('a reply that never comes: the time limit, handed over when it passed, is the session’s own (its stage, its limit)', async () => {
    const silentAtRcpt = everyThird({ replies: { RCPT: { silent: true }, DATA: { silent: true } } });
    const lane = await agree(silentAtRcpt, { count: 4, timeoutMs: 300 });
    assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 2, handedOver: 1 });
    const failure = lane.report.failures[0]!.failure;
    assert.deepEqual(failure.kind === 'error' ? failure.error : undefined, { code: 'MAILV_TIMEOUT', stage: 'rcpt', ms: 300, waiting: 'reply' });
  });

  it('every connection as the first: all played but the first, the times counted for each', async () => {
    const lane = await agree(() => ({}), { count: 20 });
    assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 19, handedOver: 0 });
    const { connect, greeting, transaction, accepted, connections } = lane.report;
    assert.deepEqual([connect?.samples, greeting?.samples, transaction?.samples, accepted, connections], [20, 20, 20, 20, 20]);
  });

  it('not used when the messages differ (--vary), nor with more than one message a connection', async () => {
    const varied = await run({}, true, { plan: { sameMessage: false } });
    const reused = await run({}, true, { plan: { perConnection: 3 } });
    assert.deepEqual([varied.played + varied.handedOver, reused.played + reused.handedOver], [0, 0]);
    assert.deepEqual([varied.report.accepted, reused.report.accepted], [9, 9]);
  });

  it('a connection handed over keeps the times its replies came at: the greeting’s is not the refusal’s', async () => {
    // Every connection after the first: RCPT refused 300 ms after it came.
    let connections = 0;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      const index = ++connections;
      let buffered = '';
      socket.write('220 timed.test ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const verb = line.slice(0, 4).toUpperCase();
          const say = (text: string) => socket.write(`${text}\r\n`);
          if (verb === 'EHLO') say('250-timed.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES');
          else if (verb === 'RCPT' && index > 1) setTimeout(() => say('550 5.1.1 No such user'), 300);
          else if (verb === 'DATA') setTimeout(() => say(index > 1 ? '554 5.5.1 No valid recipients' : '354 go on'), index > 1 ? 300 : 0);
          else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
          else if (line === '.') say('250 2.0.0 Ok');
          else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET') say('250 2.0.0 Ok');
        }
      });
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    let handedOver = 0;
    try {
      const report = await runLoad(
        { host: '127.0.0.1', port, implicitTls: false },
        {
          count: 3,
          concurrency: 1,
          perConnection: 1,
          session: sessionPlan(30_000),
          message: () => MESSAGE,
          sameMessage: true,
          played: (over) => (handedOver += over ? 1 : 0),
        },
      );
      assert.equal(handedOver, 2);
      assert.deepEqual([report.accepted, report.refused], [1, 2]);
      // Read again at the refusal, 300 ms after it came, the greeting would have taken as long.
      assert.ok(report.greeting!.max < 250, `greeting ${report.greeting!.max} ms`);
      assert.ok(report.transaction!.max >= 290, `transaction ${report.transaction!.max} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
