// The load summary as words: the latency table's figures under their headings whatever rows it
// has, and a run stopped by a login refused for good said as such, in English and French.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadReport } from '../../dist/load/facts.js';
import { AuthError, InterruptedError, ProtocolError, SmtpReplyError, TransportError } from '../../dist/errors.js';
import { Tally } from '../../dist/load/tally.js';
import { loadSummaryJson, loadSummaryLines } from '../../dist/render/load-summary.js';
import { wordsFor } from '../../dist/words/describe.js';

const latency = { samples: 2, p50: 1.25, p90: 2.5, p99: 2.5, max: 2.5 };
const refusedLogin: NonNullable<LoadReport['decidedBy']> = {
  kind: 'error',
  error: {
    code: 'MAILV_AUTH_REFUSED',
    user: 'alice',
    mechanism: 'PLAIN',
    reply: { code: 535, enhanced: '5.7.8', lines: ['Bad credentials'], raw: ['535 5.7.8 Bad credentials'] },
  },
};

/** Two messages failed at the login, eight never started: no transaction row. */
const report: LoadReport = {
  count: 10,
  accepted: 0,
  failed: 2,
  refused: 2,
  deferred: 0,
  connections: 2,
  resent: 0,
  resentBehindClosing: 0,
  quitUnanswered: { connections: 0, timedOut: 0 },
  resumptionsFailed: 0,
  tlsResumed: 0,
  tlsUnverified: 0,
  certificatesUnchecked: false,
  connectionFaults: { count: 0, first: [] },
  elapsedMs: 1000,
  acceptedWithinMs: 1000,
  connect: latency,
  greeting: latency,
  tls: undefined,
  auth: latency,
  transaction: undefined,
  replies: [['535 5.7.8', 2]],
  failures: [{ failure: refusedLogin, count: 2, firstMs: 12, lastMs: 40, acceptedBefore: 0, underWay: 0, connectionsOpen: 0 }],
  failuresNotShown: undefined,
  status: 77,
  decidedBy: refusedLogin,
  reachedSomeone: false,
  stopped: { failure: refusedLogin, unsent: 8, by: 'login-refused' },
  interrupted: undefined,
  cutShort: undefined,
};

