import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { shuffleWithinPreference } from '../../dist/dns/mx.js';
import { randomSource } from '../../dist/dns/seeded-random.js';
import { parseNameServer, parseResolvConf } from '../../dist/dns/resolv-conf.js';
import { answersQuery, decodeResponse, DnsWireError, encodeQuery } from '../../dist/dns/wire.js';
import { DnsError, UsageError, exitCodeOf, type DnsReason } from '../../dist/errors.js';
import type { MxPlan } from '../../dist/dns/mx.js';
import { formatMxPlan } from '../../dist/render/mx-plan.js';
import { plainStyle } from '../../dist/render/style.js';
import { TranscriptRenderer } from '../../dist/render/transcript.js';
import { describeError, describeNote, wordsFor } from '../../dist/words/describe.js';

const en = wordsFor('en');
const fr = wordsFor('fr');

describe('resolv.conf', () => {
  it('reads name servers and options as the C library does', () => {
    const config = parseResolvConf(
      '# comment\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nsearch example.org\noptions timeout:2 attempts:3 rotate\nnameserver 198.51.100.1\nnameserver 203.0.113.1\n',
    );
    assert.deepEqual(config.servers, [
      { address: '192.0.2.53', port: 53 },
      { address: 'fe80::1', port: 53 },
      { address: '198.51.100.1', port: 53 },
    ]);
    assert.equal(config.timeoutMs, 2000);
    assert.equal(config.attempts, 3);
  });

  it('falls back to the local server and the defaults', () => {
    assert.deepEqual(parseResolvConf(''), { servers: [{ address: '127.0.0.1', port: 53 }], timeoutMs: 5000, attempts: 2 });
  });

  it('takes --dns servers with ports, IPv4 and IPv6', () => {
    assert.deepEqual(parseNameServer('127.0.0.1:5354'), { address: '127.0.0.1', port: 5354 });
    assert.deepEqual(parseNameServer('[::1]:5354'), { address: '::1', port: 5354 });
    assert.deepEqual(parseNameServer('::1'), { address: '::1', port: 53 });
    assert.throws(() => parseNameServer('dns.example.org'), UsageError);
    assert.throws(() => parseNameServer('127.0.0.1:0'), UsageError);
  });

  it('refuses a server that is not an address with a fact, worded with the flag in both languages', () => {
    assert.throws(
      () => parseNameServer('dns.example.org'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.deepEqual(error.fact, { code: 'MAILV_DNS_SERVER_INVALID', text: 'dns.example.org' });
        assert.equal(describeError(error, en), 'invalid --dns "dns.example.org": an IP address with an optional port, e.g. 127.0.0.1:5354 or [::1]:53');
        assert.equal(
          describeError(error, fr),
          `--dns « dns.example.org » invalide : il faut une adresse IP, suivie ou non d’un port, par exemple 127.0.0.1:5354 ou [::1]:53`,
        );
        return true;
      },
    );
  });
});

