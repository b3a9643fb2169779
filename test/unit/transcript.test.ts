import assert from 'node:assert/strict';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';
import { describeFact, describeNote } from '../../dist/words/describe.js';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { exitCodeForResults } from '../../dist/delivery/outcome.js';
import { SmtpReplyError, exitCodeOf, UsageError, TransportError, ProtocolError } from '../../dist/errors.js';
import type { Ora } from 'ora';
import type { SessionEvent } from '../../dist/events.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { WaitingSpinner } from '../../dist/cli/spinner.js';
import { formatMxPlan } from '../../dist/render/mx-plan.js';
import { sanitize, terminalSafeJson } from '../../dist/text/sanitize.js';
import { decodeOctets } from '../../dist/text/octets.js';
import { colourStyle, plainStyle } from '../../dist/render/style.js';
import { TranscriptRenderer } from '../../dist/render/transcript.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { Capabilities } from '../../dist/smtp/capabilities.js';
import { TimingRecorder } from '../../dist/render/timing.js';

const ok = makeReply(['250 2.0.0 Ok: queued as 4Xy']);
const unknown = makeReply(['550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table']);
const busy = makeReply(['450 4.2.1 try later']);

describe('transcript', () => {
  it('renders each kind of event as sendmail does', () => {
    const renderer = new TranscriptRenderer(1, plainStyle, en);
    const shown = [
      renderer.lines({ kind: 'connecting', recipients: ['a@example.org', 'b@example.org'], host: '127.0.0.1', port: 25, via: 'relay' }),
      renderer.lines({ kind: 'connecting', recipients: ['a@example.org'], host: 'mx.example.org.', port: 2525, via: 'esmtp' }),
      renderer.lines({ kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'a@example.org', params: ['SIZE=47'] }, pipelined: true }),
      renderer.lines({ kind: 'reply', stage: 'ehlo', reply: makeReply(['250-mx', '250 PIPELINING']), recipient: undefined }),
      renderer.lines({ kind: 'recipient', recipient: 'a@example.org', outcome: 'sent', reply: ok }),
      renderer.lines({ kind: 'recipient', recipient: 'x@example.org', outcome: 'refused', reply: unknown }),
      renderer.lines({ kind: 'recipient', recipient: 'y@example.org', outcome: 'deferred', reply: busy }),
      renderer.lines({
        kind: 'note',
        note: { code: 'quit-unanswered', error: { code: 'MAILV_TIMEOUT', stage: 'quit', ms: 2000, waiting: 'reply' } },
        severity: 'warning',
      }),
      renderer.lines({ kind: 'closing', host: '127.0.0.1' }),
      renderer.lines({ kind: 'connected', address: '127.0.0.1', port: 25 }),
    ].flat();
    assert.deepEqual(shown, [
      'a@example.org,b@example.org... Connecting to [127.0.0.1] via relay...',
      'a@example.org... Connecting to mx.example.org. port 2525 via esmtp...',
      '>>> MAIL From:<a@example.org> SIZE=47',
      '250-mx',
      '250 PIPELINING',
      'a@example.org... Sent (2.0.0 Ok: queued as 4Xy)',
      'x@example.org... User unknown (550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table)',
      'y@example.org... Deferred (450 4.2.1 try later)',
      'Warning: no reply to QUIT (timed out after 2 s waiting for the reply (quit))',
      'Closing connection to [127.0.0.1]',
    ]);
  });

  it('a recipient deferred by the reply its connection’s Deferred: line gave is not said again; by another reply, or on another connection, it is', () => {
    const closing = makeReply(['421 4.3.2 busy now']);
    const connecting = { kind: 'connecting', recipients: ['b@example.org', 'c@example.org'], host: '127.0.0.1', port: 25, via: 'relay' } as const;
    const deferredLine = {
      kind: 'deferred',
      recipients: ['b@example.org', 'c@example.org'],
      host: '127.0.0.1',
      address: '127.0.0.1',
      error: { code: 'MAILV_GREETING_REFUSED', reply: closing },
    } as const;
    const deferred = (recipient: string, reply: ReturnType<typeof makeReply>) => ({ kind: 'recipient', recipient, outcome: 'deferred', reply }) as const;
    const renderer = new TranscriptRenderer(1, plainStyle, en);
    const shown = [
      renderer.lines(connecting),
      renderer.lines(deferredLine),
      renderer.lines(deferred('b@example.org', closing)),
      renderer.lines(deferred('c@example.org', busy)),
      renderer.lines(deferred('d@example.org', closing)),
      renderer.lines(connecting),
      renderer.lines(deferred('b@example.org', closing)),
    ].flat();
    assert.deepEqual(shown, [
      'b@example.org,c@example.org... Connecting to [127.0.0.1] via relay...',
      'b@example.org,c@example.org... Deferred: 421 4.3.2 busy now',
      'c@example.org... Deferred (450 4.2.1 try later)',
      'd@example.org... Deferred (421 4.3.2 busy now)',
      'b@example.org,c@example.org... Connecting to [127.0.0.1] via relay...',
      'b@example.org... Deferred (421 4.3.2 busy now)',
    ]);
    // A record's error facts are not checked when it is read: a reply without its raw lines (a
    // record edited by hand) still shows both lines, as before a Deferred: line was remembered.
    const replayed = new TranscriptRenderer(1, plainStyle, en);
    const handEdited = {
      ...deferredLine,
      error: { code: 'MAILV_GREETING_REFUSED', reply: { code: 421, lines: ['4.3.2 busy now'] } },
    } as unknown as SessionEvent;
    assert.deepEqual([replayed.lines(handEdited), replayed.lines(deferred('b@example.org', closing))].flat(), [
      'b@example.org,c@example.org... Deferred: 421 4.3.2 busy now',
      'b@example.org... Deferred (421 4.3.2 busy now)',
    ]);
  });

  it('Sent quotes the last line of the final reply, its enhanced code left out only where the session offered ENHANCEDSTATUSCODES', () => {
    const ehlo = (keywords: string[]) => {
      const reply = makeReply(['250-mx.example.org', ...keywords.map((keyword, index) => `250${index === keywords.length - 1 ? ' ' : '-'}${keyword}`)]);
      return { kind: 'reply', stage: 'ehlo', reply, recipient: undefined, ehlo: Capabilities.fromEhlo(reply).offer } as const;
    };
    const connecting = { kind: 'connecting', recipients: ['a@example.org'], host: '127.0.0.1', port: 25, via: 'relay' } as const;
    const sentLine = (renderer: TranscriptRenderer, reply: ReturnType<typeof makeReply>) =>
      renderer.lines({ kind: 'recipient', recipient: 'a@example.org', outcome: 'sent', reply });
    const offered = new TranscriptRenderer(1, plainStyle, en);
    offered.lines(connecting);
    offered.lines(ehlo(['PIPELINING', 'ENHANCEDSTATUSCODES']));
    // sendmail-msp-v-to-postfix.txt: "Sent (Ok: queued as 7AD0B162466)".
    assert.deepEqual(sentLine(offered, ok), ['a@example.org... Sent (Ok: queued as 4Xy)']);
    // A new session forgets what the last one offered: sendmail-sendmail-v-Am-direct.txt keeps "2.0.0".
    offered.lines(connecting);
    offered.lines(ehlo(['PIPELINING', 'SIZE 1000']));
    assert.deepEqual(sentLine(offered, ok), ['a@example.org... Sent (2.0.0 Ok: queued as 4Xy)']);
    // Exim answers BDAT LAST in two lines: only the last is quoted.
    const exim = makeReply(['250- 268 byte chunk, total 268', '250 OK id=1tAbCd-000123-Xy']);
    const fresh = new TranscriptRenderer(1, plainStyle, en);
    fresh.lines(connecting);
    fresh.lines(ehlo(['CHUNKING']));
    assert.deepEqual(sentLine(fresh, exim), ['a@example.org... Sent (OK id=1tAbCd-000123-Xy)']);
    // Without an EHLO offer (HELO), nothing is taken for an enhanced code.
    const helo = new TranscriptRenderer(1, plainStyle, en);
    helo.lines(connecting);
    assert.deepEqual(sentLine(helo, ok), ['a@example.org... Sent (2.0.0 Ok: queued as 4Xy)']);
  });

  it('gives a certificate’s dates in French words in French (OpenSSL writes them in English, "Mar" reading as mardi)', () => {
    const tls = {
      kind: 'tls' as const,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      subject: 'CN=localhost',
      issuer: 'CN=mailv test CA',
      validFrom: 'Dec  5 06:15:28 2026 GMT',
      validTo: 'Mar  9 06:15:28 2029 GMT',
      verified: true,
      problem: undefined,
    };
    assert.equal(
      fr.tls.certificate(tls),
      'TLS : sujet CN=localhost ; émetteur CN=mailv test CA ; valide du 5 déc. 2026 06:15:28 GMT au 9 mars 2029 06:15:28 GMT',
    );
    assert.equal(en.tls.certificate(tls), 'TLS: subject CN=localhost; issuer CN=mailv test CA; valid Dec  5 06:15:28 2026 GMT to Mar  9 06:15:28 2029 GMT');
    // A date in any other form is shown as it came.
    assert.match(fr.tls.certificate({ ...tls, validTo: '2029-03-09' }), /au 2029-03-09$/);
  });

  it('names the name given by --tls-name in the TLS line, verified or not, in both languages', () => {
    const tls = {
      kind: 'tls' as const,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      subject: 'CN=mail.example.org',
      issuer: 'CN=mailv test CA',
      validFrom: 'Dec  5 06:15:28 2026 GMT',
      validTo: 'Mar  9 06:15:28 2029 GMT',
      verified: true,
      problem: undefined,
      checkedAs: { name: 'mail.example.org', given: 'option' as const },
    };
    assert.equal(en.tls.handshake(tls), 'TLS: TLSv1.3, TLS_AES_256_GCM_SHA384; certificate verified as mail.example.org (--tls-name)');
    assert.equal(fr.tls.handshake(tls), 'TLS : TLSv1.3, TLS_AES_256_GCM_SHA384 ; certificat vérifié au nom de mail.example.org (--tls-name)');
    // The accounts file's name is named by its key there: no option was typed.
    const fromFile = { ...tls, checkedAs: { name: 'mail.example.org', given: 'config' as const } };
    assert.equal(en.tls.handshake(fromFile), 'TLS: TLSv1.3, TLS_AES_256_GCM_SHA384; certificate verified as mail.example.org (tls-name in the accounts file)');
    assert.equal(
      fr.tls.handshake(fromFile),
      'TLS : TLSv1.3, TLS_AES_256_GCM_SHA384 ; certificat vérifié au nom de mail.example.org (tls-name du fichier des comptes)',
    );
    const mismatch = { ...tls, verified: false, problem: { kind: 'name-mismatch' as const, altNames: 'DNS:other.example.org' }, resumed: true as const };
    assert.match(
      en.tls.handshake(mismatch),
      /; certificate NOT verified as mail\.example\.org \(--tls-name\): name mismatch: .* when the session was made, resumed here$/,
    );
    assert.match(
      fr.tls.handshake(mismatch),
      /; certificat NON vérifié au nom de mail\.example\.org \(--tls-name\) : .* à la création de la session, ici reprise$/,
    );
    assert.equal(en.tls.handshake({ ...tls, checkedAs: undefined }), 'TLS: TLSv1.3, TLS_AES_256_GCM_SHA384; certificate verified');
  });

  it('marks a pipelined flight in the language of the run', () => {
    assert.deepEqual(new TranscriptRenderer(1, plainStyle, en).lines({ kind: 'flight', commands: 3 }), [
      '(the next 3 commands in one flight: the replies follow, in order)',
    ]);
    assert.deepEqual(new TranscriptRenderer(1, plainStyle, fr).lines({ kind: 'flight', commands: 2 }), [
      '(les 2 commandes suivantes d’un seul envoi : les réponses suivent, dans l’ordre)',
    ]);
    assert.deepEqual(new TranscriptRenderer(0, plainStyle, en).lines({ kind: 'flight', commands: 3 }), []);
  });

  it('a relay that refused the connection: Deferred, named as in Connecting to', () => {
    const refused = { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.1', port: 587, reason: 'refused', errno: undefined, ms: 3 } as const;
    const renderer = new TranscriptRenderer(1, plainStyle, en);
    assert.deepEqual(renderer.lines({ kind: 'deferred', recipients: ['a@x.test'], host: '127.0.0.1', address: '127.0.0.1', error: refused }), [
      'a@x.test... Deferred: Connection refused by [127.0.0.1]',
    ]);
    assert.deepEqual(renderer.lines({ kind: 'deferred', recipients: [], host: 'relay.x.test', address: 'relay.x.test', error: refused }), [
      'Deferred: Connection refused by relay.x.test',
    ]);
  });

  it('a unix-domain socket that cannot be reached is named by its path alone, with no port', () => {
    const path = '/run/mailv-test/lmtp';
    const facts = [
      { code: 'MAILV_CONNECT_FAILED', host: path, port: 0, reason: 'refused', errno: undefined, ms: 1 },
      { code: 'MAILV_CONNECT_FAILED', host: path, port: 0, reason: 'unreachable', errno: 'EACCES', ms: 1 },
    ] as const;
    assert.deepEqual(
      facts.map((fact) => describeFact(fact, en)),
      [`connection refused by ${path}`, `cannot connect to ${path}: permission denied`],
    );
    assert.deepEqual(
      facts.map((fact) => describeFact(fact, fr)),
      [`connexion refusée par ${path}`, `connexion impossible à ${path} : permission refusée`],
    );
    // Said in words, the path once: before, `cannot connect to /run/…: ENOENT by /run/…`.
    const missing = { code: 'MAILV_CONNECT_FAILED', host: path, port: 0, reason: 'unreachable', errno: 'ENOENT', ms: 1 } as const;
    assert.deepEqual(
      new TranscriptRenderer(1, plainStyle, en).lines({ kind: 'deferred', recipients: ['a@x.test'], host: path, address: path, error: missing }),
      [`a@x.test... Deferred: cannot connect to ${path}: no such socket`],
    );
  });

  it('shows a host that failed, and the DNS exchange from -v on', () => {
    const refused = { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.9', port: 25, reason: 'refused', errno: undefined, ms: 60000 } as const;
    const event = { kind: 'deferred', recipients: ['a@x.test', 'b@x.test'], host: 'mx1.x.test.', address: '127.0.0.9', error: refused } as const;
    assert.deepEqual(new TranscriptRenderer(1, plainStyle, en).lines(event), ['a@x.test,b@x.test... Deferred: Connection refused by mx1.x.test.']);
    // Anything but a failed connection is said as its error says it, in sendmail's English as the
    // frame around it, whatever the language of the run: one line, one language.
    const dropped = { ...event, error: { code: 'MAILV_CONNECTION_LOST', stage: 'mail', reason: 'closed', errno: undefined, midReply: false } } as const;
    for (const words of [en, fr]) {
      assert.deepEqual(new TranscriptRenderer(1, plainStyle, words).lines(dropped), [
        'a@x.test,b@x.test... Deferred: connection closed by the server during mail by mx1.x.test.',
      ]);
    }
    const query = { kind: 'dns-query', name: 'x.test', type: 'MX', server: '127.0.0.1#53', transport: 'udp' } as const;
    const answer = {
      kind: 'dns-answer',
      name: 'x.test',
      type: 'MX',
      server: '127.0.0.1#53',
      rcode: 'NOERROR',
      truncated: false,
      answers: [{ type: 'MX', name: 'x.test', ttl: 300, preference: 10, exchange: 'mx1.x.test' }],
      additionals: [{ type: 'A', name: 'mx1.x.test', ttl: 300, address: '127.0.0.9' }],
      ms: 3,
    } as const;
    assert.deepEqual(new TranscriptRenderer(1, plainStyle, en).lines(query), []);
    const verbose = new TranscriptRenderer(2, plainStyle, en);
    assert.deepEqual(verbose.lines(query), [';; MX x.test.? asking 127.0.0.1#53 over UDP']);
    assert.deepEqual(verbose.lines(answer), [
      ';; answer to MX x.test. from 127.0.0.1#53: NOERROR, 1 record, 3 ms',
      ';;   x.test.\t300\tIN\tMX\t10 mx1.x.test.',
      ';;   mx1.x.test.\t300\tIN\tA\t127.0.0.9   (additional)',
    ]);
  });

  it('shows message lines only at -vv, whole even when split across writes', () => {
    const quiet = new TranscriptRenderer(2, plainStyle, en);
    assert.deepEqual(quiet.lines({ kind: 'body', bytes: Buffer.from('a\r\n') }), []);
    const loud = new TranscriptRenderer(3, plainStyle, en);
    assert.deepEqual(loud.lines({ kind: 'body', bytes: Buffer.from('Subject: x\r\n\r\nhal') }), ['>>> Subject: x', '>>> ']);
    assert.deepEqual(loud.lines({ kind: 'body', bytes: Buffer.from('f\r\n') }), ['>>> half']);
    assert.deepEqual(new TranscriptRenderer(0, plainStyle, en).lines({ kind: 'closing', host: 'h' }), []);
  });

  it('colours client lines and each reply class differently', () => {
    const renderer = new TranscriptRenderer(1, colourStyle(new Chalk({ level: 1 })), en);
    const [client] = renderer.lines({ kind: 'send', stage: 'quit', command: { verb: 'QUIT' }, pipelined: false });
    const [good] = renderer.lines({ kind: 'reply', stage: 'quit', reply: ok, recipient: undefined });
    const [bad] = renderer.lines({ kind: 'reply', stage: 'rcpt', reply: unknown, recipient: undefined });
    assert.equal(client, '\x1b[36m>>> QUIT\x1b[39m');
    assert.equal(good, '\x1b[32m250 2.0.0 Ok: queued as 4Xy\x1b[39m');
    assert.equal(bad!.slice(0, 5), '\x1b[31m');
  });
});

describe('terminal safety', () => {
  it('escapes C0 and C1 controls, DEL, the line and paragraph separators, and bidirectional marks, overrides and isolates', () => {
    assert.equal(sanitize('a\tb'), 'a\tb', 'TAB is kept');
    assert.equal(sanitize('\x00\x07\x0a\x0d\x1b[2J\x7f'), '\\x00\\x07\\x0a\\x0d\\x1b[2J\\x7f');
    // C1 controls are code points beyond ASCII: \uNNNN, apart from an octet that was no UTF-8 (\xNN).
    assert.equal(sanitize('\u0080\u0085\u009b31m\u009f'), '\\u0080\\u0085\\u009b31m\\u009f');
    const bidi = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    assert.equal(sanitize(`txt.${bidi}exe`), 'txt.\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069exe');
    assert.equal(sanitize('Grüße, 日本, é\u00a0'), 'Grüße, 日本, é\u00a0', 'printable text is left alone');
    assert.equal(sanitize('one\u2028two\u2029three'), 'one\\u2028two\\u2029three', 'the line and paragraph separators end no line');
  });

  it('shows an octet that was no UTF-8 as \\xNN, a C1 control as \\uNNNN, and every backslash doubled, so that each escape reads one way', () => {
    const received = Buffer.from([
      ...Buffer.from('250 caf'),
      0xe9,
      0x20,
      0xff,
      0x20,
      0xf0,
      0x9f,
      0x82,
      0xa0,
      ...Buffer.from(' \\x1b typed, \\'),
      0x1b,
      0x20,
      0xc2,
      0x9b,
      0x20,
      0x9b,
    ]);
    const text = decodeOctets(received, 0, received.length);
    // Nothing lost: each octet of no UTF-8 sequence is kept (as U+DC00 + its value), the rest decoded.
    assert.equal(text, '250 caf\udce9 \udcff \u{1f0a0} \\x1b typed, \\\x1b \u009b \udc9b');
    // A server's text `\x1b`, a backslash before a real ESC, a C1 control, a stray octet 9B: each its own way.
    assert.equal(sanitize(text), '250 caf\\xe9 \\xff \u{1f0a0} \\\\x1b typed, \\\\\\x1b \\u009b \\x9b');
    assert.equal(decodeOctets(Buffer.from('plain é'), 0, 8), 'plain é');
    // ASCII alone (the usual reply), read from the middle of what arrived: controls and DEL as they are.
    assert.equal(decodeOctets(Buffer.from('xx250 ok\x7f\x00\x1byy'), 2, 11), '250 ok\x7f\x00\x1b');
    assert.equal(decodeOctets(Buffer.from('250 ok é'), 0, 7), '250 ok ');
    // Cut in the middle of a sequence, or an overlong form, a surrogate: the octets stand alone.
    assert.equal(decodeOctets(Buffer.from([0x61, 0xe2, 0x82]), 0, 3), 'a\udce2\udc82');
    assert.equal(decodeOctets(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), 0, 5), '\udcc0\udcaf\udced\udca0\udc80');
    // In JSON, for others' parsers, such an octet is U+FFFD; a server's text `\udce9` stays text.
    assert.equal(terminalSafeJson(JSON.stringify({ a: text.slice(0, 8), b: '\\udce9' })), '{"a":"250 caf\\ufffd","b":"\\\\udce9"}');
  });

  it('JSON keeps the value and escapes what a terminal would obey', () => {
    const value = { name: '\x1b]0;x\x07\u009b\u202e\u2028é' };
    const json = terminalSafeJson(JSON.stringify(value));
    assert.equal(json, '{"name":"\\u001b]0;x\\u0007\\u009b\\u202e\\u2028é"}');
    assert.deepEqual(JSON.parse(json), value);
  });

  it('shows names from DNS escaped in the query line, the records and the MX plan', () => {
    const evil = '\x1b]0;PWNED\x07\x1b[2Jmx.evil.test';
    const renderer = new TranscriptRenderer(2, plainStyle, en);
    assert.deepEqual(renderer.lines({ kind: 'dns-query', name: evil, type: 'A', server: '127.0.0.1#53', transport: 'udp' }), [
      ';; A \\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test.? asking 127.0.0.1#53 over UDP',
    ]);
    assert.deepEqual(
      renderer.lines({
        kind: 'dns-answer',
        name: evil,
        type: 'A',
        server: '127.0.0.1#53',
        rcode: 'NOERROR',
        truncated: false,
        answers: [{ type: 'CNAME', name: evil, ttl: 5, target: '\u202emx' }],
        additionals: [],
        ms: 1,
      }),
      [
        ';; answer to A \\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test. from 127.0.0.1#53: NOERROR, 1 record, 1 ms',
        ';;   \\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test.\t5\tIN\tCNAME\t\\u202emx.',
      ],
    );
    assert.deepEqual(renderer.lines({ kind: 'closing', host: evil }), ['Closing connection to \\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test']);
    const plan = formatMxPlan(
      {
        domain: 'evil.test',
        hosts: [
          { name: `${evil}.`, preference: 10, addresses: ['127.0.0.1'], implicit: false, noAddress: undefined, problem: undefined },
          { name: 'b\u0085.evil.test.', preference: 20, addresses: [], implicit: false, noAddress: 'no-such-host', problem: { reason: 'no-such-host' } },
        ],
        ignored: 0,
        ties: [],
      },
      25,
      en,
    );
    assert.deepEqual(plan.slice(1, 4), [
      'Mail for evil.test goes to, in this order:',
      '  1. \\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test.  preference  10  127.0.0.1',
      '  2. b\\u0085.evil.test.                    preference  20  (does not exist (NXDOMAIN): skipped)',
    ]);
  });
});

