// --lang fr speaks French on every line that has French words: the same run under --lang en and
// --lang fr prints no line twice, except the lines that stay as sendmail and the protocols write
// them (the dialogue, the replies, the DNS records as dig prints them) and the message itself.
// Each run is a process, as a user meets it: the transcript at the default verbosity and with -v,
// the MX plan, errors.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { closedPort } from '../helpers/loopback-port.js';
import { freshHome, runCli } from '../helpers/cli.js';
import { DNSMASQ, dnsmasqSkipReason } from '../helpers/dnsmasq.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

/** The kinds of line that are the same in every language, each recognised by its form. */
const SAME_IN_EVERY_LANGUAGE: readonly (readonly [string, RegExp])[] = [
  // sendmail's own transcript lines, as the course page shows them
  ['sendmail: connecting', /^\S+\.\.\. Connecting to \S+( port \d+)? via (relay|esmtp)\.\.\.$/],
  ['sendmail: recipient', /^\S+\.\.\. (Sent|Deferred|Refused|User unknown) \(.*\)$/],
  ['sendmail: deferred', /^\S+\.\.\. Deferred: .* by .*$/],
  ['sendmail: closing', /^Closing connection to \S+$/],
  // the dialogue itself: what mailv wrote, and what the server replied
  ['>>> command', /^>>> /],
  ['server reply', /^\d{3}([ -].*)?$/],
  // the DNS records of the exchange, as dig prints them
  [';; DNS record', /^;; {3}\S+\t\d+\tIN\t/],
  // the message as generated, shown line by line
  ['message line', /^ {2}\| /],
];

function kindOf(line: string): string | undefined {
  return SAME_IN_EVERY_LANGUAGE.find(([, form]) => form.test(line))?.[0];
}

interface Printed {
  readonly code: number | null;
  readonly lines: readonly string[];
}

async function printed(args: readonly string[], language: 'en' | 'fr', options: { input?: string; home?: string } = {}): Promise<Printed> {
  const run = await runCli(['--lang', language, ...args], options);
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { code: run.code, lines };
}

/**
 * Runs `args` in both languages: the statuses agree, some lines are French, and every line the
 * French run shares with the English one is of a kind that stays as it is.
 */
async function assertFrench(args: readonly string[], options: { input?: string; home?: string } = {}): Promise<void> {
  const [en, fr] = [await printed(args, 'en', options), await printed(args, 'fr', options)];
  assert.equal(fr.code, en.code, 'the same outcome in both languages');
  const english = new Set(en.lines);
  const shared = fr.lines.filter((line) => english.has(line));
  const untranslated = shared.filter((line) => kindOf(line) === undefined);
  assert.deepEqual(untranslated, [], `lines left in English under --lang fr:\n${untranslated.join('\n')}`);
  assert.ok(
    fr.lines.some((line) => !english.has(line)),
    'some lines are in French',
  );
}

describe('--lang fr, line by line against --lang en', () => {
  const script = {
    replies: {
      EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME',
      STARTTLS: '454 4.7.0 TLS not available due to local problem',
      RCPT: (line: string) => (line.includes('nobody') ? '550 5.1.1 <nobody@example.org>: User unknown' : '250 2.1.5 Ok'),
    },
  };

  it('the transcript: STARTTLS refused, a recipient refused, at the default verbosity and with -v', async () => {
    const server = await startScriptedServer(script);
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'lang', 'bob@example.org', 'nobody@example.org'];
      await assertFrench(args, { input: 'Bonjour\n' });
      // -v adds the message, the table of addresses, the connection; an empty body is warned of.
      await assertFrench(['-v', ...args], { input: '' });
    } finally {
      await server.close();
    }
  });

  it('the MX plan of --mx with the DNS exchange (-v)', async (t) => {
    const dnsmasqMissing = await dnsmasqSkipReason();
    if (dnsmasqMissing) return t.skip(dnsmasqMissing);
    await assertFrench(['--mx', 'mx.test', '-v', '--dns', DNSMASQ]);
  });

  it('errors: a usage error, a configuration error, a connection refused', async () => {
    await assertFrench(['--helo', 'bad name!', '--server', '127.0.0.1:9', 'bob@example.org'], { input: 'x\n' });
    const home = freshHome();
    const config = join(home, 'mailv.conf');
    writeFileSync(config, 'nonsense = 1\n');
    chmodSync(config, 0o600);
    await assertFrench(['--config', config, 'bob@example.org'], { input: 'x\n' });
    const port = await closedPort();
    await assertFrench(['--server', `127.0.0.1:${port}`, '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
  });

  it('--lang goes with any run, not only --explain', async () => {
    const run = await runCli(['--lang', 'fr', '--dry-run', 'bob@example.org'], { input: '' });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, 'mailv: Corps du message vide ; j’espère que c’est voulu\n');
    assert.match(run.stdout, /^Enveloppe \(ce qu’on annonce à un serveur qui offre SIZE\) :\n/);
  });

  it('without --lang, the locale decides: LC_ALL, then LC_MESSAGES, then LANG', async () => {
    const empty = await runCli(['--dry-run', 'bob@example.org'], { env: { LC_ALL: undefined, LANG: 'fr_FR.UTF-8' } });
    assert.match(empty.stderr, /^mailv: Corps du message vide/);
    const overridden = await runCli(['--dry-run', 'bob@example.org'], { env: { LC_ALL: 'C', LANG: 'fr_FR.UTF-8' } });
    assert.equal(overridden.stderr, "mailv: Null message body; hope that's ok\n");
  });
});