describe('DNS failures: exit status from the reason', () => {
  it('68 for what the DNS said for good, 75 for what may go otherwise later', () => {
    const statuses: Record<DnsReason, number> = {
      'no-such-domain': 68,
      'no-mail': 68,
      'no-address': 68,
      'lookup-failed': 75,
      timeout: 75,
      budget: 75,
    };
    for (const [reason, status] of Object.entries(statuses) as [DnsReason, number][]) {
      const error = new DnsError({ code: 'MAILV_DNS_NO_SUCH_NAME', name: 'example.org.' }, reason);
      assert.equal(error.reason, reason);
      assert.equal(exitCodeOf(error), status, reason);
      assert.equal(error.stage, 'resolve');
    }
  });

  it("the system resolver's failures are facts too", () => {
    const missing = new DnsError({ code: 'MAILV_HOST_NOT_FOUND', host: 'smtp.example.org' }, 'no-such-domain');
    assert.equal(missing.message, 'MAILV_HOST_NOT_FOUND');
    assert.equal(describeError(missing, en), 'host smtp.example.org not found');
    assert.equal(describeError(missing, fr), 'hôte smtp.example.org introuvable');
    const later = new DnsError({ code: 'MAILV_HOST_LOOKUP_FAILED', host: 'smtp.example.org' }, 'lookup-failed');
    assert.equal(describeError(later, en), 'temporary failure looking up smtp.example.org');
    assert.equal(describeError(later, fr), 'échec temporaire de la recherche de smtp.example.org');
    assert.deepEqual([exitCodeOf(missing), exitCodeOf(later)], [68, 75]);
    // Under -6 (or -4), a name with addresses of the other family only is not said to be missing.
    const ipv4Only = new DnsError({ code: 'MAILV_HOST_NOT_FOUND', host: 'localhost', family: 6 }, 'no-such-domain');
    assert.equal(describeError(ipv4Only, en), 'host localhost has no IPv6 address (-6)');
    assert.equal(describeError(ipv4Only, fr), 'l’hôte localhost n’a pas d’adresse IPv6 (-6)');
    // A family fixed by the address bound to is said to be that address's.
    const bound = new DnsError({ code: 'MAILV_HOST_NOT_FOUND', host: 'localhost', family: 6, by: '--source-address' }, 'no-such-domain');
    assert.equal(describeError(bound, en), 'host localhost has no IPv6 address (--source-address)');
    assert.equal(exitCodeOf(ipv4Only), 68);
  });
});

describe('why a name server gave no answer', () => {
  const server = '192.0.2.53#53';
  const base = { kind: 'dns-no-answer', name: 'example.org', type: 'MX', server } as const;

  it('is a reason with its details, worded in the transcript', () => {
    const renderer = new TranscriptRenderer(2, plainStyle, en);
    assert.deepEqual(renderer.lines({ ...base, reason: 'timeout', transport: 'udp', timeoutMs: 500 }), [
      ';; no answer to MX example.org. from 192.0.2.53#53: no answer within 0.5 s',
    ]);
    assert.deepEqual(renderer.lines({ ...base, reason: 'timeout', transport: 'tcp', timeoutMs: 5000 }), [
      ';; no answer to MX example.org. from 192.0.2.53#53: no answer over TCP within 5 s',
    ]);
    assert.deepEqual(new TranscriptRenderer(1, plainStyle, en).lines({ ...base, reason: 'closed' }), [], 'only with -v');
  });

  it('names the question it answers, as the answer line does, in both languages', () => {
    const answer = {
      kind: 'dns-answer',
      name: 'example.org',
      type: 'AAAA',
      server,
      rcode: 'NOERROR',
      truncated: true,
      answers: [],
      additionals: [],
      ms: 4,
    } as const;
    assert.deepEqual(new TranscriptRenderer(2, plainStyle, en).lines(answer), [
      ';; answer to AAAA example.org. from 192.0.2.53#53: NOERROR, truncated, 0 records, 4 ms',
    ]);
    assert.deepEqual(new TranscriptRenderer(2, plainStyle, fr).lines(answer), [
      ';; réponse à AAAA example.org. de 192.0.2.53#53 : NOERROR, tronquée, 0 enregistrement, 4 ms',
    ]);
    assert.deepEqual(new TranscriptRenderer(2, plainStyle, fr).lines({ ...base, reason: 'oversize' }), [
      ';; pas de réponse à MX example.org. de 192.0.2.53#53 : réponse TCP trop longue',
    ]);
  });

  it('in both languages, for every reason', () => {
    const failures = [
      [{ reason: 'timeout', transport: 'udp', timeoutMs: 1500 }, 'no answer within 1.5 s', 'aucune réponse en 1,5 s'],
      [{ reason: 'timeout', transport: 'tcp', timeoutMs: 2000 }, 'no answer over TCP within 2 s', 'aucune réponse par TCP en 2 s'],
      [{ reason: 'refused', transport: 'udp' }, 'port unreachable', 'port injoignable'],
      [{ reason: 'refused', transport: 'tcp' }, 'connection refused', 'connexion refusée'],
      [{ reason: 'network', transport: 'udp', errno: 'ENETUNREACH' }, 'network error (ENETUNREACH)', 'erreur réseau (ENETUNREACH)'],
      [{ reason: 'closed' }, 'connection closed before an answer', 'connexion fermée avant la réponse'],
      [{ reason: 'oversize' }, 'TCP answer too long', 'réponse TCP trop longue'],
      [{ reason: 'mismatched' }, 'TCP answer to another question', 'réponse TCP à une autre question'],
      [{ reason: 'malformed' }, 'malformed DNS message', 'message DNS mal formé'],
      [{ reason: 'truncated' }, 'TCP answer marked truncated', 'réponse TCP marquée tronquée'],
      [
        { reason: 'timeout', transport: 'udp', timeoutMs: 1000, malformed: 2 },
        'no answer within 1 s (2 malformed answers ignored)',
        'aucune réponse en 1 s (2 réponses mal formées ignorées)',
      ],
      [{ reason: 'referral' }, 'a referral to other name servers, not an answer', 'un renvoi vers d’autres serveurs de noms, pas une réponse'],
    ] as const;
    for (const [failure, english, french] of failures) {
      assert.equal(en.dns.noAnswer(failure), english);
      assert.equal(fr.dns.noAnswer(failure), french);
    }
    assert.equal(en.dns.serverFailure({ server, reason: 'rcode', rcode: 'REFUSED' }), '192.0.2.53#53: REFUSED');
    assert.equal(fr.dns.serverFailure({ server, reason: 'rcode', rcode: 'REFUSED' }), '192.0.2.53#53 : REFUSED');
  });
});

