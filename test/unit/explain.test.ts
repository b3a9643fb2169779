import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import type { Catalogue } from '../../dist/explain/catalogue.js';
import { en } from '../../dist/explain/en.js';
import { Explainer, catalogueFor } from '../../dist/explain/explainer.js';
import { chooseLanguage } from '../../dist/words/language.js';
import { fr } from '../../dist/explain/fr.js';
import { Capabilities } from '../../dist/smtp/capabilities.js';
import type { Command } from '../../dist/smtp/command.js';
import { makeReply } from '../../dist/smtp/reply.js';

const COMMON = {
  name: 'mx.example.org',
  mechanism: 'PLAIN',
  sender: 'alice@example.org',
  recipient: 'bob@example.org',
  octets: 1234,
  param: 'RET=HDRS',
  verb: 'NOOP',
  count: 3,
  limit: 10240000,
  mechanisms: 'PLAIN LOGIN',
  keyword: 'XUNKNOWN',
  limits: 'RCPTMAX=100',
  host: 'mx.example.org',
  protocol: 'TLSv1',
  cipher: 'TLS_AES_256_GCM_SHA384',
  rcode: 'NOTIMP',
  server: '192.0.2.53#53',
};
/** Keys whose `code` is not COMMON's. */
const SAMPLES: Partial<Record<keyof Catalogue, object>> = {
  replyStructure: { code: 250, severity: 'success', category: 'mail system' },
  // A free port as the system gives one: five digits.
  portDemo: { port: 39951 },
  enhancedGeneric: { code: '4.4.7', severity: 'persistent transient failure', subject: 'network and routing' },
  planPreference: { preferences: [10, 20] },
  planTie: { hosts: ['mx1.example.org.', 'mx2.example.org.'], preference: 10 },
  planImplicit: { domain: 'example.org' },
  planNullMx: { domain: 'example.org' },
  planNoMxHost: { domain: 'example.org' },
  paramNotify: { value: 'NEVER' },
  idnaDomain: { ascii: 'xn--caf-dma.example', unicode: 'café.example' },
  codeEhloRefused: { code: 550, verb: 'EHLO' },
  codeEhloRefusedEarly: { code: 550 },
  // The longer field.
  senderNotFrom: { field: 'Resent-From', from: 'alice@example.org' },
  headerNotEnvelope: { recipient: 'bob@example.org', field: 'Resent-Cc' },
};
/** Fragments composed into other lines: they cite nothing themselves. */
const FRAGMENT = /^(replyClass|replyDigit|enhancedClass|enhancedSubject)/;

function render(catalogue: Catalogue, key: keyof Catalogue): string {
  const value = catalogue[key];
  return typeof value === 'function' ? (value as (p: object) => string)(SAMPLES[key] ?? COMMON) : value;
}

function keysOf(catalogue: Catalogue): (keyof Catalogue)[] {
  return (Object.keys(catalogue) as (keyof Catalogue)[]).sort();
}

const group = (...lines: string[]) => lines;

/** An MX host of preference 10 with one address, as an MX plan lists it. */
function mxHost(name: string, address: string) {
  return { name, preference: 10, addresses: [address], implicit: false, noAddress: undefined, problem: undefined };
}

describe('explain catalogues', () => {
  it('have exactly the same keys in both languages', () => {
    assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
    assert.ok(keysOf(en).length > 150);
  });

  it('give every message as one non-empty line citing its source', () => {
    for (const catalogue of [en, fr]) {
      for (const key of keysOf(catalogue)) {
        const text = render(catalogue, key);
        assert.equal(typeof text, 'string', key);
        assert.ok(text.trim().length > 0, key);
        assert.ok(!/[\r\n]/.test(text), key);
        if (!FRAGMENT.test(key)) {
          assert.match(text, /\([^()]*(RFC|IANA|Postfix|Google|draft|resolv\.conf)[^()]*\)$/, `${key}: ${text}`);
          assert.ok(text.length <= 120, `${key} is long: ${text}`);
        }
      }
    }
    assert.match(en.extSize({ limit: undefined }), /RFC 1870/);
    assert.match(fr.extSize({ limit: undefined }), /RFC 1870/);
  });

  it('are translated, not copied', () => {
    const keys = keysOf(en);
    const same = keys.filter((key) => render(en, key) === render(fr, key));
    assert.ok(same.length <= keys.length / 20, `the same in both: ${same.join(', ')}`);
    assert.match(fr.code354, /point/);
    assert.match(fr.cmdMailFrom({ sender: 'a@example.org' }), /expéditeur/);
    assert.match(fr.cmdRcptTo({ recipient: 'b@example.org' }), /destinataire/);
    assert.match(fr.envelopeNotHeaders, /enveloppe/);
    assert.match(fr.extPipelining, /envoi groupé/);
  });

  it('are chosen by language', () => {
    assert.equal(catalogueFor('fr'), fr);
    assert.equal(catalogueFor('en'), en);
  });
});