describe('load summary', () => {
  it('puts each figure under its heading when the longest row name is shorter than the title', () => {
    for (const language of ['en', 'fr'] as const) {
      const lines = loadSummaryLines(report, wordsFor(language));
      const header = lines.findIndex((line) => /p50 +p90 +p99 +max +(samples|mesures)$/.test(line));
      assert.ok(header >= 0, lines.join('\n'));
      const p50End = lines[header]!.indexOf('p50') + 3;
      for (const row of lines.slice(header + 1, header + 4))
        assert.equal(row.indexOf(language === 'fr' ? '1,25' : '1.25') + 4, p50End, `${language}:\n${lines.join('\n')}`);
    }
  });

  it('says a run was stopped by a login refused for good, not by --stop-on-error', () => {
    const [en, fr] = [wordsFor('en'), wordsFor('fr')].map((words) => loadSummaryLines(report, words).join('\n'));
    assert.match(en!, /^stopped: the login was refused, as it would be on every connection, 8 messages not sent: /m);
    assert.doesNotMatch(en!, /--stop-on-error/);
    assert.match(fr!, /^arrêt : l’authentification a été refusée, et le serait à chaque connexion, 8 messages non envoyés : /m);
    assert.equal((JSON.parse(loadSummaryJson(report)) as { stopped: { by: string } }).stopped.by, 'login-refused');
  });

  it('says one message in the singular, in English and French', () => {
    const one = { ...report, count: 1, accepted: 1, failed: 0, connections: 1 };
    assert.match(loadSummaryLines(one, wordsFor('en'))[0]!, /^1 message in 1\.000 s over 1 connection: 1 accepted, 0 failed$/);
    assert.match(loadSummaryLines(one, wordsFor('fr'))[0]!, /^1 message en 1,000 s sur 1 connexion : 1 accepté, 0 en échec$/);
  });

  it('writes French decimals with a comma, and a space before each colon', () => {
    const french = loadSummaryLines({ ...report, elapsedMs: 1235 }, wordsFor('fr'));
    assert.match(french[0]!, /^10 messages en 1,235 s sur 2 connexions : /);
    assert.ok(french.includes('latence (ms) :       p50      p90      p99      max  mesures'), french.join('\n'));
    assert.ok(french.includes('  connexion         1,25     2,50     2,50     2,50        2'), french.join('\n'));
    assert.ok(french.includes('réponses : 535 5.7.8 × 2'), french.join('\n'));
    const english = loadSummaryLines({ ...report, elapsedMs: 1235 }, wordsFor('en'));
    assert.ok(english.includes('  connect          1.25     2.50     2.50     2.50        2'), english.join('\n'));
  });

  it('counts the failures unlike the five kept (a server that puts an id in each refusal), in the text and in --json', () => {
    let now = 0;
    const tally = new Tally(
      20,
      () => {},
      false,
      () => now,
    );
    for (let index = 1; index <= 8; index++) {
      now = index * 100;
      const reply = { code: 451, enhanced: '4.3.0', lines: [`busy ${index}`], raw: [`451 4.3.0 busy ${index}`] };
      tally.fail(new SmtpReplyError({ code: 'MAILV_SENDER_REFUSED', from: 'a@example.org', reply }, 'mail', reply));
    }
    const report = tally.report(20, 1000, 0);
    assert.equal(report.failures.length, 5);
    // Before, the other three were counted nowhere: the five lines said 5 of 8 failures.
    assert.deepEqual(report.failuresNotShown, { count: 3, firstMs: 600, lastMs: 800 });
    const english = loadSummaryLines(report, wordsFor('en'));
    assert.equal(english.at(-1), '3 × other failures, unlike those above, not shown one by one: first at 0.600 s, last at 0.800 s');
    assert.match(loadSummaryLines(report, wordsFor('fr')).at(-1)!, /^3 × autres échecs, .* : le premier à 0,600 s, le dernier à 0,800 s$/);
    assert.deepEqual((JSON.parse(loadSummaryJson(report)) as { failuresNotShown: unknown }).failuresNotShown, { count: 3, firstMs: 600, lastMs: 800 });
    assert.equal((JSON.parse(loadSummaryJson({ ...report, failuresNotShown: undefined })) as { failuresNotShown: unknown }).failuresNotShown, null);
  });

  it('gives in --json what tells two failures of one code apart, as the text does: the fact and its reason in English', () => {
    const lost = (errno: string | undefined, reason: 'closed' | 'reset') => ({
      kind: 'error' as const,
      error: { code: 'MAILV_CONNECTION_LOST' as const, stage: 'rset' as const, reason, errno, midReply: false },
    });
    const malformed = {
      kind: 'error' as const,
      error: { code: 'MAILV_REPLY_SYNTAX' as const, stage: 'body' as const, fault: { fault: 'malformed' as const, text: '2500 too long' } },
    };
    const seen = (failure: LoadReport['failures'][number]['failure']) => ({
      failure,
      count: 1,
      firstMs: 1,
      lastMs: 1,
      acceptedBefore: 0,
      underWay: 0,
      connectionsOpen: 0,
    });
    const json = JSON.parse(
      loadSummaryJson({
        ...report,
        failures: [seen(lost(undefined, 'closed')), seen(lost('EPIPE', 'reset')), seen(malformed)],
        connectionFaults: { count: 1, first: [{ error: malformed.error, count: 1 }] },
      }),
    ) as { failures: { reason: string; error: { errno?: string; fault?: { text: string } } }[]; connectionFaults: { first: { reason: string }[] } };
    // Before, the first two were the same object, and the malformed line was nowhere.
    assert.notEqual(json.failures[0]!.reason, json.failures[1]!.reason);
    assert.equal(json.failures[1]!.error.errno, 'EPIPE');
    assert.equal(json.failures[2]!.error.fault?.text, '2500 too long');
    assert.match(json.failures[2]!.reason, /2500 too long/);
    assert.match(json.connectionFaults.first[0]!.reason, /2500 too long/);
    // In English whatever the run's language, as every event's reason.
    assert.doesNotMatch(json.failures[0]!.reason, /[àéè]/);
  });

  it('warns of certificates that did not verify, or were not checked (--insecure), as a single send does in its dialogue', () => {
    const tls = { samples: 5, p50: 1, p90: 1, p99: 1, max: 1 };
    assert.ok(!loadSummaryLines({ ...report, tls }, wordsFor('en')).some((line) => line.startsWith('Warning')));
    const unverified = loadSummaryLines({ ...report, tls, tlsUnverified: 3 }, wordsFor('en'));
    assert.ok(
      unverified.includes(
        "Warning: the server's certificate did NOT verify in 3 of 5 TLS handshakes: anyone on the path could have posed as the server (--ca <file> trusts its CA; --tls required sends nothing to such a server)",
      ),
      unverified.join('\n'),
    );
    const unchecked = loadSummaryLines({ ...report, tls, tlsUnverified: 5, certificatesUnchecked: true }, wordsFor('fr'));
    assert.ok(
      unchecked.includes(
        'Attention : les certificats n’ont pas été vérifiés (--insecure) : n’importe qui sur le chemin aurait pu se faire passer pour le serveur',
      ),
      unchecked.join('\n'),
    );
    const json = JSON.parse(loadSummaryJson({ ...report, tls, tlsUnverified: 3 })) as { tlsUnverified: number; certificatesUnchecked: boolean };
    assert.deepEqual([json.tlsUnverified, json.certificatesUnchecked], [3, false]);
    // Why the first did not verify, and only the advice that fits it: no CA mends a name mismatch.
    const problem = { kind: 'name-mismatch' as const, altNames: 'DNS:mail.example.org' };
    const mismatch = loadSummaryLines({ ...report, tls, tlsUnverified: 2, tlsUnverifiedProblem: problem }, wordsFor('en'));
    assert.ok(
      mismatch.includes(
        "Warning: the server's certificate did NOT verify in 2 of 5 TLS handshakes (name mismatch: the certificate is for DNS:mail.example.org): anyone on the path could have posed as the server (--tls required sends nothing to such a server)",
      ),
      mismatch.join('\n'),
    );
    const unknownCa = loadSummaryLines({ ...report, tls, tlsUnverified: 2, tlsUnverifiedProblem: { kind: 'unknown-ca' } }, wordsFor('fr'));
    assert.ok(
      unknownCa.some((line) => line.includes('(autorité de certification inconnue)') && line.includes('--ca <fichier> fait confiance à son AC')),
      unknownCa.join('\n'),
    );
    const withProblem = JSON.parse(loadSummaryJson({ ...report, tls, tlsUnverified: 2, tlsUnverifiedProblem: problem })) as { tlsUnverifiedProblem: unknown };
    assert.deepEqual(withProblem.tlsUnverifiedProblem, problem);
  });

  it("counts a reply no command asked for among the replies, once however many messages its failure ended (qmail's 451 at its idle timeout)", () => {
    const tally = new Tally(3, () => {});
    const fault = { fault: 'unsolicited' as const, text: '451 4.4.2 idle timeout', code: 451, enhanced: '4.4.2' };
    // The connection keeps the fault; each message it ends gets an error of its own made from it.
    for (let message = 0; message < 2; message++) tally.fail(new ProtocolError({ code: 'MAILV_REPLY_SYNTAX', stage: 'mail', fault }, 'mail'));
    tally.connectionBroken(new ProtocolError({ code: 'MAILV_REPLY_SYNTAX', stage: 'rset', fault }, 'rset'));
    // Before, not counted at all, where an unsolicited 421 was.
    assert.deepEqual(tally.report(3, 100, 0).replies, [['451 4.4.2', 1]]);
  });

  it('gives a slow rate with its tenths, not rounded to a whole message a second', () => {
    const slow = { ...report, accepted: 3, failed: 0, elapsedMs: 4000, acceptedWithinMs: 4000 };
    assert.ok(loadSummaryLines(slow, wordsFor('en')).includes('0.8 messages accepted per second'));
    assert.ok(loadSummaryLines(slow, wordsFor('fr')).includes('0,8 message accepté par seconde'));
  });

  it('counts the rate up to the last message accepted: a goodbye the server was slow to answer does not bring it to nothing', () => {
    const waited = { ...report, count: 2, accepted: 2, failed: 0, elapsedMs: 60_101, acceptedWithinMs: 50 };
    const lines = loadSummaryLines(waited, wordsFor('en'));
    assert.match(lines[0]!, /^2 messages in 60\.101 s /);
    assert.ok(lines.includes('40 messages accepted per second'), lines.join('\n'));
    assert.equal((JSON.parse(loadSummaryJson(waited)) as { perSecond: number; ms: number }).perSecond, 40);
  });

  it('counts the rate of a run stopped with messages never started up to the stop, not up to its last message accepted', () => {
    let now = 10;
    // --rate 0.5, stopped by a signal two seconds in: one message accepted 10 ms after the start.
    const tally = new Tally(
      10,
      () => {},
      false,
      () => now,
    );
    tally.accepted = 1;
    tally.lastVerdictAt = 10;
    now = 2000;
    tally.stoppedNow();
    // The QUITs after the stop were slow to be answered: they do not count.
    const stopped = tally.report(10, 7000, 0, 'SIGINT');
    assert.equal(stopped.acceptedWithinMs, 2000);
    assert.ok(loadSummaryLines(stopped, wordsFor('en')).includes('0.5 messages accepted per second'));
    // --stop-on-error at the 50th message, 100 ms in, the QUITs then answered 5 s later: up to the stop.
    now = 100;
    const failing = new Tally(
      200,
      () => {},
      true,
      () => now,
    );
    failing.accepted = 49;
    failing.lastVerdictAt = 95;
    const reply = { code: 554, enhanced: undefined, lines: ['no'], raw: ['554 no'] };
    failing.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply }, 'body', reply));
    assert.equal(failing.report(200, 5100, 0).acceptedWithinMs, 100);
    // Every message through: up to the last one accepted, as before.
    const through = new Tally(1, () => {});
    through.accepted = 1;
    through.lastVerdictAt = 10;
    through.stoppedNow();
    assert.equal(through.report(1, 2000, 0).acceptedWithinMs, 10);
  });

  it('counts the rate up to the last verdict, accepted or not: a server that takes ten messages and defers twenty over half a minute is not said to take hundreds a second', () => {
    let now = 0;
    const tally = new Tally(
      30,
      () => {},
      false,
      () => now,
    );
    tally.accepted = 10;
    tally.lastVerdictAt = 52;
    const reply = { code: 421, enhanced: '4.7.0', lines: ['4.7.0 Rate limited'], raw: ['421 4.7.0 Rate limited'] };
    for (now = 1000; now < 30_000; now += 1500) tally.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply }, 'mail', reply));
    const report = tally.report(30, 31_083, 0);
    assert.deepEqual(
      { accepted: report.accepted, deferred: report.deferred, acceptedWithinMs: report.acceptedWithinMs },
      { accepted: 10, deferred: 20, acceptedWithinMs: 29_500 },
    );
    assert.ok(loadSummaryLines(report, wordsFor('en')).includes('0.3 messages accepted per second'), loadSummaryLines(report, wordsFor('en')).join('\n'));
  });

  it('does not stretch the rate over a stall only mailv’s time limit ended: that says nothing of the server’s pace', () => {
    let now = 0;
    const tally = new Tally(
      1001,
      () => {},
      false,
      () => now,
    );
    for (now = 10; now <= 10_000; now += 10) tally.accept();
    now = 300_000;
    tally.fail(new TransportError({ code: 'MAILV_TIMEOUT', stage: 'body', ms: 290_000, waiting: 'reply' }, 'body', 'timeout'));
    const report = tally.report(1001, 300_050, 0);
    assert.deepEqual(
      { accepted: report.accepted, deferred: report.deferred, acceptedWithinMs: report.acceptedWithinMs },
      { accepted: 1000, deferred: 1, acceptedWithinMs: 10_000 },
    );
  });

  it('says a run interrupted with messages under way and never started, in English and French', () => {
    const cut = { ...report, interrupted: { signal: 'SIGINT' as const, unconfirmed: 1, unsent: 8 } };
    assert.ok(loadSummaryLines(cut, wordsFor('en')).includes('interrupted (SIGINT): 1 message under way with no verdict, 8 never started'));
    assert.ok(loadSummaryLines(cut, wordsFor('fr')).includes('interrompu (SIGINT) : 1 message en cours sans verdict, 8 jamais commencés'));
    const none = { ...report, interrupted: { signal: 'SIGTERM' as const, unconfirmed: 0, unsent: 1 } };
    assert.ok(loadSummaryLines(none, wordsFor('en')).includes('interrupted (SIGTERM): 1 message never started'));
    assert.ok(loadSummaryLines(none, wordsFor('fr')).includes('interrompu (SIGTERM) : 1 message jamais commencé'));
    // Every verdict in, a connection still waiting for its goodbye: no "0 messages never started".
    const closing = { ...report, interrupted: { signal: 'SIGINT' as const, unconfirmed: 0, unsent: 0 } };
    assert.ok(loadSummaryLines(closing, wordsFor('en')).includes('interrupted (SIGINT) after every message had its verdict, while the connections closed'));
    assert.ok(
      loadSummaryLines(closing, wordsFor('fr')).includes('interrompu (SIGINT) après le verdict de chaque message, pendant la fermeture des connexions'),
    );
  });

  it('says how many messages went again over a new connection, only when some did, in English and French', () => {
    const resent = { ...report, resent: 1 };
    assert.ok(
      loadSummaryLines(resent, wordsFor('en')).includes(
        '1 message sent again over a new connection: the connection that carried its envelope was lost before its content went out',
      ),
    );
    assert.ok(
      loadSummaryLines(resent, wordsFor('fr')).includes(
        '1 message renvoyé sur une nouvelle connexion : la connexion qui portait son enveloppe a été perdue avant l’envoi de son contenu',
      ),
    );
    assert.ok(!loadSummaryLines(report, wordsFor('en')).some((line) => line.includes('sent again')));
    assert.equal((JSON.parse(loadSummaryJson(resent)) as { resent: number }).resent, 1);
    // Written whole behind a 421, a message's content did leave: said apart from the envelopes lost.
    const both = { ...report, resent: 3, resentBehindClosing: 1 };
    assert.deepEqual(
      loadSummaryLines(both, wordsFor('en')).filter((line) => line.includes('sent again')),
      [
        '2 messages sent again over a new connection: each time, the connection that carried the envelope was lost before the content went out',
        '1 message sent again over a new connection: it was written whole behind one the server answered 421, and the server, closing, read none of it',
      ],
    );
    assert.deepEqual(
      loadSummaryLines({ ...report, resent: 2, resentBehindClosing: 2 }, wordsFor('fr')).filter((line) => line.includes('renvoyé')),
      [
        '2 messages renvoyés sur une nouvelle connexion : chacun avait été écrit en entier derrière un message auquel le serveur a répondu 421, et le serveur, qui fermait, n’en a rien lu',
      ],
    );
    assert.deepEqual(JSON.parse(loadSummaryJson(both)) as object, { ...(JSON.parse(loadSummaryJson(both)) as object), resent: 3, resentBehindClosing: 1 });
  });

  it('says on how many connections the kept TLS session failed (a handshake, or a hang-up right after), only when one did, in English and French', () => {
    const said = (connections: number, language: 'en' | 'fr') =>
      loadSummaryLines({ ...report, resumptionsFailed: connections }, wordsFor(language)).filter((line) => line.includes('TLS'));
    assert.deepEqual(said(0, 'en'), []);
    assert.deepEqual(said(3, 'en'), [
      'the TLS session kept from an earlier run failed on 3 connections that offered it (the handshake failed, or the server hung up right after resuming it): the session is forgotten, none is offered to this server for a day, and their messages went again over new connections',
    ]);
    assert.deepEqual(said(1, 'fr'), [
      'la session TLS gardée d’une exécution précédente a échoué sur 1 connexion qui la proposait (la négociation a échoué, ou le serveur a raccroché juste après l’avoir reprise) : la session est oubliée, aucune n’est proposée à ce serveur pendant un jour, et son message est reparti par une nouvelle connexion',
    ]);
    assert.equal((JSON.parse(loadSummaryJson({ ...report, resumptionsFailed: 3 })) as { resumptionsFailed: number }).resumptionsFailed, 3);
  });

  it('says how many TLS handshakes resumed a session, when there was TLS, in English and French', () => {
    const withTls = { ...report, tls: latency, tlsResumed: 199 };
    assert.ok(!loadSummaryLines(report, wordsFor('en')).some((line) => line.startsWith('TLS:')));
    assert.ok(
      loadSummaryLines({ ...withTls, tls: { ...latency, samples: 200 } }, wordsFor('en')).includes(
        'TLS: 199 of 200 handshakes resumed a session (no certificate sent, one round trip less in TLS 1.2)',
      ),
    );
    assert.ok(
      loadSummaryLines({ ...withTls, tls: { ...latency, samples: 1 }, tlsResumed: 1 }, wordsFor('fr')).includes(
        'TLS : 1 négociation sur 1 a repris une session (sans certificat, un aller-retour de moins en TLS 1.2)',
      ),
    );
    assert.equal((JSON.parse(loadSummaryJson(withTls)) as { tlsResumed: number }).tlsResumed, 199);
  });

  it('names the MX host loaded, and an address literal once, as the literal it is, in English and French', () => {
    const first = (target: NonNullable<LoadReport['target']>, language: 'en' | 'fr') => loadSummaryLines({ ...report, target }, wordsFor(language))[0];
    assert.equal(
      first({ host: 'mx1.example.org.', address: '192.0.2.25', port: 25 }, 'en'),
      'load sent to mx1.example.org. [192.0.2.25] port 25, the first MX host that accepted a connection',
    );
    assert.equal(first({ host: '[192.0.2.1]', address: '192.0.2.1', port: 2617 }, 'en'), "load sent to [192.0.2.1] port 2617, the recipients' address literal");
    assert.equal(
      first({ host: '[192.0.2.1]', address: '192.0.2.1', port: 25 }, 'fr'),
      'charge envoyée à [192.0.2.1] port 25, le littéral d’adresse des destinataires',
    );
  });

  it('says nothing of what resuming saves when no handshake resumed: each of them sent its certificate', () => {
    const none = { ...report, tls: { ...latency, samples: 2 }, tlsResumed: 0 };
    assert.ok(loadSummaryLines(none, wordsFor('en')).includes('TLS: 0 of 2 handshakes resumed a session'));
    assert.ok(loadSummaryLines(none, wordsFor('fr')).includes('TLS : 0 négociation sur 2 a repris une session'));
  });

  it('says how many connections were broken with no message lost, and each distinct cause under it, only when one was, in English and French', () => {
    const timedOut = { code: 'MAILV_TIMEOUT', stage: 'rset', ms: 5000, waiting: 'reply' } as const;
    const closed = {
      code: 'MAILV_UNEXPECTED_REPLY',
      stage: 'rset',
      reply: { code: 554, enhanced: undefined, lines: ['go away'], raw: ['554 go away'] },
    } as const;
    const faults: LoadReport['connectionFaults'] = {
      count: 3,
      first: [
        { error: timedOut, count: 2 },
        { error: closed, count: 1 },
      ],
    };
    const said = (connectionFaults: LoadReport['connectionFaults'], language: 'en' | 'fr') => {
      const lines = loadSummaryLines({ ...report, connectionFaults }, wordsFor(language));
      const at = lines.findIndex((line) => /broken|rompue/.test(line));
      return at === -1 ? [] : lines.slice(at, at + 1 + connectionFaults.first.length);
    };
    assert.deepEqual(said({ count: 0, first: [] }, 'en'), []);
    const english = said(faults, 'en');
    assert.equal(
      english[0],
      '3 connections broken between messages, no message lost with them (the messages they would have carried were left for other connections):',
    );
    assert.deepEqual(english.slice(1), ['  2 × timed out after 5 s waiting for the reply (rset)', '  1 × unexpected reply during rset: 554 go away']);
    assert.deepEqual(
      said({ count: 1, first: [{ error: closed, count: 1 }] }, 'fr')[0],
      '1 connexion rompue entre deux messages, sans perte de message (les messages qu’elle aurait portés ont été laissés à une autre connexion) :',
    );
    const json = JSON.parse(loadSummaryJson({ ...report, connectionFaults: faults })) as { connectionFaults: unknown };
    assert.deepEqual(json.connectionFaults, {
      count: 3,
      first: [
        {
          count: 2,
          code: 'MAILV_TIMEOUT',
          stage: 'rset',
          reply: null,
          reason: 'timed out after 5 s waiting for the reply (rset)',
          error: faults.first[0]!.error,
        },
        {
          count: 1,
          code: 'MAILV_UNEXPECTED_REPLY',
          stage: 'rset',
          reply: '554 go away',
          reason: 'unexpected reply during rset: 554 go away',
          error: JSON.parse(JSON.stringify(faults.first[1]!.error)),
        },
      ],
    });
  });

  it('says how many connections got no reply to QUIT, and on how many mailv waited for it to the time limit', () => {
    const lines = (connections: number, timedOut: number, language: 'en' | 'fr') =>
      loadSummaryLines({ ...report, quitUnanswered: { connections, timedOut } }, wordsFor(language)).filter((line) => line.includes('QUIT'));
    assert.deepEqual(lines(0, 0, 'en'), []);
    assert.deepEqual(lines(3, 0, 'en'), ['no reply to QUIT on 3 connections: the server closed them without one']);
    assert.deepEqual(lines(1, 1, 'en'), ['no reply to QUIT on 1 connection: mailv waited for it until the time limit']);
    assert.deepEqual(lines(3, 2, 'en'), [
      'no reply to QUIT on 3 connections: mailv waited for it until the time limit on 2 of them, the server closed the others without one',
    ]);
    assert.deepEqual(lines(3, 3, 'fr'), ['QUIT sans réponse sur 3 connexions : mailv l’a attendue jusqu’à la fin du délai sur chacune']);
    assert.deepEqual(
      (JSON.parse(loadSummaryJson({ ...report, quitUnanswered: { connections: 3, timedOut: 2 } })) as { quitUnanswered: unknown }).quitUnanswered,
      {
        connections: 3,
        timedOut: 2,
      },
    );
  });

  it('counts at most 100 distinct replies apart: past them, a new enhanced code is counted under its reply code alone', () => {
    const tally = new Tally(1000, () => {});
    for (let detail = 0; detail < 300; detail++) tally.reply(550, `5.7.${detail}`);
    tally.reply(550, '5.7.3');
    tally.reply(250, '2.0.0');
    const replies = new Map(tally.report(1000, 10, 0).replies);
    // 100 kept apart, then 550 and 250 alone.
    assert.equal(replies.size, 102);
    assert.equal(replies.get('550 5.7.3'), 2);
    assert.equal(replies.get('550'), 200);
    assert.equal(replies.get('250'), 1);
  });

  it("names the stage of a failure in --json when the failure has one (a time limit's)", () => {
    const tally = new Tally(
      1,
      () => {},
      false,
      () => 1007.5,
    );
    tally.fail(new TransportError({ code: 'MAILV_TIMEOUT', stage: 'ehlo', ms: 1000, waiting: 'reply' }, 'ehlo', 'timeout'));
    const json = JSON.parse(loadSummaryJson(tally.report(1, 1010, 1000))) as { failures: { code: string; stage?: string }[] };
    assert.deepEqual(json.failures[0], {
      count: 1,
      code: 'MAILV_TIMEOUT',
      stage: 'ehlo',
      reply: null,
      reason: 'timed out after 1 s waiting for the reply (ehlo)',
      error: { code: 'MAILV_TIMEOUT', stage: 'ehlo', ms: 1000, waiting: 'reply' },
      firstMs: 7.5,
      lastMs: 7.5,
      acceptedBefore: 0,
      underWay: 0,
      connectionsOpen: 0,
    });
  });

  it('says when each distinct failure first and last came, and after how many messages accepted: where a limit began to bite', () => {
    let clock = 5000;
    const tally = new Tally(
      40,
      () => {},
      false,
      () => clock,
    );
    const reply = (code: number, text: string) => ({ code, enhanced: undefined, lines: [text], raw: [`${code} ${text}`] });
    const deferred = () =>
      new SmtpReplyError({ code: 'MAILV_SENDER_REFUSED', from: 'a@example.org', reply: reply(421, 'slow down') }, 'mail', reply(421, 'slow down'));
    tally.accepted = 20;
    clock = 6234.75;
    tally.fail(deferred());
    tally.accepted = 21;
    clock = 7000;
    // Read while 3 messages were under way on 2 other connections, whose verdicts were not known.
    tally.elsewhere = () => ({ connectionsOpen: 2, underWay: 3 });
    tally.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: reply(554, 'spam') }, 'body', reply(554, 'spam')));
    tally.elsewhere = () => ({ connectionsOpen: 1, underWay: 1 });
    clock = 9876.25;
    tally.fail(deferred());
    const seen = tally.report(40, 5000, 5000);
    assert.deepEqual(
      seen.failures.map(({ count, firstMs, lastMs, acceptedBefore, underWay, connectionsOpen }) => ({
        count,
        firstMs,
        lastMs,
        acceptedBefore,
        underWay,
        connectionsOpen,
      })),
      [
        { count: 2, firstMs: 1234.75, lastMs: 4876.25, acceptedBefore: 20, underWay: 0, connectionsOpen: 0 },
        { count: 1, firstMs: 2000, lastMs: 2000, acceptedBefore: 21, underWay: 3, connectionsOpen: 2 },
      ],
    );
    const english = loadSummaryLines(seen, wordsFor('en'));
    const french = loadSummaryLines(seen, wordsFor('fr'));
    const under = (lines: string[], start: RegExp) => lines[lines.findIndex((line) => start.test(line)) + 1];
    assert.equal(under(english, /^2 × /), '    first at 1.235 s, after 20 messages accepted; last at 4.876 s');
    assert.equal(under(english, /^1 × /), '    at 2.000 s, after 21 messages accepted, 2 other connections open with 3 messages under way');
    assert.equal(under(french, /^2 × /), '    la première fois à 1,235 s, après 20 messages acceptés ; la dernière fois à 4,876 s');
    assert.equal(under(french, /^1 × /), '    à 2,000 s, après 21 messages acceptés, 2 autres connexions ouvertes avec 3 messages en cours');
    const none = loadSummaryLines(report, wordsFor('en'));
    assert.equal(under(none, /^2 × /), '    first at 0.012 s, before any message was accepted; last at 0.040 s');
    assert.equal(
      under(loadSummaryLines(report, wordsFor('fr')), /^2 × /),
      '    la première fois à 0,012 s, avant qu’aucun message ne soit accepté ; la dernière fois à 0,040 s',
    );
    const json = JSON.parse(loadSummaryJson(seen)) as {
      failures: { firstMs: number; lastMs: number; acceptedBefore: number; underWay: number; connectionsOpen: number }[];
    };
    assert.deepEqual(
      json.failures.map(({ firstMs, lastMs, acceptedBefore, underWay, connectionsOpen }) => [firstMs, lastMs, acceptedBefore, underWay, connectionsOpen]),
      [
        [1234.75, 4876.25, 20, 0, 0],
        [2000, 2000, 21, 3, 2],
      ],
    );
    const onOne = (connectionsOpen: number, underWay: number, language: 'en' | 'fr') =>
      under(loadSummaryLines({ ...seen, failures: [{ ...seen.failures[1]!, connectionsOpen, underWay }] }, wordsFor(language)), /^1 × /);
    assert.equal(onOne(1, 1, 'en'), '    at 2.000 s, after 21 messages accepted, 1 other connection open with 1 message under way');
    assert.equal(onOne(1, 1, 'fr'), '    à 2,000 s, après 21 messages acceptés, 1 autre connexion ouverte avec 1 message en cours');
    // A limit on connections: refused while another was open, nothing under way on it.
    assert.equal(onOne(1, 0, 'en'), '    at 2.000 s, after 21 messages accepted, 1 other connection open');
    assert.equal(onOne(3, 0, 'fr'), '    à 2,000 s, après 21 messages acceptés, 3 autres connexions ouvertes');
  });

  it('a login refused for good is said as what stopped the run, even under --stop-on-error', () => {
    const tally = new Tally(5, () => {}, true);
    tally.fail(
      new AuthError(
        { code: 'MAILV_AUTH_REFUSED', user: 'alice', mechanism: 'PLAIN', reply: { code: 535, enhanced: '5.7.8', lines: ['No'], raw: ['535 5.7.8 No'] } },
        'auth',
      ),
    );
    assert.equal(tally.report(5, 10, 0).stopped?.by, 'login-refused');
  });

  it('--stop-on-error stopped at a deferral, then a message under way refused for good: the status is the refusal’s (69), not 75', () => {
    const tally = new Tally(5, () => {}, true);
    const reply = (code: number, text: string) => ({ code, enhanced: undefined, lines: [text], raw: [`${code} ${text}`] });
    tally.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: reply(452, 'full') }, 'body', reply(452, 'full')));
    tally.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: reply(554, 'spam') }, 'body', reply(554, 'spam')));
    const report = tally.report(5, 10, 0);
    assert.equal(report.stopped?.by, 'stop-on-error');
    assert.equal((report.stopped!.failure as { error: { reply: { code: number } } }).error.reply.code, 452);
    assert.equal(report.status, 69);
    assert.equal((report.decidedBy as { error: { reply: { code: number } } }).error.reply.code, 554);
  });

  it('a signal is no failure for --stop-on-error to stop at: the run says it was interrupted, once', () => {
    let stops = 0;
    const tally = new Tally(3, () => stops++, true);
    tally.fail(new InterruptedError('SIGTERM', 'mail'));
    const stopped = tally.report(3, 10, 0, 'SIGTERM');
    assert.equal(stopped.stopped, undefined);
    assert.deepEqual(stopped.interrupted, { signal: 'SIGTERM', unconfirmed: 0, unsent: 2 });
    assert.equal(stops, 0);
  });

  it('a signal after a message’s end was written leaves it with no verdict, neither accepted nor failed; one cut short before its end is deferred', () => {
    const tally = new Tally(10, () => {});
    tally.accepted = 3;
    assert.equal(tally.fail(new InterruptedError('SIGINT', 'body'), undefined, true), false);
    assert.equal(tally.fail(new InterruptedError('SIGINT', 'rcpt')), true);
    const report = tally.report(10, 10, 0, 'SIGINT');
    assert.deepEqual({ failed: report.failed, deferred: report.deferred, refused: report.refused }, { failed: 1, deferred: 1, refused: 0 });
    assert.deepEqual(report.interrupted, { signal: 'SIGINT', unconfirmed: 1, unsent: 5 });
    assert.equal(report.cutShort, undefined);
    assert.equal(report.status, 130);
  });

  it('a fault of mailv’s own cuts the run short: the messages under way are neither accepted nor failed, the status is 70', () => {
    const tally = new Tally(10, () => {});
    tally.accepted = 3;
    tally.fail(new InterruptedError('SIGABRT', 'body'));
    tally.fail(new InterruptedError('SIGABRT', 'mail'));
    const cut = tally.report(10, 10, 0, 'fault');
    assert.deepEqual(cut.cutShort, { by: 'fault', unconfirmed: 2, unsent: 5 });
    assert.equal(cut.interrupted, undefined);
    assert.deepEqual([cut.failed, cut.failures.length], [0, 0]);
    assert.equal(cut.status, 70);
    const line = (by: 'fault' | 'output', language: 'en' | 'fr', unconfirmed = 2, unsent = 5) =>
      loadSummaryLines({ ...cut, cutShort: { by, unconfirmed, unsent } }, wordsFor(language)).find((each) => /^(cut short|écourté)/.test(each));
    assert.equal(line('fault', 'en'), 'cut short by an internal error: 2 messages under way with no verdict, 5 never started');
    assert.equal(line('output', 'en', 1, 1), 'cut short by a write that failed: 1 message under way with no verdict, 1 never started');
    assert.equal(line('fault', 'fr'), 'écourté par une erreur interne : 2 messages en cours sans verdict, 5 jamais commencés');
    assert.equal(line('output', 'fr', 0, 1), 'écourté par une écriture impossible : 0 message en cours sans verdict, 1 jamais commencé');
    assert.deepEqual((JSON.parse(loadSummaryJson(cut)) as { cutShort: unknown }).cutShort, { by: 'fault', unconfirmed: 2, unsent: 5 });
    // A write that failed: 74, the output error's status.
    assert.equal(tally.report(10, 10, 0, 'output').status, 74);
  });

  it('a fault once every message had its verdict cut nothing short: the status is the messages’', () => {
    const tally = new Tally(2, () => {});
    tally.accepted = 2;
    const done = tally.report(2, 10, 0, 'fault');
    assert.equal(done.cutShort, undefined);
    assert.equal(done.status, 0);
    // The last message under way, none left to start: cut short all the same.
    tally.accepted = 1;
    tally.fail(new InterruptedError('SIGABRT', 'body'));
    assert.deepEqual(tally.report(2, 10, 0, 'fault').cutShort, { by: 'fault', unconfirmed: 1, unsent: 0 });
  });

  it('a fault after --stop-on-error stopped the run, nothing under way: the messages never started are the stop’s', () => {
    const tally = new Tally(8, () => {}, true);
    const reply = { code: 554, enhanced: undefined, lines: ['spam'], raw: ['554 spam'] };
    tally.accepted = 1;
    tally.fail(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply }, 'body', reply));
    const report = tally.report(8, 10, 0, 'fault');
    assert.equal(report.cutShort, undefined);
    assert.equal(report.stopped?.unsent, 6);
    assert.equal(report.status, 69);
  });
});
