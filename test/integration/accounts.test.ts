// The accounts file as a user meets it: an account supplies server, login and sender; flags win;
// a bad or unsafe file stops the run with 78 before anything is sent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, startAuthSink, type AuthSink } from '../helpers/auth-servers.js';
import { freshHome, runCli } from '../helpers/cli.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

/** A HOME whose ~/.config/mailv/config holds `text`, with `mode`. */
function homeWithConfig(text: string, mode = 0o600): { home: string; file: string } {
  const home = freshHome();
  mkdirSync(join(home, '.config', 'mailv'), { recursive: true });
  const file = join(home, '.config', 'mailv', 'config');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return { home, file };
}

describe('accounts file', () => {
  let authSink: AuthSink;
  let plainSink: SmtpSink;
  before(async () => {
    authSink = await startAuthSink(['PLAIN', 'LOGIN']);
    plainSink = await startSink();
  });
  after(async () => {
    await authSink.close();
    await plainSink.close();
  });

  const config = () =>
    [
      '# mailv accounts',
      '[default]',
      'from = carol@example.org',
      `server = 127.0.0.1:${plainSink.port}`,
      '',
      '[account school]',
      `server = 127.0.0.1:${authSink.port}`,
      `user = ${ACCOUNT.user}`,
      `password = ${ACCOUNT.password}`,
      'auth = login',
      '',
    ].join('\n');

  it('--account: server, login and mechanism from the account, sender from [default]', async () => {
    const { home } = homeWithConfig(config());
    const before = authSink.messages.length;
    const run = await runCli(['--account', 'school', '-s', 'homework', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> AUTH LOGIN$/m);
    assert.equal(authSink.messages.length, before + 1);
    assert.equal(authSink.messages.at(-1)!.from, 'carol@example.org');
    assert.ok(!run.stdout.includes(ACCOUNT.password));
  });

  it("--demo: the account's login and password go nowhere near the demo's server, --show-secrets or not", async () => {
    const { home } = homeWithConfig(config());
    const run = await runCli(['--account', 'school', '--demo', '--show-secrets', '-s', 'demo', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /AUTH/);
    const blob = Buffer.from(`\0${ACCOUNT.user}\0${ACCOUNT.password}`).toString('base64');
    for (const output of [run.stdout, run.stderr]) {
      assert.ok(!output.includes(ACCOUNT.password) && !output.includes(blob), 'the password is shown nowhere');
    }
  });

  it('--quit-after before AUTH reads no secret: no password command run, no password asked for without a terminal', async () => {
    const marker = join(freshHome(), 'ran');
    const { home } = homeWithConfig(
      ['[account school]', `server = 127.0.0.1:${authSink.port}`, `user = ${ACCOUNT.user}`, `password-cmd = touch '${marker}'; echo pw`, ''].join('\n'),
    );
    for (const point of ['connect', 'greeting', 'ehlo']) {
      const run = await runCli(['--account', 'school', '--quit-after', point], { home });
      assert.equal(run.code, 0, `${point}: ${run.stderr}`);
      assert.equal(existsSync(marker), false, `${point}: the password command was not run`);
    }
    const probe = await runCli(['--quit-after', 'ehlo', '--server', `127.0.0.1:${plainSink.port}`, '--user', ACCOUNT.user], { home: freshHome() });
    assert.equal(probe.code, 0, probe.stderr);
    assert.doesNotMatch(probe.stderr, /no password/);
  });

  it('without --account, [default] applies; flags override the file', async () => {
    const { home } = homeWithConfig(config());
    const before = plainSink.messages.length;
    const run = await runCli(['-r', 'dave@example.org', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(plainSink.messages.length, before + 1);
    assert.equal(plainSink.messages.at(-1)!.from, 'dave@example.org');
    assert.doesNotMatch(run.stdout, /AUTH/);
  });

  it('MAILV_SERVER wins over [default], an explicit --account over MAILV_SERVER', async () => {
    const { home } = homeWithConfig(config());
    const viaEnv = await runCli(['--dry-run', 'bob@example.org'], { input: 'x\n', home, env: { MAILV_SERVER: `127.0.0.1:${authSink.port}` } });
    assert.equal(viaEnv.code, 0);
    const before = authSink.messages.length;
    const sent = await runCli(['bob@example.org'], { input: 'x\n', home, env: { MAILV_SERVER: `127.0.0.1:${plainSink.port}` } });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(authSink.messages.length, before, 'MAILV_SERVER, not [default], was used');
    const account = await runCli(['--account', 'school', 'bob@example.org'], { input: 'x\n', home, env: { MAILV_SERVER: `127.0.0.1:${plainSink.port}` } });
    assert.equal(account.code, 0, account.stderr);
    assert.equal(authSink.messages.length, before + 1, "the account's server, not MAILV_SERVER");
  });

  it('a file with a password readable by others: 78, naming the fix, nothing sent or kept', async () => {
    const { home, file } = homeWithConfig(config(), 0o644);
    const before = authSink.messages.length + plainSink.messages.length;
    const run = await runCli(['--account', 'school', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 78);
    assert.equal(run.stderr, `mailv: ${file}: holds a password but its mode 0644 lets group or others read it: chmod 600 ${file}\n`);
    assert.equal(run.stdout, '');
    assert.equal(authSink.messages.length + plainSink.messages.length, before);
  });

  it('a file others may write is refused whatever it holds: it could run commands as you', async () => {
    const { home, file } = homeWithConfig('[default]\nfrom = carol@example.org\n', 0o666);
    const run = await runCli(['--dry-run', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 78);
    assert.equal(run.stderr, `mailv: ${file}: its mode 0666 lets group or others change it, and so run commands as you: chmod go-w ${file}\n`);
  });

  it("the file's password goes only to the file's server: --server elsewhere asks instead", async () => {
    const { home } = homeWithConfig(config());
    const before = authSink.attempts.length;
    const run = await runCli(['--account', 'school', '--server', `127.0.0.1:${plainSink.port}`, 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 64, run.stderr);
    // Why the file's password was not used is said, not only that none was found.
    assert.equal(
      run.stderr.split('\n')[0],
      `mailv: no password: the account's is for 127.0.0.1:${authSink.port} only, not 127.0.0.1:${plainSink.port}, and no terminal to ask at; give MAILV_PASSWORD, --password-file or --password-cmd`,
    );
    assert.equal(authSink.attempts.length, before);
  });

  it('bad syntax, an unknown key, an unknown account, a missing --config: 78 with file and line', async () => {
    const broken = homeWithConfig('[default]\nserver 127.0.0.1\n');
    const syntax = await runCli(['bob@example.org'], { input: 'x\n', home: broken.home });
    assert.equal(syntax.code, 78);
    assert.match(syntax.stderr, new RegExp(`^mailv: ${broken.file.replace(/[.]/g, '\\.')}:2: expected "key = value"`));
    const unknown = homeWithConfig('[default]\nport = 25\n');
    const key = await runCli(['bob@example.org'], { input: 'x\n', home: unknown.home });
    assert.equal(key.code, 78);
    assert.match(key.stderr, /config:2: unknown key "port"$/m);
    const { home } = homeWithConfig(config());
    const account = await runCli(['--account', 'work', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(account.code, 78);
    assert.match(account.stderr, /no account "work": it defines school$/m);
    const missing = await runCli(['--config', '/nonexistent/mailv.conf', 'bob@example.org'], { input: 'x\n' });
    assert.equal(missing.code, 78);
    assert.match(missing.stderr, /\/nonexistent\/mailv\.conf/);
    const noFile = await runCli(['--account', 'school', 'bob@example.org'], { input: 'x\n' });
    assert.equal(noFile.code, 78);
    assert.match(noFile.stderr, /no configuration file .*, so no account "school"/);
  });

  it('--config reads another file; XDG_CONFIG_HOME moves the default', async () => {
    const other = homeWithConfig(`[default]\nserver = 127.0.0.1:${plainSink.port}\nfrom = erin@example.org\n`);
    const before = plainSink.messages.length;
    const run = await runCli(['--config', other.file, 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(plainSink.messages.at(-1)!.from, 'erin@example.org');
    const xdg = await runCli(['bob@example.org'], { input: 'x\n', env: { XDG_CONFIG_HOME: join(other.home, '.config') } });
    assert.equal(xdg.code, 0, xdg.stderr);
    assert.equal(plainSink.messages.length, before + 2);
  });

  it("a bad server, from or helo in the file is the file's mistake: 78 with file:line, no line quoted", async () => {
    // Lone CR line ends: once read as one line, and the password with it was quoted back.
    const { home, file } = homeWithConfig(`[default]\rserver = 127.0.0.1 :${plainSink.port}\rpassword = hunter2\r`);
    const run = await runCli(['bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 78);
    assert.equal(
      run.stderr,
      `mailv: ${file}:2: invalid server: expected smtp://host[:port], smtps://host[:port], lmtp://host[:port], host[:port], [ipv6-address][:port], unix:/path or lmtp:/path\n`,
    );
    for (const [line, problem] of [
      ['from = carol@', 'invalid from: expected an address such as alice@example.org or Alice <alice@example.org>'],
      ['helo = not a name', 'invalid helo: a domain name or an address literal'],
    ]) {
      const bad = homeWithConfig(`[default]\r\n${line}\r\n`);
      const refused = await runCli(['-r', 'dave@example.org', '--helo', 'ok.example', '--dry-run', 'bob@example.org'], { input: 'x\n', home: bad.home });
      assert.equal(refused.code, 78);
      assert.equal(refused.stderr, `mailv: ${bad.file}:2: ${problem}\n`);
    }
  });

  it("a way to log in and nobody to log in as is the file's mistake (78), as --auth alone is 64; --user completes it", async () => {
    const before = authSink.attempts.length;
    const authAlone = homeWithConfig(`[default]\nserver = 127.0.0.1:${plainSink.port}\nauth = plain\n`);
    const refused = await runCli(['bob@example.org'], { input: 'x\n', home: authAlone.home });
    assert.equal(refused.code, 78);
    assert.equal(refused.stderr, `mailv: ${authAlone.file}: [default] has an auth but no user to log in as: add a "user = …" line or give --user\n`);
    const passwordAlone = homeWithConfig(`[default]\nserver = 127.0.0.1:${authSink.port}\n[account school]\npassword-cmd = echo x\n`);
    const account = await runCli(['--account', 'school', 'bob@example.org'], { input: 'x\n', home: passwordAlone.home });
    assert.equal(account.code, 78);
    assert.equal(
      account.stderr,
      `mailv: ${passwordAlone.file}: [account school] has a password-cmd but no user to log in as: add a "user = …" line or give --user\n`,
    );
    // Nothing was sent: before, such a run went on without logging in.
    assert.equal(authSink.attempts.length, before);
    // [default]'s password under an account that has none of its own: [default] is named.
    const inherited = homeWithConfig(`[default]\npassword = x\n[account school]\nserver = 127.0.0.1:${authSink.port}\n`);
    const fromDefault = await runCli(['--account', 'school', 'bob@example.org'], { input: 'x\n', home: inherited.home });
    assert.equal(fromDefault.stderr, `mailv: ${inherited.file}: [default] has a password but no user to log in as: add a "user = …" line or give --user\n`);
    const dryRun = await runCli(['--account', 'school', '--user', 'alice', '--dry-run', 'bob@example.org'], { input: 'x\n', home: passwordAlone.home });
    assert.equal(dryRun.code, 0, dryRun.stderr);
  });

  it('a FIFO as the file is refused at once (78), whoever could write to it', { timeout: 20_000 }, async () => {
    const home = freshHome();
    const fifo = join(home, 'config');
    execFileSync('mkfifo', ['-m', '666', fifo]);
    const run = await runCli(['--config', fifo, '--dry-run', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(run.code, 78);
    assert.equal(run.stderr, `mailv: ${fifo}: is a FIFO, not a regular file\n`);
    assert.equal(run.stdout, '');
  });
});
