// Transactions in a row on one connection (the load mode's begin/next/end), over an in-memory
// byte stream against scripted exchanges: when another transaction follows and the server
// pipelines, its envelope leaves with the end of the one before, in the same write (DATA) or
// before the one before is answered (BDAT); without PIPELINING nothing changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityError, SmtpReplyError } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { heldMessage } from '../../dist/message/compose.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { SmtpSession, type RecipientResult, type SessionPlan } from '../../dist/smtp/session.js';
import { serveScript, type Script } from '../helpers/scripted-server.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';
import { MemoryEnd, memoryPair } from './memory-pair.js';
import { messageOf } from './message-of.js';
import { planOf } from './plan-of.js';

const MESSAGE = 'Subject: t\r\n\r\nhello\r\n';
const SIZE = Buffer.byteLength(MESSAGE);
const ENVELOPE = `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`;
const CHUNKING_PIPELINING = '250-scripted.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 CHUNKING';

const PLAN = planOf(MESSAGE);

interface Row {
  readonly writes: string[];
  readonly commands: string[];
  readonly events: SessionEvent[];
  /** Each transaction's results, or the error it threw. */
  readonly outcomes: (RecipientResult[] | unknown)[];
}

/** `count` transactions on one connection, each told whether another follows, a failed one reset as the load mode does. */
async function inARow(script: Script, count: number, plan: SessionPlan = PLAN): Promise<Row> {
  const [client, server] = memoryPair();
  const commands: string[] = [];
  serveScript(server, script, { chunks: [], commands });
  const events: SessionEvent[] = [];
  const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), plan, (event) => events.push(event));
  const capabilities = await session.begin();
  assert.ok(capabilities);
  const outcomes: unknown[] = [];
  for (let index = 0; index < count; index++) {
    try {
      outcomes.push(await session.next(capabilities, { following: index < count - 1, last: index === count - 1 }));
    } catch (error) {
      outcomes.push(error);
      await session.reset();
    }
  }
  await session.end();
  return { writes: client.writes.map((write) => write.toString('latin1')), commands, events, outcomes };
}

const delivered = (outcome: unknown) => Array.isArray(outcome) && outcome.every((result: RecipientResult) => result.outcome === 'sent');

