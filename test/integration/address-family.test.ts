// -4 and -6 choose the address family: with --direct only the MX hosts' addresses of that family are
// tried (a connection to an address ignores the family it is given), and a --server address of the
// other family is a usage error. Against a scripted name server on loopback; nothing listens on the
// port, so each address tried shows as a refused attempt in the JSON events.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../helpers/loopback-port.js';
import { freshHome, lines, runCli } from '../helpers/cli.js';
import { a, mx, reply, startDns, type ScriptedDns } from '../helpers/dns-server.js';

describe('-4 and -6', () => {
  let dns: ScriptedDns;
  before(async () => {
    dns = await startDns((query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'both.family.test')] })];
      if (type === 'A') return [reply(query, { answers: [a(name, '127.0.0.1')] })];
      if (type === 'AAAA') return [reply(query, { answers: [{ type: 'AAAA', name, ttl: 60, class: 'IN', data: '::1' }] })];
      return [reply(query)];
    });
  });
  after(() => dns.close());

  /** The addresses --direct tried, from its JSON events. */
  async function tried(family: readonly string[]): Promise<string[]> {
    const port = await closedPort();
    const run = await runCli(['--direct', '--json', '--dns', `127.0.0.1:${dns.port}`, '--port', String(port), ...family, '-s', 'x', 'bob@family.test'], {
      input: 'x\n',
    });
    assert.equal(run.code, 75, run.stderr);
    return lines(run.stdout)
      .map((line) => JSON.parse(line) as { event: string; error?: { host: string } })
      .filter((event) => event.event === 'deferred')
      .map((event) => event.error!.host);
  }

  it('--direct tries every address without them, only IPv4 with -4, only IPv6 with -6', async () => {
    assert.deepEqual(await tried([]), ['127.0.0.1', '::1']);
    assert.deepEqual(await tried(['-4']), ['127.0.0.1']);
    assert.deepEqual(await tried(['-6']), ['::1']);
  });

  it('-6 to a domain whose hosts have IPv4 addresses only: said so, not "without an address"', async () => {
    const v4only = await startDns((query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'a.v4.test'), mx(name, 20, 'b.v4.test')] })];
      return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.1')] : [] })];
    });
    try {
      for (const [flags, lang, said] of [
        [['-6'], 'en', 'no MX host of v4.test took the message (0 tried, 2 without an IPv6 address)'],
        [['-6', '--lang', 'fr'], 'fr', 'aucun MX de v4.test n’a pris le message (0 essayé, 2 sans adresse IPv6)'],
      ] as const) {
        const run = await runCli(['--direct', '--dns', `127.0.0.1:${v4only.port}`, ...flags, '-s', 'x', 'bob@v4.test'], { input: 'x\n' });
        assert.equal(run.code, 75, run.stderr);
        assert.ok(run.stderr.includes(said), `${lang}: ${run.stderr}`);
      }
    } finally {
      await v4only.close();
    }
  });

  it('a --server address of the other family is a usage error, before anything is read', async () => {
    const four = await runCli(['-4', '--server', '[::1]:25', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(four.code, 64);
    assert.equal(four.stderr, 'mailv: -4 and --server contradict each other: one address family, IPv4 or IPv6\n');
    const six = await runCli(['-6', '--server', '127.0.0.1:25', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(six.code, 64);
    assert.equal(six.stderr, 'mailv: -6 and --server contradict each other: one address family, IPv4 or IPv6\n');
  });

  it('-6 to an IPv4 address literal: a usage error (64) before anything is read, as trying again could never help', async () => {
    const port = await closedPort();
    for (const [lang, said] of [
      ['en', 'mailv: -6 and the address literal [127.0.0.1] contradict each other: one address family, IPv4 or IPv6\n'],
      ['fr', 'mailv: -6 et le littéral d’adresse [127.0.0.1] se contredisent : une seule famille d’adresses, IPv4 ou IPv6\n'],
    ] as const) {
      const run = await runCli(['-6', '--lang', lang, '--direct', '--port', String(port), '-q', '-s', 'x', 'bob@[127.0.0.1]'], { input: 'x\n' });
      assert.deepEqual([run.code, run.stderr], [64, said]);
    }
    // The family a --source-address fixes, as -6 would.
    const bound = await runCli(['--source-address', '::1', '--direct', '--port', String(port), '-q', '-s', 'x', 'bob@[127.0.0.1]'], { input: 'x\n' });
    assert.deepEqual(
      [bound.code, bound.stderr],
      [64, 'mailv: --source-address and the address literal [127.0.0.1] contradict each other: one address family, IPv4 or IPv6\n'],
    );
  });

  it('a --source-address that is no address of this machine is said so (75, kept as Postfix defers it), not as a bare EADDRNOTAVAIL', async () => {
    // 192.0.2.7 (TEST-NET-1) is on no interface: the bind fails, and nothing leaves the machine.
    const port = await closedPort();
    for (const [lang, said] of [
      ['en', `mailv: cannot connect to [127.0.0.1] port ${port} from 192.0.2.7: not an address of this machine (--source-address)`],
      ['fr', `mailv: connexion impossible à [127.0.0.1] port ${port} depuis 192.0.2.7 : ce n’est pas une adresse de cette machine (--source-address)`],
    ] as const) {
      const home = freshHome();
      const run = await runCli(['--lang', lang, '--server', `127.0.0.1:${port}`, '--source-address', '192.0.2.7', '-s', 'x', 'bob@example.org'], {
        input: 'x\n',
        env: { HOME: home },
      });
      assert.equal(run.code, 75, run.stderr);
      assert.equal(run.stderr.split('\n')[0], said);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nx\n/);
    }
  });
});
