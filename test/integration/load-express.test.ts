// The load mode's express lane (src/load/express.ts): a connection per message played again from
// the dialogue of the first that delivered one, handed to a session at the first thing that differs.
// Each run is made twice against the same script, with the lane and without: the server must read
// the same commands and the same octets, and the two reports must be the same but for the times.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Interrupter, type InterruptSignal } from '../../dist/interruption.js';
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

function sessionPlan(timeouts: Timeouts, message = MESSAGE): SessionPlan {
  return {
    helo: 'client.test',
    envelope: { from: 'load@example.org', recipients: ['sink@example.org'] },
    timeouts,
    echoBody: false,
    tls: 'off',
    prepare: () => message,
  } as unknown as SessionPlan;
}

interface Run {
  readonly report: LoadReport;
  readonly commands: readonly string[];
  readonly received: Buffer;
  readonly played: number;
  readonly handedOver: number;
  /** When the lane told of each connection it played (performance.now()). */
  readonly told: readonly number[];
}

/** A server on loopback for one run: what it read, and how to stop it. */
interface Server {
  readonly port: number;
  readonly commands?: readonly string[];
  received?(): Buffer;
  close(): Promise<void>;
}

interface RunOptions {
  readonly count?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  /** In place of timeoutMs, for every stage. */
  readonly timeouts?: Timeouts;
  readonly message?: ComposedMessage;
  readonly plan?: Partial<LoadPlan>;
  /** The run's signal, made for each run. */
  readonly signal?: () => InterruptSignal;
}

