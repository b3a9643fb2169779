// The resolver and the MX plan in-process against a scripted name server: each failure is a coded
// fact with a reason, its exit status comes from that reason, and its words exist in English and
// in French.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { planMx, type MxPlan } from '../../dist/dns/mx.js';
import { Resolver } from '../../dist/dns/resolver.js';
import { DnsError, exitCodeOf } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { formatMxPlan } from '../../dist/render/mx-plan.js';
import { describeError, describeNote, wordsFor } from '../../dist/words/describe.js';
import { RCODE, a, cname, mx, reply, startDns, type DnsOptions, type Handler } from '../helpers/dns-server.js';

const en = wordsFor('en');
const fr = wordsFor('fr');

interface Lookup {
  /** `127.0.0.1#port`, as the facts name the server. */
  readonly server: string;
  readonly events: SessionEvent[];
  readonly outcome: MxPlan | DnsError;
}

/** planMx('example.test') against `handler`: one server, two tries of `timeoutMs` each. */
async function plan(handler: Handler, timeoutMs = 1000, options: DnsOptions = {}): Promise<Lookup> {
  const dns = await startDns(handler, options);
  const events: SessionEvent[] = [];
  try {
    const resolver = new Resolver({ servers: [{ address: '127.0.0.1', port: dns.port }], timeoutMs, attempts: 2 }, (event) => events.push(event));
    const outcome = await planMx(
      'example.test',
      resolver,
      () => 0,
      (event) => events.push(event),
    ).catch((error: unknown) => {
      if (error instanceof DnsError) return error;
      throw error;
    });
    return { server: `127.0.0.1#${dns.port}`, events, outcome };
  } finally {
    await dns.close();
  }
}

function failed(lookup: Lookup): DnsError {
  assert.ok(lookup.outcome instanceof DnsError, `expected a DnsError, got a plan: ${JSON.stringify(lookup.outcome)}`);
  return lookup.outcome;
}

/** MX records of example.test naming `targets` (preferences 10, 20, …), each answered by `answer`. */
function mxTo(targets: string[], answer: (query: Parameters<Handler>[0], name: string, type: string) => Buffer[]): Handler {
  return (query) => {
    const { name, type } = query.questions![0]!;
    if (type === 'MX') return [reply(query, { answers: targets.map((target, i) => mx(name, 10 * (i + 1), target)) })];
    return answer(query, name, type);
  };
}

