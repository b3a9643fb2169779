// mailv-sendmail as the programs that run /usr/sbin/sendmail use it: git send-email, mutt, s-nail,
// PHP's mail() and a cron-style run, each configured to call it, each message read back from the
// Maildir real Postfix delivered it to. git send-email wants a dot in the domain: localhost.localdomain
// is one of Postfix's own (mydestination), as localhost is.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freshHome } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, POSTFIX, deliveredMessage, postfixSkipReason } from '../helpers/postfix.js';
import { skipUnlessRunning } from '../helpers/service.js';

const SENDMAIL = fileURLToPath(new URL('../../bin/mailv-sendmail.js', import.meta.url));
const SERVER = `${POSTFIX.host}:${POSTFIX.port}`;
/** node first on PATH: the programs run mailv-sendmail through its #! line. */
const PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;

/** Symfony Mailer as Debian's php-symfony-mailer installs it. */
const SYMFONY_MAILER = '/usr/share/php/Symfony/Component/Mailer/autoload.php';
const PROGRAMS = ['/usr/lib/git-core/git-send-email', '/usr/bin/mutt', '/usr/bin/s-nail', '/usr/bin/php', SYMFONY_MAILER];
const missing = PROGRAMS.filter((path) => !existsSync(path));
const programsSkip = skipUnlessRunning(
  missing.length === 0,
  `${missing.join(', ')} not installed`,
  'apt-get install git-email mutt s-nail php-cli php-symfony-mailer',
);

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with exactly `env` (nothing inherited), `input` on standard input. */
function run(command: string, args: readonly string[], env: Record<string, string>, input = '', cwd?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** The environment of a user's program: a HOME of its own, mailv told where Postfix listens. */
function userEnv(home: string): Record<string, string> {
  return { PATH, HOME: home, USER: 'tester', LANG: 'C.UTF-8', TZ: 'UTC', MAILV_SERVER: SERVER };
}

const marker = () => randomBytes(6).toString('hex');

/** A header field's value in a delivered message (unfolded). */
function field(message: string, name: string): string | undefined {
  const header = message.slice(0, message.indexOf('\n\n')).replace(/\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'mi').exec(header)?.[1];
}

describe('mailv-sendmail with the real programs, delivered by Postfix', { skip: (await postfixSkipReason()) ?? programsSkip }, () => {
  it('git send-email --sendmail-cmd: a patch series arrives whole, the second patch threaded under the first', async () => {
    const home = freshHome();
    const env = {
      ...userEnv(home),
      GIT_AUTHOR_NAME: 'Alice',
      GIT_AUTHOR_EMAIL: 'alice@example.org',
      GIT_COMMITTER_NAME: 'Alice',
      GIT_COMMITTER_EMAIL: 'alice@example.org',
    };
    const repo = join(home, 'repo');
    const git = async (...args: string[]) => {
      const result = await run('git', args, env, '', repo);
      assert.equal(result.code, 0, `git ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    assert.equal((await run('git', ['init', '-q', repo], env)).code, 0);
    const tag = marker();
    for (const n of [1, 2]) {
      writeFileSync(join(repo, `file${n}.txt`), `change ${n} ${tag}\n`);
      await git('add', '.');
      await git('commit', '-q', '-m', `change ${n} ${tag}`);
    }
    await git('format-patch', '-q', '--thread=shallow', '-o', 'out', '--root', 'HEAD');
    const patches = readdirSync(join(repo, 'out'))
      .sort()
      .map((name) => join(repo, 'out', name));
    assert.equal(patches.length, 2);
    const ids = patches.map((path) => field(readFileSync(path, 'utf8'), 'Message-ID')!);
    const sent = await git(
      'send-email',
      `--sendmail-cmd=${SENDMAIL}`,
      '--to=mailtest@localhost.localdomain',
      '--from=Alice <alice@example.org>',
      '--confirm=never',
      '--suppress-cc=all',
      '--quiet',
      ...patches,
    );
    assert.equal(sent.code, 0, sent.stderr);
    // Found by its own diff line: the second patch holds the first's Message-ID too (In-Reply-To).
    const first = (await deliveredMessage(`+change 1 ${tag}`)).toString();
    const second = (await deliveredMessage(`+change 2 ${tag}`)).toString();
    assert.equal(field(first, 'Message-ID'), ids[0]);
    assert.equal(field(second, 'Message-ID'), ids[1]);
    assert.match(first, new RegExp(`^Subject: \\[PATCH 1/2\\] change 1 ${tag}$`, 'm'));
    assert.match(first, new RegExp(`^\\+change 1 ${tag}$`, 'm'));
    assert.equal(field(second, 'In-Reply-To'), ids[0]);
    assert.equal(field(second, 'References'), ids[0]);
    assert.match(second, new RegExp(`^\\+change 2 ${tag}$`, 'm'));
  });

  it('mutt in batch mode (set sendmail=…): a message with an attachment arrives with the attachment intact', async () => {
    const home = freshHome();
    const tag = marker();
    const attachment = join(home, 'notes.bin');
    const bytes = Buffer.concat([randomBytes(3000), Buffer.from(tag)]);
    writeFileSync(attachment, bytes);
    const muttrc = join(home, 'muttrc');
    writeFileSync(
      muttrc,
      `set sendmail="${SENDMAIL}"\nset from="alice@example.org"\nset use_from=yes\nset record=""\nset folder="${home}"\nset spoolfile="${home}/inbox"\n`,
    );
    const sent = await run('mutt', ['-n', '-F', muttrc, '-s', `mutt ${tag}`, '-a', attachment, '--', LOCAL_RECIPIENT], userEnv(home), `body ${tag}\n`);
    assert.equal(sent.code, 0, sent.stderr);
    const delivered = (await deliveredMessage(`mutt ${tag}`)).toString();
    assert.match(delivered, new RegExp(`^body ${tag}$`, 'm'));
    const part = /filename="?notes\.bin"?\n(?:[^\n]+\n)*\n([A-Za-z0-9+/=\n]+)\n/.exec(delivered);
    assert.ok(part, delivered);
    assert.deepEqual(Buffer.from(part[1]!.replace(/\n/g, ''), 'base64'), bytes);
  });

  it('s-nail -S mta=…: the message arrives with its subject and body', async () => {
    const home = freshHome();
    const tag = marker();
    const sent = await run(
      's-nail',
      ['-:/', '-S', `mta=${SENDMAIL}`, '-S', 'from=alice@example.org', '-s', `s-nail ${tag}`, LOCAL_RECIPIENT],
      userEnv(home),
      `body ${tag}\n`,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const delivered = (await deliveredMessage(`s-nail ${tag}`)).toString();
    assert.equal(field(delivered, 'From'), 'alice@example.org');
    assert.match(delivered, new RegExp(`\\n\\nbody ${tag}\\n$`));
  });

  it("PHP's mail() with sendmail_path: To, subject and extra headers arrive", async () => {
    const home = freshHome();
    const tag = marker();
    const id = `<${tag}.php@example.org>`;
    const script = `var_export(mail('${LOCAL_RECIPIENT}', 'php ${tag}', "body ${tag}\\n", "From: alice@example.org\\r\\nMessage-ID: ${id}"));`;
    const sent = await run('php', ['-n', '-d', `sendmail_path=${SENDMAIL} -t -i`, '-r', script], userEnv(home));
    assert.equal(sent.stdout, 'true', sent.stderr);
    const delivered = (await deliveredMessage(id)).toString();
    assert.equal(field(delivered, 'To'), LOCAL_RECIPIENT);
    assert.equal(field(delivered, 'Subject'), `php ${tag}`);
    // PHP ends the message with a line break of its own.
    assert.match(delivered, new RegExp(`\\n\\nbody ${tag}\\n\\n$`));
  });

  it("Symfony Mailer's SendmailTransport, in its default mode -bs: a message delivered whole, a refused recipient an exception with the reason", async () => {
    const home = freshHome();
    const tag = marker();
    const id = `${tag}.symfony@example.org`;
    // Symfony's own classes, as Debian packages them; the transport speaks SMTP to the command's
    // standard input and output, dot-stuffing the message itself.
    const script = `
      require '${SYMFONY_MAILER}';
      $mailer = new Symfony\\Component\\Mailer\\Mailer(new Symfony\\Component\\Mailer\\Transport\\SendmailTransport('${SENDMAIL} -bs'));
      foreach ([$argv[1], 'nosuchuser@localhost'] as $to) {
        $email = (new Symfony\\Component\\Mime\\Email())->from('alice@example.org')->to($to)->subject('symfony ${tag}')->text("body ${tag}\\n.leading dot\\n");
        $email->getHeaders()->addIdHeader('Message-ID', '${id}');
        try { $mailer->send($email); echo "sent\\n"; } catch (Throwable $e) { echo $e->getMessage(), "\\n"; }
      }
    `;
    const sent = await run('php', ['-r', script, LOCAL_RECIPIENT], userEnv(home));
    assert.equal(
      sent.stdout,
      'sent\nExpected response code "250" but got code "554", with message "554 a recipient was refused: nosuchuser@localhost".\n',
      sent.stderr,
    );
    const delivered = (await deliveredMessage(`<${id}>`)).toString();
    assert.equal(field(delivered, 'Subject'), `symfony ${tag}`);
    // Quoted-printable, as Symfony writes text; the line that began with a dot arrives as it was written.
    assert.match(delivered, new RegExp(`\\n\\nbody ${tag}\\n\\.leading dot\\n\\n?$`));
  });

  it('a cron-style run: -t -i, no terminal, no HOME, prints nothing and delivers', async () => {
    const tag = marker();
    const id = `<${tag}.cron@example.org>`;
    const message = `From: cron@example.org\nTo: ${LOCAL_RECIPIENT}\nSubject: cron ${tag}\nMessage-ID: ${id}\n\nline one\n.\nline after a lone dot\n`;
    // setsid: no controlling terminal, as under cron; the environment is cron's few variables.
    const sent = await run('setsid', ['-w', SENDMAIL, '-t', '-i'], { PATH, SHELL: '/bin/sh', LOGNAME: 'tester', MAILV_SERVER: SERVER }, message);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout + sent.stderr, '');
    const delivered = (await deliveredMessage(id)).toString();
    // -i: the lone dot is a line of the message, not its end.
    assert.match(delivered, /\n\nline one\n\.\nline after a lone dot\n$/);
  });
});
