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

const PROGRAMS = ['/usr/lib/git-core/git-send-email', '/usr/bin/mutt', '/usr/bin/s-nail', '/usr/bin/php'];
const missing = PROGRAMS.filter((path) => !existsSync(path));
const programsSkip = skipUnlessRunning(missing.length === 0, `${missing.join(', ')} not installed`, 'apt-get install git-email mutt s-nail php-cli');

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
    const first = (await deliveredMessage(ids[0]!)).toString();
    const second = (await deliveredMessage(ids[1]!)).toString();
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

  it('PHP speaking SMTP to sendmail -bs -i, as Symfony Mailer and Laravel do by default: every reply as expected, the message delivered whole', async () => {
    const home = freshHome();
    const tag = marker();
    const id = `<${tag}.bs@example.org>`;
    // What Symfony's SmtpTransport does over a process: a command, then its whole reply (lines
    // until the one whose code is followed by a space), its code checked; the message dot-stuffed.
    const script = `
      $process = proc_open(['${SENDMAIL}', '-bs', '-i'], [0 => ['pipe', 'r'], 1 => ['pipe', 'w']], $pipes);
      function answer($pipes, $code) {
        do { $line = fgets($pipes[1]); if ($line === false) throw new Exception("no reply, $code expected"); } while ($line[3] === '-');
        if ((int) substr($line, 0, 3) !== $code) throw new Exception("$code expected, got $line");
        return rtrim($line);
      }
      function command($pipes, $line, $code) { fwrite($pipes[0], "$line\r\n"); return answer($pipes, $code); }
      answer($pipes, 220);
      command($pipes, 'EHLO [127.0.0.1]', 250);
      command($pipes, 'MAIL FROM:<alice@example.org>', 250);
      command($pipes, 'RCPT TO:<${LOCAL_RECIPIENT}>', 250);
      command($pipes, 'DATA', 354);
      $message = "Message-ID: ${id}\r\nFrom: Alice <alice@example.org>\r\nTo: ${LOCAL_RECIPIENT}\r\nSubject: bs ${tag}\r\n\r\nbody ${tag}\r\n.leading dot\r\n";
      fwrite($pipes[0], preg_replace('/^\\./m', '..', $message));
      echo command($pipes, '.', 250), "\n";
      command($pipes, 'QUIT', 221);
      fclose($pipes[0]);
      fclose($pipes[1]);
      echo proc_close($process);
    `;
    const sent = await run('php', ['-n', '-r', script], userEnv(home));
    assert.equal(sent.stdout, '250 Ok: sent\n0', sent.stderr);
    const delivered = (await deliveredMessage(id)).toString();
    assert.equal(field(delivered, 'Subject'), `bs ${tag}`);
    assert.match(delivered, new RegExp(`\\n\\nbody ${tag}\\n\\.leading dot\\n$`));
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