describe('DNS failures from the resolver, as facts', () => {
  it('NXDOMAIN: the name does not exist, 68', async () => {
    const error = failed(await plan((query) => [reply(query, { rcode: RCODE.NXDOMAIN })]));
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_NO_SUCH_NAME', name: 'example.test.' });
    assert.equal(error.message, 'MAILV_DNS_NO_SUCH_NAME');
    assert.equal(error.reason, 'no-such-domain');
    assert.equal(exitCodeOf(error), 68);
    assert.equal(describeError(error, en), 'example.test. does not exist (NXDOMAIN)');
    assert.equal(describeError(error, fr), 'example.test. n’existe pas (NXDOMAIN)');
  });

  it('SERVFAIL: a failure for now, each distinct server failure said once, 75', async () => {
    const lookup = await plan((query) => [reply(query, { rcode: RCODE.SERVFAIL })]);
    const error = failed(lookup);
    assert.deepEqual(error.fact, {
      code: 'MAILV_DNS_LOOKUP_FAILED',
      name: 'example.test.',
      type: 'MX',
      failures: [{ server: lookup.server, reason: 'rcode', rcode: 'SERVFAIL' }],
    });
    assert.equal(error.reason, 'lookup-failed');
    assert.equal(exitCodeOf(error), 75);
    assert.equal(describeError(error, en), `cannot look up MX example.test. for now (${lookup.server}: SERVFAIL)`);
    assert.equal(describeError(error, fr), `impossible d’obtenir les enregistrements MX d’example.test. pour l’instant (${lookup.server} : SERVFAIL)`);
  });

  it('silence: a timeout, each try a dns-no-answer event with its reason, 75', async () => {
    const lookup = await plan(() => [], 200);
    const error = failed(lookup);
    assert.equal(error.reason, 'timeout');
    assert.equal(exitCodeOf(error), 75);
    const silent = { server: lookup.server, reason: 'timeout', transport: 'udp', timeoutMs: 200 };
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_LOOKUP_FAILED', name: 'example.test.', type: 'MX', failures: [silent] });
    const noAnswers = lookup.events.filter((event) => event.kind === 'dns-no-answer');
    assert.deepEqual(noAnswers, [
      { kind: 'dns-no-answer', name: 'example.test', type: 'MX', ...silent },
      { kind: 'dns-no-answer', name: 'example.test', type: 'MX', ...silent },
    ]);
    assert.equal(describeError(error, en), `cannot look up MX example.test. for now (${lookup.server}: no answer within 0.2 s)`);
    assert.equal(
      describeError(error, fr),
      `impossible d’obtenir les enregistrements MX d’example.test. pour l’instant (${lookup.server} : aucune réponse en 0,2 s)`,
    );
  });

  it('a TCP answer to another question, after a truncated one: a reason of its own', async () => {
    const lookup = await plan((query, transport) =>
      transport === 'udp' ? [reply(query, { truncated: true })] : [reply(query, { questionName: 'other.test' })],
    );
    const error = failed(lookup);
    assert.deepEqual(
      lookup.events.filter((event) => event.kind === 'dns-no-answer').map((event) => event.kind === 'dns-no-answer' && event.reason),
      ['mismatched', 'mismatched'],
    );
    assert.equal(error.reason, 'lookup-failed');
    assert.equal(describeError(error, en), `cannot look up MX example.test. for now (${lookup.server}: TCP answer to another question)`);
    assert.equal(
      describeError(error, fr),
      `impossible d’obtenir les enregistrements MX d’example.test. pour l’instant (${lookup.server} : réponse TCP à une autre question)`,
    );
  });

  it("nothing listening on the port: refused, said as such rather than in the system's words", async () => {
    // A port just freed: the kernel answers a datagram to it with ICMP port unreachable.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const events: SessionEvent[] = [];
    const resolver = new Resolver({ servers: [{ address: '127.0.0.1', port }], timeoutMs: 2000, attempts: 1 }, (event) => events.push(event));
    const error = await resolver.resolve('example.test', 'MX').then(
      () => assert.fail('resolved'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof DnsError);
    const refused = { server: `127.0.0.1#${port}`, reason: 'refused', transport: 'udp' };
    assert.deepEqual(events.at(-1), { kind: 'dns-no-answer', name: 'example.test', type: 'MX', ...refused });
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_LOOKUP_FAILED', name: 'example.test.', type: 'MX', failures: [refused] });
    assert.equal(exitCodeOf(error), 75);
    assert.equal(describeError(error, en), `cannot look up MX example.test. for now (127.0.0.1#${port}: port unreachable)`);
    assert.equal(describeError(error, fr), `impossible d’obtenir les enregistrements MX d’example.test. pour l’instant (127.0.0.1#${port} : port injoignable)`);
  });

  it('the budget: lookups that outlast it end with its terms, 75', async () => {
    // Each answer takes 0.5 s and leads to a CNAME: the budget of the MX question and the one host
    // (2 × 2 tries of 0.8 s, 1 server: 3.2 s) runs out before the chain's eighth link (4 s). Each
    // answer comes 0.3 s inside its try's time limit: a busy host would have to stall this process
    // (server and resolver both) longer than that to turn an answer into a timeout.
    const chained = mxTo(['a.example.test'], (query, name) => [reply(query, { answers: [cname(name, `x${name}`)] })]);
    const error = failed(await plan(chained, 800, { delayMs: 500 }));
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_BUDGET', task: 'example.test.', budgetMs: 3200, questions: 2, attempts: 2, timeoutMs: 800, servers: 1 });
    assert.equal(error.reason, 'budget');
    assert.equal(exitCodeOf(error), 75);
    assert.equal(describeError(error, en), 'the DNS lookups for example.test. took longer than 3.2 s (2 questions, each 2 tries of 0.8 s, 1 name server)');
    assert.equal(
      describeError(error, fr),
      'les recherches DNS pour example.test. ont pris plus de 3,2 s (2 questions, chacune de 2 essais de 0,8 s, 1 serveur de noms)',
    );
  });

  it('a null MX: no mail, 68', async () => {
    const error = failed(await plan((query) => [reply(query, { answers: query.questions![0]!.type === 'MX' ? [mx('example.test', 0, '.')] : [] })]));
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_NULL_MX', domain: 'example.test.' });
    assert.equal(error.reason, 'no-mail');
    assert.equal(exitCodeOf(error), 68);
    assert.equal(describeError(error, fr), 'example.test. n’accepte aucun courrier : son MX est le MX nul « 0 . » (RFC 7505)');
  });

  it('records that name no host but are not the single "0 ." (RFC 7505 §3): no mail either, and not called a null MX, 68', async () => {
    const answers = [mx('example.test', 10, '.'), mx('example.test', 20, '.')];
    const error = failed(await plan((query) => [reply(query, { answers: query.questions![0]!.type === 'MX' ? answers : [] })]));
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_NULL_MX', domain: 'example.test.', invalid: true });
    assert.equal(exitCodeOf(error), 68);
    assert.equal(describeError(error, en), 'example.test. accepts no mail: its MX records name no host (".", though not as the null MX "0 ." of RFC 7505)');
  });

  it('no MX and no address: 68', async () => {
    const error = failed(await plan((query) => [reply(query)]));
    assert.deepEqual(error.fact, { code: 'MAILV_DNS_NO_MX_NO_ADDRESS', domain: 'example.test.' });
    assert.equal(exitCodeOf(error), 68);
    assert.equal(describeError(error, en), 'example.test. has neither an MX nor an address record');
    assert.equal(describeError(error, fr), 'example.test. n’a ni enregistrement MX ni adresse');
  });

  it('no MX host has an address: 68 when the DNS said so of each, 75 when a lookup failed for now', async () => {
    const gone = failed(
      await plan(
        mxTo(['missing.example.test', 'bare.example.test'], (query, name) => [
          reply(query, { rcode: name === 'bare.example.test' ? RCODE.NOERROR : RCODE.NXDOMAIN }),
        ]),
      ),
    );
    assert.deepEqual(gone.fact, {
      code: 'MAILV_DNS_NO_HOST_ADDRESS',
      domain: 'example.test',
      hosts: [
        { name: 'missing.example.test.', problem: { reason: 'no-such-host' } },
        { name: 'bare.example.test.', problem: { reason: 'no-record' } },
      ],
    });
    assert.equal(gone.reason, 'no-address');
    assert.equal(exitCodeOf(gone), 68);
    assert.equal(
      describeError(gone, fr),
      'aucun hôte MX d’example.test n’a d’adresse : missing.example.test. n’existe pas (NXDOMAIN) ; bare.example.test. n’a pas d’enregistrement A ni AAAA',
    );

    const lookup = await plan(
      mxTo(['missing.example.test', 'broken.example.test'], (query, name) => [
        reply(query, { rcode: name === 'missing.example.test' ? RCODE.NXDOMAIN : RCODE.SERVFAIL }),
      ]),
    );
    const later = failed(lookup);
    assert.equal(later.reason, 'lookup-failed');
    assert.equal(exitCodeOf(later), 75);
    assert.equal(
      describeError(later, en),
      `no MX host of example.test has an address: missing.example.test. does not exist (NXDOMAIN); broken.example.test. could not be looked up for now (${lookup.server}: SERVFAIL)`,
    );
    assert.equal(
      describeError(later, fr),
      `aucun hôte MX d’example.test n’a d’adresse : missing.example.test. n’existe pas (NXDOMAIN) ; broken.example.test. n’a pas pu être résolu pour l’instant (${lookup.server} : SERVFAIL)`,
    );
  });
});

describe('the MX plan of a real lookup', () => {
  it('records why a host has no address, for the plan and the skipped-host note, in both languages', async () => {
    const lookup = await plan(
      mxTo(['missing.example.test', 'broken.example.test', 'mx.example.test'], (query, name, type) => {
        if (name === 'missing.example.test') return [reply(query, { rcode: RCODE.NXDOMAIN })];
        if (name === 'broken.example.test') return [reply(query, { rcode: RCODE.SERVFAIL })];
        return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.2')] : [] })];
      }),
    );
    const mxPlan = lookup.outcome;
    assert.ok(!(mxPlan instanceof DnsError), String(mxPlan));
    const broken = { reason: 'lookup-failed', failure: { kind: 'servers', failures: [{ server: lookup.server, reason: 'rcode', rcode: 'SERVFAIL' }] } };
    assert.deepEqual(
      mxPlan.hosts.map((host) => [host.name, host.noAddress, host.problem]),
      [
        ['missing.example.test.', 'no-such-host', { reason: 'no-such-host' }],
        ['broken.example.test.', 'lookup-failed', broken],
        ['mx.example.test.', undefined, undefined],
      ],
    );
    assert.deepEqual(formatMxPlan(mxPlan, 25, en), [
      '',
      'Mail for example.test goes to, in this order:',
      '  1. missing.example.test.  preference  10  (does not exist (NXDOMAIN): skipped)',
      `  2. broken.example.test.   preference  20  (could not be looked up for now (${lookup.server}: SERVFAIL): skipped)`,
      '  3. mx.example.test.       preference  30  127.0.0.2',
      'The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,',
      'drops the connection or answers 4xx before taking the message, mailv tries the next address, then the next host',
      '(a recipient put off at RCPT too). When none takes the message it is deferred (exit 75) and kept in dead.letter.',
      'mailv --direct connects to port 25 of these addresses.',
    ]);
    assert.deepEqual(formatMxPlan(mxPlan, 25, fr), [
      '',
      'Le courrier pour example.test va, dans cet ordre, vers :',
      '  1. missing.example.test.  préférence  10  (n’existe pas (NXDOMAIN) : ignoré)',
      `  2. broken.example.test.   préférence  20  (n’a pas pu être résolu pour l’instant (${lookup.server} : SERVFAIL) : ignoré)`,
      '  3. mx.example.test.       préférence  30  127.0.0.2',
      'La préférence la plus basse est essayée en premier. Si un hôte refuse la connexion, ne répond pas, refuse dès son accueil,',
      'coupe la connexion ou répond 4xx avant d’avoir pris le message, mailv essaie l’adresse suivante, puis l’hôte suivant',
      '(un destinataire différé à RCPT aussi). Si aucun ne prend le message, il est différé (code de sortie 75) et gardé dans dead.letter.',
      'mailv --direct se connecte au port 25 de ces adresses.',
    ]);
    const skipped = { code: 'mx-host-skipped', recipients: ['bob@example.test'], host: mxPlan.hosts[1]!.name, problem: mxPlan.hosts[1]!.problem } as const;
    assert.equal(describeNote(skipped, en), `bob@example.test... broken.example.test. could not be looked up for now (${lookup.server}: SERVFAIL): skipped`);
    assert.equal(
      describeNote(skipped, fr),
      `bob@example.test... broken.example.test. n’a pas pu être résolu pour l’instant (${lookup.server} : SERVFAIL) : ignoré`,
    );
  });
});
