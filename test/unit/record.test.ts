// The record of --record, as a codec: every event kind written and read back equal, octets and
// untrusted text kept exactly, every kind of damage refused naming its line, secrets withheld.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { decodeRecord, type KnownCodes } from '../../dist/record/decode.js';
import { endLine, eventJson, eventLine, headerLine, noteLine, RECORD_VERSION } from '../../dist/record/format.js';
import { RecordSecrets } from '../../dist/record/secrets.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { en } from '../../dist/words/en/index.js';

const KNOWN: KnownCodes = { isNote: (code) => Object.hasOwn(en.notes, code), isError: (code) => Object.hasOwn(en.errors, code) };
const HEADER = headerLine({ format: 'mailv-record', version: RECORD_VERSION, mailv: '0.1.0', started: '2026-11-28T03:00:00.000Z', language: 'en' });
const END = endLine(99, 0, undefined);

/** Every octet, and server text no renderer should trust: controls, escapes, a lone surrogate. */
const ALL_OCTETS = Buffer.from(Array.from({ length: 256 }, (_, octet) => octet));
const HOSTILE = makeReply(['550-5.7.1 \x1b[31mred\x1b[0m \u0000 \ud800 é', '550 5.7.1 "quoted" \\ back\r']);

/** One event of each kind: a kind added to SessionEvent without one here fails to compile. */
const SAMPLES: { readonly [K in SessionEvent['kind']]: Extract<SessionEvent, { kind: K }> } = {
  // Each field in each of its forms: a sender the header does not show, a Bcc, a From: alone.
  addresses: {
    kind: 'addresses',
    addresses: [
      { address: 'bounces@example.org', envelope: 'MAIL From', header: undefined, blind: false, source: 'config-file' },
      { address: 'bob@example.org', envelope: 'RCPT To', header: 'Resent-To', blind: false, source: undefined },
      { address: 'carol@example.org', envelope: 'RCPT To', header: undefined, blind: true, source: 'Bcc' },
      { address: 'alice@example.org', envelope: undefined, header: 'From', blind: false, source: 'From' },
    ],
  },
  connecting: { kind: 'connecting', recipients: ['bob@example.org'], host: 'mx.example.org', port: 25, via: 'esmtp' },
  connected: { kind: 'connected', address: '127.0.0.1', port: 25 },
  send: { kind: 'send', stage: 'mail', command: { verb: 'MAIL', from: 'alice@example.org', params: ['SIZE=12', 'BODY=8BITMIME'] }, pipelined: true },
  flight: { kind: 'flight', commands: 3 },
  reply: {
    kind: 'reply',
    stage: 'ehlo',
    reply: makeReply(['250-mx.example.org', '250 SIZE 100']),
    recipient: undefined,
    ehlo: { domain: 'mx.example.org', extensions: [{ keyword: 'SIZE', params: ['100'] }] },
  },
  body: { kind: 'body', bytes: ALL_OCTETS },
  'unreadable-reply': { kind: 'unreadable-reply', lines: ['220-first', '554 second'] },
  committed: { kind: 'committed', verb: 'BDAT', size: 1234 },
  recipient: { kind: 'recipient', recipient: 'carol@example.org', outcome: 'refused', reply: HOSTILE },
  note: { kind: 'note', note: { code: 'starttls-refused', reply: makeReply(['454 4.7.0 TLS not available']) }, severity: 'warning' },
  closing: { kind: 'closing', host: 'mx.example.org' },
  'ehlo-learned': {
    kind: 'ehlo-learned',
    key: { host: 'mx.example.org', address: '127.0.0.1', port: 25, tls: 'starttls', helo: 'client.example.org' },
    offer: { domain: 'mx.example.org', extensions: [{ keyword: 'PIPECONNECT', params: [] }] },
  },
  'ehlo-forgotten': {
    kind: 'ehlo-forgotten',
    key: { host: 'mx.example.org', address: '::1', port: 2526, tls: 'starttls', helo: 'client.example.org', tlsName: 'mail.example.org' },
    lasting: true,
  },
  traffic: { kind: 'traffic', sent: 361, received: 305 },
  tls: {
    kind: 'tls',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    subject: 'CN=mx.example.org',
    issuer: 'CN=Test CA',
    validFrom: 'Jan  1 00:00:00 2026 GMT',
    validTo: 'Jan  1 00:00:00 2027 GMT',
    verified: false,
    problem: { kind: 'name-mismatch', altNames: 'DNS:other.example.org' },
    // Each optional field, so that each is read back (`resumed` was once dropped).
    resumed: true,
    clientCertificate: 'offered',
    clientSubject: 'CN=client.example.org',
    checkedAs: { name: 'mail.example.org', given: 'config' },
  },
  deferred: {
    kind: 'deferred',
    recipients: ['bob@example.org'],
    host: 'mx.example.org',
    address: '127.0.0.1',
    error: { code: 'MAILV_GREETING_REFUSED', reply: makeReply(['421 4.3.2 busy']) },
  },
  unsettled: {
    kind: 'unsettled',
    recipients: ['bob@example.org', 'carol@example.org'],
    error: {
      code: 'MAILV_UNCONFIRMED',
      host: 'mx.example.org',
      address: '127.0.0.1',
      error: { code: 'MAILV_CONNECTION_LOST', stage: 'body', reason: 'closed', errno: undefined, midReply: false },
    },
  },
  'dns-query': { kind: 'dns-query', name: 'example.org.', type: 'MX', server: '127.0.0.1#5354', transport: 'udp' },
  'dns-answer': {
    kind: 'dns-answer',
    name: 'example.org.',
    type: 'MX',
    server: '127.0.0.1#5354',
    rcode: 'NOERROR',
    truncated: false,
    answers: [{ type: 'MX', name: 'example.org.', ttl: 300, preference: 10, exchange: 'mx.example.org.' }],
    additionals: [{ type: 'A', name: 'mx.example.org.', ttl: 300, address: '127.0.0.1' }],
    ms: 1.5,
  },
  'dead-letter': { kind: 'dead-letter', path: '/home/tester/dead.letter', size: 258, unfinished: false },
  'dns-no-answer': { kind: 'dns-no-answer', name: 'example.org.', type: 'MX', server: '127.0.0.1#5354', reason: 'timeout', transport: 'udp', timeoutMs: 2000 },
  'mx-plan': {
    kind: 'mx-plan',
    plan: {
      domain: 'example.org',
      hosts: [
        { name: 'a.example.org.', preference: 10, addresses: ['127.0.0.2', '::1'], implicit: false, noAddress: undefined, problem: undefined },
        { name: 'b.example.org.', preference: 10, addresses: [], implicit: false, noAddress: 'no-such-host', problem: { reason: 'no-such-host' } },
        {
          name: 'c.example.org.',
          preference: 20,
          addresses: [],
          implicit: false,
          noAddress: 'lookup-failed',
          problem: {
            reason: 'lookup-failed',
            failure: {
              kind: 'servers',
              failures: [
                { server: '127.0.0.1#5354', reason: 'rcode', rcode: 'SERVFAIL' },
                { server: '127.0.0.1#5355', reason: 'timeout', transport: 'udp', timeoutMs: 2000 },
              ],
            },
          },
        },
      ],
      ignored: 0,
      ties: [{ preference: 10, hosts: ['a.example.org.', 'b.example.org.'] }],
      family: 6,
    },
  },
  'null-mx': { kind: 'null-mx', domain: 'example.org' },
};

