// PIPECONNECT in the session, over an in-memory pair: with a fresh remembered EHLO reply, EHLO
// leaves before the greeting; the flight after it is decided from the reply actually received; a
// stale entry, a changed server, TLS still to come and a refused early EHLO each fall back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError, SmtpReplyError, TransportError } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { Capabilities } from '../../dist/smtp/capabilities.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { makeReply } from '../../dist/smtp/reply.js';
import type { RememberedEhlo } from '../../dist/smtp/remembered.js';
import { SmtpSession, type RecipientResult, type SessionPlan } from '../../dist/smtp/session.js';
import { serveScript, type Script } from '../helpers/scripted-server.js';
import { memoryPair } from './memory-pair.js';
import { planOf } from './plan-of.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';

const MESSAGE = 'Subject: t\r\n\r\nhello\r\n';
const SIZE = Buffer.byteLength(MESSAGE);
const EHLO_FULL = '250-exim.test Hello\r\n250-SIZE 1000000\r\n250-PIPELINING\r\n250-PIPECONNECT\r\n250 CHUNKING';

const PLAN = planOf(MESSAGE);

/** The remembered reply for the session's server (over the in-memory pair, its address is its name, its port 0). */
function remembered(ehlo: string, fresh = true, tls: RememberedEhlo['tls'] = 'clear'): RememberedEhlo {
  const offer = Capabilities.fromEhlo(makeReply(ehlo.split('\r\n'))).offer;
  return { host: 'mx.test', address: 'mx.test', port: 0, tls, helo: 'client.test', offer, fresh };
}

interface Conversation {
  readonly writes: string[];
  /** What crossed the pair, in order: `C:` from the client, `S:` from the server. */
  readonly timeline: string[];
  readonly events: SessionEvent[];
  readonly results: RecipientResult[] | undefined;
  readonly error: unknown;
  readonly earlyTalkRefused: boolean;
}

async function converse(script: Script, plan: Partial<SessionPlan>): Promise<Conversation> {
  const [client, server] = memoryPair();
  const timeline: string[] = [];
  server.on('data', (chunk: Buffer) => timeline.push(`C:${chunk.toString('latin1')}`));
  client.on('data', (chunk: Buffer) => timeline.push(`S:${chunk.toString('latin1')}`));
  serveScript(server, script, { chunks: [], commands: [] });
  const events: SessionEvent[] = [];
  const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), { ...PLAN, ...plan }, (event) => events.push(event));
  let results: RecipientResult[] | undefined;
  let error: unknown;
  try {
    results = await session.run();
  } catch (caught) {
    error = caught;
  }
  return { writes: client.writes.map((write) => write.toString('latin1')), timeline, events, results, error, earlyTalkRefused: session.earlyTalkRefused };
}

const notes = (events: readonly SessionEvent[]) => events.flatMap((event) => (event.kind === 'note' ? [event.note.code] : []));
const kinds = (events: readonly SessionEvent[]) =>
  events.map((event) => (event.kind === 'send' ? `>>> ${event.command.verb}` : event.kind === 'reply' ? `${event.reply.code} ${event.stage}` : event.kind));

