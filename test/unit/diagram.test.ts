// The sequence diagram of --diagram, from synthetic event lists: what is drawn (an arrow per
// command and reply, flights, the TLS band, DNS and MX lanes), what is never let through (markup
// from the server, secrets), and the words around it in both languages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import { Explainer, catalogueFor } from '../../dist/explain/explainer.js';
import { buildModel, type TimedEvent } from '../../dist/render/diagram-model.js';
import { renderDiagram, type DiagramOptions } from '../../dist/render/diagram.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';

const reply = (stage: 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'body' | 'quit', ...raw: string[]): SessionEvent => ({
  kind: 'reply',
  stage,
  reply: makeReply(raw),
  recipient: undefined,
});

/** A submission with STARTTLS, then MAIL, RCPT, DATA pipelined, the dot and QUIT. */
const SESSION: SessionEvent[] = [
  { kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 587, via: 'relay' },
  { kind: 'connected', address: '127.0.0.1', port: 587 },
  reply('greeting', '220 mx.example.org ESMTP'),
  { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'client.example.org' }, pipelined: false },
  reply('ehlo', '250-mx.example.org', '250-PIPELINING', '250 STARTTLS'),
  { kind: 'send', stage: 'starttls', command: { verb: 'STARTTLS' }, pipelined: false },
  reply('starttls', '220 2.0.0 Ready to start TLS'),
  {
    kind: 'tls',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    subject: 'CN=mx.example.org',
    issuer: 'CN=Test CA',
    validFrom: 'Jan  1 00:00:00 2026 GMT',
    validTo: 'Jan  1 00:00:00 2027 GMT',
    verified: true,
    problem: undefined,
  },
  { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'client.example.org' }, pipelined: false },
  reply('ehlo', '250-mx.example.org', '250 PIPELINING'),
  { kind: 'flight', commands: 3 },
  { kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'alice@example.org', params: [] }, pipelined: true },
  { kind: 'send', stage: 'rcpt', command: { verb: 'RCPT', to: 'bob@example.org', params: [] }, pipelined: true },
  { kind: 'send', stage: 'data', command: { verb: 'DATA' }, pipelined: true },
  reply('mail', '250 2.1.0 Ok'),
  reply('rcpt', '450 4.2.0 <bob@example.org>: greylisted'),
  reply('data', '354 End data with <CR><LF>.<CR><LF>'),
  { kind: 'send', stage: 'body', command: { verb: '.' }, pipelined: false },
  reply('body', '554 5.5.1 no valid recipients'),
  { kind: 'closing', host: '127.0.0.1' },
  { kind: 'send', stage: 'quit', command: { verb: 'QUIT' }, pipelined: false },
  reply('quit', '221 2.0.0 Bye'),
];

const timed = (events: readonly SessionEvent[]): TimedEvent[] => events.map((event, index) => ({ event, at: 10 + index * 1.5 }));

const options = (overrides: Partial<DiagramOptions> = {}): DiagramOptions => ({
  format: 'svg',
  language: 'en',
  words: en,
  explain: false,
  timing: false,
  ...overrides,
});

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

/** The markup of each element that carries `attribute`, in document order. */
function groups(svg: string, attribute: string): string[] {
  return [...svg.matchAll(new RegExp(`<g [^>]*${attribute}[^>]*>[\\s\\S]*?</g>`, 'g'))].map((match) => match[0]);
}