/** A record of these lines between the header and the end. */
function record(...lines: string[]): string {
  return HEADER + lines.join('') + END;
}

/** The fact of the InputError decodeRecord throws for `text`. */
function damage(text: string): unknown {
  try {
    decodeRecord(text, 'lesson.jsonl', KNOWN);
  } catch (error) {
    assert.ok(error instanceof InputError, `an InputError, not ${String(error)}`);
    assert.equal(error.exitCode, 65);
    return error.fact;
  }
  return assert.fail('the record was read');
}

/** JSON's view of a value: undefined fields are not written, and so not read back. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, each) => (Buffer.isBuffer(each) ? [...each] : each)));

describe('the record format', () => {
  it('reads back the replies mailv itself keeps: a bare code, a masked secret where the code was', () => {
    const bare = makeReply(['354']);
    const masked = { ...makeReply(['235 2.7.0 ok']), raw: ['******** 2.7.0 ok'] };
    for (const reply of [bare, masked]) {
      const recording = decodeRecord(record(eventLine({ ...SAMPLES.recipient, reply }, 1)), 'lesson.jsonl', KNOWN);
      const entry = recording.entries[0]!;
      assert.ok(entry.kind === 'event' && entry.event.kind === 'recipient');
      assert.deepEqual(entry.event.reply?.raw, reply.raw);
    }
  });

  it('reads back every kind of event as it was written, with its time', () => {
    const events = Object.values(SAMPLES);
    const text = record(...events.map((event, index) => eventLine(eventJson(event), index * 1.25)));
    const recording = decodeRecord(text, 'lesson.jsonl', KNOWN);
    assert.equal(recording.entries.length, events.length);
    recording.entries.forEach((entry, index) => {
      assert.equal(entry.kind, 'event');
      assert.equal(entry.at, index * 1.25);
      assert.equal(entry.line, index + 2);
      if (entry.kind === 'event') assert.deepEqual(asJson(entry.event), asJson(events[index]));
    });
    assert.deepEqual({ ...recording.end }, { at: 99, line: events.length + 2, status: 0, failure: undefined });
    // Saved by an editor that puts a byte-order mark first: read the same.
    const marked = decodeRecord(`\uFEFF${text}`, 'lesson.jsonl', KNOWN);
    assert.deepEqual(asJson(marked.entries), asJson(recording.entries));
  });

  it('reads a refused early EHLO recorded before `lasting` was kept as one that may pass, as it was then', () => {
    const { lasting: _kept, ...before } = SAMPLES['ehlo-forgotten'];
    const recording = decodeRecord(record(eventLine(before, 1)), '-', KNOWN);
    const [entry] = recording.entries;
    assert.ok(entry?.kind === 'event' && entry.event.kind === 'ehlo-forgotten');
    assert.equal(entry.event.lasting, false);
    assert.deepEqual(entry.event.key, before.key);
  });

  it('keeps every octet of the message and every character of a reply', () => {
    const recording = decodeRecord(record(eventLine(eventJson(SAMPLES.body), 1), eventLine(eventJson(SAMPLES.recipient), 2)), '-', KNOWN);
    const [body, recipient] = recording.entries.map((entry) => (entry.kind === 'event' ? entry.event : undefined));
    assert.ok(body?.kind === 'body' && Buffer.isBuffer(body.bytes));
    assert.ok(body.bytes.equals(ALL_OCTETS), 'the 256 octets');
    assert.ok(recipient?.kind === 'recipient');
    assert.deepEqual(recipient.reply?.raw, HOSTILE.raw);
  });

  it('reads the --mx lookup a record was made of, and none for a send', () => {
    const lookup = HEADER.replace('}\n', ',"mxLookup":{"domain":"mx.test","port":2526}}\n');
    assert.deepEqual(decodeRecord(lookup + END, 'mx.jsonl', KNOWN).header.mxLookup, { domain: 'mx.test', port: 2526 });
    assert.equal(decodeRecord(HEADER + END, 'lesson.jsonl', KNOWN).header.mxLookup, undefined);
  });

  it('reads notes and the failure the run ended with', () => {
    const failure = { fact: { code: 'MAILV_RECIPIENTS_REFUSED', recipients: ['carol@example.org'] }, stage: 'rcpt' };
    const text = HEADER + noteLine({ code: 'null-body' }, 3) + endLine(7.5, 67, failure);
    const recording = decodeRecord(text, 'lesson.jsonl', KNOWN);
    assert.deepEqual(recording.entries, [{ kind: 'note', at: 3, line: 2, note: { code: 'null-body' } }]);
    assert.deepEqual(recording.end, { at: 7.5, line: 3, status: 67, failure });
  });

  const good = eventLine(eventJson(SAMPLES.closing), 1);
  const DAMAGED: readonly [string, string, unknown][] = [
    ['an empty file', '', { line: 1, problem: { kind: 'empty' } }],
    ['a line that is not JSON', record(good, '{"at":2,"event":\n'), { line: 3, problem: { kind: 'not-json' } }],
    ['a last line cut short', HEADER + good + END.slice(0, 10), { line: 3, problem: { kind: 'truncated' } }],
    ['no end', HEADER + good, { line: 3, problem: { kind: 'no-end' } }],
    ['a line after the end', record(good) + good, { line: 4, problem: { kind: 'after-end' } }],
    // Its header said twice, or two records joined (`cat a.jsonl b.jsonl`): said as such, not as a missing `at`.
    ['a header line twice', HEADER + HEADER + good + END, { line: 2, problem: { kind: 'second-header' } }],
    ['two records joined', record(good) + record(good), { line: 4, problem: { kind: 'second-header' } }],
    ['another format', `{"format":"other"}\n${good}${END}`, { line: 1, problem: { kind: 'not-a-record' } }],
    [
      'a newer version',
      HEADER.replace(`"version":${RECORD_VERSION}`, `"version":${RECORD_VERSION + 1}`) + good + END,
      { line: 1, problem: { kind: 'unknown-version', version: String(RECORD_VERSION + 1), supported: RECORD_VERSION } },
    ],
    [
      'an --mx lookup whose port is out of range',
      HEADER.replace('}\n', ',"mxLookup":{"domain":"mx.test","port":70000}}\n') + good + END,
      { line: 1, problem: { kind: 'bad-field', field: 'header.mxLookup.port', expected: 'integer' } },
    ],
    [
      'an unknown kind',
      record('{"at":1,"event":{"kind":"telepathy"}}\n'),
      { line: 2, problem: { kind: 'unknown-kind', field: 'event.kind', value: 'telepathy' } },
    ],
    [
      'an unknown verb',
      record(eventLine({ kind: 'send', stage: 'mail', command: { verb: 'VRFY' }, pipelined: false }, 1)),
      { line: 2, problem: { kind: 'unknown-kind', field: 'event.command.verb', value: 'VRFY' } },
    ],
    [
      'an unknown note',
      record(noteLine({ code: 'nothing-like-it' }, 1)),
      { line: 2, problem: { kind: 'unknown-kind', field: 'note.code', value: 'nothing-like-it' } },
    ],
    [
      'a reply code as a string',
      record(eventLine({ ...SAMPLES.recipient, reply: { ...HOSTILE, code: '550' } }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.reply.code', expected: 'reply-code' } },
    ],
    [
      'a reply whose raw lines were edited alone (a 550 that the code still calls a 250)',
      record(eventLine({ ...SAMPLES.recipient, reply: { ...makeReply(['250 2.1.5 Ok']), raw: ['550 5.1.1 edited'] } }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.reply.raw', expected: 'reply-of-its-lines' } },
    ],
    [
      'a reply whose text was edited alone',
      record(eventLine({ ...SAMPLES.recipient, reply: { ...makeReply(['250 2.1.5 Ok']), lines: ['2.1.5 Great'] } }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.reply.raw', expected: 'reply-of-its-lines' } },
    ],
    [
      'a port of the wrong type',
      record(good, eventLine({ ...SAMPLES.connected, port: -1 }, 2)),
      { line: 3, problem: { kind: 'bad-field', field: 'event.port', expected: 'integer' } },
    ],
    [
      'a body not in base64',
      record(eventLine({ kind: 'body', bytes: 'not base64!' }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.bytes', expected: 'base64' } },
    ],
    [
      'a stage mailv does not have',
      record(eventLine({ ...SAMPLES.send, stage: 'lunch' }, 1)),
      { line: 2, problem: { kind: 'bad-value', field: 'event.stage', value: 'lunch', choices: [...STAGE_LIST()] } },
    ],
    [
      'an address in a header field the table never names',
      record(eventLine({ kind: 'addresses', addresses: [{ address: 'bob@example.org', envelope: 'RCPT To', header: 'Bcc', blind: true }] }, 1)),
      {
        line: 2,
        problem: {
          kind: 'bad-value',
          field: 'event.addresses[0].header',
          value: 'Bcc',
          choices: ['From', 'Resent-From', 'To', 'Cc', 'Resent-To', 'Resent-Cc'],
        },
      },
    ],
    ...(
      [
        ['a blind copy a To: shows', { address: 'b@example.org', envelope: 'RCPT To', header: 'To', blind: true }],
        ['a row in neither the envelope nor a header', { address: 'b@example.org', blind: false }],
        ['a blind copy outside the envelope', { address: 'b@example.org', header: 'To', blind: true }],
        ['a recipient From: shows', { address: 'b@example.org', envelope: 'RCPT To', header: 'From', blind: false }],
        ['a sender a Cc: shows', { address: 'a@example.org', envelope: 'MAIL From', header: 'Cc', blind: false }],
      ] as const
    ).map(([what, row]): [string, string, object] => [
      `an address row that cannot be: ${what}`,
      record(eventLine({ kind: 'addresses', addresses: [SAMPLES.addresses.addresses[0], row] }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.addresses[1]', expected: 'address-row' } },
    ]),
    [
      'an address without its blindness',
      record(eventLine({ kind: 'addresses', addresses: [{ address: 'bob@example.org', envelope: 'RCPT To' }] }, 1)),
      { line: 2, problem: { kind: 'bad-field', field: 'event.addresses[0].blind', expected: 'boolean' } },
    ],
    [
      'a negative time',
      record('{"at":-1,"event":{"kind":"closing","host":"x"}}\n'),
      { line: 2, problem: { kind: 'bad-field', field: 'at', expected: 'time' } },
    ],
    ['a line of nothing known', record('{"at":1,"other":{}}\n'), { line: 2, problem: { kind: 'unknown-line' } }],
  ];
  for (const [what, text, expected] of DAMAGED) {
    it(`refuses ${what}, naming its line: 65`, () => {
      assert.deepEqual(damage(text), { code: 'MAILV_RECORD_DAMAGED', path: 'lesson.jsonl', ...(expected as object) });
    });
  }
});

/** The stages, in the order the decoder lists them (they name the choices in the problem). */
function STAGE_LIST(): readonly string[] {
  return [
    'options',
    'resolve',
    'input',
    'compose',
    'connect',
    'greeting',
    'ehlo',
    'starttls',
    'auth',
    'mail',
    'rcpt',
    'data',
    'body',
    'rset',
    'quit',
    'output',
    'run',
  ];
}

