// The session in-process, over an in-memory byte stream, against scripted exchanges: the exact
// bytes written, write by write (one write is one flight), and the exact events emitted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError, SmtpReplyError, StepStop, TlsError, TransportError, UsageError, type Stage } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { Capabilities } from '../../dist/smtp/capabilities.js';
import type { Command, PendingWrite } from '../../dist/smtp/command.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { SmtpSession, type RecipientResult, type SessionPlan } from '../../dist/smtp/session.js';
import { serveScript, type Script } from '../helpers/scripted-server.js';
import { memoryPair } from './memory-pair.js';
import { planOf } from './plan-of.js';
import { TranscriptRenderer } from '../../dist/render/transcript.js';
import { plainStyle } from '../../dist/render/style.js';
import { en } from '../../dist/words/en/index.js';

const MESSAGE = 'Subject: t\r\n\r\nhello\r\n.dot\r\n';
const STUFFED = 'Subject: t\r\n\r\nhello\r\n..dot\r\n';
const SIZE = Buffer.byteLength(MESSAGE);

const PLAN = planOf(MESSAGE);

interface Conversation {
  /** Each write the session made, as text. */
  readonly writes: string[];
  readonly events: SessionEvent[];
  readonly results: RecipientResult[] | undefined;
  readonly error: unknown;
  readonly committed: boolean;
  /** Octets each way, as the ends saw them. */
  readonly sent: number;
  readonly received: number;
}

/** --step's answer to a pause before `next`, given what had been shown (events) and written (writes) by then. */
type StepAnswer = (next: PendingWrite, shown: readonly SessionEvent[], writes: number) => 'go' | 'quit';

async function converse(script: Script, plan: Partial<SessionPlan> = {}, stepper?: StepAnswer, refuseWritesFrom?: number): Promise<Conversation> {
  const [client, server] = memoryPair();
  if (refuseWritesFrom !== undefined) client.refuseFrom = refuseWritesFrom;
  serveScript(server, script, { chunks: [], commands: [] });
  const events: SessionEvent[] = [];
  const step = stepper && (async (next: PendingWrite) => stepper(next, [...events], client.writes.length));
  const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), { ...PLAN, ...plan, ...(step ? { step } : {}) }, (event) => events.push(event));
  let results: RecipientResult[] | undefined;
  let error: unknown;
  try {
    results = await session.run();
  } catch (caught) {
    error = caught;
  }
  const octets = (writes: Buffer[]) => writes.reduce((sum, write) => sum + write.length, 0);
  return {
    writes: client.writes.map((write) => write.toString('latin1')),
    events,
    results,
    error,
    committed: session.committed,
    sent: octets(client.writes),
    received: octets(server.writes),
  };
}

const send = (stage: Stage, command: Command, pipelined = false): SessionEvent => ({ kind: 'send', stage, command, pipelined });
const reply = (stage: Stage, text: string, recipient?: string): SessionEvent => ({ kind: 'reply', stage, reply: makeReply(text.split('\r\n')), recipient });
const ehloReply = (text: string): SessionEvent => {
  const parsed = makeReply(text.split('\r\n'));
  return { kind: 'reply', stage: 'ehlo', reply: parsed, recipient: undefined, ehlo: Capabilities.fromEhlo(parsed).offer };
};
const traffic = (conversation: Conversation): SessionEvent => ({ kind: 'traffic', sent: conversation.sent, received: conversation.received });
const sent = (recipient: string, text: string): SessionEvent => ({ kind: 'recipient', recipient, outcome: 'sent', reply: makeReply([text]) });

const GREETING = reply('greeting', '220 scripted.test ESMTP');
const EHLO = send('ehlo', { verb: 'EHLO', domain: 'client.test' });
const DEFAULT_EHLO = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1000000\r\n250 ENHANCEDSTATUSCODES';
const MAIL = (params: string[], pipelined = false) => send('mail', { verb: 'MAIL', from: 'a@client.test', params }, pipelined);
const RCPT = (to: string, pipelined = false) => send('rcpt', { verb: 'RCPT', to, params: [] }, pipelined);
const CLOSING: SessionEvent = { kind: 'closing', host: 'mx.test' };
const flight = (commands: number): SessionEvent => ({ kind: 'flight', commands });
const QUIT_SENT = (pipelined = false) => send('quit', { verb: 'QUIT' }, pipelined);
const DOT = (pipelined = false) => send('body', { verb: '.' }, pipelined);
const QUEUED = '250 2.0.0 Ok: queued as S1';
const BYE = reply('quit', '221 2.0.0 Bye');
const CHUNKING_PIPELINING = '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING';