describe('the MX plan', () => {
  const plan: MxPlan = {
    domain: 'example.org',
    hosts: [
      { name: 'mx1.example.org.', preference: 10, addresses: ['192.0.2.1', '2001:db8::1'], implicit: false, noAddress: undefined, problem: undefined },
      { name: 'mx2.example.org.', preference: 10, addresses: ['192.0.2.2'], implicit: false, noAddress: undefined, problem: undefined },
      { name: 'gone.example.org.', preference: 20, addresses: [], implicit: false, noAddress: 'no-such-host', problem: { reason: 'no-such-host' } },
      {
        name: 'broken.example.org.',
        preference: 30,
        addresses: [],
        implicit: false,
        noAddress: 'lookup-failed',
        problem: {
          reason: 'lookup-failed',
          failure: {
            kind: 'servers',
            failures: [
              { server: '192.0.2.53#53', reason: 'rcode', rcode: 'SERVFAIL' },
              { server: '198.51.100.53#53', reason: 'timeout', transport: 'udp', timeoutMs: 5000 },
            ],
          },
        },
      },
    ],
    ignored: 2,
    ties: [{ preference: 10, hosts: ['mx1.example.org.', 'mx2.example.org.'] }],
  };
  const implicit: MxPlan = {
    domain: 'aonly.test',
    hosts: [{ name: 'aonly.test.', preference: 0, addresses: ['127.0.0.7'], implicit: true, noAddress: undefined, problem: undefined }],
    ignored: 0,
    ties: [],
  };

  it('in English, as it has always read', () => {
    assert.deepEqual(formatMxPlan(plan, 25, en), [
      '',
      'Mail for example.org goes to, in this order:',
      '  1. mx1.example.org.     preference  10  192.0.2.1, 2001:db8::1',
      '  2. mx2.example.org.     preference  10  192.0.2.2',
      '  3. gone.example.org.    preference  20  (does not exist (NXDOMAIN): skipped)',
      '  4. broken.example.org.  preference  30  (could not be looked up for now (192.0.2.53#53: SERVFAIL; 198.51.100.53#53: no answer within 5 s): skipped)',
      '  (2 more MX hosts are ignored: mailv tries the first 4)',
      'Hosts of equal preference are tried in random order (MAILV_SEED makes the order repeatable).',
      'The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,',
      'drops the connection or answers 4xx before taking the message, mailv tries the next address, then the next host',
      '(a recipient put off at RCPT too). When none takes the message it is deferred (exit 75) and kept in dead.letter.',
      'mailv --direct connects to port 25 of these addresses.',
    ]);
    assert.deepEqual(formatMxPlan(implicit, 2525, en), [
      '',
      'aonly.test has no MX record: its own address takes the mail, as an MX of preference 0 (RFC 5321 §5.1).',
      'Mail for aonly.test goes to:',
      '  1. aonly.test.  preference   0  127.0.0.7',
      'When this host cannot be reached the message is deferred (exit 75) and kept in dead.letter.',
      'mailv --direct connects to port 2525 of these addresses.',
    ]);
  });

  it('keeps the addresses in one column whatever the preferences, up to 65535', () => {
    const wide: MxPlan = {
      domain: 'pref.test',
      hosts: [
        { name: 'a.pref.test.', preference: 5, addresses: ['127.0.0.20'], implicit: false, noAddress: undefined, problem: undefined },
        { name: 'c.pref.test.', preference: 65535, addresses: ['127.0.0.21'], implicit: false, noAddress: undefined, problem: undefined },
      ],
      ignored: 0,
      ties: [],
    };
    const rows = formatMxPlan(wide, 25, en).filter((line) => /^ +\d+\. /.test(line));
    assert.deepEqual(rows, ['  1. a.pref.test.  preference     5  127.0.0.20', '  2. c.pref.test.  preference 65535  127.0.0.21']);
  });

  it('under -4 or -6, the addresses tried: a host with the other family only is passed over, and said so', () => {
    const rows = (family: 4 | 6) => formatMxPlan({ ...plan, family }, 25, en).filter((line) => /^ +\d+\. /.test(line));
    assert.deepEqual(rows(6).slice(0, 2), [
      '  1. mx1.example.org.     preference  10  2001:db8::1',
      '  2. mx2.example.org.     preference  10  (no IPv6 address, under -6: skipped)',
    ]);
    assert.equal(rows(4)[0], '  1. mx1.example.org.     preference  10  192.0.2.1');
    // A host without any address keeps its own reason.
    assert.equal(rows(6)[2], '  3. gone.example.org.    preference  20  (does not exist (NXDOMAIN): skipped)');
    assert.equal(
      formatMxPlan({ ...plan, family: 6 }, 25, fr).find((line) => line.includes('mx2.example.org.')),
      '  2. mx2.example.org.     préférence  10  (aucune adresse IPv6, avec -6 : ignoré)',
    );
  });

  it('ten hosts: the numbers right-aligned, the names in one column', () => {
    const ten: MxPlan = {
      domain: 'many.test',
      hosts: Array.from({ length: 10 }, (_, index) => ({
        name: `mx${index}.many.test.`,
        preference: 10 * (index + 1),
        addresses: [`192.0.2.${index + 1}`],
        implicit: false,
        noAddress: undefined,
        problem: undefined,
      })),
      ignored: 0,
      ties: [],
    };
    const rows = formatMxPlan(ten, 25, en).filter((line) => /^ +\d+\. /.test(line));
    assert.equal(rows[0], '   1. mx0.many.test.  preference  10  192.0.2.1');
    assert.equal(rows[9], '  10. mx9.many.test.  preference 100  192.0.2.10');
  });

  it('in French', () => {
    assert.deepEqual(formatMxPlan(plan, 25, fr), [
      '',
      'Le courrier pour example.org va, dans cet ordre, vers :',
      '  1. mx1.example.org.     préférence  10  192.0.2.1, 2001:db8::1',
      '  2. mx2.example.org.     préférence  10  192.0.2.2',
      '  3. gone.example.org.    préférence  20  (n’existe pas (NXDOMAIN) : ignoré)',
      '  4. broken.example.org.  préférence  30  (n’a pas pu être résolu pour l’instant (192.0.2.53#53 : SERVFAIL ; 198.51.100.53#53 : aucune réponse en 5 s) : ignoré)',
      '  (2 autres hôtes MX sont ignorés : mailv essaie les 4 premiers)',
      'Les hôtes de même préférence sont essayés dans un ordre aléatoire (MAILV_SEED rend cet ordre reproductible).',
      'La préférence la plus basse est essayée en premier. Si un hôte refuse la connexion, ne répond pas, refuse dès son accueil,',
      'coupe la connexion ou répond 4xx avant d’avoir pris le message, mailv essaie l’adresse suivante, puis l’hôte suivant',
      '(un destinataire différé à RCPT aussi). Si aucun ne prend le message, il est différé (code de sortie 75) et gardé dans dead.letter.',
      'mailv --direct se connecte au port 25 de ces adresses.',
    ]);
    assert.deepEqual(formatMxPlan(implicit, 2525, fr), [
      '',
      'aonly.test n’a pas d’enregistrement MX : sa propre adresse reçoit le courrier, comme un MX de préférence 0 (RFC 5321 §5.1).',
      'Le courrier pour aonly.test va vers :',
      '  1. aonly.test.  préférence   0  127.0.0.7',
      'Si cet hôte est injoignable, le message est différé (code de sortie 75) et gardé dans dead.letter.',
      'mailv --direct se connecte au port 2525 de ces adresses.',
    ]);
  });

  it('a host passed over by --direct is noted with the same words', () => {
    const note = { code: 'mx-host-skipped', recipients: ['bob@example.org'], host: 'gone.example.org.', problem: { reason: 'no-such-host' } } as const;
    assert.equal(describeNote(note, en), 'bob@example.org... gone.example.org. does not exist (NXDOMAIN): skipped');
    assert.equal(describeNote(note, fr), 'bob@example.org... gone.example.org. n’existe pas (NXDOMAIN) : ignoré');
    const chain = { ...note, problem: { reason: 'lookup-failed', failure: { kind: 'cname-chain', limit: 8 } } } as const;
    assert.equal(describeNote(chain, en), 'bob@example.org... gone.example.org. could not be looked up for now (CNAME chain longer than 8): skipped');
    assert.equal(
      describeNote(chain, fr),
      'bob@example.org... gone.example.org. n’a pas pu être résolu pour l’instant (chaîne de CNAME de plus de 8 maillons) : ignoré',
    );
  });
});