describe('what a record never keeps', () => {
  const PASSWORD = 'Corr3ct-horse';
  const plain = Buffer.from(`\0alice\0${PASSWORD}`).toString('base64');

  it('withholds AUTH responses given with --show-secrets, drops decoded steps, masks the secret in replies', () => {
    const secrets = new RecordSecrets();
    secrets.hide(PASSWORD);
    const kept = [
      secrets.event({ kind: 'send', stage: 'auth', command: { verb: 'AUTH', mechanism: 'PLAIN', initial: { text: plain, secret: true } }, pipelined: false }),
      secrets.event({ kind: 'note', note: { code: 'sasl-decoded', direction: 'sent', text: `\0alice\0${PASSWORD}` }, severity: 'info' }),
      secrets.event({ kind: 'reply', stage: 'auth', reply: makeReply([`535 5.7.8 ${PASSWORD} and ${plain} are wrong`]), recipient: undefined }),
      secrets.note({ code: 'sasl-decoded', direction: 'received', text: PASSWORD }),
      secrets.mask({
        fact: { code: 'MAILV_AUTH_REFUSED', user: 'alice', mechanism: 'PLAIN', reply: makeReply([`535 ${Buffer.from(PASSWORD).toString('base64')}`]) },
      }),
    ];
    assert.equal(kept[1], undefined, 'the decoded step is not kept');
    assert.equal(kept[3], undefined, 'nor as a note');
    const text = JSON.stringify(kept);
    for (const form of [PASSWORD, plain, Buffer.from(PASSWORD).toString('base64')]) assert.ok(!text.includes(form), `kept ${form}`);
    assert.deepEqual(asJson((kept[0] as { command: unknown }).command), { verb: 'AUTH', mechanism: 'PLAIN', initial: { secret: true } });
    assert.match(text, /535 5\.7\.8 \*{8} and \*{8} are wrong/);
  });
});

describe('a record that could not be written to its end', () => {
  it('says whether all else the run was asked succeeded, so that a message sent is not sent again', async () => {
    const { describeFact, wordsFor } = await import('../../dist/words/describe.js');
    const fact = { code: 'MAILV_RECORD_WRITE_FAILED', path: '/tmp/lesson.jsonl', errno: 'ENOSPC', detail: 'no space left on device' } as const;
    assert.equal(describeFact(fact, wordsFor('en')), 'cannot write the record /tmp/lesson.jsonl: no space left on device; it stops there');
    assert.equal(
      describeFact({ ...fact, allElseDone: true }, wordsFor('en')),
      'cannot write the record /tmp/lesson.jsonl: no space left on device; it stops there, the rest of the run succeeded (status 0 but for it: a message it sent is not to be sent again)',
    );
    assert.match(
      describeFact({ ...fact, allElseDone: true }, wordsFor('fr')),
      /; il s’arrête là, le reste de l’exécution a réussi \(statut 0 sans lui : un message envoyé ne doit pas être renvoyé\)$/,
    );
    assert.match(describeFact(fact, wordsFor('fr')), / ; il s’arrête là$/);
  });
});
