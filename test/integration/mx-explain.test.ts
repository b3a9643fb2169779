// The DNS step as a class walks through it with --explain: the MX exchange, each answer naming its
// question, then the plan: the hosts by preference, a tie and its shuffle, the implicit MX, the
// null MX, and what sends mailv on to the next host, in English and French. Against the real
// dnsmasq (test/services/dnsmasq.sh zones) and a scripted name server on loopback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lines, runCli } from '../helpers/cli.js';
import { a, mx, reply, startDns } from '../helpers/dns-server.js';
import { DNSMASQ, dnsmasqSkipReason } from '../helpers/dnsmasq.js';

const DNS = ['--dns', DNSMASQ];
const NOTE = '      ↳ ';

/** The annotations printed right after `line`: the `↳` lines up to the next line of the transcript. */
function annotationsAfter(shown: readonly string[], line: string): string[] {
  const at = shown.indexOf(line);
  assert.ok(at >= 0, `no line ${JSON.stringify(line)} in:\n${shown.join('\n')}`);
  const rest = shown.slice(at + 1);
  const end = rest.findIndex((each) => !each.startsWith(NOTE));
  return (end === -1 ? rest : rest.slice(0, end)).map((each) => each.slice(NOTE.length));
}

/** The host names of the plan's table, in the order they will be tried. */
function planOrder(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}\d\. (\S+) /gm)].map((match) => match[1]!);
}