describe('PIPECONNECT: EHLO before the greeting', () => {
  it('sends EHLO before the greeting arrives, then the whole BDAT transaction with QUIT in the flight after the EHLO reply', async () => {
    const c = await converse({ greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } }, { remembered: [remembered(EHLO_FULL)] });
    assert.equal(c.error, undefined);
    assert.deepEqual(c.writes, [
      'EHLO client.test\r\n',
      'MAIL From:<a@client.test> SIZE=' + SIZE + '\r\nRCPT To:<b@mx.test>\r\n',
      `BDAT ${SIZE} LAST\r\n${MESSAGE}QUIT\r\n`,
    ]);
    // The server had said nothing when EHLO reached it.
    assert.deepEqual(c.timeline.slice(0, 2), ['C:EHLO client.test\r\n', 'S:220 scripted.test ESMTP\r\n']);
    // Shown as it happened: the note, EHLO, then the greeting, then EHLO's reply.
    assert.deepEqual(kinds(c.events).slice(0, 5), ['note', '>>> EHLO', '220 greeting', '250 ehlo', 'ehlo-learned']);
    assert.deepEqual(notes(c.events), ['pipeconnect-early']);
    assert.equal(c.results?.[0]?.outcome, 'sent');
  });

  it('uses the reply actually received when the server changed: DATA without CHUNKING, the change said and remembered anew', async () => {
    const now = '250-exim.test Hello\r\n250-PIPELINING\r\n250 PIPECONNECT';
    const c = await converse({ replies: { EHLO: now } }, { remembered: [remembered(EHLO_FULL)] });
    assert.equal(c.error, undefined);
    assert.deepEqual(c.writes, [
      'EHLO client.test\r\n',
      'MAIL From:<a@client.test>\r\nRCPT To:<b@mx.test>\r\nDATA\r\n',
      // The message, its dot and QUIT in one write.
      `${MESSAGE}.\r\nQUIT\r\n`,
    ]);
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-changed']);
    assert.ok(c.events.some((event) => event.kind === 'note' && event.note.code === 'pipeconnect-changed' && event.note.stillOffered));
    const learned = c.events.find((event) => event.kind === 'ehlo-learned');
    assert.deepEqual(learned?.kind === 'ehlo-learned' && learned.offer.extensions.map(({ keyword }) => keyword), ['PIPELINING', 'PIPECONNECT']);
  });

  it('waits for the greeting when the remembered reply is stale, says so, and learns the reply again', async () => {
    const c = await converse({ greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } }, { remembered: [remembered(EHLO_FULL, false)] });
    assert.equal(c.error, undefined);
    assert.deepEqual(c.timeline.slice(0, 2), ['S:220 scripted.test ESMTP\r\n', 'C:EHLO client.test\r\n']);
    assert.deepEqual(notes(c.events), ['pipeconnect-stale']);
    assert.ok(c.events.some((event) => event.kind === 'ehlo-learned'));
  });

  it('sends nothing early in clear when STARTTLS is to follow', async () => {
    const withTls = `${EHLO_FULL.replace('250 CHUNKING', '250-CHUNKING')}\r\n250 STARTTLS`;
    const c = await converse(
      { greetingDelayMs: 30, replies: { EHLO: withTls, STARTTLS: '454 4.7.0 TLS not available' } },
      { tls: 'auto', remembered: [remembered(withTls)] },
    );
    assert.deepEqual(c.timeline.slice(0, 2), ['S:220 scripted.test ESMTP\r\n', 'C:EHLO client.test\r\n']);
    assert.deepEqual(notes(c.events), ['starttls-refused']);
    // The reply is kept all the same (for --tls off), said not to send the next EHLO early.
    const learned = c.events.find((event) => event.kind === 'ehlo-learned');
    assert.equal(learned?.kind === 'ehlo-learned' && learned.notEarly, 'tls-follows');
    const off = await converse({ replies: { EHLO: withTls } }, { tls: 'off', remembered: [] });
    const learnedOff = off.events.find((event) => event.kind === 'ehlo-learned');
    assert.ok(learnedOff?.kind === 'ehlo-learned' && learnedOff.notEarly === undefined, JSON.stringify(learnedOff));
  });

  it('on a 554 greeting and a hang-up after an early EHLO: reads it, sends nothing more, forgets the server and says the message may go again', async () => {
    const c = await converse(
      { greeting: { raw: '554 SMTP synchronization error\r\n', close: true }, greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } },
      { remembered: [remembered(EHLO_FULL)] },
    );
    assert.ok(c.error instanceof SmtpReplyError);
    assert.equal(c.error.fact.code, 'MAILV_GREETING_REFUSED');
    assert.deepEqual(c.writes, ['EHLO client.test\r\n']);
    assert.equal(c.earlyTalkRefused, true);
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-refused']);
    // A 5xx is the server's word: kept for a day (see src/cache/ehlo-memory.ts).
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && event.key.tls === 'clear' && event.lasting));
  });

  it('on a 554 greeting from a server that never answers the early EHLO: given up after a short wait, not the EHLO time limit, and no QUIT its late reply would be read for', async () => {
    const started = performance.now();
    const c = await converse(
      { greeting: { raw: '554 no service here\r\n' }, greetingDelayMs: 30, replies: { EHLO: { silent: true } } },
      { remembered: [remembered(EHLO_FULL)] },
    );
    assert.ok(c.error instanceof SmtpReplyError);
    assert.deepEqual(c.writes, ['EHLO client.test\r\n']);
    assert.ok(performance.now() - started < 10_000);
    assert.equal(c.earlyTalkRefused, true);
  });

  it('an early EHLO answered with a second 220: the protocol broken (76) as after a usual EHLO, not a refusal, and the server forgotten', async () => {
    const c = await converse({ greetingDelayMs: 30, replies: { EHLO: '220 another greeting' } }, { remembered: [remembered(EHLO_FULL)] });
    assert.ok(c.error instanceof ProtocolError, String(c.error));
    assert.equal(c.error.fact.code, 'MAILV_UNEXPECTED_REPLY');
    assert.ok(!notes(c.events).includes('pipeconnect-ehlo-refused'), notes(c.events).join(', '));
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && !event.lasting));
    assert.equal(c.earlyTalkRefused, false);
  });

  it('on a 554 greeting whose early EHLO is answered: QUIT, as RFC 5321 §3.1 has the server wait for it', async () => {
    const c = await converse(
      { greeting: { raw: '554 no service here\r\n' }, greetingDelayMs: 30, replies: { EHLO: '503 5.5.1 Bad sequence of commands' } },
      { remembered: [remembered(EHLO_FULL)] },
    );
    assert.ok(c.error instanceof SmtpReplyError);
    assert.deepEqual(c.writes, ['EHLO client.test\r\n', 'QUIT\r\n']);
    assert.ok(c.events.some((event) => event.kind === 'reply' && event.stage === 'quit' && event.reply.code === 221));
  });

  it('on a 554 greeting whose early EHLO is answered 421: nothing more, no QUIT (RFC 5321 §3.8)', async () => {
    const c = await converse(
      { greeting: { raw: '554 no early talkers\r\n' }, greetingDelayMs: 30, replies: { EHLO: '421 4.7.0 closing', QUIT: { silent: true } } },
      { remembered: [remembered(EHLO_FULL)] },
    );
    assert.ok(c.error instanceof SmtpReplyError);
    assert.deepEqual(c.writes, ['EHLO client.test\r\n']);
    assert.ok(!notes(c.events).includes('quit-unanswered'), notes(c.events).join(', '));
  });

  it('a hang-up with no greeting after an early EHLO forgets the server, but as something that may pass', async () => {
    const c = await converse({ greeting: { close: true }, greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } }, { remembered: [remembered(EHLO_FULL)] });
    assert.equal(c.earlyTalkRefused, true);
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-refused']);
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && !event.lasting));
    assert.ok(c.events.some((event) => event.kind === 'note' && event.note.code === 'pipeconnect-refused' && !event.note.lasting));
  });

  it('after a 220, an early EHLO refused is forgotten and EHLO is sent again the usual way', async () => {
    let ehlos = 0;
    const c = await converse({ replies: { EHLO: () => (++ehlos === 1 ? '503 5.5.1 early talker' : EHLO_FULL) } }, { remembered: [remembered(EHLO_FULL)] });
    assert.equal(c.error, undefined);
    assert.deepEqual(c.writes.slice(0, 2), ['EHLO client.test\r\n', 'EHLO client.test\r\n']);
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-ehlo-refused']);
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && event.lasting));
    assert.equal(c.earlyTalkRefused, false);
    assert.equal(c.results?.[0]?.outcome, 'sent');
  });

  it('after a 220, an early EHLO answered 554 and a hang-up: the message may go again over a new connection', async () => {
    const c = await converse({ replies: { EHLO: { raw: '554 5.5.1 SMTP synchronization error\r\n', close: true } } }, { remembered: [remembered(EHLO_FULL)] });
    assert.ok(c.error instanceof TransportError, String(c.error));
    assert.equal(c.earlyTalkRefused, true);
    assert.ok(!c.writes.includes('QUIT\r\n'), c.writes.join(''));
  });

  it('after a 220, an early EHLO refused and the usual EHLO refused too: the refusal stands, QUIT is said, and the message does not go again', async () => {
    // 554, not 550: a 550 to EHLO brings HELO (RFC 5321 §4.1.4).
    const c = await converse({ replies: { EHLO: '554 5.7.1 Go away' } }, { remembered: [remembered(EHLO_FULL)] });
    assert.ok(c.error instanceof SmtpReplyError, String(c.error));
    assert.equal(c.earlyTalkRefused, false);
    assert.deepEqual(c.writes, ['EHLO client.test\r\n', 'EHLO client.test\r\n', 'QUIT\r\n']);
  });

  it('after a 220, an early EHLO answered 421: nothing more on that connection, and the message may go again', async () => {
    const c = await converse({ replies: { EHLO: '421 4.3.2 Too early' } }, { remembered: [remembered(EHLO_FULL)] });
    assert.ok(c.error instanceof TransportError && c.error.fact.code === 'MAILV_SERVICE_CLOSING', String(c.error));
    assert.deepEqual(c.writes, ['EHLO client.test\r\n']);
    assert.equal(c.earlyTalkRefused, true);
    // Said as what happens: a new connection, not EHLO again after the greeting on this one.
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-refused']);
  });

  it('a 421 greeting after an early EHLO: no QUIT, the server forgotten for now, and the message may go again', async () => {
    const c = await converse(
      { greeting: { raw: '421 4.3.2 Busy\r\n', close: true }, greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } },
      { remembered: [remembered(EHLO_FULL)] },
    );
    assert.ok(c.error instanceof SmtpReplyError);
    assert.deepEqual(c.writes, ['EHLO client.test\r\n']);
    assert.ok(!notes(c.events).includes('quit-unanswered'), notes(c.events).join(', '));
    // A server that refuses early talkers with 421 would otherwise refuse every send for a day.
    assert.equal(c.earlyTalkRefused, true);
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && !event.lasting));
  });

  it('an early EHLO left unanswered after a 220 for the whole time limit: no early talk for a day (else each send waits as long), and the message may go again', async () => {
    let ehlos = 0;
    const c = await converse(
      { replies: { EHLO: () => (++ehlos === 1 ? { silent: true } : EHLO_FULL) } },
      { remembered: [remembered(EHLO_FULL)], timeouts: new Timeouts(200) },
    );
    assert.ok(c.error instanceof TransportError && c.error.reason === 'timeout', String(c.error));
    assert.equal(c.earlyTalkRefused, true);
    const forgotten = c.events.find((event) => event.kind === 'ehlo-forgotten');
    // The key alone, as --json documents it: not the remembered reply it was found with.
    assert.deepEqual(forgotten, {
      kind: 'ehlo-forgotten',
      key: { host: 'mx.test', address: 'mx.test', port: 0, tls: 'clear', helo: 'client.test' },
      lasting: true,
    });
    assert.deepEqual(notes(c.events), ['pipeconnect-early', 'pipeconnect-refused']);
  });

  it('a greeting that never comes after an early EHLO says nothing of early talk: the server stays remembered, and the message does not go again', async () => {
    const c = await converse({ greetingDelayMs: 1000, replies: { EHLO: EHLO_FULL } }, { remembered: [remembered(EHLO_FULL)], timeouts: new Timeouts(200) });
    assert.ok(c.error instanceof TransportError && c.error.reason === 'timeout' && c.error.stage === 'greeting', String(c.error));
    assert.equal(c.earlyTalkRefused, false);
    assert.ok(!c.events.some((event) => event.kind === 'ehlo-forgotten'));
    assert.deepEqual(notes(c.events), ['pipeconnect-early']);
  });

  it('learns nothing, and says nothing learnt, of a server the memory has as refusing early talk for now, nor of a reply too large to keep', async () => {
    const refusing = await converse({ replies: { EHLO: EHLO_FULL } }, { remembered: [], refusesEarly: (key) => key.host === 'mx.test' });
    assert.equal(refusing.error, undefined);
    assert.ok(!refusing.events.some((event) => event.kind === 'ehlo-learned' || event.kind === 'ehlo-forgotten'));
    const huge = `${EHLO_FULL}\r\n${Array.from({ length: 30 }, (_, index) => `250-X-E${index} ${'a'.repeat(200)}`).join('\r\n')}\r\n250 8BITMIME`.replace(
      '250 CHUNKING',
      '250-CHUNKING',
    );
    for (const memory of [[], [remembered(EHLO_FULL)]]) {
      const c = await converse({ replies: { EHLO: huge } }, { remembered: memory, refusesEarly: () => false });
      assert.equal(c.error, undefined);
      assert.ok(!c.events.some((event) => event.kind === 'ehlo-learned'));
      // What was remembered of the server, smaller, is forgotten: it is as a server without PIPECONNECT.
      assert.equal(c.events.filter((event) => event.kind === 'ehlo-forgotten').length, memory.length);
      // And the change is said as such: before, "remembered anew", of a reply nothing kept.
      const changed = c.events.find((event) => event.kind === 'note' && event.note.code === 'pipeconnect-changed');
      if (memory.length > 0)
        assert.deepEqual(changed?.kind === 'note' ? changed.note : undefined, { code: 'pipeconnect-changed', stillOffered: true, tooLarge: true });
    }
  });

  it('a changed reply that no longer offers PIPECONNECT is said to be forgotten, not remembered anew', async () => {
    const now = '250-exim.test Hello\r\n250 PIPELINING';
    const c = await converse({ replies: { EHLO: now } }, { remembered: [remembered(EHLO_FULL)] });
    const changed = c.events.find((event) => event.kind === 'note' && event.note.code === 'pipeconnect-changed');
    assert.ok(changed?.kind === 'note' && changed.note.code === 'pipeconnect-changed' && changed.note.stillOffered === false);
    assert.ok(!c.events.some((event) => event.kind === 'ehlo-learned'));
    assert.ok(c.events.some((event) => event.kind === 'ehlo-forgotten' && event.key.host === 'mx.test' && !event.lasting));
  });

  it('says nothing learned of a server that offers no PIPECONNECT and was never remembered (--json shows only what is kept)', async () => {
    const plain = '250-postfix.test\r\n250-PIPELINING\r\n250 CHUNKING';
    const elsewhere = { ...remembered(EHLO_FULL), host: 'other.test', address: 'other.test' };
    for (const memory of [[], [elsewhere]]) {
      const c = await converse({ replies: { EHLO: plain } }, { remembered: memory });
      assert.equal(c.error, undefined);
      assert.deepEqual(
        c.events.filter((event) => event.kind === 'ehlo-learned' || event.kind === 'ehlo-forgotten'),
        [],
      );
    }
  });

  it('sends nothing early to a server remembered without PIPELINING: early EHLO is pipelining', async () => {
    const withoutPipelining = '250-exim.test Hello\r\n250 PIPECONNECT';
    const c = await converse({ greetingDelayMs: 30, replies: { EHLO: withoutPipelining } }, { remembered: [remembered(withoutPipelining)] });
    assert.deepEqual(c.timeline.slice(0, 2), ['S:220 scripted.test ESMTP\r\n', 'C:EHLO client.test\r\n']);
    assert.ok(!notes(c.events).includes('pipeconnect-early'));
  });

  it('remembers nothing and sends nothing early when the plan carries no memory', async () => {
    const c = await converse({ greetingDelayMs: 30, replies: { EHLO: EHLO_FULL } }, {});
    assert.deepEqual(c.timeline.slice(0, 2), ['S:220 scripted.test ESMTP\r\n', 'C:EHLO client.test\r\n']);
    assert.ok(!c.events.some((event) => event.kind === 'ehlo-learned'));
  });
});