describe('the PIPECONNECT notes', () => {
  it('says a remembered reply dated in the future apart from one more than a day old', () => {
    assert.match(describeNote({ code: 'pipeconnect-stale' }, en), /more than a day old/);
    assert.match(describeNote({ code: 'pipeconnect-stale', future: true }, en), /dated in the future \(perhaps the clock was set back since\)/);
    assert.match(describeNote({ code: 'pipeconnect-stale', future: true }, fr), /portent une date à venir/);
  });

  it('promises nothing of what will be kept before the reply has come, and says a reply too large to keep as such', () => {
    // The stale note comes before EHLO: the reply may offer no PIPECONNECT, or be too large, and then nothing is kept.
    for (const words of [en, fr]) assert.doesNotMatch(describeNote({ code: 'pipeconnect-stale' }, words), /anew|nouveau/);
    assert.match(describeNote({ code: 'pipeconnect-changed', stillOffered: true, tooLarge: true }, en), /too large to be remembered \(nothing remembered\)$/);
    assert.match(describeNote({ code: 'pipeconnect-changed', stillOffered: true, tooLarge: true }, fr), /trop longue pour être mémorisée/);
    assert.match(describeNote({ code: 'pipeconnect-changed', stillOffered: true }, en), /remembered anew$/);
  });

  it('says what was forgotten after an early EHLO refused for now: what was remembered of the server, not the EHLO', () => {
    assert.match(describeNote({ code: 'pipeconnect-refused', lasting: false }, en), /: what was remembered of this server is forgotten, /);
    assert.match(
      describeNote({ code: 'pipeconnect-ehlo-refused', lasting: false }, fr),
      / : ce qui était mémorisé de ce serveur est oublié, et EHLO est renvoyé/,
    );
  });
});