async function run(start: () => Promise<Server>, express: boolean, options: RunOptions = {}): Promise<Run> {
  const { count = 9, concurrency = 1, timeoutMs = 30_000, timeouts = new Timeouts(timeoutMs), message = MESSAGE, plan = {}, signal } = options;
  const server = await start();
  let played = 0;
  let handedOver = 0;
  const told: number[] = [];
  try {
    const report = await runLoad(
      { host: '127.0.0.1', port: server.port, implicitTls: false },
      {
        count,
        concurrency,
        perConnection: 1,
        session: sessionPlan(timeouts, message),
        message: () => message,
        sameMessage: true,
        express,
        played: (over) => {
          told.push(performance.now());
          if (over) handedOver++;
          else played++;
        },
        ...plan,
      },
      signal?.(),
    );
    return { report, commands: [...(server.commands ?? [])], received: server.received?.() ?? Buffer.alloc(0), played, handedOver, told };
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

const scripted = (script: () => Script) => () => startScriptedServer(script());

/** Runs against the server `start` makes, with the lane and without; checks they agree, and returns the lane's run. */
async function agree(start: () => Promise<Server>, options?: RunOptions): Promise<Run> {
  const lane = await run(start, true, options);
  const session = await run(start, false, options);
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
      const lane = await agree(scripted(everyThird(changes)));
      // The first connection records; the eight after it go through the lane, three of them handed over.
      assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 5, handedOver: 3 });
    });
  }

  it('a reply that never comes: the time limit, handed over when it passed, is the session’s own (its stage, its limit)', async () => {
    const silentAtRcpt = everyThird({ replies: { RCPT: { silent: true }, DATA: { silent: true } } });
    const lane = await agree(scripted(silentAtRcpt), { count: 4, timeoutMs: 300 });
    assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 2, handedOver: 1 });
    const failure = lane.report.failures[0]!.failure;
    assert.deepEqual(failure.kind === 'error' ? failure.error : undefined, { code: 'MAILV_TIMEOUT', stage: 'rcpt', ms: 300, waiting: 'reply' });
  });

  it('a reply later than the shortest limit but within its own is played; one past its own is handed over when it passed', async () => {
    // QUIT's limit the shortest, as a run without --timeout has them (10 s, and minutes for the rest), shortened.
    const uneven = { forStage: (stage: string) => (stage === 'quit' ? 150 : 600), dataBlock: 600 } as unknown as Timeouts;
    const greetedLate = (delayMs: number) => scripted(() => ({ perConnection: (index) => (index % 3 === 0 ? { greetingDelayMs: delayMs } : {}) }));
    const within = await agree(greetedLate(350), { count: 4, timeouts: uneven });
    assert.deepEqual({ played: within.played, handedOver: within.handedOver, accepted: within.report.accepted }, { played: 3, handedOver: 0, accepted: 4 });
    const past = await agree(greetedLate(800), { count: 4, timeouts: uneven });
    assert.deepEqual({ played: past.played, handedOver: past.handedOver }, { played: 2, handedOver: 1 });
    const failure = past.report.failures[0]!.failure;
    assert.deepEqual(failure.kind === 'error' ? failure.error : undefined, { code: 'MAILV_TIMEOUT', stage: 'greeting', ms: 600, waiting: 'reply' });
    // The shortest after a longer wait: greeted 350 ms late, then QUIT unanswered, given up at its own 150 ms
    // (about 500 ms in all), not at what was left of the greeting's 600 (800).
    const lateThenSilent = scripted(() => ({
      perConnection: (index) => (index % 3 === 0 ? { greetingDelayMs: 350, replies: { QUIT: { silent: true } } } : {}),
    }));
    const quitUnanswered = await agree(lateThenSilent, { count: 4, timeouts: uneven });
    assert.deepEqual(
      { handedOver: quitUnanswered.handedOver, quit: quitUnanswered.report.quitUnanswered },
      { handedOver: 1, quit: { connections: 1, timedOut: 1 } },
    );
    const [second, third] = quitUnanswered.told;
    assert.ok(third! - second! < 700, `${third! - second!} ms from the second connection's end to the third's handover`);
  });

  it('every connection as the first: all played but the first, the times counted for each', async () => {
    const lane = await agree(
      scripted(() => ({})),
      { count: 20 },
    );
    assert.deepEqual({ played: lane.played, handedOver: lane.handedOver }, { played: 19, handedOver: 0 });
    const { connect, greeting, transaction, accepted, connections } = lane.report;
    assert.deepEqual([connect?.samples, greeting?.samples, transaction?.samples, accepted, connections], [20, 20, 20, 20, 20]);
  });

  it('not used when the messages differ (--vary), nor with more than one message a connection', async () => {
    const varied = await run(
      scripted(() => ({})),
      true,
      { plan: { sameMessage: false } },
    );
    const reused = await run(
      scripted(() => ({})),
      true,
      { plan: { perConnection: 3 } },
    );
    assert.deepEqual([varied.played + varied.handedOver, reused.played + reused.handedOver], [0, 0]);
    assert.deepEqual([varied.report.accepted, reused.report.accepted], [9, 9]);
  });

  it('a connection handed over keeps the times its replies came at: the greeting’s is not the refusal’s', async () => {
    // Every connection after the first: RCPT refused 300 ms after it came.
    const lane = await run(
      () =>
        lineServer((index, verb, say) => {
          if (index === 1 || (verb !== 'RCPT' && verb !== 'DATA')) return false;
          setTimeout(() => say(verb === 'RCPT' ? '550 5.1.1 No such user' : '554 5.5.1 No valid recipients'), 300);
          return true;
        }),
      true,
      { count: 3 },
    );
    assert.equal(lane.handedOver, 2);
    assert.deepEqual([lane.report.accepted, lane.report.refused], [1, 2]);
    // Read again at the refusal, 300 ms after it came, the greeting would have taken as long.
    assert.ok(lane.report.greeting!.max < 250, `greeting ${lane.report.greeting!.max} ms`);
    assert.ok(lane.report.transaction!.max >= 290, `transaction ${lane.report.transaction!.max} ms`);
  });

  it('after a handover, what comes later is timed when it comes: a verdict 300 ms late is a transaction of 300 ms', async () => {
    // RCPT taken with another enhanced code (handed over there), the verdict and the 221 late.
    const lane = await run(
      () =>
        lineServer((index, verb, say, socket) => {
          if (index === 1) return false;
          if (verb === 'RCPT') say('250 2.1.0 Ok');
          else if (verb === '.') setTimeout(() => say('250 2.0.0 Ok'), 300);
          else if (verb === 'QUIT') setTimeout(() => socket.end('221 2.0.0 Bye\r\n'), 300);
          else return false;
          return true;
        }),
      true,
      { count: 3 },
    );
    assert.deepEqual([lane.handedOver, lane.report.accepted], [2, 3]);
    assert.ok(lane.report.transaction!.max >= 290, `transaction ${lane.report.transaction!.max} ms`);
  });

  it('replies that come before their command: the greeting with EHLO’s reply, EHLO’s with MAIL’s, the 354 with the verdict: unsolicited, as a session finds them', async () => {
    const ehlo = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1000000\r\n250 ENHANCEDSTATUSCODES\r\n';
    const early: readonly Pick<Script, 'greeting' | 'replies'>[] = [
      { greeting: { raw: `220 scripted.test ESMTP\r\n${ehlo}` }, replies: { EHLO: { silent: true } } },
      { replies: { EHLO: { raw: `${ehlo}250 2.1.0 Ok\r\n` }, MAIL: { silent: true } } },
      { replies: { DATA: { raw: '354 go on\r\n250 2.0.0 Ok\r\n' }, '.': { silent: true } } },
    ];
    for (const changes of early) {
      const lane = await agree(
        scripted(() => ({ perConnection: (index) => (index > 1 ? changes : {}) })),
        { count: 3, timeoutMs: 1000 },
      );
      assert.deepEqual([lane.handedOver, lane.report.accepted, lane.report.status], [2, 1, 76]);
    }
  });

  it('a message that fills the socket, to a server that stops reading it past the time limit: the session’s verdict, at the message', async () => {
    const big = Buffer.from(`Subject: big\r\n\r\n${`${'y'.repeat(998)}\r\n`.repeat(8000)}`);
    async function* chunks() {
      yield big;
    }
    const message = { size: big.length, eightBit: false, chunks, lentChunks: chunks, whole: big } as unknown as ComposedMessage;
    const stalling = () =>
      lineServer((index, verb, say, socket) => {
        if (index === 1 || verb !== 'DATA') return false;
        say('354 go on');
        socket.pause();
        setTimeout(() => socket.resume(), 1500);
        return 'data';
      });
    const lane = await agree(stalling, { count: 3, timeoutMs: 1000, message });
    assert.equal(lane.handedOver, 2);
    const failure = lane.report.failures[0]!.failure;
    assert.deepEqual(failure.kind === 'error' ? failure.error : undefined, { code: 'MAILV_TIMEOUT', stage: 'body', ms: 1000, waiting: 'send' });
  });

  it('--stop-on-error on two connections, a refusal while the other’s transaction is under way: it runs its course, nothing thrown, as with sessions alone', async () => {
    // From the third connection on, RCPT and DATA refused later for each: the first stops the run
    // while the other connection's MAIL, RCPT and DATA have left.
    const refusingLater = () =>
      lineServer((index, verb, say) => {
        if (index <= 2 || (verb !== 'RCPT' && verb !== 'DATA')) return false;
        setTimeout(() => say(verb === 'RCPT' ? '550 5.1.1 No such user' : '554 5.5.1 No valid recipients'), 50 * index);
        return true;
      });
    const options = { count: 10, concurrency: 2, plan: { stopOnError: true } };
    const lane = await run(refusingLater, true, options);
    const session = await run(refusingLater, false, options);
    const outcome = ({ report }: Run) => [report.accepted, report.refused, report.stopped?.unsent, report.status];
    assert.deepEqual(outcome(lane), outcome(session));
    assert.deepEqual(outcome(lane), [2, 2, 6, 67]);
    assert.equal(lane.handedOver, 2);
  });

  it('interrupted while played connections wait: the same summary as sessions alone', async () => {
    // Connections after the second answer everything 400 ms late; the signal comes at 250 ms.
    const slow = () =>
      lineServer(
        () => false,
        (index) => (index > 2 ? 400 : 0),
      );
    const interrupter = () => {
      const interrupt = new Interrupter();
      setTimeout(() => interrupt.abort('SIGINT'), 250);
      return interrupt.signal;
    };
    const options = { count: 10, concurrency: 2, signal: interrupter };
    const lane = await run(slow, true, options);
    const session = await run(slow, false, options);
    const outcome = ({ report }: Run) => [report.status, report.connections, report.accepted, report.failed, report.interrupted];
    assert.deepEqual(outcome(lane), outcome(session));
    assert.equal(lane.report.status, 130);
    assert.equal(lane.handedOver, 2);
  });
});