describe('session: transactions in a row', () => {
  it('DATA: the next MAIL, RCPT and DATA ride in the write of the message and its final dot; the last ends alone, with QUIT', async () => {
    const row = await inARow({}, 3);
    assert.deepEqual(row.writes, ['EHLO client.test\r\n', ENVELOPE, `${MESSAGE}.\r\n${ENVELOPE}`, `${MESSAGE}.\r\n${ENVELOPE}`, `${MESSAGE}.\r\nQUIT\r\n`]);
    assert.ok(row.outcomes.every(delivered), String(row.outcomes));
    // The flight is said: the dot and the three commands behind it.
    assert.equal(row.events.filter((event) => event.kind === 'flight' && event.commands === 4).length, 2);
  });

  it('BDAT: the next transaction is written before the replies to the one before are read', async () => {
    const row = await inARow({ replies: { EHLO: CHUNKING_PIPELINING } }, 2);
    const chunk = `BDAT ${SIZE} LAST\r\n${MESSAGE}`;
    const envelope = `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\n`;
    // The second begins with RSET: the first's BDAT LAST left without its verdict, and a server may
    // keep a transaction whose BDAT it refused open.
    assert.deepEqual(row.writes, ['EHLO client.test\r\n', envelope, chunk, `RSET\r\n${envelope}`, chunk, 'QUIT\r\n']);
    // The second left while the first was under way, before it was known to be the last: QUIT alone.
    // Shown in the order it happened: both MAILs before the first reply to MAIL.
    const order = row.events.flatMap((event) =>
      (event.kind === 'send' && event.stage === 'mail') || (event.kind === 'reply' && event.stage === 'mail') ? [event.kind] : [],
    );
    assert.deepEqual(order, ['send', 'send', 'reply', 'reply']);
    assert.ok(row.outcomes.every(delivered), String(row.outcomes));
  });

  it('a message refused at its end while the next was pipelined behind it: the next is delivered, and no RSET goes', async () => {
    let dots = 0;
    const row = await inARow({ replies: { '.': () => (++dots === 1 ? '554 5.7.1 Refused' : '250 2.0.0 Ok: queued as S2') } }, 2);
    assert.ok(row.outcomes[0] instanceof SmtpReplyError);
    assert.ok(delivered(row.outcomes[1]), String(row.outcomes[1]));
    assert.deepEqual(
      row.commands.map((line) => line.split(/[ :]/)[0]),
      ['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT'],
    );
  });

  it('a sender refused in the transaction under way: reported as such, RSET, and the next starts afresh', async () => {
    let mails = 0;
    // As Postfix does: without a sender, RCPT and DATA are out of sequence.
    const refused = () => mails === 2;
    const row = await inARow(
      {
        replies: {
          MAIL: () => (++mails === 2 ? '451 4.3.0 Try later' : '250 2.1.0 Ok'),
          RCPT: () => (refused() ? '503 5.5.1 Error: need MAIL command' : '250 2.1.5 Ok'),
          DATA: () => (refused() ? '503 5.5.1 Error: need RCPT command' : '354 End data with <CR><LF>.<CR><LF>'),
        },
      },
      3,
    );
    assert.ok(delivered(row.outcomes[0]));
    assert.ok(row.outcomes[1] instanceof SmtpReplyError && row.outcomes[1].fact.code === 'MAILV_SENDER_REFUSED', String(row.outcomes[1]));
    assert.ok(delivered(row.outcomes[2]), String(row.outcomes[2]));
    assert.deepEqual(
      row.commands.map((line) => line.split(/[ :]/)[0]),
      // The refused MAIL opened no transaction: no RSET before the next (RFC 5321 §4.1.1.2).
      ['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT'],
    );
  });

  it('a next message that cannot go (larger than SIZE) fails alone: the message before it still ends with its dot', async () => {
    const large = `Subject: t\r\n\r\n${'x'.repeat(200)}\r\n`;
    let prepared = 0;
    const plan = planOf(MESSAGE, { prepare: async () => messageOf(++prepared === 2 ? large : MESSAGE) });
    const row = await inARow({ replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 SIZE 100' } }, 3, plan);
    assert.ok(delivered(row.outcomes[0]), String(row.outcomes[0]));
    assert.ok(row.outcomes[1] instanceof CapabilityError && row.outcomes[1].fact.code === 'MAILV_TOO_BIG', String(row.outcomes[1]));
    assert.ok(delivered(row.outcomes[2]), String(row.outcomes[2]));
    const envelope = `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`;
    // Nothing of the large one left: no transaction open, no RSET.
    assert.deepEqual(row.writes, ['EHLO client.test\r\n', envelope, `${MESSAGE}.\r\n`, envelope, `${MESSAGE}.\r\nQUIT\r\n`]);
  });

  it('a message held whole, handed over as it is each time: stuffed on every send, the same bytes as from a stream', async () => {
    // Lines starting with a dot, the first and the last among them, and no CRLF at the end.
    const dotted = '.first\r\nSubject: t\r\n\r\n..two\r\nmiddle\r\n.';
    const held = await heldMessage(messageOf(dotted));
    const stuffed = '..first\r\nSubject: t\r\n\r\n...two\r\nmiddle\r\n..\r\n.\r\n';
    const envelope = `MAIL From:<a@client.test> SIZE=${held.size}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`;
    const row = await inARow({}, 3, planOf(dotted, { prepare: () => held }));
    assert.deepEqual(row.writes, ['EHLO client.test\r\n', envelope, `${stuffed}${envelope}`, `${stuffed}${envelope}`, `${stuffed}QUIT\r\n`]);
    assert.ok(row.outcomes.every(delivered), String(row.outcomes));
    // The same message from a stream goes out the same (in writes of its size: stuffing makes it two).
    const streamed = await inARow({}, 1, planOf(dotted));
    assert.equal(streamed.writes.slice(2).join(''), `${stuffed}QUIT\r\n`);
  });

  it('without PIPELINING: one command at a time, the next MAIL only after the verdict on the message', async () => {
    const row = await inARow({ replies: { EHLO: '250-scripted.test\r\n250 SIZE 1000000' } }, 2);
    const lockStep = [`MAIL From:<a@client.test> SIZE=${SIZE}\r\n`, 'RCPT To:<b@mx.test>\r\n', 'DATA\r\n', `${MESSAGE}.\r\n`];
    assert.deepEqual(row.writes, ['EHLO client.test\r\n', ...lockStep, ...lockStep, 'QUIT\r\n']);
  });
});

describe('session: a 421 in a pipelined flight', () => {
  it('the refusal is the 421, not the hang-up that follows it: the replies still owed are not waited for', async () => {
    const [client, server] = memoryPair();
    serveScript(server, { replies: { MAIL: { raw: '421 4.7.0 Too many messages, closing\r\n', close: true } } }, { chunks: [], commands: [] });
    const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), PLAN, () => {});
    const error = await session.run().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof SmtpReplyError, String(error));
    assert.equal(error.fact.code, 'MAILV_SENDER_REFUSED');
    assert.equal(error.reply.code, 421);
  });
});