describe('the --quit-after notes', () => {
  it('name the step in French, the option’s own word beside it', () => {
    assert.equal(describeNote({ code: 'quit-after', point: 'greeting' }, fr), 'arrêt après l’accueil (--quit-after greeting)');
    assert.equal(describeNote({ code: 'quit-after', point: 'greeting' }, en), 'stopping after greeting (--quit-after)');
    assert.match(describeNote({ code: 'quit-after', point: 'connect' }, fr), /^arrêt après la connexion \(--quit-after connect\) : fermeture sans un mot$/);
  });
});

describe('the spinner', () => {
  it('names what it waits for escaped, as the transcript does', async () => {
    const shown: string[] = [];
    const fake = { isSpinning: false, start: (text: string) => shown.push(text), stop: () => {} } as unknown as Ora;
    const spinner = new WaitingSpinner(async () => fake, en.output.spinner);
    spinner.after({ kind: 'dns-query', name: '\x1b]0;PWNED\x07mx.evil.test', type: 'A', server: '127.0.0.1#53', transport: 'udp' });
    await sleep(200);
    spinner.clear();
    spinner.after({ kind: 'connecting', recipients: ['a@evil.test'], host: '\u202emx.evil.test', port: 25, via: 'esmtp' });
    await sleep(200);
    spinner.clear();
    assert.deepEqual(shown, ['asking 127.0.0.1#53 for the A records of \\x1b]0;PWNED\\x07mx.evil.test…', 'connecting to \\u202emx.evil.test port 25…']);
  });

  /** A spinner whose making is counted, and held until `release()` when `held`. */
  function countedSpinner(held = false) {
    const shown: string[] = [];
    let made = 0;
    let release = () => {};
    const gate = held ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    const fake = { isSpinning: false, start: (text: string) => shown.push(text), stop: () => {} } as unknown as Ora;
    const spinner = new WaitingSpinner(async () => {
      made++;
      await gate;
      return fake;
    }, en.output.spinner);
    return { spinner, shown, made: () => made, release: () => release() };
  }
  const connecting = { kind: 'connecting', recipients: ['a@example.org'], host: 'mx.example.org', port: 25, via: 'esmtp' } as const;

  it('makes no spinner (loads no ora) for a send whose waits are all short', async () => {
    const { spinner, shown, made } = countedSpinner();
    for (let step = 0; step < 3; step++) {
      spinner.after(connecting);
      await sleep(20);
      spinner.clear();
    }
    await sleep(200);
    assert.equal(made(), 0);
    assert.deepEqual(shown, []);
  });

  it('makes the spinner once, at the first long wait, and shows nothing a line came before it was made', async () => {
    const { spinner, shown, made, release } = countedSpinner(true);
    spinner.after(connecting);
    await sleep(200);
    spinner.clear(); // a transcript line while ora is still loading
    release();
    await sleep(10);
    assert.deepEqual(shown, [], 'a line written meanwhile wins');
    spinner.after(connecting);
    await sleep(200);
    spinner.clear();
    assert.equal(made(), 1);
    assert.deepEqual(shown, ['connecting to mx.example.org port 25…']);
  });

  it('keeps turning while the server weighs the message, and while a reply is owed across other lines', async () => {
    const { spinner, shown } = countedSpinner();
    const events: SessionEvent[] = [
      connecting,
      { kind: 'connected', address: '192.0.2.1', port: 25 },
      { kind: 'send', stage: 'body', command: { verb: '.' }, pipelined: false },
      { kind: 'committed', verb: 'DATA', size: 120 },
      { kind: 'send', stage: 'quit', command: { verb: 'QUIT' }, pipelined: true },
      { kind: 'closing', host: 'mx.example.org' },
    ];
    for (const event of events) {
      spinner.clear();
      spinner.after(event);
      await sleep(200);
    }
    spinner.clear();
    assert.deepEqual(shown, [
      'connecting to mx.example.org port 25…',
      'waiting for the greeting of mx.example.org…',
      'waiting for the reply to .…',
      'waiting for the verdict on the message…',
      'waiting for the reply to QUIT…',
      'waiting for the reply to QUIT…',
    ]);
  });

  it('shows nothing when ora keeps itself off, and never fails a send when it cannot be made', async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      for (const make of [async () => undefined, async () => Promise.reject(new Error('no ora.cjs'))]) {
        let made = 0;
        const spinner = new WaitingSpinner(async () => {
          made++;
          return make();
        }, en.output.spinner);
        spinner.after(connecting);
        await sleep(200);
        spinner.clear();
        spinner.after(connecting);
        await sleep(200);
        spinner.clear();
        // Tried once, at the first long wait: not again at every wait after it.
        assert.equal(made, 1);
      }
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, [], 'nothing shown');
  });
});