/**
 * Answers `answer` takes (true; 'data' when the message follows), else as the least SMTP server
 * does: for faults a script cannot stage, a reply late or a reader that stops. Connection `index`
 * from 1; `delayOf` holds each of its reads that long.
 */
type Answer = (index: number, verb: string, say: (text: string) => void, socket: Socket) => boolean | 'data';

async function lineServer(answer: Answer, delayOf: (index: number) => number = () => 0): Promise<Server> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const index = ++connections;
    let buffered = '';
    let inData = false;
    const say = (text: string) => {
      if (!socket.destroyed) socket.write(`${text}\r\n`);
    };
    const read = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (inData && line !== '.') continue;
        const verb = inData ? '.' : line.slice(0, 4).toUpperCase();
        inData = false;
        const answered = answer(index, verb, say, socket);
        if (answered === 'data') inData = true;
        if (answered !== false) continue;
        if (verb === 'EHLO') say('250-lines.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES');
        else if (verb === 'DATA') {
          inData = true;
          say('354 go on');
        } else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else say(verb === 'MAIL' ? '250 2.1.0 Ok' : verb === 'RCPT' ? '250 2.1.5 Ok' : '250 2.0.0 Ok');
      }
    };
    say('220 lines.test ESMTP');
    socket.on('data', (chunk: Buffer) => (delayOf(index) > 0 ? setTimeout(() => read(chunk), delayOf(index)) : read(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