describe('session: DATA', () => {
  it('pipelined: MAIL, RCPT and DATA in one flight, the message, the dot and QUIT in the next; Closing connection after the verdict', async () => {
    const run = await converse({});
    assert.equal(run.error, undefined);
    // The write buffer holds as many octets as the message has; the dot stuffed in makes one more,
    // which rides with the final dot and QUIT.
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`,
      STUFFED.slice(0, SIZE),
      `${STUFFED.slice(SIZE)}.\r\nQUIT\r\n`,
    ]);
    assert.deepEqual(run.events, [
      GREETING,
      EHLO,
      ehloReply(DEFAULT_EHLO),
      flight(3),
      MAIL([`SIZE=${SIZE}`], true),
      RCPT('b@mx.test', true),
      send('data', { verb: 'DATA' }, true),
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      reply('data', '354 End data with <CR><LF>.<CR><LF>'),
      flight(2),
      DOT(true),
      QUIT_SENT(true),
      { kind: 'committed', verb: 'DATA', size: SIZE },
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      // QUIT left with the dot, but the session is said to close only once the verdict is shown.
      CLOSING,
      BYE,
      traffic(run),
    ]);
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'sent', reply: makeReply([QUEUED]) }]);
    assert.equal(run.committed, true);
  });

  it('EHLO refused with 502: HELO, then one command at a time, QUIT after the reply to the dot', async () => {
    const run = await converse({ replies: { EHLO: '502 5.5.1 Command not implemented' } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      'HELO client.test\r\n',
      'MAIL From:<a@client.test>\r\n',
      'RCPT To:<b@mx.test>\r\n',
      'DATA\r\n',
      STUFFED.slice(0, SIZE),
      `${STUFFED.slice(SIZE)}.\r\n`,
      'QUIT\r\n',
    ]);
    assert.deepEqual(run.events, [
      GREETING,
      EHLO,
      reply('ehlo', '502 5.5.1 Command not implemented'),
      send('ehlo', { verb: 'HELO', domain: 'client.test' }),
      reply('ehlo', '250 scripted.test'),
      MAIL([]),
      reply('mail', '250 2.1.0 Ok'),
      RCPT('b@mx.test'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      send('data', { verb: 'DATA' }),
      reply('data', '354 End data with <CR><LF>.<CR><LF>'),
      send('body', { verb: '.' }),
      { kind: 'committed', verb: 'DATA', size: SIZE },
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      CLOSING,
      send('quit', { verb: 'QUIT' }),
      BYE,
      traffic(run),
    ]);
  });

  it('STARTTLS refused: a warning, and the transaction goes on in plaintext; with --tls required, QUIT and a TlsError', async () => {
    const script: Script = { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 STARTTLS', STARTTLS: '454 4.7.0 TLS not available' } };
    const auto = await converse(script, { tls: 'auto' });
    assert.equal(auto.error, undefined);
    assert.deepEqual(auto.writes.slice(0, 3), ['EHLO client.test\r\n', 'STARTTLS\r\n', 'MAIL From:<a@client.test>\r\nRCPT To:<b@mx.test>\r\nDATA\r\n']);
    assert.deepEqual(auto.events.slice(3, 6), [
      send('starttls', { verb: 'STARTTLS' }),
      reply('starttls', '454 4.7.0 TLS not available'),
      { kind: 'note', note: { code: 'starttls-refused', reply: makeReply(['454 4.7.0 TLS not available']) }, severity: 'warning' },
    ]);

    const required = await converse(script, { tls: 'required' });
    assert.ok(required.error instanceof TlsError);
    assert.deepEqual(required.error.fact, { code: 'MAILV_TLS_UNAVAILABLE', why: 'refused', reply: makeReply(['454 4.7.0 TLS not available']) });
    assert.deepEqual(required.writes, ['EHLO client.test\r\n', 'STARTTLS\r\n', 'QUIT\r\n']);
  });

  it('a PROXY header that cannot be made (the server no address of its family) is never shown as written', async () => {
    const run = await converse({}, { proxy: { version: 'v1', source: { address: '192.0.2.7', port: 40000 } } });
    assert.ok(run.error instanceof UsageError, String(run.error));
    assert.equal(run.error.fact.code, 'MAILV_PROXY_FAMILY');
    assert.deepEqual(run.writes, []);
    assert.ok(!run.events.some((event) => event.kind === 'send'), JSON.stringify(run.events));
  });

  it('STARTTLS answered 250, neither 220 nor a refusal (RFC 3207 §4): the replies out of step, nothing more in plain text', async () => {
    const script: Script = { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 STARTTLS', STARTTLS: '250 2.0.0 ok' } };
    const auto = await converse(script, { tls: 'auto' });
    assert.ok(auto.error instanceof ProtocolError, String(auto.error));
    assert.deepEqual(auto.error.fact, { code: 'MAILV_UNEXPECTED_REPLY', stage: 'starttls', reply: makeReply(['250 2.0.0 ok']) });
    assert.ok(!auto.writes.some((write) => write.startsWith('MAIL')), auto.writes.join(''));
    assert.ok(!auto.events.some((event) => event.kind === 'note' && event.note.code === 'starttls-refused'));
  });

  it('looks up the TLS session to resume while the greeting is awaited when TLS is required, once STARTTLS is written when offered, never when not offered', async () => {
    /** What the server had written, and the client, when the session asked for the TLS session to resume. */
    const lookups = async (script: Script, tls: SessionPlan['tls']) => {
      const [client, server] = memoryPair();
      serveScript(server, { greetingDelayMs: 30, ...script }, { chunks: [], commands: [] });
      const seen: { server: string; client: string }[] = [];
      const tlsResumption = async () => {
        seen.push({ server: Buffer.concat(server.writes).toString('latin1'), client: Buffer.concat(client.writes).toString('latin1') });
        return undefined;
      };
      await new SmtpSession(new SmtpConnection(client, 'mx.test'), { ...PLAN, tls, tlsResumption }, () => {}).run().catch(() => {});
      return seen;
    };
    const offered: Script = { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 STARTTLS', STARTTLS: '454 4.7.0 TLS not available' } };
    assert.deepEqual(await lookups(offered, 'required'), [{ server: '', client: '' }]);
    // Refused, yet looked up: the lookup began with STARTTLS, before any answer to it.
    const auto = await lookups(offered, 'auto');
    assert.deepEqual(
      auto.map((seen) => seen.client),
      ['EHLO client.test\r\nSTARTTLS\r\n'],
    );
    assert.deepEqual(await lookups({}, 'auto'), []);
  });

  it('one recipient refused: reported, and the message goes to the other', async () => {
    const run = await converse(
      { replies: { RCPT: (line) => (line.includes('<c@') ? '550 5.1.1 No such user' : '250 2.1.5 Ok') } },
      { envelope: { from: 'a@client.test', recipients: ['b@mx.test', 'c@mx.test'] } },
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes[1], `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nRCPT To:<c@mx.test>\r\nDATA\r\n`);
    const refusal = makeReply(['550 5.1.1 No such user']);
    assert.deepEqual(run.events.slice(8, 13), [
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      reply('rcpt', '550 5.1.1 No such user', 'c@mx.test'),
      reply('data', '354 End data with <CR><LF>.<CR><LF>'),
      { kind: 'recipient', recipient: 'c@mx.test', outcome: 'refused', reply: refusal },
    ]);
    assert.deepEqual(run.results, [
      { recipient: 'b@mx.test', outcome: 'sent', reply: makeReply([QUEUED]) },
      { recipient: 'c@mx.test', outcome: 'refused', reply: refusal },
    ]);
  });

  it('every recipient refused after a pipelined DATA was accepted: an empty message, RSET under its own stage, no commit', async () => {
    const run = await converse({ replies: { RCPT: '550 5.1.1 No such user', '.': '554 5.5.1 no valid recipients' } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`,
      '.\r\n',
      'RSET\r\n',
      'QUIT\r\n',
    ]);
    assert.deepEqual(run.events.slice(10), [
      { kind: 'recipient', recipient: 'b@mx.test', outcome: 'refused', reply: makeReply(['550 5.1.1 No such user']) },
      send('body', { verb: '.' }),
      reply('body', '554 5.5.1 no valid recipients'),
      send('rset', { verb: 'RSET' }),
      reply('rset', '250 2.0.0 Ok'),
      CLOSING,
      send('quit', { verb: 'QUIT' }),
      BYE,
      traffic(run),
    ]);
    assert.equal(run.committed, false);
    assert.ok(!run.events.some((event) => event.kind === 'committed'));
  });

  it("sendmail's 503 to the DATA of a flight whose every RCPT it refused: shown, but the outcome is the refused recipient, no failure of DATA", async () => {
    const relaying = '550 5.7.1 <b@mx.test>... Relaying denied';
    const run = await converse({ replies: { RCPT: relaying, DATA: '503 5.0.0 Need RCPT (recipient)' } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`, 'QUIT\r\n']);
    assert.deepEqual(run.events.slice(-8), [
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', relaying, 'b@mx.test'),
      reply('data', '503 5.0.0 Need RCPT (recipient)'),
      { kind: 'recipient', recipient: 'b@mx.test', outcome: 'refused', reply: makeReply([relaying]) },
      CLOSING,
      QUIT_SENT(),
      BYE,
      traffic(run),
    ]);
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'refused', reply: makeReply([relaying]) }]);
  });

  it('a 3xx to RSET is a protocol error of the rset stage', async () => {
    const run = await converse({ replies: { RCPT: '550 5.1.1 No such user', RSET: '354 go ahead' } });
    assert.ok(run.error instanceof ProtocolError);
    assert.equal(run.error.stage, 'rset');
    assert.deepEqual(run.error.fact, { code: 'MAILV_UNEXPECTED_REPLY', stage: 'rset', reply: makeReply(['354 go ahead']) });
  });
});

describe('session: BDAT', () => {
  it('pipelined: MAIL and RCPT in one write, BDAT LAST with the message and QUIT in the next; committed before any reply', async () => {
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'MAIL From:<a@client.test>\r\nRCPT To:<b@mx.test>\r\n', `BDAT ${SIZE} LAST\r\n${MESSAGE}QUIT\r\n`]);
    assert.deepEqual(run.events, [
      GREETING,
      EHLO,
      ehloReply(CHUNKING_PIPELINING),
      flight(2),
      MAIL([], true),
      RCPT('b@mx.test', true),
      flight(2),
      send('body', { verb: 'BDAT', size: SIZE, last: true }, true),
      QUIT_SENT(true),
      { kind: 'committed', verb: 'BDAT', size: SIZE },
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      CLOSING,
      BYE,
      traffic(run),
    ]);
  });

  it('pipelined in several chunks: one flight of every chunk and QUIT, said before the first', async () => {
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING } }, { chunkSize: 12 });
    assert.equal(run.error, undefined);
    const rest = SIZE - 24;
    assert.deepEqual(run.writes.slice(2), [
      `BDAT 12\r\n${MESSAGE.slice(0, 12)}`,
      `BDAT 12\r\n${MESSAGE.slice(12, 24)}`,
      `BDAT ${rest} LAST\r\n${MESSAGE.slice(24)}QUIT\r\n`,
    ]);
    // Before, the first two chunks went unmarked, and the flight of 2 before the last hid that they left unanswered.
    assert.deepEqual(run.events.slice(6, 11), [
      flight(4),
      send('data', { verb: 'BDAT', size: 12, last: false }, true),
      send('data', { verb: 'BDAT', size: 12, last: false }, true),
      send('body', { verb: 'BDAT', size: rest, last: true }, true),
      QUIT_SENT(true),
    ]);
  });

  it('without PIPELINING: each chunk waits for its reply; the last commits', async () => {
    const run = await converse({ replies: { EHLO: '250-scripted.test\r\n250 CHUNKING' } }, { chunkSize: 12 });
    assert.equal(run.error, undefined);
    const rest = SIZE - 24;
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      'MAIL From:<a@client.test>\r\n',
      'RCPT To:<b@mx.test>\r\n',
      `BDAT 12\r\n${MESSAGE.slice(0, 12)}`,
      `BDAT 12\r\n${MESSAGE.slice(12, 24)}`,
      `BDAT ${rest} LAST\r\n${MESSAGE.slice(24)}`,
      'QUIT\r\n',
    ]);
    const chunkReply = reply('data', '250 2.0.0 Ok: chunk received');
    assert.deepEqual(run.events.slice(7), [
      send('data', { verb: 'BDAT', size: 12, last: false }),
      chunkReply,
      send('data', { verb: 'BDAT', size: 12, last: false }),
      chunkReply,
      send('body', { verb: 'BDAT', size: rest, last: true }),
      { kind: 'committed', verb: 'BDAT', size: SIZE },
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      CLOSING,
      send('quit', { verb: 'QUIT' }),
      BYE,
      traffic(run),
    ]);
  });

  it("Exim's 503 to a pipelined BDAT LAST after every RCPT refused: shown, the outcome is the refused recipient, no failure of the chunk", async () => {
    // Exim's words (smtp_in.c) for a chunk after a flight whose recipients were all refused.
    const chunkRefused = '503-All RCPT commands were rejected with this error:\r\n503-550 relay not permitted\r\n503 Valid RCPT command must precede BDAT';
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING, RCPT: '550 relay not permitted', 'BDAT LAST': chunkRefused } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.events.slice(-7), [
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', '550 relay not permitted', 'b@mx.test'),
      reply('body', chunkRefused),
      { kind: 'recipient', recipient: 'b@mx.test', outcome: 'refused', reply: makeReply(['550 relay not permitted']) },
      CLOSING,
      BYE,
      traffic(run),
    ]);
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'refused', reply: makeReply(['550 relay not permitted']) }]);
  });

  it("Exim's two-line reply to BDAT LAST: the recipient's verdict is the whole reply, and `Sent (…)` quotes only its last line", async () => {
    const final = '250- 273 byte chunk, total 273\r\n250 OK id=1vQxYz-000Abc-9Z';
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING, 'BDAT LAST': final } });
    assert.equal(run.error, undefined);
    const verdict = makeReply(final.split('\r\n'));
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'sent', reply: verdict }]);
    const shown = run.events.filter((event) => event.kind === 'recipient' || (event.kind === 'reply' && event.stage === 'body'));
    assert.deepEqual(
      shown.flatMap((event) => new TranscriptRenderer(1, plainStyle, en).lines(event)),
      ['250- 273 byte chunk, total 273', '250 OK id=1vQxYz-000Abc-9Z', 'b@mx.test... Sent (OK id=1vQxYz-000Abc-9Z)'],
    );
  });

  it('a 421 to a pipelined MAIL, then the server gone before BDAT LAST could leave: the 421 is the failure, and the message was never committed', async () => {
    // The third write (BDAT LAST and the message) is refused at once, as the kernel refuses a write after the server's reset.
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING, MAIL: { raw: '421 4.7.0 too many messages\r\n', abort: true } } }, {}, undefined, 2);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'MAIL From:<a@client.test>\r\nRCPT To:<b@mx.test>\r\n']);
    assert.ok(run.error instanceof SmtpReplyError);
    assert.deepEqual(run.error.fact, { code: 'MAILV_SENDER_REFUSED', from: 'a@client.test', reply: makeReply(['421 4.7.0 too many messages']) });
    assert.equal(run.committed, false);
  });

  it('a refused chunk ends the message: no more chunks, no commit', async () => {
    const run = await converse({ replies: { EHLO: '250-scripted.test\r\n250 CHUNKING', BDAT: '552 5.3.4 Too big' } }, { chunkSize: 12 });
    assert.ok(run.error instanceof SmtpReplyError);
    assert.deepEqual(run.error.fact, { code: 'MAILV_MESSAGE_REFUSED', reply: makeReply(['552 5.3.4 Too big']) });
    assert.deepEqual(run.writes.slice(3), [`BDAT 12\r\n${MESSAGE.slice(0, 12)}`, 'QUIT\r\n']);
    assert.equal(run.committed, false);
  });
});

describe('session: lock-step (--pipelining off)', () => {
  it('against a server offering PIPELINING: one command, one reply, and QUIT only after the verdict', async () => {
    const run = await converse({}, { pipelining: 'off' });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      `MAIL From:<a@client.test> SIZE=${SIZE}\r\n`,
      'RCPT To:<b@mx.test>\r\n',
      'DATA\r\n',
      STUFFED.slice(0, SIZE),
      `${STUFFED.slice(SIZE)}.\r\n`,
      'QUIT\r\n',
    ]);
    assert.deepEqual(run.events, [
      GREETING,
      EHLO,
      ehloReply(DEFAULT_EHLO),
      MAIL([`SIZE=${SIZE}`]),
      reply('mail', '250 2.1.0 Ok'),
      RCPT('b@mx.test'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      send('data', { verb: 'DATA' }),
      reply('data', '354 End data with <CR><LF>.<CR><LF>'),
      DOT(),
      { kind: 'committed', verb: 'DATA', size: SIZE },
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      CLOSING,
      QUIT_SENT(),
      BYE,
      traffic(run),
    ]);
  });

  it('against a server offering no PIPELINING (OpenSMTPD): one command, one reply, whatever --pipelining says', async () => {
    // OpenSMTPD 6.8's EHLO (reference/peers-ehlo.txt).
    const opensmtpd =
      '250-vm.example Hello client.test [127.0.0.1], pleased to meet you\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 104857600\r\n250-DSN\r\n250 HELP';
    for (const pipelining of ['on', 'off'] as const) {
      const run = await converse({ replies: { EHLO: opensmtpd } }, { pipelining });
      assert.equal(run.error, undefined);
      assert.deepEqual(run.writes, [
        'EHLO client.test\r\n',
        `MAIL From:<a@client.test> SIZE=${SIZE}\r\n`,
        'RCPT To:<b@mx.test>\r\n',
        'DATA\r\n',
        STUFFED.slice(0, SIZE),
        `${STUFFED.slice(SIZE)}.\r\n`,
        'QUIT\r\n',
      ]);
      assert.deepEqual(
        run.events.filter((event) => event.kind === 'send' || event.kind === 'reply').map((event) => event.kind),
        ['reply', 'send', 'reply', 'send', 'reply', 'send', 'reply', 'send', 'reply', 'send', 'reply', 'send', 'reply'],
        pipelining,
      );
      assert.ok(!run.events.some((event) => event.kind === 'flight' || (event.kind === 'send' && event.pipelined)), pipelining);
    }
  });

  it('with CHUNKING: BDAT LAST alone, its verdict, then QUIT in a write of its own', async () => {
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING } }, { pipelining: 'off' });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, [
      'EHLO client.test\r\n',
      'MAIL From:<a@client.test>\r\n',
      'RCPT To:<b@mx.test>\r\n',
      `BDAT ${SIZE} LAST\r\n${MESSAGE}`,
      'QUIT\r\n',
    ]);
    assert.deepEqual(run.events.slice(3), [
      MAIL([]),
      reply('mail', '250 2.1.0 Ok'),
      RCPT('b@mx.test'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      send('body', { verb: 'BDAT', size: SIZE, last: true }, false),
      { kind: 'committed', verb: 'BDAT', size: SIZE },
      reply('body', QUEUED),
      sent('b@mx.test', QUEUED),
      CLOSING,
      QUIT_SENT(),
      BYE,
      traffic(run),
    ]);
    assert.ok(!run.events.some((event) => event.kind === 'flight'), 'no flight in lock-step');
  });
});

describe('session: flights', () => {
  it('a refusal after a pipelined dot: the flight, then the 554, and only then Closing connection and the 221', async () => {
    const run = await converse({ replies: { '.': '554 5.7.1 Message rejected' } });
    assert.ok(run.error instanceof SmtpReplyError);
    assert.deepEqual(run.error.fact, { code: 'MAILV_MESSAGE_REFUSED', reply: makeReply(['554 5.7.1 Message rejected']) });
    assert.equal(run.committed, true);
    assert.deepEqual(run.events.slice(-8), [
      flight(2),
      DOT(true),
      QUIT_SENT(true),
      { kind: 'committed', verb: 'DATA', size: SIZE },
      reply('body', '554 5.7.1 Message rejected'),
      CLOSING,
      BYE,
      traffic(run),
    ]);
  });

  it('one pipelined command alone is no flight', async () => {
    const run = await converse({}, { quitAfter: 'mail' });
    assert.ok(!run.events.some((event) => event.kind === 'flight'));
  });
});

describe('session: --step', () => {
  const sends = (events: readonly SessionEvent[]) => events.filter((event) => event.kind === 'send').length;

  it('lock-step: a pause before every write, the message and QUIT included, each before anything of it is shown or sent', async () => {
    const pauses: { next: PendingWrite; shown: number; writes: number }[] = [];
    const run = await converse({}, { pipelining: 'off' }, (next, shown, writes) => {
      pauses.push({ next, shown: sends(shown), writes });
      return 'go';
    });
    assert.equal(run.error, undefined);
    assert.deepEqual(
      pauses.map(({ next }) => next),
      [
        { content: undefined, commands: [{ verb: 'EHLO', domain: 'client.test' }] },
        { content: undefined, commands: [{ verb: 'MAIL', from: 'a@client.test', params: [`SIZE=${SIZE}`] }] },
        { content: undefined, commands: [{ verb: 'RCPT', to: 'b@mx.test', params: [] }] },
        { content: undefined, commands: [{ verb: 'DATA' }] },
        { content: SIZE, commands: [{ verb: '.' }] },
        { content: undefined, commands: [{ verb: 'QUIT' }] },
      ],
    );
    // At the n-th pause, n-1 commands had been shown; the message's writes (two) count once.
    assert.deepEqual(
      pauses.map(({ shown }) => shown),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      pauses.map(({ writes }) => writes),
      [0, 1, 2, 3, 4, 6],
    );
  });

  it('pipelined BDAT chunks, stepped: each asked for alone, and only the last, with QUIT, said as a flight', async () => {
    const asked: (readonly string[])[] = [];
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING } }, { chunkSize: 12 }, (next) => {
      asked.push(next.commands.map((command) => command.verb));
      return 'go';
    });
    assert.equal(run.error, undefined);
    assert.deepEqual(asked.slice(-3), [['BDAT'], ['BDAT'], ['BDAT', 'QUIT']]);
    // A flight of every chunk said before the first would contradict the questions asked chunk by chunk.
    assert.deepEqual(
      run.events.flatMap((event): (number | string)[] =>
        event.kind === 'flight' ? [event.commands] : event.kind === 'send' && event.command.verb !== 'EHLO' ? [event.command.verb] : [],
      ),
      [2, 'MAIL', 'RCPT', 'BDAT', 'BDAT', 2, 'BDAT', 'QUIT'],
    );
  });

  it('q at the first step: no EHLO shown or sent, and the session still ends with QUIT', async () => {
    const run = await converse({}, { pipelining: 'off' }, () => 'quit');
    assert.ok(run.error instanceof StepStop);
    assert.deepEqual(run.writes, ['QUIT\r\n']);
    assert.deepEqual(run.events, [GREETING, CLOSING, QUIT_SENT(), BYE, traffic(run)]);
  });

  it('q before QUIT asks for what is about to happen: QUIT goes, and the delivery stands', async () => {
    const run = await converse({}, { pipelining: 'off' }, (next) => (next.commands[0]?.verb === 'QUIT' ? 'quit' : 'go'));
    assert.equal(run.error, undefined);
    assert.equal(run.writes.at(-1), 'QUIT\r\n');
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'sent', reply: makeReply([QUEUED]) }]);
  });

  it('q before a flight: none of its commands shown or sent; QUIT alone', async () => {
    const run = await converse({}, {}, (next) => (next.commands.length > 1 ? 'quit' : 'go'));
    assert.ok(run.error instanceof StepStop);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'QUIT\r\n']);
    assert.deepEqual(run.events.slice(3), [CLOSING, QUIT_SENT(), BYE, traffic(run)]);
  });

  it('pipelined, q before BDAT: the replies to the flight already written are read, so QUIT gets its own 221', async () => {
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING } }, { pipelining: 'on' }, (next) => (next.commands[0]?.verb === 'BDAT' ? 'quit' : 'go'));
    assert.ok(run.error instanceof StepStop);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'MAIL From:<a@client.test>\r\nRCPT To:<b@mx.test>\r\n', 'QUIT\r\n']);
    assert.deepEqual(run.events.slice(3), [
      flight(2),
      MAIL([], true),
      RCPT('b@mx.test', true),
      reply('mail', '250 2.1.0 Ok'),
      reply('rcpt', '250 2.1.5 Ok', 'b@mx.test'),
      CLOSING,
      QUIT_SENT(),
      BYE,
      traffic(run),
    ]);
  });

  it('pipelined on request: the pause names the whole flight, and the message with the dot and QUIT', async () => {
    const pauses: PendingWrite[] = [];
    const run = await converse({}, { pipelining: 'on' }, (next) => {
      pauses.push(next);
      return 'go';
    });
    assert.equal(run.error, undefined);
    assert.deepEqual(pauses.slice(1), [
      {
        content: undefined,
        commands: [{ verb: 'MAIL', from: 'a@client.test', params: [`SIZE=${SIZE}`] }, { verb: 'RCPT', to: 'b@mx.test', params: [] }, { verb: 'DATA' }],
      },
      { content: SIZE, commands: [{ verb: '.' }, { verb: 'QUIT' }] },
    ]);
  });
});

describe('session: the commit', () => {
  it('a drop after the pipelined flight, before any reply: the failure of the reply awaited, and the message committed', async () => {
    const run = await converse({ replies: { EHLO: CHUNKING_PIPELINING, MAIL: { silent: true }, RCPT: { silent: true }, 'BDAT LAST': { close: true } } });
    assert.ok(run.error instanceof TransportError);
    assert.equal(run.error.reason, 'closed');
    assert.deepEqual(run.error.fact, { code: 'MAILV_CONNECTION_LOST', stage: 'mail', reason: 'closed', errno: undefined, midReply: false });
    assert.equal(run.committed, true);
    assert.deepEqual(run.writes.at(-1), `BDAT ${SIZE} LAST\r\n${MESSAGE}QUIT\r\n`);
    assert.deepEqual(run.events.slice(-2), [{ kind: 'committed', verb: 'BDAT', size: SIZE }, traffic(run)]);
  });

  it('a drop after the final dot: committed; a drop at DATA: not', async () => {
    const afterDot = await converse({ replies: { '.': { close: true } } });
    assert.ok(afterDot.error instanceof TransportError);
    assert.equal(afterDot.error.stage, 'body');
    assert.equal(afterDot.committed, true);
    const atData = await converse({ replies: { DATA: { close: true } } });
    assert.ok(atData.error instanceof TransportError);
    assert.equal(atData.committed, false);
    assert.ok(!atData.events.some((event) => event.kind === 'committed'));
  });

  it('a reply nobody asked for, come before a write: that write is neither shown nor sent', async () => {
    const shown = (conversation: Conversation) => conversation.events.filter((event) => event.kind !== 'traffic');
    const early = await converse({ greeting: { raw: '220 scripted.test ESMTP\r\n250 2.1.0 injected\r\n' } });
    assert.ok(early.error instanceof ProtocolError);
    assert.deepEqual(early.writes, []);
    // The reply nobody asked for is shown as received, after what was, before the failure.
    const injected: SessionEvent = { kind: 'unreadable-reply', lines: ['250 2.1.0 injected'] };
    assert.deepEqual(shown(early), [GREETING, injected]);
    const lockStep = await converse({ replies: { EHLO: `${DEFAULT_EHLO}\r\n250 2.1.0 injected` } }, { pipelining: 'off' });
    assert.ok(lockStep.error instanceof ProtocolError);
    assert.deepEqual(lockStep.writes, ['EHLO client.test\r\n']);
    assert.deepEqual(shown(lockStep), [GREETING, EHLO, ehloReply(DEFAULT_EHLO), injected]);
    const pipelined = await converse({ replies: { EHLO: `${DEFAULT_EHLO}\r\n250 2.1.0 injected` } });
    assert.ok(pipelined.error instanceof ProtocolError);
    assert.deepEqual(pipelined.writes, ['EHLO client.test\r\n']);
    assert.deepEqual(shown(pipelined), [GREETING, EHLO, ehloReply(DEFAULT_EHLO), injected]);
    const inData = await converse({ replies: { DATA: { raw: '354 go\r\n250 2.0.0 queued before the message\r\n' } } }, { pipelining: 'off', echoBody: true });
    assert.ok(inData.error instanceof ProtocolError);
    assert.equal(inData.writes.at(-1), 'DATA\r\n');
    assert.ok(!inData.events.some((event) => event.kind === 'body' || (event.kind === 'send' && event.command.verb === '.')), JSON.stringify(inData.events));
    assert.equal(inData.committed, false);
  });

  it('a 421 nobody asked for names the stage in progress', async () => {
    const run = await converse({ replies: { EHLO: '250 scripted.test\r\n421 4.3.2 Shutting down' } });
    assert.ok(run.error instanceof TransportError);
    assert.equal(run.error.stage, 'mail');
    assert.deepEqual(run.error.fact, { code: 'MAILV_SERVICE_CLOSING', reply: makeReply(['421 4.3.2 Shutting down']) });
    assert.equal(run.committed, false);
  });
});

describe('session: --quit-after', () => {
  it('mail: MAIL alone, then QUIT', async () => {
    const run = await converse({}, { quitAfter: 'mail' });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', `MAIL From:<a@client.test> SIZE=${SIZE}\r\n`, 'QUIT\r\n']);
    assert.deepEqual(run.events.slice(3), [
      MAIL([`SIZE=${SIZE}`], true),
      reply('mail', '250 2.1.0 Ok'),
      { kind: 'note', note: { code: 'quit-after', point: 'mail' }, severity: 'info' },
      CLOSING,
      send('quit', { verb: 'QUIT' }),
      BYE,
      traffic(run),
    ]);
    assert.deepEqual(run.results, []);
  });

  it('rcpt: MAIL and RCPT in one write, then QUIT; the recipients reported', async () => {
    const run = await converse({}, { quitAfter: 'rcpt' });
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\n`, 'QUIT\r\n']);
    assert.deepEqual(run.results, [{ recipient: 'b@mx.test', outcome: 'sent', reply: makeReply(['250 2.1.5 Ok']) }]);
  });

  it('data: the envelope and DATA, then hanging up, with no byte of the message and no QUIT', async () => {
    const run = await converse({}, { quitAfter: 'data' });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`]);
    assert.deepEqual(run.events.slice(-2), [{ kind: 'note', note: { code: 'quit-after', point: 'data' }, severity: 'info' }, traffic(run)]);
    assert.equal(run.committed, false);
  });

  it('data with every recipient refused: the empty message, RSET, then QUIT', async () => {
    const run = await converse({ replies: { RCPT: '550 5.1.1 No such user', '.': '554 5.5.1 no valid recipients' } }, { quitAfter: 'data' });
    assert.deepEqual(run.writes.slice(2), ['.\r\n', 'RSET\r\n', 'QUIT\r\n']);
    assert.ok(run.events.some((event) => event.kind === 'note' && event.note.code === 'quit-before-data'));
  });

  it('without PIPELINING: one command at a time, and nothing after a refused sender', async () => {
    const run = await converse({ replies: { EHLO: '250-scripted.test\r\n250 8BITMIME', MAIL: '550 5.7.1 Sender rejected' } }, { quitAfter: 'data' });
    assert.ok(run.error instanceof SmtpReplyError);
    assert.deepEqual(run.error.fact, { code: 'MAILV_SENDER_REFUSED', from: 'a@client.test', reply: makeReply(['550 5.7.1 Sender rejected']) });
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'MAIL From:<a@client.test>\r\n', 'QUIT\r\n']);
  });
});

describe('session: AUTH', () => {
  it('the wire carries the secret, the event withholds it', async () => {
    const run = await converse(
      { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 AUTH PLAIN', AUTH: '235 2.7.0 Authentication successful' } },
      {
        quitAfter: 'auth',
        auth: {
          credentials: { user: 'alice', secret: 's3cret' },
          mechanism: undefined,
          token: false,
          insecure: false,
          allowPlaintextAuth: true,
          showSecrets: false,
        },
      },
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', `AUTH PLAIN ${Buffer.from('\0alice\0s3cret').toString('base64')}\r\n`, 'QUIT\r\n']);
    assert.deepEqual(run.events[3], send('auth', { verb: 'AUTH', mechanism: 'PLAIN', initial: { text: undefined, secret: true } }));
  });
});