describe('exit codes', () => {
  it('maps errors and outcomes to sysexits', () => {
    assert.equal(exitCodeOf(new UsageError({ code: 'MAILV_NO_RECIPIENT' })), 64);
    assert.equal(exitCodeOf(new TransportError({ code: 'MAILV_TIMEOUT', stage: 'connect', ms: 1000, waiting: 'reply' }, 'connect', 'timeout')), 75);
    assert.equal(exitCodeOf(new ProtocolError({ code: 'MAILV_UNEXPECTED_REPLY', stage: 'greeting', reply: ok }, 'greeting')), 76);
    assert.equal(exitCodeOf(new SmtpReplyError({ code: 'MAILV_SENDER_REFUSED', from: 'a', reply: unknown }, 'mail', unknown)), 69);
    assert.equal(exitCodeOf(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: unknown }, 'body', unknown)), 69);
    assert.equal(exitCodeOf(new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: busy }, 'body', busy)), 75);
    assert.equal(exitCodeOf(new Error('bug')), 70);
    const sent = { recipient: 'a', outcome: 'sent' as const, reply: ok };
    const refused = { recipient: 'b', outcome: 'refused' as const, reply: unknown };
    const deferred = { recipient: 'c', outcome: 'deferred' as const, reply: busy };
    assert.equal(exitCodeForResults([sent]), 0);
    assert.equal(exitCodeForResults([sent, deferred]), 75);
    assert.equal(exitCodeForResults([sent, refused, deferred]), 67);
  });
});