describe('sequence diagram', () => {
  it('draws one arrow per command and one per reply, a multi-line reply as one arrow with its lines stacked', () => {
    const svg = renderDiagram(timed(SESSION), options());
    const sends = SESSION.filter((event) => event.kind === 'send').length;
    const replies = SESSION.filter((event) => event.kind === 'reply').length;
    assert.equal(count(svg, /data-arrow="command"/g), sends);
    assert.equal(count(svg, /data-arrow="reply"/g), replies);
    const ehloReply = groups(svg, 'data-arrow="reply"')[1]!;
    assert.deepEqual(
      [...ehloReply.matchAll(/<text class="label"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]),
      ['250-mx.example.org', '250-PIPELINING', '250 STARTTLS'],
    );
  });

  it('draws a flight as the session announces it: the commands of one write', () => {
    const svg = renderDiagram(timed(SESSION), options());
    assert.deepEqual(
      groups(svg, 'class="flight"').map((group) => /data-commands="(\d+)"/.exec(group)?.[1]),
      ['3'],
    );
    assert.match(svg, /3 commands in one flight/);
    // The session says the first two went in one write, the third alone.
    const announced = SESSION.map((event): SessionEvent => (event.kind === 'flight' ? { kind: 'flight', commands: 2 } : event));
    const model = buildModel(timed(announced), en, undefined);
    const flights = model.rows.flatMap((row) => (row.kind === 'command' ? [[row.lines[0], row.flight]] : []));
    assert.deepEqual(flights.slice(3, 6), [
      ['MAIL From:<alice@example.org>', 0],
      ['RCPT To:<bob@example.org>', 0],
      ['DATA', undefined],
    ]);
    assert.deepEqual(model.flights, [{ id: 0, commands: 2 }]);
  });

  it('says under its arrow an EHLO written before the greeting (PIPECONNECT), and under that one alone', () => {
    const early: SessionEvent[] = [
      { kind: 'connecting', recipients: ['bob@example.org'], host: '127.0.0.1', port: 25, via: 'relay' },
      { kind: 'connected', address: '127.0.0.1', port: 25 },
      { kind: 'note', note: { code: 'pipeconnect-early' }, severity: 'info' },
      { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'client.example.org' }, pipelined: false },
      reply('greeting', '220 exim.example.org ESMTP'),
      reply('ehlo', '550 no early talkers'),
      { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'client.example.org' }, pipelined: false },
      reply('ehlo', '250 exim.example.org'),
    ];
    for (const [words, said] of [
      [en, 'sent before the greeting (PIPECONNECT)'],
      [fr, 'envoyé avant l’accueil (PIPECONNECT)'],
    ] as const) {
      const commands = buildModel(timed(early), words, undefined).rows.filter((row) => row.kind === 'command');
      assert.deepEqual(
        commands.map((row) => row.lines),
        [['EHLO client.example.org', said], ['EHLO client.example.org']],
      );
    }
  });

  it('draws the TLS handshake as a band after the reply to STARTTLS, and everything after it as encrypted', () => {
    const svg = renderDiagram(timed(SESSION), options());
    const band = svg.indexOf('data-band="tls"');
    assert.ok(band > svg.indexOf('220 2.0.0 Ready to start TLS') && band < svg.lastIndexOf('EHLO client.example.org'), 'band between STARTTLS and EHLO');
    const arrows = groups(svg, 'data-arrow=');
    const secure = arrows.map((group) => /class="msg [^"]*secure/.test(group));
    // Greeting, EHLO, its reply, STARTTLS and its reply in clear; the rest encrypted.
    assert.deepEqual(secure, [false, false, false, false, false, ...Array<boolean>(arrows.length - 5).fill(true)]);
    assert.match(svg, /TLS handshake/);
    assert.match(svg, /TLSv1\.3, TLS_AES_256_GCM_SHA384; certificate verified/);
    assert.equal(count(svg, /<rect class="encrypted"/g), 1);
  });

  it('colours replies by class, with the code in the label and a legend', () => {
    const svg = renderDiagram(timed(SESSION), options());
    const classes = groups(svg, 'data-arrow="reply"').map((group) => [/ c(\d)\b/.exec(group)?.[1], /data-code="(\d+)"/.exec(group)?.[1]]);
    assert.deepEqual(classes, [
      ['2', '220'],
      ['2', '250'],
      ['2', '220'],
      ['2', '250'],
      ['2', '250'],
      ['4', '450'],
      ['3', '354'],
      ['5', '554'],
      ['2', '221'],
    ]);
    for (const label of ['2xx success', '3xx go on', '4xx failure for now', '5xx failure for good']) assert.ok(svg.includes(label), label);
    assert.match(svg, /<text class="label"[^>]*>450 4\.2\.0 &lt;bob@example\.org&gt;: greylisted<\/text>/);
  });

  it('lets no server text become markup or a control character', () => {
    const hostile = '550 <script>alert(1)</script></svg><svg onload="x()"> & \x1b[31m\x00\x07\u202e \uFFFE';
    const events = [
      ...SESSION.slice(0, 3),
      { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'c' }, pipelined: false } as const,
      reply('ehlo', hostile),
    ];
    for (const format of ['svg', 'html'] as const) {
      const out = renderDiagram(timed(events), options({ format, explain: true }));
      assert.doesNotMatch(out, /<script/i);
      assert.equal(count(out, /<svg/g), 1, format);
      assert.equal(count(out, /<\/svg>/g), 1, format);
      assert.doesNotMatch(out, /<[a-z]+ [^>]*onload/);
      assert.doesNotMatch(out, /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e\uFFFE]/);
      // Escaped once, beside the arrow as in the tooltip: twice would read as the server's text `\x1b`.
      assert.doesNotMatch(out, /\\\\x1b/);
      assert.match(
        out,
        /550 &lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;\/svg&gt;&lt;svg onload=&quot;x\(\)&quot;&gt; &amp; \\x1b\[31m\\x00\\x07\\u202e \\ufffe/,
      );
    }
  });

  it('cuts explanations as the terminal does: an RFC reference whole, no line starting with French punctuation', () => {
    for (const [language, words] of [
      ['en', en],
      ['fr', fr],
    ] as const) {
      const svg = renderDiagram(timed(SESSION), options({ language, words, explain: true }));
      const notes = [...svg.matchAll(/<text class="note"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
      assert.ok(
        notes.some((note) => /RFC \d+/.test(note)),
        language,
      );
      for (const note of notes) {
        assert.doesNotMatch(note, /(\bRFC|RFC \d+)$/, `${language}: a reference cut after "${note}"`);
        assert.doesNotMatch(note, /^(§|[:;?!»])/, `${language}: "${note}"`);
      }
    }
  });

  it('never starts or ends a wrapped line with the space before a word too long for a line', () => {
    const events = [
      ...SESSION.slice(0, 3),
      { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'c' }, pipelined: false } as const,
      reply('ehlo', `550 5.1.1 <${'a'.repeat(58)}> <${'x'.repeat(70)}>`),
    ];
    const texts = [...renderDiagram(timed(events), options()).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
    for (const text of texts) assert.doesNotMatch(text, /^ | $/, JSON.stringify(text));
    assert.ok(
      texts.some((text) => text.startsWith('&lt;xxx') || text.startsWith('xxx')),
      texts.join('\n'),
    );
  });

  it('wraps a long reply between whole escapes and whole characters', () => {
    // Five characters, then escapes of four: a cut at the 60th character would fall inside one.
    // The emoji: a character of two UTF-16 units, which a cut must not split either.
    const events = [
      ...SESSION.slice(0, 3),
      { kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'c' }, pipelined: false } as const,
      reply('ehlo', `550 X${'\x1b'.repeat(30)}`),
      reply('ehlo', `550-${'\u{1F4EC}'.repeat(40)}`, '550 end'),
    ];
    const svg = renderDiagram(timed(events), options());
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
    const escapes = texts.filter((text) => text.includes('\\x1b'));
    assert.ok(escapes.length >= 2, 'the reply of escapes wrapped');
    for (const text of texts) assert.match(text, /^(?:[^\\]|\\\\|\\x[0-9a-f]{2}|\\u[0-9a-f]{4})*$/, text);
    assert.equal(escapes.join('').split('\\x1b').join(''), '550 X', 'every escape whole, none lost');
    assert.doesNotMatch(svg, /\\ud[89a-f]/, 'a character beyond U+FFFF cut in two');
    assert.equal(count(texts.join(''), /\u{1F4EC}/gu), 40, 'every emoji shown whole once');
  });

  it('masks AUTH secrets always, even when the events carry them (--show-secrets)', () => {
    const password = 'Correct-Horse-9';
    const initial = Buffer.from(`\0alice\0${password}`).toString('base64');
    const events: SessionEvent[] = [
      ...SESSION.slice(0, 10),
      { kind: 'send', stage: 'auth', command: { verb: 'AUTH', mechanism: 'PLAIN', initial: { text: initial, secret: true } }, pipelined: false },
      { kind: 'note', note: { code: 'sasl-decoded', direction: 'sent', text: `\0alice\0${password}` }, severity: 'info' },
      reply('auth', `535 5.7.8 bad password ${password} (${initial})`),
      // A piece of what AUTH sent, from its 5th character: the password's base64 at another alignment.
      reply('auth', `535 5.7.8 again (${initial.slice(4)})`),
      // A reply mailv could not take, shown as received: masked all the same.
      { kind: 'unreadable-reply', lines: [`535-5.7.8 you sent ${initial}`, `250 password ${password}`] },
    ];
    const passwordBase64 = (start: number) => Buffer.from(password.slice(start, start + 12)).toString('base64');
    for (const explain of [false, true]) {
      const svg = renderDiagram(timed(events), options({ explain }));
      assert.ok(!svg.includes(password) && !svg.includes(initial), 'secret shown');
      for (const start of [0, 1, 2]) assert.ok(!svg.includes(passwordBase64(start)), `the password's base64 from ${start} shown`);
      assert.match(svg, />AUTH PLAIN \*{8}</);
      assert.match(svg, />535 5\.7\.8 bad password \*{8} \(\*{8}\)</);
      if (explain) {
        // Said as what a diagram does: never shows it, whatever --show-secrets; no decoded step announced.
        assert.match(svg, /never shown in a diagram or a record/);
        assert.doesNotMatch(svg, /--show-secrets shows it|decoded: base64 is an encoding/);
      }
    }
  });

  it('spares the user name where a server quotes it, as the dialogue does, and masks a password that is the user name again', () => {
    const password = 'Correct-Horse-9';
    const plain = (user: string, secret: string) => Buffer.from(`\0${user}\0${secret}`).toString('base64');
    const login = (text: string): SessionEvent => ({
      kind: 'send',
      stage: 'auth',
      command: { verb: 'SASL', response: { text: Buffer.from(text).toString('base64'), secret: true } },
      pipelined: false,
    });
    const quoted = reply('mail', '250 2.1.0 Sender <alice@example.org> ok');
    const auth = {
      kind: 'send',
      stage: 'auth',
      command: { verb: 'AUTH', mechanism: 'PLAIN', initial: { text: plain('alice', password), secret: true } },
      pipelined: false,
    } as const;
    // Before, with --show-secrets (the events carrying the secret), the name was masked in the picture alone.
    for (const sent of [[auth], [login('alice'), login(password)]]) {
      const svg = renderDiagram(timed([...SESSION.slice(0, 10), ...sent, quoted]), options({ user: 'alice' }));
      assert.match(svg, />250 2\.1\.0 Sender &lt;alice@example\.org&gt; ok</);
      assert.ok(!svg.includes(password), 'the password shown');
    }
    const same = renderDiagram(timed([...SESSION.slice(0, 10), login('alice'), login('alice'), quoted]), options({ user: 'alice' }));
    assert.match(same, />250 2\.1\.0 Sender &lt;\*{8}@example\.org&gt; ok</);
    const samePlain = renderDiagram(
      timed([...SESSION.slice(0, 10), { ...auth, command: { ...auth.command, initial: { text: plain('alice', 'alice'), secret: true } } }, quoted]),
      options({ user: 'alice' }),
    );
    assert.match(samePlain, />250 2\.1\.0 Sender &lt;\*{8}@example\.org&gt; ok</);
  });

  it('writes the explanations of --explain beside their arrows, in the language asked for', () => {
    for (const [language, words] of [
      ['en', en],
      ['fr', fr],
    ] as const) {
      const explainer = new Explainer(catalogueFor(language));
      const expected = SESSION.slice(0, 4).map((event) => explainer.annotate(event));
      const svg = renderDiagram(timed(SESSION), options({ explain: true, language, words }));
      const ehlo = groups(svg, 'data-arrow="command"')[0]!;
      const title = /<title>([\s\S]*?)<\/title>/.exec(ehlo)![1]!;
      const explained = [...expected[3]!.before, ...expected[3]!.after];
      // Notes are wrapped at spaces: read beside the arrows, they make the same text again.
      const beside = [...svg.matchAll(/<text class="note"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]).join(' ');
      assert.ok(explained.length > 0);
      for (const line of explained) {
        const escaped = line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
        assert.ok(title.includes(escaped), `${language}: ${line} in the tooltip`);
        assert.ok(beside.includes(escaped), `${language}: ${line} beside the arrow`);
      }
    }
    assert.doesNotMatch(renderDiagram(timed(SESSION), options()), /class="note"/);
  });

  it('draws a DNS lane and a lane per MX host, the refused one crossed out before the next', () => {
    const refused: SessionEvent[] = [
      { kind: 'dns-query', name: 'example.org', type: 'MX', server: '127.0.0.1:5354', transport: 'udp' },
      {
        kind: 'dns-answer',
        name: 'example.org',
        type: 'MX',
        server: '127.0.0.1:5354',
        rcode: 'NOERROR',
        truncated: false,
        answers: [
          { type: 'MX', name: 'example.org', ttl: 300, preference: 10, exchange: 'mx1.example.org' },
          { type: 'MX', name: 'example.org', ttl: 300, preference: 20, exchange: 'mx2.example.org' },
        ],
        additionals: [],
        ms: 2,
      },
      { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx1.example.org', port: 25, via: 'esmtp' },
      {
        kind: 'deferred',
        recipients: ['bob@example.org'],
        host: 'mx1.example.org',
        address: '127.0.0.2',
        error: { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.2', port: 25, reason: 'refused', errno: 'ECONNREFUSED', ms: 1 },
      },
      { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx2.example.org', port: 25, via: 'esmtp' },
      { kind: 'connected', address: '127.0.0.3', port: 25 },
      reply('greeting', '220 mx2.example.org ESMTP'),
      { kind: 'send', stage: 'quit', command: { verb: 'QUIT' }, pipelined: false },
      reply('quit', '221 Bye'),
    ];
    const model = buildModel(timed(refused), en, undefined);
    assert.deepEqual(
      model.lanes.map((lane) => [lane.kind, ...lane.title]),
      [
        ['client', 'client (mailv)'],
        ['dns', 'DNS server'],
        ['server', 'server', 'mx1.example.org'],
        ['server', 'server', 'mx2.example.org'],
      ],
    );
    assert.deepEqual(
      model.rows.map((row) => [row.kind, row.lane]),
      [
        ['dns-query', 'dns'],
        ['dns-answer', 'dns'],
        ['connect', 'server:mx1.example.org'],
        ['connect', 'server:mx2.example.org'],
        ['reply', 'server:mx2.example.org'],
        ['command', 'server:mx2.example.org'],
        ['reply', 'server:mx2.example.org'],
      ],
    );
    const svg = renderDiagram(timed(refused), options());
    const [first, second] = groups(svg, 'data-connect=');
    assert.match(first!, /data-connect="refused"/);
    assert.match(first!, /class="cross"/);
    assert.match(first!, /connection refused by \[127\.0\.0\.2\] port 25/);
    assert.match(second!, /data-connect="made"[\s\S]*connected to \[127\.0\.0\.3\] port 25/);
    assert.match(svg, /example\.org\. 300 IN MX 20 mx2\.example\.org\./);
    assert.equal(count(svg, /data-dns=/g), 2);
    assert.equal(count(svg, /data-arrow=/g), 3);
  });

  it('draws an answer with no record (NODATA) as an answer, and only an error code (NXDOMAIN) as a failure', () => {
    const answer = (rcode: 'NOERROR' | 'NXDOMAIN'): SessionEvent => ({
      kind: 'dns-answer',
      name: 'mx1.example.org',
      type: 'AAAA',
      server: '127.0.0.1:5354',
      rcode,
      truncated: false,
      answers: [],
      additionals: [],
      ms: 1,
    });
    const svg = renderDiagram(timed([answer('NOERROR'), answer('NXDOMAIN')]), options());
    const [nodata, nxdomain] = groups(svg, 'data-dns=');
    assert.match(nodata!, /^<g class="dns answer" data-dns="answer">/);
    assert.match(nxdomain!, /^<g class="dns answer failed" data-dns="answer">/);
  });

  it('crosses out a submission server that refused the connection, with the failure of the run', () => {
    const svg = renderDiagram(timed(SESSION.slice(0, 1)), options({ outcome: { status: 75, failure: 'connection refused by 127.0.0.1 port 587' } }));
    assert.match(groups(svg, 'data-connect=')[0]!, /data-connect="refused"[\s\S]*connection refused by 127\.0\.0\.1 port 587/);
    assert.match(svg, /exit status 75/);
  });

  it('keeps what it draws inside the picture: the heading of the first lane with nothing left of it, the longest failure line', () => {
    const failure = `cannot look up MX equal.test. for now (127.0.0.1#5399: port unreachable) ${'and more '.repeat(8)}`;
    const svg = renderDiagram(timed(SESSION.slice(0, 1)), options({ outcome: { status: 75, failure } }));
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    // Before, the heading's box began at x=-27.6 and the failure ran past the picture's right edge.
    for (const match of svg.matchAll(/class="lane-head" x="(-?[\d.]+)" y="[^"]*" width="([\d.]+)"/g)) {
      assert.ok(Number(match[1]) >= 0 && Number(match[1]) + Number(match[2]) <= width, match[0]);
    }
    const outcome = groups(svg, 'class="outcome')[0]!;
    const lines = [...outcome.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.ok(24 + line.length * 18 * 0.6 <= width, `${line.length} characters in ${width} px`);
    // The picture ends under the last line the wrapping made.
    const lastY = Math.max(...[...outcome.matchAll(/y="([\d.]+)"/g)].map((match) => Number(match[1])));
    assert.ok(lastY < Number(/<svg [^>]*height="(\d+)"/.exec(svg)![1]));
  });

  it('draws in a renderer that knows no CSS variables: the light colours written out first, the lock given its size', () => {
    const svg = renderDiagram(timed(SESSION), options());
    const style = /<style>([\s\S]*?)<\/style>/.exec(svg)![1]!;
    // Before, every colour was var(--…) alone: librsvg 2.54 drew the picture black.
    assert.match(style, /^\.mailv-diagram \.page\{fill:#ffffff\}$/m);
    assert.ok(style.indexOf('.page{fill:#ffffff}') < style.indexOf('.page{fill:var(--bg)}'), 'the themed rules come after');
    assert.doesNotMatch(style.split('.mailv-diagram{--bg')[0]!, /var\(--/);
    // Every lock: before the review, the rows' own locks had no size either.
    assert.ok(count(svg, /<use href="#lock"/g) > 1);
    assert.equal(count(svg, /<use href="#lock" x="[\d.]+" y="[\d.]+" width="20" height="22"\/>/g), count(svg, /<use href="#lock"/g));
  });

  it('keeps the heading of the last lane inside the picture, however long the server name, and counts a wide character as two columns', () => {
    const host = 'submission-gateway.eu-west-3.internal.corp.example.org';
    const events = SESSION.slice(0, 3).map((event) => (event.kind === 'connecting' ? { ...event, host } : event));
    const svg = renderDiagram(timed(events), options());
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    for (const match of svg.matchAll(/class="lane-head" x="(-?[\d.]+)" y="[^"]*" width="([\d.]+)"/g))
      assert.ok(Number(match[1]) >= 0 && Number(match[1]) + Number(match[2]) <= width, `${match[0]} in ${width}`);
    const japanese = 'サーバーへの接続が拒否されました'.repeat(3);
    const wide = renderDiagram(timed(SESSION.slice(0, 1)), options({ outcome: { status: 75, failure: japanese } }));
    const wideWidth = Number(/<svg [^>]*width="(\d+)"/.exec(wide)![1]);
    const lines = [...groups(wide, 'class="outcome')[0]!.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
    for (const line of lines) assert.ok(24 + [...line].length * 2 * 18 * 0.6 <= wideWidth, `${line} in ${wideWidth}`);
  });

  it('puts times on a left axis with --timing only', () => {
    const svg = renderDiagram(timed(SESSION), options({ timing: true }));
    assert.match(svg, /<text class="time"[^>]*>14\.5 ms<\/text>/);
    assert.match(svg, /ms since start/);
    assert.doesNotMatch(renderDiagram(timed(SESSION), options()), /class="time"/);
    // In French, a decimal comma, as the French transcript writes its times.
    assert.match(renderDiagram(timed(SESSION), options({ timing: true, language: 'fr', words: fr })), /<text class="time"[^>]*>14,5 ms<\/text>/);
  });

  it('makes a page that loads nothing, in the language asked for', () => {
    const page = renderDiagram(timed(SESSION), options({ format: 'html', language: 'fr', words: fr }));
    assert.match(page, /^<!DOCTYPE html>\n<html lang="fr">/);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
    assert.doesNotMatch(page, /<script|<link|@import|url\(http|src=/i);
    assert.deepEqual(
      [...page.matchAll(/https?:\/\/[^"'\s)]+/g)].map((match) => match[0]),
      ['http://www.w3.org/2000/svg'],
    );
    for (const words of ['Session SMTP', 'serveur', '3 commandes en un seul envoi', 'négociation TLS', '2xx succès', 'basculer'])
      assert.ok(page.includes(words), words);
    assert.match(page, /prefers-color-scheme: dark/);
    assert.match(page, /@media print/);
  });
});