describe('session: a 421 to a recipient in a pipelined flight', () => {
  const TWO = planOf(MESSAGE, { envelope: { from: 'a@client.test', recipients: ['b@mx.test', 'c@mx.test'] } });
  const closing = { raw: '421 4.7.0 Too many recipients, closing\r\n', close: true } as const;

  async function runAgainst(rcpt: (count: number) => string | typeof closing): Promise<RecipientResult[] | unknown> {
    const [client, server] = memoryPair();
    let rcpts = 0;
    serveScript(server, { replies: { RCPT: () => rcpt(++rcpts) } }, { chunks: [], commands: [] });
    const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), TWO, () => {});
    return session.run().catch((caught: unknown) => caught);
  }

  // A 421 is the server closing (RFC 5321 §3.8), not its word on one recipient: the transaction
  // fails for all of them, with that reply, and another host may take the message.
  const isClosing = (outcome: unknown) =>
    outcome instanceof SmtpReplyError && outcome.fact.code === 'MAILV_RECIPIENT_CLOSING' && outcome.reply.code === 421 && outcome.stage === 'rcpt';

  it('at the first: the transaction fails with the 421, no recipient said deferred by it', async () => {
    const outcome = await runAgainst(() => closing);
    assert.ok(isClosing(outcome), String(outcome));
  });

  it('after an accepted one: the same, never a DATA refused by a 421 that answered a recipient', async () => {
    const outcome = await runAgainst((count) => (count === 1 ? '250 2.1.5 Ok' : closing));
    assert.ok(isClosing(outcome), String(outcome));
  });
});

/** A client end whose writes are taken at `rate` octets a second, as by a slow link. */
class SlowEnd extends MemoryEnd {
  constructor(private readonly rate: number) {
    super();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    setTimeout(() => super._write(chunk, encoding, callback), (chunk.length / this.rate) * 1000);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const octets = chunks.reduce((sum, { chunk }) => sum + chunk.length, 0);
    setTimeout(() => super._writev(chunks, callback), (octets / this.rate) * 1000);
  }
}

describe('session: a large message held whole, over a slow link', () => {
  it('each MiB is one data block with its own time limit: the whole message may take longer than one', async () => {
    // 3 MiB at 6 MB/s: about 0.18 s a MiB, 0.55 s in all, against a limit of 0.4 s a block.
    const client = new SlowEnd(6_000_000);
    const server = new MemoryEnd();
    client.peer = server;
    server.peer = client;
    const commands: string[] = [];
    serveScript(server, { replies: { EHLO: '250-scripted.test\r\n250 PIPELINING' } }, { chunks: [], commands });
    const held = await heldMessage(messageOf(`Subject: t\r\n\r\n${`${'x'.repeat(1022)}\r\n`.repeat(3 * 1024)}`));
    const plan = planOf('', { prepare: () => held, timeouts: new Timeouts(400) });
    const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), plan, () => {});
    const capabilities = await session.begin();
    assert.ok(capabilities);
    const results = await session.next(capabilities, { last: true });
    assert.ok(delivered(results), String(results));
    await session.end();
    assert.deepEqual(
      commands.map((line) => line.split(/[ :]/)[0]),
      ['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT'],
    );
  });
});

describe('session: the end of a message refused by the kernel before any of it left (the server gone)', () => {
  /** The first transaction of two, the client's writes refused from the `refuseFrom`th on (counted from 0). */
  async function firstOfTwo(script: Script, refuseFrom: number): Promise<{ session: SmtpSession; outcome: unknown }> {
    const [client, server] = memoryPair();
    client.refuseFrom = refuseFrom;
    serveScript(server, script, { chunks: [], commands: [] });
    const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), PLAN, () => {});
    const capabilities = await session.begin();
    assert.ok(capabilities);
    const outcome = await session.next(capabilities, { following: true }).catch((error: unknown) => error);
    return { session, outcome };
  }

  it('DATA: the final dot refused, with the next envelope riding on it: the message is not committed, nor the next envelope sent', async () => {
    // Writes: EHLO, the envelope, then the message, its dot and the next envelope (refused).
    const { session } = await firstOfTwo({}, 2);
    assert.equal(session.committed, false);
    assert.equal(session.hasAhead, true);
    assert.equal(session.aheadSent, false);
  });

  it('BDAT: the next message sent ahead, its BDAT LAST refused: the server never had it (sent again, not counted lost)', async () => {
    // Writes: EHLO, the envelope, BDAT LAST with the message, RSET and the next envelope, then its BDAT LAST (refused).
    const { session } = await firstOfTwo({ replies: { EHLO: CHUNKING_PIPELINING } }, 4);
    assert.equal(session.hasAhead, true);
    assert.equal(session.aheadSent, true);
    assert.equal(session.aheadCarriesMessage, false);
  });
});