describe('DNS wire format', () => {
  it('sends a recursive query with EDNS0 and matches answers by ID and question', () => {
    const query = encodeQuery(0x1234, { name: 'example.org', type: 'MX' });
    assert.equal(query.readUInt16BE(0), 0x1234);
    assert.equal(query.readUInt16BE(2) & 0x0100, 0x0100, 'RD set');
    assert.equal(query.readUInt16BE(10), 1, 'one additional record: OPT');
    const response = Buffer.from(query);
    response.writeUInt16BE(0x8180, 2); // QR, RD, RA
    const decoded = decodeResponse(response);
    assert.equal(answersQuery(decoded, 0x1234, { name: 'EXAMPLE.org.', type: 'MX' }), true);
    assert.equal(answersQuery(decoded, 0x1235, { name: 'example.org', type: 'MX' }), false);
    assert.equal(answersQuery(decoded, 0x1234, { name: 'example.org', type: 'A' }), false);
    assert.throws(
      () => decodeResponse(query),
      (error: unknown) => error instanceof DnsWireError && error.reason === 'not-a-response',
    );
    assert.throws(
      () => decodeResponse(Buffer.from([1, 2, 3])),
      (error: unknown) => error instanceof DnsWireError && error.reason === 'malformed',
    );
  });
});