describe('chooseLanguage', () => {
  it('reads LC_ALL, then LC_MESSAGES, then LANG, the first set and non-empty', () => {
    assert.equal(chooseLanguage(undefined, { LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' }), 'fr');
    assert.equal(chooseLanguage(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, { LC_ALL: '', LC_MESSAGES: 'fr_CA.UTF-8', LANG: 'en_GB.UTF-8' }), 'fr');
    assert.equal(chooseLanguage(undefined, { LC_MESSAGES: 'en_US.UTF-8', LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, { LC_ALL: '', LC_MESSAGES: '', LANG: 'fr_BE@euro' }), 'fr');
    assert.equal(chooseLanguage(undefined, { LANG: 'fr' }), 'fr');
  });

  it('takes C, POSIX and an empty environment as English', () => {
    assert.equal(chooseLanguage(undefined, { LC_ALL: 'C', LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, { LANG: 'POSIX' }), 'en');
    assert.equal(chooseLanguage(undefined, { LANG: 'C.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, {}), 'en');
  });

  it('lets the flag win over the environment', () => {
    assert.equal(chooseLanguage('en', { LC_ALL: 'fr_FR.UTF-8' }), 'en');
    assert.equal(chooseLanguage('fr', { LC_ALL: 'C' }), 'fr');
    assert.equal(chooseLanguage('de', { LANG: 'fr_FR.UTF-8' }), 'fr');
  });
});

/** A reply as the session emits it: a 250 to EHLO carries what it offers. */
const reply = (stage: Extract<SessionEvent, { kind: 'reply' }>['stage'], raw: string[], recipient?: string): SessionEvent => {
  const parsed = makeReply(raw);
  const ehlo = stage === 'ehlo' && parsed.code === 250 ? { ehlo: Capabilities.fromEhlo(parsed).offer } : {};
  return { kind: 'reply', stage, reply: parsed, recipient, ...ehlo };
};
const send = (stage: Extract<SessionEvent, { kind: 'send' }>['stage'], command: Command, pipelined = false): SessionEvent => ({
  kind: 'send',
  stage,
  command,
  pipelined,
});
const EHLO: Command = { verb: 'EHLO', domain: 'client.example' };

const EHLO_REPLY = [
  '250-mx.example.org Hello client.example',
  '250-PIPELINING',
  '250-SIZE 10240000',
  '250-STARTTLS',
  '250-AUTH PLAIN LOGIN',
  '250-8BITMIME',
  '250-ENHANCEDSTATUSCODES',
  '250 UNKNOWNKW',
];

/** A submission from greeting to QUIT, MAIL/RCPT/DATA pipelined. */
const SESSION: SessionEvent[] = [
  { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx.example.org', port: 587, via: 'relay' },
  { kind: 'connected', address: '192.0.2.25', port: 587 },
  reply('greeting', ['220 mx.example.org ESMTP ready']),
  send('ehlo', EHLO),
  reply('ehlo', EHLO_REPLY),
  { kind: 'flight', commands: 3 },
  send('mail', { verb: 'MAIL', from: 'alice@example.org', params: ['SIZE=1234'] }, true),
  send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }, true),
  send('data', { verb: 'DATA' }, true),
  reply('mail', ['250 2.1.0 Ok']),
  reply('rcpt', ['250 2.1.5 Ok'], 'bob@example.org'),
  reply('data', ['354 End data with <CR><LF>.<CR><LF>']),
  send('body', { verb: '.' }),
  reply('body', ['250 2.0.0 Ok: queued as 4Xy']),
  { kind: 'recipient', recipient: 'bob@example.org', outcome: 'sent', reply: makeReply(['250 2.0.0 Ok: queued as 4Xy']) },
  { kind: 'closing', host: 'mx.example.org' },
  send('quit', { verb: 'QUIT' }),
  reply('quit', ['221 2.0.0 Bye']),
];

for (const [lang, catalogue] of [
  ['en', en],
  ['fr', fr],
] as const) {
  describe(`Explainer (${lang})`, () => {
    const c = catalogue;

    it('explains a whole pipelined session line by line', () => {
      const explainer = new Explainer(catalogueFor(lang));
      const [
        connecting,
        connected,
        greeting,
        ehlo,
        ehloReply,
        flight,
        mail,
        rcpt,
        data,
        mailReply,
        rcptReply,
        dataReply,
        dot,
        final,
        sent,
        closing,
        quit,
        bye,
      ] = SESSION.map((event) => explainer.annotate(event));

      assert.deepEqual(connecting!.after, group(c.connectingSubmission({ host: 'mx.example.org' }), c.port587));
      assert.deepEqual(connected!.after, [c.connected]);
      assert.equal(greeting!.after[0], c.code220Greeting);
      assert.equal(greeting!.after[1], c.replyStructure({ code: 220, severity: c.replyClass2, category: c.replyDigit2 }));
      assert.deepEqual(ehlo!.after, [c.cmdEhlo({ name: 'client.example' })]);

      // One annotation per EHLO line, each naming its keyword, after the code's own.
      assert.deepEqual(ehloReply!.after, [
        c.code250Ehlo,
        c.replyStructure({ code: 250, severity: c.replyClass2, category: c.replyDigit5 }),
        c.ehloServerName({ name: 'mx.example.org' }),
        c.extPipelining,
        c.extSize({ limit: 10240000 }),
        c.extStarttls,
        c.extAuth({ mechanisms: 'PLAIN LOGIN' }),
        c.ext8bitmime,
        c.extEnhancedStatusCodes,
        c.extUnknown({ keyword: 'UNKNOWNKW' }),
      ]);
      for (const keyword of ['PIPELINING', 'SIZE', 'STARTTLS', 'AUTH', '8BITMIME', 'ENHANCEDSTATUSCODES', 'UNKNOWNKW']) {
        assert.ok(
          ehloReply!.after.some((line) => line.startsWith(keyword)),
          keyword,
        );
      }
      assert.match(c.extSize({ limit: 10240000 }), /10240000.*RFC 1870/);
      assert.match(c.extUnknown({ keyword: 'UNKNOWNKW' }), /mailv/);

      assert.equal(mail!.after.length, 2);
      assert.match(mail!.after[0]!, /alice@example\.org.*4\.1\.1\.2/);
      assert.match(mail!.after[1]!, /1234.*RFC 1870/);
      assert.match(rcpt!.after[0]!, /bob@example\.org.*4\.1\.1\.3/);
      assert.equal(rcpt!.after[1], c.envelopeNotHeaders);
      assert.deepEqual(data!.after, [c.cmdData]);
      assert.deepEqual([mail!.before, rcpt!.before, data!.before], [[], [], []]);

      // PIPELINING is told at the flight's marker, before its commands, and not again at the replies.
      assert.deepEqual(flight!.after, [c.pipelinedGroup({ count: 3, hello: 'EHLO' })]);
      assert.match(flight!.after[0]!, /PIPELINING.*\b3\b.*RFC 2920/);
      assert.deepEqual([mailReply!.before, rcptReply!.before], [[], []]);
      assert.deepEqual(mailReply!.after, [c.code250Mail({ sender: 'alice@example.org' }), c.enhanced2_1_0Sender]);
      assert.deepEqual(rcptReply!.after, [c.code250Rcpt({ recipient: 'bob@example.org' }), c.enhanced2_1_5]);
      assert.equal(dataReply!.after[0], c.code354);
      assert.match(dataReply!.after[0]!, lang === 'fr' ? /un point/ : /single dot/);

      assert.deepEqual(dot!.after, [c.cmdDataEnd]);
      assert.match(dot!.after[0]!, /4\.5\.2/);
      assert.deepEqual(final!.after, [c.code250Message, c.enhanced2_0_0]);
      assert.match(final!.after[0]!, lang === 'fr' ? /en charge/ : /responsible/);
      assert.deepEqual(sent!.after, [c.recipientSent({ recipient: 'bob@example.org' })]);
      assert.deepEqual(closing!.after, [c.closing]);
      assert.deepEqual(quit!.after, [c.cmdQuit]);
      assert.deepEqual(bye!.after, [c.code221, c.replyStructure({ code: 221, severity: c.replyClass2, category: c.replyDigit2 }), c.enhanced2_0_0]);
    });

    it('an enhanced status code is explained only where the server offered ENHANCEDSTATUSCODES (RFC 2034), or before its EHLO reply', () => {
      const explainer = new Explainer(c);
      const greeting = explainer.annotate(reply('greeting', ['421 4.3.2 Busy'])).after;
      assert.ok(greeting.includes(c.enhanced4_3_2), greeting.join('\n'));
      explainer.annotate(send('ehlo', EHLO));
      explainer.annotate(reply('ehlo', ['250-mx.example.org', '250 PIPELINING']));
      explainer.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }));
      const mail = explainer.annotate(reply('mail', ['250 2.1.0 Ok'])).after;
      assert.ok(!mail.includes(c.enhanced2_1_0Sender), mail.join('\n'));
    });

    it('a reply the command cannot have (354 to RCPT, 221 to MAIL, 250 to STARTTLS) is said out of place, not given its usual meaning', () => {
      const explainer = new Explainer(c);
      explainer.annotate(send('ehlo', EHLO));
      explainer.annotate(reply('ehlo', ['250 mx.example.org']));
      explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }));
      const rcpt = explainer.annotate(reply('rcpt', ['354 what'], 'bob@example.org')).after;
      assert.equal(rcpt[0], c.replyOutOfPlace({ code: 354 }));
      assert.ok(!rcpt.includes(c.code354), rcpt.join('\n'));
      explainer.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }));
      assert.equal(explainer.annotate(reply('mail', ['221 bye'])).after[0], c.replyOutOfPlace({ code: 221 }));
      explainer.annotate(send('starttls', { verb: 'STARTTLS' }));
      assert.equal(explainer.annotate(reply('starttls', ['250 ok'])).after[0], c.replyOutOfPlace({ code: 250 }));
      // 221 where the verdict on the message was due is the server closing (it may have the message), as the session takes it.
      explainer.annotate(send('body', { verb: '.' }));
      assert.equal(explainer.annotate(reply('body', ['221 2.0.0 bye'])).after[0], c.code221);
      // Where it belongs, the usual meaning.
      explainer.annotate(send('data', { verb: 'DATA' }));
      assert.equal(explainer.annotate(reply('data', ['354 go'])).after[0], c.code354);
    });

    it('a BDAT chunk sent without waiting says its reply comes later; one in lock-step or the LAST does not', () => {
      const explainer = new Explainer(c);
      const chunk = (pipelined: boolean, last: boolean) => explainer.annotate(send('data', { verb: 'BDAT', size: 1048576, last }, pipelined)).after;
      assert.ok(chunk(true, false).includes(c.bdatNotAwaited));
      assert.ok(!chunk(false, false).includes(c.bdatNotAwaited));
      assert.ok(!chunk(true, true).includes(c.bdatNotAwaited));
    });

    it('port 465 is explained by the way mailv speaks on it: TLS from the first byte with smtps://, a mistake in clear', () => {
      const connecting = (implicitTls: boolean | undefined): SessionEvent => ({
        kind: 'connecting',
        recipients: ['bob@example.org'],
        host: 'mail.example.org',
        port: 465,
        via: 'relay',
        ...(implicitTls === undefined ? {} : { implicitTls }),
      });
      assert.ok(new Explainer(c).annotate(connecting(true)).after.includes(c.port465));
      const plain = new Explainer(c).annotate(connecting(false)).after;
      assert.ok(plain.includes(c.port465Plain) && !plain.includes(c.port465), plain.join('\n'));
      // An older record does not say: read as the port's own use, never as a mistake.
      assert.ok(new Explainer(c).annotate(connecting(undefined)).after.includes(c.port465));
      assert.match(c.port465Plain, /smtps:\/\//);
    });

    it('recipients left without a verdict: they may have it once the message left whole, never before', () => {
      const unsettled = (code: 'MAILV_UNCONFIRMED' | 'MAILV_CONNECTION_LOST') =>
        new Explainer(c).annotate({
          kind: 'unsettled',
          recipients: ['bob@example.org'],
          error:
            code === 'MAILV_UNCONFIRMED'
              ? {
                  code,
                  host: 'mx.example.org',
                  address: '127.0.0.1',
                  error: { code: 'MAILV_CONNECTION_LOST', stage: 'body', reason: 'closed', errno: undefined, midReply: false },
                }
              : { code, stage: 'rcpt', reason: 'closed', errno: undefined, midReply: false },
        });
      assert.deepEqual(unsettled('MAILV_UNCONFIRMED'), { before: [], after: [c.unsettledUnconfirmed], standalone: true });
      assert.deepEqual(unsettled('MAILV_CONNECTION_LOST').after, [c.unsettledNotSent]);
      assert.match(c.unsettledUnconfirmed, /RFC 1047/);
    });

    it('a port of no standard use is said to be one, by its number; under --direct, any but 25 is --port; a unix-domain socket (port 0) has none to say', () => {
      const at = (port: number, via: 'relay' | 'esmtp'): readonly string[] =>
        new Explainer(c).annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: 'mail.example.org', port, via }).after;
      assert.ok(at(2525, 'relay').includes(c.portOther({ port: 2525 })), at(2525, 'relay').join('\n'));
      for (const port of [25, 465, 587, 0]) assert.ok(!at(port, 'relay').includes(c.portOther({ port })), String(port));
      for (const port of [2525, 587]) assert.deepEqual(at(port, 'esmtp').slice(1), [c.portDirect({ port })]);
      assert.deepEqual(at(25, 'esmtp').slice(1), [c.port25]);
      assert.match(c.portOther({ port: 2525 }), /^Port 2525 ?: .*SMTP/);
      assert.match(c.portDirect({ port: 2525 }), /--port.*\b25\b/);
    });

    it('a truncated answer is explained by the way it came, not by the query just before (A and AAAA go at once)', () => {
      const explainer = new Explainer(c);
      const answer = (transport: 'udp' | 'tcp'): SessionEvent => ({
        kind: 'dns-answer',
        name: 'h.example.org',
        type: 'AAAA',
        server: '127.0.0.1#53',
        rcode: 'NOERROR',
        truncated: true,
        transport,
        answers: [],
        additionals: [],
        ms: 1,
      });
      explainer.annotate({ kind: 'dns-query', name: 'h.example.org', type: 'A', server: '127.0.0.1#53', transport: 'tcp' });
      assert.ok(explainer.annotate(answer('udp')).after.includes(c.dnsTruncated));
      explainer.annotate({ kind: 'dns-query', name: 'h.example.org', type: 'A', server: '127.0.0.1#53', transport: 'udp' });
      assert.ok(explainer.annotate(answer('tcp')).after.includes(c.dnsTruncatedTcp));
      // An older record's answer says nothing of its transport: the query before it does.
      const { transport: _, ...older } = answer('udp') as Extract<SessionEvent, { kind: 'dns-answer' }>;
      explainer.annotate({ kind: 'dns-query', name: 'h.example.org', type: 'A', server: '127.0.0.1#53', transport: 'tcp' });
      assert.ok(explainer.annotate(older).after.includes(c.dnsTruncatedTcp));
    });

    it('a domain in A-labels is said in the form it was typed in, once a domain, for MAIL and RCPT alike', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        send('mail', { verb: 'MAIL', from: 'alice@xn--bcher-kva.example', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'bob@xn--caf-dma.example', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'carol@XN--CAF-DMA.example', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'dave@example.org', params: [] }),
        // Not Punycode at all: there is no typed form to show.
        send('rcpt', { verb: 'RCPT', to: 'eve@xn--.example', params: [] }),
      ];
      const [mail, bob, carol, dave, eve] = events.map((event) => explainer.annotate(event).after);
      assert.equal(mail!.at(-1), c.idnaDomain({ ascii: 'xn--bcher-kva.example', unicode: 'bücher.example' }));
      assert.ok(bob!.includes(c.idnaDomain({ ascii: 'xn--caf-dma.example', unicode: 'café.example' })), bob!.join('\n'));
      for (const lines of [carol, dave, eve]) assert.ok(!lines!.some((line) => line.includes('IDNA')), lines!.join('\n'));
      assert.match(
        c.idnaDomain({ ascii: 'xn--caf-dma.example', unicode: 'café.example' }),
        /^xn--caf-dma\.example (is|est) café\.example .*Punycode.*RFC 5890/,
      );
    });

    it('sets MAIL and RCPT against the header: a sender From: does not show, a blind copy, a recipient only the envelope names', () => {
      const explainer = new Explainer(c);
      const addresses: SessionEvent = {
        kind: 'addresses',
        addresses: [
          { address: 'bounces@example.org', envelope: 'MAIL From', header: undefined, blind: false, source: undefined },
          { address: 'bob@example.org', envelope: 'RCPT To', header: 'To', blind: false, source: undefined },
          { address: 'carol@example.org', envelope: 'RCPT To', header: undefined, blind: true, source: 'Bcc' },
          { address: 'dave@café.example', envelope: 'RCPT To', header: undefined, blind: false, source: undefined },
          { address: 'fay@example.org', envelope: 'RCPT To', header: 'Cc', blind: false, source: undefined },
          { address: 'alice@example.org', envelope: undefined, header: 'From', blind: false, source: 'From' },
          { address: 'bruno@example.org', envelope: undefined, header: 'From', blind: false, source: 'From' },
          { address: 'list@example.org', envelope: undefined, header: 'To', blind: false, source: undefined },
        ],
      };
      assert.deepEqual(explainer.annotate(addresses), { before: [], after: [] }, 'nothing of its own: the table said it');
      const [mail, bob, carol, dave, eve, fay, data, second] = [
        send('mail', { verb: 'MAIL', from: 'Bounces@Example.org', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'CAROL@example.org', params: [] }),
        // Its domain on the wire in A-labels (a server without SMTPUTF8): the same mailbox.
        send('rcpt', { verb: 'RCPT', to: 'dave@xn--caf-dma.example', params: [] }),
        // Not in the table (a record of another message): nothing is said of it.
        send('rcpt', { verb: 'RCPT', to: 'eve@example.org', params: [] }),
        send('rcpt', { verb: 'RCPT', to: 'fay@example.org', params: [] }),
        send('data', { verb: 'DATA' }),
        // Said once a message: not again for a DATA that follows (a second transaction of a record).
        send('data', { verb: 'DATA' }),
      ].map((event) => explainer.annotate(event).after);
      // Both authors, as the field shows them (RFC 5322 §3.6.2).
      assert.deepEqual(mail, [
        c.cmdMailFrom({ sender: 'Bounces@Example.org' }),
        c.senderNotFrom({ field: 'From', from: 'alice@example.org>, <bruno@example.org' }),
      ]);
      assert.deepEqual(fay, [c.cmdRcptTo({ recipient: 'fay@example.org' }), c.rcptCc({ recipient: 'fay@example.org' })]);
      assert.deepEqual(data, [c.cmdData, c.headerNotEnvelope({ recipient: 'list@example.org', field: 'To' })]);
      assert.deepEqual(second, [c.cmdData]);
      assert.match(c.rcptEnvelopeOnly({ recipient: 'x@example.org' }), /RFC 5321 §7\.2\)$/);
      assert.match(c.senderNotFrom({ field: 'From', from: 'alice@example.org' }), /RFC 5321 §3\.3\)$/);
      // In To:: nothing more than any recipient gets.
      assert.deepEqual(bob, [c.cmdRcptTo({ recipient: 'bob@example.org' }), c.envelopeNotHeaders]);
      assert.deepEqual(carol, [c.cmdRcptTo({ recipient: 'CAROL@example.org' }), c.rcptBlind({ recipient: 'CAROL@example.org' })]);
      assert.match(c.rcptBlind({ recipient: 'carol@example.org' }), /RFC 5322 §3\.6\.3\)$/);
      assert.deepEqual(dave, [
        c.cmdRcptTo({ recipient: 'dave@xn--caf-dma.example' }),
        c.idnaDomain({ ascii: 'xn--caf-dma.example', unicode: 'café.example' }),
        c.rcptEnvelopeOnly({ recipient: 'dave@xn--caf-dma.example' }),
      ]);
      assert.deepEqual(eve, [c.cmdRcptTo({ recipient: 'eve@example.org' })]);
    });

    it('says nothing of the header when From: shows the sender, for the null sender, or without the table (an older record)', () => {
      const shown = new Explainer(c);
      shown.annotate({
        kind: 'addresses',
        addresses: [
          { address: 'alice@example.org', envelope: 'MAIL From', header: 'From', blind: false, source: undefined },
          { address: 'bob@example.org', envelope: 'RCPT To', header: 'Cc', blind: false, source: undefined },
        ],
      });
      const plain = (explainer: Explainer, from: string) => explainer.annotate(send('mail', { verb: 'MAIL', from, params: [] })).after;
      assert.deepEqual(plain(shown, 'alice@example.org'), [c.cmdMailFrom({ sender: 'alice@example.org' })]);
      const bounce = new Explainer(c);
      bounce.annotate({
        kind: 'addresses',
        addresses: [
          { address: '', envelope: 'MAIL From', header: undefined, blind: false, source: undefined },
          { address: 'alice@example.org', envelope: undefined, header: 'From', blind: false, source: undefined },
        ],
      });
      assert.deepEqual(plain(bounce, ''), [c.cmdMailFromNull]);
      // A sender the table does not hold (a record of another message): nothing is said of it.
      assert.deepEqual(plain(bounce, 'someone@example.org'), [c.cmdMailFrom({ sender: 'someone@example.org' })]);
      const older = new Explainer(c);
      assert.deepEqual(plain(older, 'bounces@example.org'), [c.cmdMailFrom({ sender: 'bounces@example.org' })]);
      assert.deepEqual(older.annotate(send('rcpt', { verb: 'RCPT', to: 'carol@example.org', params: [] })).after, [
        c.cmdRcptTo({ recipient: 'carol@example.org' }),
        c.envelopeNotHeaders,
      ]);
    });

    it('a resent message: the sender its original From: shows is not who resent it; Bob@ and bob@ are each their own row', () => {
      const explainer = new Explainer(c);
      explainer.annotate({
        kind: 'addresses',
        addresses: [
          { address: 'alice@example.org', envelope: 'MAIL From', header: 'From', blind: false, source: undefined },
          { address: 'Bob@example.org', envelope: 'RCPT To', header: 'Resent-To', blind: false, source: 'Resent-To' },
          { address: 'bob@example.org', envelope: 'RCPT To', header: undefined, blind: true, source: 'Resent-Bcc' },
          { address: 'carol@example.org', envelope: undefined, header: 'Resent-From', blind: false, source: 'Resent-From' },
        ],
      });
      const after = (event: SessionEvent) => explainer.annotate(event).after;
      // Before, From: showing the sender was enough: the reader of a resent message sees carol as its author.
      assert.deepEqual(after(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] })), [
        c.cmdMailFrom({ sender: 'alice@example.org' }),
        c.senderNotFrom({ field: 'Resent-From', from: 'carol@example.org' }),
      ]);
      assert.deepEqual(after(send('rcpt', { verb: 'RCPT', to: 'Bob@example.org', params: [] })), [
        c.cmdRcptTo({ recipient: 'Bob@example.org' }),
        c.envelopeNotHeaders,
      ]);
      assert.deepEqual(after(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] })), [
        c.cmdRcptTo({ recipient: 'bob@example.org' }),
        c.rcptBlind({ recipient: 'bob@example.org' }),
      ]);
      const byResender = new Explainer(c);
      byResender.annotate({
        kind: 'addresses',
        addresses: [
          { address: 'carol@example.org', envelope: 'MAIL From', header: 'Resent-From', blind: false, source: undefined },
          { address: 'alice@example.org', envelope: undefined, header: 'From', blind: false, source: 'From' },
        ],
      });
      assert.deepEqual(byResender.annotate(send('mail', { verb: 'MAIL', from: 'carol@example.org', params: [] })).after, [
        c.cmdMailFrom({ sender: 'carol@example.org' }),
      ]);
    });

    it('says the Unicode form of a domain asked for in A-labels (--mx bücher.test), once, and of no MX host', () => {
      const explainer = new Explainer(c);
      const query = (type: 'MX' | 'A', name: string) => explainer.annotate({ kind: 'dns-query', name, type, server: '127.0.0.1#53', transport: 'udp' }).after;
      const told = c.idnaDomain({ ascii: 'xn--bcher-kva.test', unicode: 'bücher.test' });
      assert.ok(query('MX', 'xn--bcher-kva.test.').includes(told));
      assert.ok(!query('MX', 'xn--bcher-kva.test').includes(told), 'said once');
      assert.ok(!query('A', 'xn--caf-dma.test').some((line) => line.includes('IDNA')));
    });

    it('a QUIT in the flight of the dot says it is answered after the verdict; the closing that follows the verdict says QUIT is out', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx.example.org', port: 587, via: 'relay' },
        { kind: 'flight', commands: 2 },
        send('body', { verb: '.' }, true),
        send('quit', { verb: 'QUIT' }, true),
        reply('body', ['554 5.7.1 Rejected']),
        { kind: 'closing', host: 'mx.example.org' },
        reply('quit', ['221 2.0.0 Bye']),
      ];
      const [, flight, dot, quit, verdict, closing] = events.map((event) => explainer.annotate(event));
      assert.deepEqual(flight!.after, [c.pipelinedGroup({ count: 2, hello: 'EHLO' })]);
      assert.deepEqual(dot!.after, [c.cmdDataEnd]);
      assert.deepEqual(quit!.after, [c.cmdQuitInFlight]);
      assert.match(c.cmdQuitInFlight, lang === 'fr' ? /après son verdict/ : /after its verdict/);
      assert.doesNotMatch(c.cmdQuitInFlight, lang === 'fr' ? /Terminé/ : /Work done/);
      assert.equal(verdict!.after[0], c.code554);
      assert.deepEqual(closing!.after, [c.closingQuitSent]);
      assert.doesNotMatch(c.closingQuitSent, lang === 'fr' ? /Terminé/ : /Work done/);
    });

    it('a session that ends without a delivery (a refusal, a probe, q at --step) does not say the work is done', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        { kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 25, via: 'relay' },
        reply('greeting', ['220 mx.example.org ESMTP']),
        { kind: 'closing', host: '127.0.0.1' },
      ];
      const [connecting, , closing] = events.map((event) => explainer.annotate(event));
      assert.deepEqual(closing!.after, [c.closingEarly]);
      assert.doesNotMatch(c.closingEarly, lang === 'fr' ? /Terminé/ : /Work done/);
      // Port 25 is a server that delivers or relays, not submission (RFC 6409 is 587 and 465); nor is
      // any port but 587 and 465 (the demo's 2525, a content filter's 10025, a unix-domain socket).
      assert.equal(connecting!.after[0], c.connectingServer({ host: '127.0.0.1' }));
      for (const port of [2525, 10025, 0]) {
        const other = new Explainer(c).annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port, via: 'relay' });
        assert.equal(other.after[0], c.connectingServer({ host: '127.0.0.1' }));
        assert.doesNotMatch(other.after[0]!, /6409|Submission|Soumission/);
      }
      // --demo's own server, on the free port it took: said as such, not as a relay somewhere.
      const demo = new Explainer(c).annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 39951, via: 'relay', demo: true });
      assert.deepEqual(demo.after, [c.connectingDemo({ host: '127.0.0.1' }), c.portDemo({ port: 39951 })]);
      const submission = new Explainer(c).annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 465, via: 'relay' });
      assert.equal(submission.after[0], c.connectingSubmission({ host: '127.0.0.1' }));
    });

    it('explains LHLO as LMTP’s greeting, not as EHLO', () => {
      const explainer = new Explainer(c);
      const lhlo = explainer.annotate(send('ehlo', { verb: 'LHLO', domain: 'client.example.org' }));
      assert.deepEqual(lhlo.after, [c.cmdLhlo({ name: 'client.example.org' })]);
      assert.match(lhlo.after[0]!, /RFC 2033/);
    });

    it('explains an LMTP session as delivery into mailboxes: each reply after the message is one recipient’s (RFC 2033 §4.2)', () => {
      const explainer = new Explainer(c);
      const connecting = explainer.annotate({ kind: 'connecting', recipients: ['a@x.test', 'b@x.test'], host: '/run/lmtp', port: 0, via: 'lmtp' });
      explainer.annotate(reply('greeting', ['220 lmtp.test LMTP']));
      explainer.annotate(send('ehlo', { verb: 'LHLO', domain: 'client.example.org' }));
      const lhloReply = explainer.annotate(reply('ehlo', ['250-lmtp.test', '250 PIPELINING']));
      const flight = explainer.annotate({ kind: 'flight', commands: 2 });
      explainer.annotate(send('body', { verb: '.' }, true));
      explainer.annotate(send('quit', { verb: 'QUIT' }, true));
      const first = explainer.annotate(reply('body', ['250 2.0.0 <a@x.test> Saved'], 'a@x.test'));
      const delivered = explainer.annotate({ kind: 'recipient', recipient: 'a@x.test', outcome: 'sent', reply: undefined });
      const second = explainer.annotate(reply('body', ['250 2.0.0 <b@x.test> Saved'], 'b@x.test'));
      assert.deepEqual(connecting.after, [c.connectingLmtp({ host: '/run/lmtp' })]);
      assert.equal(lhloReply.after[0], c.code250Lhlo);
      assert.deepEqual(flight.after, [c.pipelinedGroup({ count: 2, hello: 'LHLO' })]);
      assert.match(flight.after[0]!, /LHLO/);
      assert.equal(first.after[0], c.code250Delivered({ recipient: 'a@x.test' }));
      assert.equal(second.after[0], c.code250Delivered({ recipient: 'b@x.test' }));
      assert.deepEqual(delivered.after, [c.recipientDelivered({ recipient: 'a@x.test' })]);
      for (const line of [...connecting.after, ...first.after, ...delivered.after]) assert.doesNotMatch(line, /RFC 6409|RFC 5321 §6\.1|not yet/);
      const refused = { code: 'MAILV_CONNECT_FAILED', host: '/run/lmtp', port: 0, reason: 'refused', errno: undefined, ms: 1 } as const;
      explainer.annotate({ kind: 'connecting', recipients: ['a@x.test'], host: '/run/lmtp', port: 0, via: 'lmtp' });
      const unreachable = explainer.annotate({ kind: 'deferred', recipients: ['a@x.test'], host: '/run/lmtp', address: '/run/lmtp', error: refused });
      assert.deepEqual(unreachable.after, [c.deferredLmtp({ host: '/run/lmtp' })]);
    });

    it('says NOTIFY=NEVER means no notification at all, not when one is sent (RFC 3461 §4.1)', () => {
      const explainer = new Explainer(c);
      const never = explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: ['NOTIFY=NEVER'] }));
      const failure = explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'carol@example.org', params: ['NOTIFY=FAILURE'] }));
      assert.equal(never.after[1], c.paramNotify({ value: 'NEVER' }));
      assert.notEqual(c.paramNotify({ value: 'NEVER' }), c.paramNotify({ value: 'FAILURE' }).replace('FAILURE', 'NEVER'));
      assert.equal(failure.after[1], c.paramNotify({ value: 'FAILURE' }));
    });

    it('says the lone dot that closes a DATA accepted after every recipient was refused, and its 250, deliver nothing (RFC 2920 §3.1)', () => {
      const explainer = new Explainer(c);
      explainer.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }, true));
      explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }, true));
      explainer.annotate(send('data', { verb: 'DATA' }, true));
      explainer.annotate(reply('mail', ['250 OK']));
      // 554 to RCPT refuses that recipient, not the transaction (RFC 5321 §4.3.2).
      assert.equal(explainer.annotate(reply('rcpt', ['554 5.7.1 Relay access denied'], 'bob@example.org')).after[0], c.code5xxRcpt({ code: 554 }));
      explainer.annotate(reply('data', ['354 go ahead']));
      // Before, the dot and its 250 were explained as a message delivered.
      assert.deepEqual(explainer.annotate(send('body', { verb: '.' })).after, [c.cmdDataEndEmpty]);
      assert.equal(explainer.annotate(reply('body', ['250 2.0.0 queued'])).after[0], c.code250Empty);
      // So is the last chunk's 250 of a server that takes BDAT whatever its RCPT replies said.
      const chunked = new Explainer(c);
      chunked.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }, true));
      chunked.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }, true));
      chunked.annotate(send('body', { verb: 'BDAT', size: 10, last: true }, true));
      chunked.annotate(reply('mail', ['250 OK']));
      chunked.annotate(reply('rcpt', ['550 no such user'], 'bob@example.org'));
      assert.equal(chunked.annotate(reply('body', ['250 2.0.0 10 octets received'])).after[0], c.code250Empty);
    });

    it('reads 500 or 502 to the first EHLO as a server without extensions, HELO next (RFC 5321 §4.1.4)', () => {
      for (const code of [500, 502]) {
        const explainer = new Explainer(c);
        explainer.annotate(reply('greeting', ['220 old.example']));
        explainer.annotate(send('ehlo', EHLO));
        const said = explainer.annotate(reply('ehlo', [`${code} 5.5.1 unrecognized command`])).after;
        assert.equal(said[0], c.codeEhloUnknown({ code }), said.join('\n'));
        assert.ok(said.includes(c.ehloFallback));
      }
    });

    it('reads a 503 or 554 after the refusals of the same group as their consequence, not a fault of its own (RFC 5321 §3.3, RFC 2920 §3.1)', () => {
      const group = (mailReply: string, rcptReply: string, last: Command, lastReply: string) => {
        const explainer = new Explainer(c);
        explainer.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }, true));
        explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }, true));
        // BDAT … LAST has the stage of the message's end, as the session gives it.
        const stage = last.verb === 'DATA' ? 'data' : 'body';
        explainer.annotate(send(stage, last, true));
        return [
          explainer.annotate(reply('mail', [mailReply])),
          explainer.annotate(reply('rcpt', [rcptReply], 'bob@example.org')),
          explainer.annotate(reply(stage, [lastReply])),
        ] as const;
      };
      const bdat: Command = { verb: 'BDAT', size: 10, last: true };
      // Exim: every RCPT refused, then the BDAT sent with them.
      const [, , exim] = group('250 OK', '550 Unrouteable address', bdat, '503 Valid RCPT command must precede BDAT');
      assert.equal(exim.after[0], c.codeNoRecipientTaken({ code: 503 }));
      // Postfix: the same with DATA.
      const [, , postfix] = group('250 2.1.0 Ok', '554 5.7.1 Relay access denied', { verb: 'DATA' }, '554 5.5.1 Error: no valid recipients');
      assert.equal(postfix.after[0], c.codeNoRecipientTaken({ code: 554 }));
      // MAIL refused: the RCPT's 503 and the DATA's are both its consequence.
      const [, rcpt, data] = group('550 5.7.1 Sender refused', '503 5.5.1 Error: need MAIL command', { verb: 'DATA' }, '503 5.5.1 Error: need RCPT command');
      assert.equal(rcpt.after[0], c.code503AfterMailRefused);
      assert.equal(data.after[0], c.codeNoRecipientTaken({ code: 503 }));
      // A recipient accepted: a 554 to DATA is the server's own refusal, explained as such.
      const [, , refusal] = group('250 OK', '250 Accepted', { verb: 'DATA' }, '554 5.7.1 Not now');
      assert.equal(refusal.after[0], c.code554);
      const [, accepted, bdatRefused] = group('250 OK', '250 Accepted', bdat, '503 out of sequence');
      assert.notEqual(accepted.after[0], c.code503AfterMailRefused);
      assert.equal(bdatRefused.after[0], c.code503);
      // No MAIL seen (a record cut short): nothing is assumed.
      const alone = new Explainer(c);
      alone.annotate(send('data', { verb: 'DATA' }));
      assert.equal(alone.annotate(reply('data', ['554 no valid recipients'])).after[0], c.code554);
    });

    it('reads 2.1.0 by the command it answers: the sender only after MAIL (RFC 3463 §3.2)', () => {
      const explainer = new Explainer(c);
      explainer.annotate(send('mail', { verb: 'MAIL', from: 'alice@example.org', params: [] }));
      const mail = explainer.annotate(reply('mail', ['250 2.1.0 Ok']));
      explainer.annotate(send('rcpt', { verb: 'RCPT', to: 'bob@example.org', params: [] }));
      const rcpt = explainer.annotate(reply('rcpt', ['250 2.1.0 Recipient ok'], 'bob@example.org'));
      assert.equal(mail.after.at(-1), c.enhanced2_1_0Sender);
      assert.equal(rcpt.after.at(-1), c.enhanced2_1_0);
      assert.doesNotMatch(c.enhanced2_1_0, lang === 'fr' ? /expéditeur/ : /sender/);
    });

    it('a relay that cannot be reached is not followed by another host', () => {
      const explainer = new Explainer(c);
      const refused = { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.1', port: 9, reason: 'refused', errno: undefined, ms: 1 } as const;
      explainer.annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 9, via: 'relay' });
      const relay = explainer.annotate({ kind: 'deferred', recipients: ['bob@example.org'], host: '127.0.0.1', address: '127.0.0.1', error: refused });
      assert.deepEqual(relay.after, [c.deferredRelay({ host: '127.0.0.1', submission: false })]);
      // Port 9 is no submission port: the retry is SMTP's own rule, not RFC 6409's.
      assert.match(relay.after[0]!, /RFC 5321 §4\.5\.4\.1\)$/);
      explainer.annotate({
        kind: 'mx-plan',
        plan: { domain: 'example.org', hosts: [mxHost('mx.example.org', '192.0.2.1'), mxHost('mx2.example.org', '192.0.2.2')], ignored: 0, ties: [] },
      });
      explainer.annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: 'mx.example.org', port: 25, via: 'esmtp' });
      const mx = explainer.annotate({ kind: 'deferred', recipients: ['bob@example.org'], host: 'mx.example.org', address: '192.0.2.1', error: refused });
      assert.deepEqual(mx.after, [c.deferredHost({ host: 'mx.example.org' })]);
      // A host's second address comes before the next host.
      const twoAddresses = new Explainer(c);
      twoAddresses.annotate({
        kind: 'mx-plan',
        plan: { domain: 'example.org', hosts: [{ ...mxHost('mxa.example.org', '127.0.0.2'), addresses: ['127.0.0.2', '::1'] }], ignored: 0, ties: [] },
      });
      twoAddresses.annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: 'mxa.example.org', port: 25, via: 'esmtp' });
      const first = twoAddresses.annotate({ kind: 'deferred', recipients: ['bob@example.org'], host: 'mxa.example.org', address: '127.0.0.2', error: refused });
      assert.deepEqual(first.after, [c.deferredAddress({ host: 'mxa.example.org', address: '::1' })]);
      // Under -6, the IPv4 address is never tried: the one left is the last.
      const underSix = new Explainer(c);
      underSix.annotate({
        kind: 'mx-plan',
        plan: { domain: 'example.org', hosts: [{ ...mxHost('mxa.example.org', '::1'), addresses: ['127.0.0.2', '::1'] }], ignored: 0, ties: [], family: 6 },
      });
      underSix.annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: 'mxa.example.org', port: 25, via: 'esmtp' });
      const only = underSix.annotate({ kind: 'deferred', recipients: ['bob@example.org'], host: 'mxa.example.org', address: '::1', error: refused });
      assert.deepEqual(only.after, [c.deferredLast({ host: 'mxa.example.org' })]);
      // The plan's last attempt leaves no host: no next one is promised.
      explainer.annotate({ kind: 'connecting', recipients: ['bob@example.org'], host: 'mx2.example.org', port: 25, via: 'esmtp' });
      const last = explainer.annotate({ kind: 'deferred', recipients: ['bob@example.org'], host: 'mx2.example.org', address: '192.0.2.2', error: refused });
      assert.deepEqual(last.after, [c.deferredLast({ host: 'mx2.example.org' })]);
    });

    it('after a host took the message: its later rounds have no next host, unless a recipient it put off goes on', () => {
      const refused = { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.1', port: 25, reason: 'refused', errno: undefined, ms: 1 } as const;
      const ok = { code: 250, enhanced: '2.0.0', lines: ['2.0.0 Ok'], raw: ['250 2.0.0 Ok'] };
      const later = { code: 450, enhanced: '4.2.0', lines: ['4.2.0 Greylisted'], raw: ['450 4.2.0 Greylisted'] };
      const plan = {
        kind: 'mx-plan' as const,
        plan: {
          domain: 'example.org',
          hosts: [mxHost('b.example.org', '192.0.2.2'), mxHost('c.example.org', '192.0.2.3'), mxHost('a.example.org', '192.0.2.1')],
          ignored: 0,
          ties: [],
        },
      };
      const connecting = (name: string, recipients: string[]) => ({ kind: 'connecting' as const, recipients, host: name, port: 25, via: 'esmtp' as const });
      const deferred = (name: string, address: string) => ({
        kind: 'deferred' as const,
        recipients: ['carol@example.org'],
        host: name,
        address,
        error: refused,
      });
      // b took bob, then its round for carol, past its limit, failed: no other host gets her.
      const rounds = new Explainer(c);
      rounds.annotate(plan);
      rounds.annotate(connecting('b.example.org', ['bob@example.org', 'carol@example.org']));
      rounds.annotate({ kind: 'recipient', recipient: 'bob@example.org', outcome: 'sent', reply: ok });
      rounds.annotate(connecting('b.example.org', ['carol@example.org']));
      assert.deepEqual(rounds.annotate(deferred('b.example.org', '192.0.2.2')).after, [c.deferredLast({ host: 'b.example.org' })]);
      // b took bob, then put carol off in that round: she goes on, c's failure leaves a.
      const offered = new Explainer(c);
      offered.annotate(plan);
      offered.annotate(connecting('b.example.org', ['bob@example.org', 'carol@example.org']));
      offered.annotate({ kind: 'recipient', recipient: 'bob@example.org', outcome: 'sent', reply: ok });
      offered.annotate(connecting('b.example.org', ['carol@example.org']));
      const put = offered.annotate({ kind: 'recipient', recipient: 'carol@example.org', outcome: 'deferred', reply: later, next: true });
      assert.deepEqual(put.after, [c.recipientDeferredNext({ recipient: 'carol@example.org' })]);
      // Dave, past b's limit, whose own round b put off as a whole, stays: he went nowhere.
      const dave = offered.annotate({ ...deferred('b.example.org', '192.0.2.2'), recipients: ['dave@example.org'] });
      assert.deepEqual(dave.after, [c.deferredLast({ host: 'b.example.org' })]);
      offered.annotate(connecting('c.example.org', ['carol@example.org']));
      assert.deepEqual(offered.annotate(deferred('c.example.org', '192.0.2.3')).after, [c.deferredHost({ host: 'c.example.org' })]);
      // Her last word said again, once no host took her: what it means, not the 4xx again.
      const again = offered.annotate({ kind: 'recipient', recipient: 'carol@example.org', outcome: 'deferred', reply: later, restated: true });
      assert.deepEqual([again.before, again.after], [[], [c.recipientDeferredStays({ recipient: 'carol@example.org' })]]);
    });

    it('tells 220 after STARTTLS from the greeting, and EHLO under TLS from the first', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx.example.org', port: 25, via: 'esmtp' },
        reply('greeting', ['220 mx.example.org ESMTP']),
        send('ehlo', EHLO),
        reply('ehlo', ['250-mx.example.org', '250 STARTTLS']),
        send('starttls', { verb: 'STARTTLS' }),
        reply('starttls', ['220 2.0.0 Ready to start TLS']),
        {
          kind: 'tls',
          protocol: 'TLSv1.3',
          cipher: 'TLS_AES_256_GCM_SHA384',
          subject: 'CN=mx.example.org',
          issuer: 'CN=Example CA',
          validFrom: '2026-01-01',
          validTo: '2027-01-01',
          verified: false,
          problem: { kind: 'self-signed' },
        },
        send('ehlo', EHLO),
        reply('ehlo', ['250-mx.example.org', '250 AUTH=PLAIN']),
      ];
      const [connecting, greeting, , , , tlsReady, tls, ehloAgain, ehloReply] = events.map((event) => explainer.annotate(event));
      assert.deepEqual(connecting!.after, [c.connectingEsmtp({ host: 'mx.example.org' }), c.port25]);
      assert.equal(greeting!.after[0], c.code220Greeting);
      assert.equal(tlsReady!.after[0], c.code220Tls);
      assert.deepEqual(tls!.after, [c.tls13, c.tlsCipher({ cipher: 'TLS_AES_256_GCM_SHA384' }), c.tlsNotVerified, c.tlsCertificate]);
      // A client certificate asked for (sent or not), or given and not asked for: one more line each.
      const tlsEvent = events[6] as Extract<SessionEvent, { kind: 'tls' }>;
      for (const [clientCertificate, said] of [
        ['offered', c.tlsClientAsked],
        ['none', c.tlsClientAsked],
        ['unsuitable', c.tlsClientAsked],
        ['not-asked', c.tlsClientNotAsked],
      ] as const)
        assert.deepEqual(new Explainer(c).annotate({ ...tlsEvent, clientCertificate }).after.at(-1), said);
      assert.deepEqual(ehloAgain!.after, [c.cmdEhlo({ name: 'client.example' }), c.cmdEhloAgain]);
      assert.deepEqual(ehloReply!.after, [
        c.code250Ehlo,
        c.ehloServerName({ name: 'mx.example.org' }),
        c.ehloAfterTls,
        c.extAuthLegacy({ keyword: 'AUTH=PLAIN' }),
      ]);
    });

    it("names the servers' own extensions, PIPECONNECT (Exim: mailv keeps the reply to use it) and VERB (sendmail: mailv does not ask for it)", () => {
      // As Exim 4.96 and sendmail 8.17 answer EHLO (reference/peers-ehlo.txt), cut to the keywords that matter here.
      const explainer = new Explainer(c);
      const annotated = [
        reply('ehlo', ['250-vm.example Hello client.test [127.0.0.1]', '250-PIPELINING', '250-PIPECONNECT', '250 CHUNKING']),
        reply('ehlo', ['250-vm.example Hello vm.example [127.0.0.1], pleased to meet you', '250-PIPELINING', '250-VERB', '250 HELP']),
      ].map((event) => {
        explainer.annotate(send('ehlo', EHLO));
        return explainer.annotate(event).after;
      });
      const [exim, sendmail] = annotated;
      assert.deepEqual(exim!.slice(-3), [c.extPipelining, c.extPipeconnect, c.extChunking]);
      assert.deepEqual(sendmail!.slice(-3), [c.extPipelining, c.extVerb, c.extHelp]);
      for (const lines of annotated) assert.ok(!lines.some((line) => line.includes(c.extUnknown({ keyword: '' }).slice(1))), lines.join('\n'));
      // What the keyword allows; whether mailv keeps the reply is said from the fact (ehlo-learned), when it does.
      assert.match(c.extPipeconnect, /^PIPECONNECT.*EHLO.*\(Exim, /);
      assert.doesNotMatch(c.extPipeconnect, /mailv|does not|ne s’en sert pas/);
      const key = { host: 'vm.example', address: '127.0.0.1', port: 2526, tls: 'clear', helo: 'client.test' } as const;
      const kept = explainer.annotate({ kind: 'ehlo-learned', key, offer: { domain: 'vm.example', extensions: [] } });
      assert.deepEqual(kept, { before: [], after: [c.ehloKept], standalone: true });
      assert.match(c.ehloKept, /^mailv keeps this reply|^mailv garde cette réponse/);
      // Kept, yet of no use for an early EHLO under this run's TLS setting: said so, not promised.
      const offer = { domain: 'vm.example', extensions: [] };
      assert.deepEqual(explainer.annotate({ kind: 'ehlo-learned', key, offer, notEarly: 'tls-follows' }).after, [c.ehloKeptTlsFollows]);
      assert.deepEqual(explainer.annotate({ kind: 'ehlo-learned', key, offer, notEarly: 'no-pipelining' }).after, [c.ehloKeptNoPipelining]);
      assert.match(c.extVerb, /^VERB.*050.*mailv.*\(sendmail, /);
    });

    it('a 554 greeting after an early EHLO may be early talk refused, not only no service at all', () => {
      const plain = new Explainer(c);
      assert.ok(plain.annotate(reply('greeting', ['554 no service here'])).after.includes(c.code554Greeting));
      const early = new Explainer(c);
      early.annotate({ kind: 'note', note: { code: 'pipeconnect-early' }, severity: 'info' });
      const after = early.annotate(reply('greeting', ['554 5.5.1 you talked first'])).after;
      assert.ok(after.includes(c.code554AfterEarlyEhlo), after.join('\n'));
      assert.ok(!after.includes(c.code554Greeting), after.join('\n'));
    });

    it('says an EHLO reply names no server, and a SIZE that is no limit RFC 1870 writes, apart from no limit at all', () => {
      const explainer = new Explainer(c);
      explainer.annotate(send('ehlo', EHLO));
      const after = explainer.annotate(reply('ehlo', ['250-', '250-SIZE 99999999999999999999999999', '250 SIZE 0x10'])).after;
      assert.ok(after.includes(c.ehloNoServerName), after.join('\n'));
      assert.ok(!after.some((line) => line.includes("server's name, ,")), after.join('\n'));
      assert.ok(after.includes(c.extSizeUnreadable({ value: '99999999999999999999999999' })), after.join('\n'));
      assert.ok(after.includes(c.extSizeUnreadable({ value: '0x10' })), after.join('\n'));
      // A value past the line's room is shown cut, and said cut.
      explainer.annotate(send('ehlo', EHLO));
      const long = explainer.annotate(reply('ehlo', ['250-name', `250 SIZE ${'9'.repeat(40)}`])).after;
      assert.ok(long.includes(c.extSizeUnreadable({ value: `${'9'.repeat(29)}…` })), long.join('\n'));
      explainer.annotate(send('ehlo', EHLO));
      const none = explainer.annotate(reply('ehlo', ['250-name', '250-SIZE 0', '250-SIZE 00', '250 SIZE'])).after;
      assert.deepEqual(
        none.filter((line) => line.startsWith('SIZE')),
        [c.extSize({ limit: undefined }), c.extSize({ limit: undefined }), c.extSize({ limit: undefined })],
      );
    });

    it('explains AUTH, its hidden answers and a cancel', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        send('auth', { verb: 'AUTH', mechanism: 'PLAIN', initial: { text: undefined, secret: true } }),
        reply('auth', ['235 2.7.0 Authentication successful']),
        send('auth', { verb: 'AUTH', mechanism: 'LOGIN', initial: undefined }),
        reply('auth', ['334 VXNlcm5hbWU6']),
        send('auth', { verb: 'SASL', response: { text: undefined, secret: true } }),
        reply('auth', ['334 ']),
        send('auth', { verb: 'SASL', response: { text: '*', secret: false } }),
        reply('auth', ['501 5.7.0 Cancelled']),
        send('auth', { verb: 'AUTH', mechanism: 'SCRAM-SHA-256', initial: { text: 'biwsbj1hbGljZSxyPXh5eg==', secret: false } }),
      ];
      const [plain, ok, login, challenge, answer, empty, cancel, cancelled, scram] = events.map((event) => explainer.annotate(event));
      assert.deepEqual(plain!.after, [c.cmdAuth({ mechanism: 'PLAIN' }), c.mechPlain, c.authInitialRedacted]);
      assert.equal(ok!.after[0], c.code235);
      assert.equal(ok!.after.at(-1), c.enhanced2_7_0);
      assert.deepEqual(login!.after, [c.cmdAuth({ mechanism: 'LOGIN' }), c.mechLogin]);
      assert.equal(challenge!.after[0], c.code334);
      assert.deepEqual(answer!.after, [c.authAnswerRedacted]);
      assert.equal(empty!.after[0], c.code334Empty);
      assert.deepEqual(cancel!.after, [c.authCancel]);
      assert.equal(cancelled!.after[0], c.code501Cancel);
      assert.deepEqual(scram!.after, [c.cmdAuth({ mechanism: 'SCRAM-SHA-256' }), c.mechScramSha256, c.authInitial]);
      assert.match(scram!.after[1]!, /RFC 5802.*RFC 7677/);
    });

    it('explains MAIL parameters, BDAT, refusals and unknown codes', () => {
      const explainer = new Explainer(c);
      const events: SessionEvent[] = [
        send('mail', { verb: 'MAIL', from: '', params: ['SIZE=99', 'BODY=8BITMIME', 'SMTPUTF8'] }),
        reply('mail', ['250 Ok']),
        send('rcpt', { verb: 'RCPT', to: 'x@example.org', params: [] }),
        reply('rcpt', ['450 4.4.7 Try later'], 'x@example.org'),
        send('rcpt', { verb: 'RCPT', to: 'y@example.org', params: [] }),
        reply('rcpt', ['599 5.9.9 Odd'], 'y@example.org'),
        // One recipient taken: the last chunk's 250 is a delivery's, not an empty message's.
        send('rcpt', { verb: 'RCPT', to: 'z@example.org', params: [] }),
        reply('rcpt', ['250 Ok'], 'z@example.org'),
        send('body', { verb: 'BDAT', size: 99, last: true }),
        { kind: 'body', bytes: Buffer.from('Subject: hi\r\n\r\nhello\r\n') },
        { kind: 'body', bytes: Buffer.from('more\r\n') },
        reply('body', ['250 2.0.0 Ok']),
      ];
      const [mail, , , deferred, , odd, , , bdat, body, more, final] = events.map((event) => explainer.annotate(event));
      assert.deepEqual(mail!.after, [c.cmdMailFromNull, c.paramSize({ octets: 99 }), c.paramBody8bit, c.paramSmtputf8]);
      assert.deepEqual(deferred!.after, [
        c.code450,
        c.replyStructure({ code: 450, severity: c.replyClass4, category: c.replyDigit5 }),
        c.enhancedGeneric({ code: '4.4.7', severity: c.enhancedClass4, subject: c.enhancedSubject4 }),
      ]);
      assert.deepEqual(odd!.after, [
        c.replyStructure({ code: 599, severity: c.replyClass5, category: c.replyDigitUnspecified }),
        c.enhancedGeneric({ code: '5.9.9', severity: c.enhancedClass5, subject: c.enhancedSubjectOther }),
      ]);
      // The whole message in one chunk: its only one, not "the last octets".
      assert.deepEqual(bdat!.after, [c.cmdBdatOnly({ octets: 99 })]);
      const chunked = new Explainer(c);
      chunked.annotate(send('mail', { verb: 'MAIL', from: 'a@example.org', params: [] }));
      chunked.annotate(send('body', { verb: 'BDAT', size: 10, last: false }));
      assert.deepEqual(chunked.annotate(send('body', { verb: 'BDAT', size: 5, last: true })).after, [c.cmdBdatLast({ octets: 5 })]);
      // The next message's lone chunk is its only one again.
      chunked.annotate(send('mail', { verb: 'MAIL', from: 'a@example.org', params: [] }));
      assert.deepEqual(chunked.annotate(send('body', { verb: 'BDAT', size: 7, last: true })).after, [c.cmdBdatOnly({ octets: 7 })]);
      assert.deepEqual(body!.before, [c.bodyStart]);
      assert.deepEqual(more!.before, []);
      // After BDAT … LAST, the verdict is RFC 3030's, not the final dot's of RFC 5321.
      assert.equal(final!.after[0], c.code250LastChunk);
      assert.match(final!.after[0]!, /RFC 3030 §2/);
    });

    it('explains DNS lookups', () => {
      const explainer = new Explainer(c);
      const base = { name: 'example.org', server: '192.0.2.53#53', truncated: false, additionals: [], ms: 3 };
      const mx = explainer.annotate({ kind: 'dns-query', name: 'example.org', type: 'MX', server: '192.0.2.53#53', transport: 'udp' });
      const answer = explainer.annotate({
        kind: 'dns-answer',
        ...base,
        type: 'MX',
        rcode: 'NOERROR',
        answers: [{ type: 'MX', name: 'example.org', ttl: 300, preference: 10, exchange: 'mx.example.org' }],
      });
      const nullMx = explainer.annotate({
        kind: 'dns-answer',
        ...base,
        type: 'MX',
        rcode: 'NOERROR',
        answers: [{ type: 'MX', name: 'example.org', ttl: 300, preference: 0, exchange: '.' }],
      });
      const mxRecord = (preference: number, exchange: string) => ({ type: 'MX' as const, name: 'example.org', ttl: 300, preference, exchange });
      const mxAnswer = (...answers: ReturnType<typeof mxRecord>[]) =>
        explainer.annotate({ kind: 'dns-answer', ...base, type: 'MX', rcode: 'NOERROR', answers });
      // RFC 7505 §3: a null MX is a single record of preference 0; "." anywhere else names no host and is passed over.
      const rootAmongOthers = mxAnswer(mxRecord(0, '.'), mxRecord(10, 'mx1.example.org'), mxRecord(20, 'mx2.example.org'));
      const rootAtTen = mxAnswer(mxRecord(10, '.'));
      const several = mxAnswer(mxRecord(10, 'mx1.example.org'), mxRecord(20, 'mx2.example.org'));
      // An alias alone is followed: it is not an empty MX list.
      const alias = explainer.annotate({
        kind: 'dns-answer',
        ...base,
        type: 'MX',
        rcode: 'NOERROR',
        answers: [{ type: 'CNAME', name: 'example.org', ttl: 300, target: 'mail.example.net' }],
      });
      const noMx = explainer.annotate({ kind: 'dns-answer', ...base, type: 'MX', rcode: 'NOERROR', answers: [] });
      const nx = explainer.annotate({ kind: 'dns-answer', ...base, type: 'A', rcode: 'NXDOMAIN', answers: [] });
      const tcp = explainer.annotate({ kind: 'dns-query', name: 'example.org', type: 'AAAA', server: '192.0.2.53#53', transport: 'tcp' });
      assert.deepEqual(mx.after, [c.dnsQueryMx({ name: 'example.org' })]);
      assert.deepEqual(answer.after, [c.dnsNoError, c.dnsMxSingle]);
      assert.deepEqual(nullMx.after, [c.dnsNoError, c.dnsNullMx]);
      assert.deepEqual(rootAmongOthers.after, [c.dnsNoError, c.dnsMxNoHost, c.dnsMxPreference]);
      assert.deepEqual(rootAtTen.after, [c.dnsNoError, c.dnsMxNoHost]);
      assert.deepEqual(several.after, [c.dnsNoError, c.dnsMxPreference]);
      assert.deepEqual(alias.after, [c.dnsNoError, c.dnsCname]);
      // An MX host whose address answer is an alias: told as the misconfiguration it is (RFC 2181 §10.3).
      const hostAlias = explainer.annotate({
        kind: 'dns-answer',
        ...base,
        name: 'MX1.example.org.',
        type: 'A',
        rcode: 'NOERROR',
        answers: [
          { type: 'CNAME', name: 'mx1.example.org', ttl: 300, target: 'real.example.net' },
          { type: 'A', name: 'real.example.net', ttl: 300, address: '192.0.2.1' },
        ],
      });
      assert.deepEqual(hostAlias.after, [c.dnsNoError, c.dnsCname, c.dnsMxHostAlias]);
      assert.deepEqual(noMx.after, [c.dnsNoError, c.dnsNoMx]);
      assert.deepEqual(nx.after, [c.dnsNxdomain({ name: 'example.org' })]);
      assert.deepEqual(tcp.after, [c.dnsQueryAaaa({ name: 'example.org' }), c.dnsOverTcp]);
    });

    it('says HELO follows an EHLO the server does not take (500, 501, 502, 504, 550), and not after a 554 or an LHLO', () => {
      const after = (hello: Command, raw: string) => {
        const explainer = new Explainer(c);
        explainer.annotate(reply('greeting', ['220 x']));
        explainer.annotate(send('ehlo', hello));
        return explainer.annotate(reply('ehlo', [raw])).after;
      };
      for (const raw of ['500 what', '501 bad', '502 no', '504 no', '550 no EHLO']) assert.ok(after(EHLO, raw).includes(c.ehloFallback), raw);
      assert.ok(!after(EHLO, '554 go away').includes(c.ehloFallback));
      assert.ok(!after({ verb: 'LHLO', domain: 'client.example' }, '500 what').includes(c.ehloFallback));
      // An early EHLO (PIPECONNECT) refused is sent again after the greeting, not replaced by HELO;
      // the EHLO sent again, refused in its turn, is.
      const early = new Explainer(c);
      early.annotate({ kind: 'note', note: { code: 'pipeconnect-early' }, severity: 'info' });
      early.annotate(send('ehlo', EHLO));
      early.annotate(reply('greeting', ['220 x']));
      const refusedEarly = early.annotate(reply('ehlo', ['550 no early talkers'])).after;
      assert.ok(!refusedEarly.includes(c.ehloFallback));
      // A refused hello is no mailbox unavailable: 550's generic meaning is not given to it.
      assert.ok(refusedEarly.includes(c.codeEhloRefusedEarly({ code: 550 })), refusedEarly.join('\n'));
      assert.ok(!refusedEarly.includes(c.code550), refusedEarly.join('\n'));
      early.annotate(send('ehlo', EHLO));
      const refusedAgain = early.annotate(reply('ehlo', ['502 no'])).after;
      assert.ok(refusedAgain.includes(c.ehloFallback));
      // 502: the command unknown to this server, not a refusal of the client.
      assert.ok(refusedAgain.includes(c.codeEhloUnknown({ code: 502 })), refusedAgain.join('\n'));
      assert.ok(after(EHLO, '550 no EHLO').includes(c.codeEhloRefused({ code: 550, verb: 'EHLO' })));
      // LMTP's hello, refused, is said as such (RFC 2033 §4.1).
      assert.ok(after({ verb: 'LHLO', domain: 'client.example' }, '502 no').includes(c.codeEhloRefused({ code: 502, verb: 'LHLO' })));
      // After a hello was taken (XCLIENT's EHLO comes after one), a 502 is no server without EHLO, and HELO does not follow.
      const claimed = new Explainer(c);
      claimed.annotate(reply('greeting', ['220 x']));
      claimed.annotate(send('ehlo', EHLO));
      claimed.annotate(reply('ehlo', ['250-x', '250 XCLIENT ADDR']));
      claimed.annotate(send('ehlo', EHLO));
      const refusedAfter = claimed.annotate(reply('ehlo', ['502 no EHLO'])).after;
      assert.equal(refusedAfter[0], c.codeEhloRefused({ code: 502, verb: 'EHLO' }), refusedAfter.join('\n'));
      assert.ok(!refusedAfter.includes(c.ehloFallback));
    });

    it('quotes untrusted text without control characters', () => {
      const explainer = new Explainer(c);
      const evil = explainer.annotate(reply('greeting', ['220 x']));
      assert.ok(evil.after.length > 0);
      explainer.annotate(send('ehlo', EHLO));
      const ehlo = explainer.annotate(reply('ehlo', ['250-mx\x1b[31m', `250 X${'A'.repeat(500)}\x07`]));
      for (const line of ehlo.after) {
        assert.ok(!/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(line), line);
        assert.ok(line.length < 200, line);
      }
    });
  });
}