describe('--timing summary', () => {
  it('counts a wait no reply ended (a time limit, a hang-up) as its step, and a handshake that never ended as TLS', () => {
    /** Greeted at 5, then MAIL and RCPT in one group at 6, MAIL answered `mailReply` at 8; RCPT still owed. */
    const mailThenRcpt = (mailReply: string) => {
      const recorder = new TimingRecorder(0);
      recorder.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
      recorder.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 5);
      recorder.record({ kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'a@b', params: [] }, pipelined: true }, 6);
      recorder.record({ kind: 'send', stage: 'rcpt', command: { verb: 'RCPT', to: 'c@d', params: [] }, pipelined: true }, 6);
      recorder.record({ kind: 'reply', stage: 'mail', reply: makeReply([mailReply]), recipient: undefined }, 8);
      return recorder;
    };
    const silent = new TimingRecorder(0);
    silent.record({ kind: 'connecting', recipients: [], host: '127.0.0.1', port: 25, via: 'relay' }, 1);
    silent.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
    assert.equal(silent.summary(1003, en.timing).at(-1), 'Timing: connect 2.0 ms, greeting 1000.0 ms');
    const mute = new TimingRecorder(0);
    mute.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
    mute.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 5);
    mute.record({ kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'a@b', params: [] }, pipelined: true }, 6);
    assert.equal(mute.summary(506, en.timing).at(-1), 'Timing: greeting 2.0 ms, mail 500.0 ms');
    // A group whose first reply came and whose next did not (an early EHLO behind the greeting, RCPT
    // behind MAIL): the wait from that reply on is the next command's.
    const early = new TimingRecorder(0);
    early.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
    early.record({ kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'c.test' }, pipelined: true }, 4);
    early.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 5);
    assert.equal(early.summary(305, en.timing).at(-1), 'Timing: greeting 2.0 ms, ehlo 300.0 ms');
    const group = mailThenRcpt('250 ok');
    assert.equal(group.summary(408, en.timing).at(-1), 'Timing: greeting 2.0 ms, mail 2.0 ms, rcpt 400.0 ms');
    // Answered, it is no wait: the summary stands as the replies made it.
    group.record({ kind: 'reply', stage: 'rcpt', reply: makeReply(['250 ok']), recipient: 'c@d' }, 9);
    assert.equal(group.summary(408, en.timing).at(-1), 'Timing: greeting 2.0 ms, mail 2.0 ms, rcpt 1.0 ms');
    // mailv gives the connection up (its Deferred: line): the wait ends there, not when the run
    // ends after writing dead.letter; a reply that still comes counts from there, once.
    const given = mailThenRcpt('250 ok');
    const timedOut = { code: 'MAILV_TIMEOUT', stage: 'rcpt', ms: 1000, waiting: 'reply' } as const;
    given.record({ kind: 'deferred', recipients: ['c@d'], host: '127.0.0.1', address: '127.0.0.1', error: timedOut }, 1008);
    assert.equal(given.summary(1500, en.timing).at(-1), 'Timing: greeting 2.0 ms, mail 2.0 ms, rcpt 1000.0 ms');
    // A connect refused or left unanswered to the time limit is the connect step's time, each host's
    // until mailv gives it up (the next host's connecting, or its Deferred: line).
    const unreachable = new TimingRecorder(0);
    const timedOutConnect = { code: 'MAILV_CONNECT_FAILED', host: 'mx1', port: 25, reason: 'timeout', errno: undefined, ms: 30000 } as const;
    unreachable.record({ kind: 'connecting', recipients: ['c@d'], host: 'mx1', port: 25, via: 'esmtp' }, 1);
    unreachable.record({ kind: 'deferred', recipients: ['c@d'], host: 'mx1', address: '192.0.2.1', error: timedOutConnect }, 30001);
    unreachable.record({ kind: 'connecting', recipients: ['c@d'], host: 'mx2', port: 25, via: 'esmtp' }, 30002);
    unreachable.record({ kind: 'connected', address: '192.0.2.2', port: 25 }, 30004);
    assert.equal(unreachable.summary(30005, en.timing).at(-1), 'Timing: connect 30002.0 ms, greeting 1.0 ms');
    const stillConnecting = new TimingRecorder(0);
    stillConnecting.record({ kind: 'connecting', recipients: ['c@d'], host: 'mx1', port: 25, via: 'relay' }, 1);
    assert.equal(stillConnecting.summary(501, en.timing).at(-1), 'Timing: connect 500.0 ms');
    // A closing reply (421, or 221 where QUIT was not asked) leaves nothing owed after it (RFC 5321 §3.8).
    const closing = mailThenRcpt('421 4.3.2 closing');
    assert.equal(closing.summary(500, en.timing).at(-1), 'Timing: greeting 2.0 ms, mail 2.0 ms');
    // LMTP: the message's end is answered once per recipient accepted; the second reply is still owed after the first.
    const lmtp = new TimingRecorder(0);
    lmtp.record({ kind: 'connecting', recipients: ['a@x', 'b@x'], host: '/run/lmtp', port: 0, via: 'lmtp' }, 1);
    lmtp.record({ kind: 'connected', address: '/run/lmtp', port: 0 }, 1);
    lmtp.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 2);
    lmtp.record({ kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'a@b', params: [] }, pipelined: true }, 3);
    for (const to of ['a@x', 'b@x']) lmtp.record({ kind: 'send', stage: 'rcpt', command: { verb: 'RCPT', to, params: [] }, pipelined: true }, 3);
    lmtp.record({ kind: 'send', stage: 'data', command: { verb: 'DATA' }, pipelined: true }, 3);
    lmtp.record({ kind: 'reply', stage: 'mail', reply: makeReply(['250 ok']), recipient: undefined }, 4);
    for (const to of ['a@x', 'b@x']) lmtp.record({ kind: 'reply', stage: 'rcpt', reply: makeReply(['250 ok']), recipient: to }, 4);
    lmtp.record({ kind: 'reply', stage: 'data', reply: makeReply(['354 go']), recipient: undefined }, 4);
    lmtp.record({ kind: 'send', stage: 'body', command: { verb: '.' }, pipelined: true }, 5);
    lmtp.record({ kind: 'send', stage: 'quit', command: { verb: 'QUIT' }, pipelined: true }, 5);
    lmtp.record({ kind: 'reply', stage: 'body', reply: makeReply(['250 2.0.0 <a@x> Saved']), recipient: 'a@x' }, 6);
    assert.equal(lmtp.summary(1006, en.timing).at(-1), 'Timing: connect 0.0 ms, greeting 1.0 ms, mail 1.0 ms, rcpt 0.0 ms, data 0.0 ms, body 1001.0 ms');
    const handshake = new TimingRecorder(0);
    handshake.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 1);
    handshake.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 3);
    handshake.record({ kind: 'send', stage: 'starttls', command: { verb: 'STARTTLS' }, pipelined: false }, 4);
    handshake.record({ kind: 'reply', stage: 'starttls', reply: makeReply(['220 go ahead']), recipient: undefined }, 6);
    assert.equal(handshake.summary(206, en.timing).at(-1), 'Timing: greeting 2.0 ms, starttls 2.0 ms, tls 200.0 ms');
    // Then again without TLS over a new connection: the cut handshake ends where it begins, counted once.
    handshake.record({ kind: 'connecting', recipients: [], host: '127.0.0.1', port: 25, via: 'relay' }, 306);
    handshake.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 307);
    handshake.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 309);
    // Summed over both connections, and said so; the greeting line is the last connection's.
    assert.deepEqual(handshake.summary(400, en.timing).slice(1), [
      'Timing: greeting 2.0 ms after the connection was made, on the last of 2 connections',
      'Timing: over 2 connections, greeting 4.0 ms, starttls 2.0 ms, tls 300.0 ms, connect 1.0 ms',
    ]);
    assert.deepEqual(handshake.summary(400, fr.timing).slice(1), [
      'Temps : accueil 2,0 ms après l’établissement de la connexion, sur la dernière des 2 connexions',
      'Temps : sur 2 connexions, l’accueil 4,0 ms, STARTTLS 2,0 ms, TLS 300,0 ms, la connexion 1,0 ms',
    ]);
    // --quit-after connect: mailv hangs up, and waits for no greeting.
    const probe = new TimingRecorder(0);
    probe.record({ kind: 'connecting', recipients: [], host: '127.0.0.1', port: 25, via: 'relay' }, 1);
    probe.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
    probe.record({ kind: 'note', note: { code: 'quit-after', point: 'connect' }, severity: 'info' }, 4);
    assert.deepEqual(probe.summary(10, en.timing), [
      'Timing: 1 round trip (waits for the server), 0 octets sent, 0 received, 10.0 ms in all',
      'Timing: connect 2.0 ms',
    ]);
    // A unix-domain socket (port 0): no TCP handshake to count among the round trips.
    const socket = new TimingRecorder(0);
    socket.record({ kind: 'connected', address: '/run/lmtp', port: 0 }, 1);
    socket.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 2);
    assert.match(socket.summary(3, en.timing)[0]!, /^Timing: 1 round trip /);
    assert.deepEqual(new TranscriptRenderer(2, plainStyle, en).lines({ kind: 'connected', address: '/run/lmtp', port: 0 }), ['Connected to /run/lmtp']);
  });

  it('says where the time went in the run language', () => {
    const timing = new TimingRecorder(0);
    timing.record({ kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 25, via: 'relay' }, 1);
    timing.record({ kind: 'connected', address: '127.0.0.1', port: 25 }, 3);
    timing.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 5);
    timing.record({ kind: 'traffic', sent: 120, received: 340 }, 9);
    assert.deepEqual(timing.summary(10, en.timing), [
      'Timing: 2 round trips (waits for the server), 120 octets sent, 340 received, 10.0 ms in all',
      'Timing: greeting 2.0 ms after the connection was made',
      'Timing: connect 2.0 ms, greeting 2.0 ms',
    ]);
    assert.deepEqual(timing.summary(10, fr.timing), [
      'Temps : 2 allers-retours (attentes du serveur), 120 octets envoyés, 340 reçus, 10,0 ms en tout',
      'Temps : accueil 2,0 ms après l’établissement de la connexion',
      'Temps : la connexion 2,0 ms, l’accueil 2,0 ms',
    ]);
    // smtps://: the greeting is awaited from the end of the handshake, and said so; on plain TCP it is not.
    const implicit = new TimingRecorder(0);
    implicit.record({ kind: 'connected', address: '127.0.0.1', port: 465 }, 1);
    const handshake = { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'CN=a', issuer: 'CN=b', validFrom: '', validTo: '' };
    implicit.record({ kind: 'tls', ...handshake, verified: true, problem: undefined }, 9);
    implicit.record({ kind: 'reply', stage: 'greeting', reply: makeReply(['220 ready']), recipient: undefined }, 12);
    assert.deepEqual(implicit.summary(12, en.timing).slice(1), [
      'Timing: greeting 3.0 ms after the TLS handshake (smtps://)',
      'Timing: tls 8.0 ms, greeting 3.0 ms',
    ]);
    assert.equal(implicit.summary(12, fr.timing)[1], 'Temps : accueil 3,0 ms après la négociation TLS (smtps://)');
  });
});