describe('address records of the wrong length', () => {
  const response = (answers: dnsPacket.Answer[]) =>
    dnsPacket.encode({ type: 'response', id: 7, flags: 0x8180, questions: [{ type: 'A', name: 'h.test' }], answers });
  /** `packet` with the record whose data starts with `data` cut to `keep` octets, its length field saying so. */
  const cut = (packet: Buffer, data: Buffer, keep: number) => {
    const start = packet.indexOf(data);
    const shortened = Buffer.concat([packet.subarray(0, start + keep), packet.subarray(start + data.length)]);
    shortened.writeUInt16BE(keep, start - 2);
    return shortened;
  };
  const malformed = (error: unknown) => error instanceof DnsWireError && error.reason === 'malformed';

  it('an A record of 2 octets is a malformed answer, not the address undefined.undefined…', () => {
    const whole = response([{ type: 'A', name: 'h.test', ttl: 60, data: '192.0.2.7' }]);
    assert.equal((decodeResponse(whole).answers[0] as { address: string }).address, '192.0.2.7');
    assert.throws(() => decodeResponse(cut(whole, Buffer.from([192, 0, 2, 7]), 2)), malformed);
  });

  it('an AAAA record of 4 octets is malformed: the octets after it are never read as the rest of its address', () => {
    const whole = response([{ type: 'AAAA', name: 'h.test', ttl: 60, data: '2001:db8::1' }]);
    assert.equal((decodeResponse(whole).answers[0] as { address: string }).address, '2001:db8::1');
    // Twelve octets after the record (as the next record would be): read with it, they made 2001:db8::.
    const short = Buffer.concat([cut(whole, Buffer.from('20010db8000000000000000000000001', 'hex'), 4), Buffer.alloc(12)]);
    assert.equal((dnsPacket.decode(short).answers![0] as { data: string }).data, '2001:db8::', 'what the decoder alone makes of it');
    assert.throws(() => decodeResponse(short), malformed);
  });

  it('a truncated answer cut inside a record still asks for TCP: its header and question are read, its records never', () => {
    const whole = dnsPacket.encode({
      type: 'response',
      id: 7,
      flags: 0x8180 | dnsPacket.TRUNCATED_RESPONSE,
      questions: [{ type: 'A', name: 'h.test' }],
      answers: [
        { type: 'A', name: 'h.test', ttl: 60, data: '192.0.2.7' },
        { type: 'A', name: 'h.test', ttl: 60, data: '192.0.2.8' },
      ],
    });
    for (const cutAt of [whole.length - 2, whole.length - 12]) {
      const decoded = decodeResponse(whole.subarray(0, cutAt));
      assert.equal(decoded.truncated, true);
      assert.deepEqual(decoded.answers, []);
      assert.equal(answersQuery(decoded, 7, { name: 'h.test', type: 'A' }), true, `cut at ${cutAt}`);
    }
  });

  it('a record whose data runs past the end of the message is malformed', () => {
    const whole = response([{ type: 'A', name: 'h.test', ttl: 60, data: '192.0.2.7' }]);
    assert.throws(() => decodeResponse(whole.subarray(0, whole.length - 1)), malformed);
  });
});

describe('MX order', () => {
  const hosts = [
    { name: 'c', preference: 20 },
    { name: 'a', preference: 10 },
    { name: 'b', preference: 10 },
    { name: 'd', preference: 5 },
    { name: 'e', preference: 10 },
  ];

  it('sorts by preference and keeps every host', () => {
    for (let i = 0; i < 50; i++) {
      const order = shuffleWithinPreference(hosts, Math.random).map((host) => host.name);
      assert.equal(order[0], 'd');
      assert.equal(order[4], 'c');
      assert.deepEqual([...order.slice(1, 4)].sort(), ['a', 'b', 'e']);
    }
  });

  it('is repeatable with a seed and varies without one', () => {
    const seeded = (seed: string) =>
      shuffleWithinPreference(hosts, randomSource(seed))
        .map((host) => host.name)
        .join('');
    assert.equal(seeded('lesson'), seeded('lesson'));
    const orders = new Set(Array.from({ length: 30 }, (_, i) => seeded(`seed-${i}`)));
    assert.ok(orders.size >= 4, `all six orders of a, b, e should appear in 30 seeds (saw ${orders.size})`);
  });
});