describe('--explain: the DNS step with real dnsmasq', { skip: await dnsmasqSkipReason() }, () => {
  it('in English: the answer names its question, the hosts go by preference, and the fallback is said', async () => {
    const run = await runCli(['--mx', 'mx.test', '--explain', ...DNS]);
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    assert.ok(
      shown.some((line) => /^;; answer to MX mx\.test\. from 127\.0\.0\.1#5354: NOERROR, 2 records, \d+ ms$/.test(line)),
      run.stdout,
    );
    assert.deepEqual(annotationsAfter(shown, '  2. mx2.mx.test.  preference  20  127.0.0.3'), [
      'MX preference: the smallest is tried first, here 10 before 20 (RFC 5321 §5.1)',
      'Refused, dropped or silent, greeting refused, any 4xx, a recipient put off: next address, then next host (RFC 5321 §5.1)',
      'A 5xx to MAIL or the message ends it, not for those put off; one refused with a 5xx goes nowhere else (RFC 5321 §4.2.1)',
      // Before, a refused EHLO was said by no rule: the next host was expected, and never tried.
      'A hello refused with a 5xx (EHLO, then HELO) ends it too; only a greeting refused moves on (as sendmail, RFC 5321 §5.1)',
      'If no host takes it: deferred (exit 75), kept in dead.letter; an MTA would retry later (RFC 5321 §4.5.4.1)',
    ]);
    assert.equal(shown.at(-1), 'mailv --direct connects to port 25 of these addresses.');
    assert.equal(shown.filter((line) => line.startsWith('Mail for mx.test goes to')).length, 1, 'the plan is shown once');
  });

  it('in French: the tie at preference 10 is named in the order the shuffle gave', async () => {
    const run = await runCli(['--mx', 'equal.test', '--explain', '--lang', 'fr', ...DNS], { env: { MAILV_SEED: 'class' } });
    assert.equal(run.code, 0, run.stderr);
    const order = planOrder(run.stdout);
    assert.equal(order.length, 4);
    assert.deepEqual([...order.slice(0, 3)].sort(), ['a.equal.test.', 'b.equal.test.', 'c.equal.test.']);
    assert.equal(order[3], 'd.equal.test.');
    const shown = lines(run.stdout);
    assert.deepEqual(annotationsAfter(shown, '  4. d.equal.test.  préférence  20  127.0.0.7').slice(0, 2), [
      'Préférence (le « poids » du cours) : la plus petite est essayée d’abord, ici 10 avant 20 (RFC 5321 §5.1)',
      `${order.slice(0, 3).join(', ')} ex aequo (préférence 10) : mélangés, MAILV_SEED fixe l’ordre (RFC 5321 §5.1)`,
    ]);
    assert.ok(
      shown.some((line) => /^;; réponse à MX equal\.test\. de 127\.0\.0\.1#5354 : NOERROR, 4 enregistrements, \d+ ms$/.test(line)),
      run.stdout,
    );
  });

  it('no MX: the domain is its own MX, said in both languages', async () => {
    const english = await runCli(['--mx', 'aonly.test', '--explain', ...DNS]);
    assert.equal(english.code, 0, english.stderr);
    assert.deepEqual(annotationsAfter(lines(english.stdout), '  1. aonly.test.  preference   0  127.0.0.7').slice(0, 1), [
      'No MX: aonly.test itself takes the mail, an implicit MX of preference 0 (RFC 5321 §5.1)',
    ]);
    const french = await runCli(['--mx', 'aonly.test', '--explain', '--lang', 'fr', ...DNS]);
    assert.equal(french.code, 0, french.stderr);
    assert.deepEqual(annotationsAfter(lines(french.stdout), '  1. aonly.test.  préférence   0  127.0.0.7').slice(0, 1), [
      'Pas de MX : aonly.test reçoit lui-même le courrier, MX implicite de préférence 0 (RFC 5321 §5.1)',
    ]);
  });

  it('a null MX: no mail, said in both languages, 68', async () => {
    const english = await runCli(['--mx', 'nullmx.test', '--explain', ...DNS]);
    assert.equal(english.code, 68);
    assert.deepEqual(annotationsAfter(lines(english.stdout), 'Mail for nullmx.test goes nowhere: its MX is the null MX "0 ." (RFC 7505).'), [
      'Null MX "0 .": nullmx.test takes no mail; nothing is sent, its recipients fail for good (RFC 7505 §3)',
    ]);
    const french = await runCli(['--mx', 'nullmx.test', '--explain', '--lang', 'fr', ...DNS]);
    assert.equal(french.code, 68);
    assert.deepEqual(annotationsAfter(lines(french.stdout), 'Le courrier pour nullmx.test ne va nulle part : son MX est le MX nul « 0 . » (RFC 7505).'), [
      'MX nul « 0 . » : nullmx.test ne reçoit aucun courrier ; rien n’est envoyé, échec définitif (RFC 7505 §3)',
    ]);
  });

  it('--direct --explain shows the DNS step and the plan before the first connection, without -v', async () => {
    const args = ['--direct', '--port', '9', ...DNS, '-s', 'x', 'bob@deadfirst.test'];
    const explained = await runCli([...args, '--explain'], { input: 'x\n' });
    assert.equal(explained.code, 75, explained.stderr);
    const shown = lines(explained.stdout);
    const answer = shown.findIndex((line) => line.startsWith(';; answer to MX deadfirst.test. from 127.0.0.1#5354: NOERROR, 2 records, '));
    const heading = shown.indexOf('Mail for deadfirst.test goes to, in this order:');
    const connecting = shown.indexOf('bob@deadfirst.test... Connecting to dead.deadfirst.test. port 9 via esmtp...');
    assert.ok(answer >= 0 && answer < heading && heading < connecting, explained.stdout);
    assert.deepEqual(shown.slice(heading + 1, heading + 4), [
      '  1. dead.deadfirst.test.  preference  10  127.0.0.9',
      '  2. live.deadfirst.test.  preference  20  127.0.0.3',
      `${NOTE}MX preference: the smallest is tried first, here 10 before 20 (RFC 5321 §5.1)`,
    ]);
    // Both hosts refuse port 9: the first deferral sends mailv on, the last leaves no host.
    assert.deepEqual(annotationsAfter(shown, 'bob@deadfirst.test... Deferred: Connection refused by dead.deadfirst.test.'), [
      'dead.deadfirst.test. could not take the message: the next MX host is tried (RFC 5321 §5.1)',
    ]);
    assert.deepEqual(annotationsAfter(shown, 'bob@deadfirst.test... Deferred: Connection refused by live.deadfirst.test.'), [
      'live.deadfirst.test. could not take the message, and no host is left to try: deferred (RFC 5321 §4.5.4.1)',
    ]);
    const plain = await runCli(args, { input: 'x\n' });
    assert.equal(plain.code, 75, plain.stderr);
    assert.doesNotMatch(plain.stdout, /^;; |^Mail for /m, 'without --explain the DNS step waits for -v');
  });
});

describe('--explain: the DNS step with a scripted name server', () => {
  it('two hosts tied at 10 behind one at 5, and the plan as a JSON event', async () => {
    const dns = await startDns((query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'b.tie.test'), mx(name, 5, 'first.tie.test'), mx(name, 10, 'c.tie.test')] })];
      if (type === 'A') return [reply(query, { answers: [a(name, '127.0.0.1')] })];
      return [reply(query)];
    });
    try {
      const server = ['--dns', `127.0.0.1:${dns.port}`];
      const run = await runCli(['--mx', 'tie.test', '--explain', ...server]);
      assert.equal(run.code, 0, run.stderr);
      const order = planOrder(run.stdout);
      assert.equal(order[0], 'first.tie.test.');
      const shown = lines(run.stdout);
      assert.ok(
        shown.some((line) => new RegExp(`^;; answer to A first\\.tie\\.test\\. from 127\\.0\\.0\\.1#${dns.port}: NOERROR, 1 record, \\d+ ms$`).test(line)),
      );
      const last = shown.find((line) => line.startsWith('  3. '))!;
      assert.deepEqual(annotationsAfter(shown, last).slice(0, 2), [
        'MX preference: the smallest is tried first, here 5 before 10 (RFC 5321 §5.1)',
        `${order[1]}, ${order[2]} tie at preference 10: shuffled, MAILV_SEED fixes the order (RFC 5321 §5.1)`,
      ]);
      const json = await runCli(['--mx', 'tie.test', '--json', ...server]);
      assert.equal(json.code, 0, json.stderr);
      const events = lines(json.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      const plans = events.filter((event) => event['event'] === 'mx-plan') as unknown as { hosts: { name: string }[]; ties: unknown[] }[];
      assert.equal(plans.length, 1, 'the plan is written once');
      const plan = plans[0]!;
      assert.deepEqual(plan.ties, [{ preference: 10, hosts: plan.hosts.slice(1).map((host) => host.name) }]);
    } finally {
      await dns.close();
    }
  });
});
