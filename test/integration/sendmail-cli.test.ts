// mailv-sendmail as a process: quiet unless -v, sendmail's statuses, dead.letter, the `.` line, and
// the name `sendmail` choosing it.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { closedPort } from '../helpers/loopback-port.js';
import { freshHome } from '../helpers/cli.js';
import { runScript } from '../helpers/node-script.js';
import { runThroughShell } from '../helpers/shell-run.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { LOCAL_RECIPIENT, POSTFIX, postfixSkipReason } from '../helpers/postfix.js';
import { skipUnlessRunning } from '../helpers/service.js';
import { startSink } from '../helpers/smtp-sink.js';

const SENDMAIL = fileURLToPath(new URL('../../bin/mailv-sendmail.js', import.meta.url));
const MAILV = fileURLToPath(new URL('../../bin/mailv.js', import.meta.url));

const run = runScript;

/**
 * The accounts file where mailv-sendmail looks for it by itself (-C is taken from root only, and
 * these tests run as anyone).
 */
function defaultConfig(home: string): string {
  mkdirSync(join(home, '.config', 'mailv'), { recursive: true });
  return join(home, '.config', 'mailv', 'config');
}

/** A server that takes connections and counts them, hanging up at once: where none may come. */
async function countingServer(): Promise<{ readonly port: number; connections(): number; close(): void }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, close: () => server.close() };
}

describe('mailv-sendmail', () => {
  it("-v: a recipient given as an argument is no Bcc; a To: that gets no copy is the header's only", async () => {
    const server = await startScriptedServer();
    try {
      const message = 'To: bob@example.org, dave@example.org\nSubject: table\n\nbody\n';
      const result = await run(
        SENDMAIL,
        ['-v', 'bob@example.org', 'carol@example.org'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        message,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {2}bob@example\.org +RCPT To:<…> +To: +command line$/m);
      assert.match(result.stdout, /^ {2}carol@example\.org +RCPT To:<…> +\(none: envelope only\) +command line$/m);
      assert.match(result.stdout, /^ {2}dave@example\.org +\(none: header only\) +To: +the message's To:$/m);
      assert.match(result.stdout, /^ {2}tester@\S+ +MAIL From:<…> +From: +\$USER at this host$/m);
    } finally {
      await server.close();
    }
  });

  it('addresses a space separates in one argument each get the message, as with Postfix (sendmail "$ADMINS")', async () => {
    const server = await startScriptedServer();
    try {
      const result = await run(
        SENDMAIL,
        ['-i', 'bob@example.org carol@example.org', 'Dave Doe <dave@example.org>'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        'Subject: disk\n\nfull\n',
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        server.commands.filter((command) => command.startsWith('RCPT')),
        ['RCPT To:<bob@example.org>', 'RCPT To:<carol@example.org>', 'RCPT To:<dave@example.org>'],
      );
    } finally {
      await server.close();
    }
  });

  it('a Latin-1 recipient among others split at spaces is refused as one alone is (64), never sent with a U+FFFD', async () => {
    const home = freshHome();
    const result = await runThroughShell(SENDMAIL, `-i "$(printf 'caf\\351@example.org bob@example.org')"`, {
      env: { HOME: home, MAILV_SERVER: '127.0.0.1:9' },
      input: 'Subject: x\n\nbody\n',
    });
    assert.equal(result.code, 64, result.stderr);
    // The arguments go in the envelope only: no header is named for them.
    assert.match(result.stderr, /^mailv: address is not UTF-8 .*, given as a recipient: /);
    // A Latin-1 -f is named as given, -f, not as mailv's own -r.
    const sender = await runThroughShell(SENDMAIL, `-i -f "$(printf '\\351ric@example.org')" bob@example.org`, {
      env: { HOME: home, MAILV_SERVER: '127.0.0.1:9' },
      input: 'Subject: x\n\nbody\n',
    });
    assert.equal(sender.code, 64, sender.stderr);
    assert.match(sender.stderr, /^mailv: address is not UTF-8 .*, given with -f: /);
  });

  it('--json is no sendmail option: refused as any other, nothing on standard output (the SMTP channel under -bs)', async () => {
    for (const args of [
      ['--json', 'bob@example.org'],
      ['-bs', '--json'],
    ]) {
      const home = freshHome();
      const result = await run(SENDMAIL, args, { HOME: home, MAILV_SERVER: '127.0.0.1:1' }, 'Subject: x\n\nhello\n');
      assert.equal(result.code, 64, result.stderr);
      // Before, a JSON result line came out there.
      assert.equal(result.stdout, '', args.join(' '));
      assert.match(result.stderr, /unknown option '--json'/);
    }
  });

  it('a recipient that reads as an option (option injection, CVE-2016-10033): 64, nothing sent, the message read and kept', async () => {
    const server = await countingServer();
    try {
      const home = freshHome();
      const env = { HOME: home, MAILV_SERVER: `127.0.0.1:${server.port}` };
      const result = await run(SENDMAIL, ['-i', 'admin@example.org', '-f', 'mallory@example.org'], env, 'Subject: form\n\nhello\n');
      assert.equal(result.code, 64, result.stderr);
      assert.equal(
        result.stderr.split('\n')[0],
        "mailv: recipient '-f' begins with a dash: options come before the recipients (after '--', a recipient may begin with one)",
      );
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nhello\n/);
      assert.equal(server.connections(), 0);
    } finally {
      server.close();
    }
  });

  it('an option whose value is missing at the end (an empty, unquoted $SENDER after -f): 64, nothing sent, the message read and kept', async () => {
    const server = await countingServer();
    try {
      for (const args of [
        ['-t', '-f'],
        ['-t', '-i', '-F'],
      ]) {
        const home = freshHome();
        const env = { HOME: home, MAILV_SERVER: `127.0.0.1:${server.port}` };
        const result = await run(SENDMAIL, args, env, 'To: admin@example.org\nSubject: cron\n\nreport\n');
        assert.equal(result.code, 64, result.stderr);
        assert.equal(result.stderr.split('\n')[0], `mailv: option '${args[args.length - 1]}' argument missing`);
        assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nreport\n/);
      }
      assert.equal(server.connections(), 0);
      // -bs takes no message from the command line: refused before any greeting, as before.
      const smtp = await run(SENDMAIL, ['-bs', '-f'], { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` }, 'QUIT\r\n');
      assert.equal(smtp.code, 64, smtp.stderr);
      assert.equal(smtp.stdout, '');
    } finally {
      server.close();
    }
  });

  it("a $USER that makes no address: 64, and the message read and kept all the same; with -f '<>', only for a message that lacks a From:", async () => {
    const server = await countingServer();
    const sink = await startSink();
    try {
      const withFrom = 'From: cron@example.org\nTo: admin@example.org\nSubject: cron\n\nreport\n';
      const cases = [
        [['-t'], withFrom],
        [['-t', '-f', '<>'], 'To: admin@example.org\nSubject: cron\n\nreport\n'],
        [['-f', '', 'admin@example.org'], 'Subject: cron\n\nreport\n'],
      ] as const;
      for (const [args, message] of cases) {
        const home = freshHome();
        const env = { HOME: home, USER: 'a b', LOGNAME: 'c d', MAILV_SERVER: `127.0.0.1:${server.port}` };
        const result = await run(SENDMAIL, args, env, message);
        assert.equal(result.code, 64, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr.split('\n')[0]!, /^mailv: no (sender|author for the From field): the address made from \$USER \("a b"\) is no address /);
        // Before, the plan that keeps it made the same address, failed the same way, and the message was lost.
        assert.equal(readFileSync(join(home, 'dead.letter'), 'utf8').replace(/^From .*\n/, ''), `${message}\n`, args.join(' '));
      }
      assert.equal(server.connections(), 0);
      // The null sender needs no address of $USER's: a message with its own From: goes (before: refused, 64).
      for (const args of [
        ['-t', '-f', '<>'],
        ['-f', '', 'admin@example.org'],
      ]) {
        const env = { HOME: freshHome(), USER: 'a b', LOGNAME: 'c d', MAILV_SERVER: `127.0.0.1:${sink.port}` };
        const result = await run(SENDMAIL, args, env, withFrom);
        assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(sink.messages.at(-1)!.from, '');
        assert.match(sink.messages.at(-1)!.data.toString('latin1'), /^From: cron@example\.org\r\n/);
      }
    } finally {
      server.close();
      await sink.close();
    }
  });

  it('-C naming a file in octets that are not UTF-8: 64, and the message read and kept, as for a configuration that cannot be used', async () => {
    const home = freshHome();
    const result = await runThroughShell(SENDMAIL, `-C "$(printf 'c\\351.conf')" bob@example.org`, {
      env: { HOME: home, MAILV_SERVER: '127.0.0.1:9' },
      input: 'Subject: cron\n\nimportant\n',
    });
    assert.equal(result.code, 64, result.stderr);
    assert.match(result.stderr, /^mailv: the file name given with -C is not UTF-8 /);
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nimportant\n/);
  });

  it("-t reads a field's addresses as its arguments, as Postfix does: space-separated, or <…> after <…>, each gets the message", async () => {
    const server = await startScriptedServer();
    try {
      const message = 'To: a@example.org b@example.org\nCc: <c@example.org> <d@example.org>\nSubject: list\n\nbody\n';
      const result = await run(SENDMAIL, ['-t', '-i'], { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` }, message);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        server.commands.filter((command) => command.startsWith('RCPT')),
        ['a', 'b', 'c', 'd'].map((user) => `RCPT To:<${user}@example.org>`),
      );
    } finally {
      await server.close();
    }
  });

  it('without -i, a stop signal while the pipe stays open ends the run at once, the message read so far kept', { timeout: 20_000 }, async () => {
    const home = freshHome();
    const child = spawn(process.execPath, [SENDMAIL, 'bob@example.org'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, MAILV_SERVER: `127.0.0.1:${await closedPort()}` },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
    // The writer keeps the pipe open, as a stalled program does: the signal, not its end, must stop the read.
    child.stdin!.write('Subject: cron\n\nimportant\n');
    await new Promise((resolve) => setTimeout(resolve, 700));
    child.kill('SIGTERM');
    const ended = await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))]);
    child.stdin!.destroy();
    child.kill('SIGKILL');
    // Before, the signal waited for the pipe to end: a SIGKILL after it (timeout -k) lost the message.
    assert.ok(ended === 143 || ended === 'SIGTERM', `${String(ended)}: ${stderr}`);
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^Subject: cron\n\nimportant\n/m);
  });

  it('a server that cannot be reached: one line, 75, the message kept in dead.letter up to the line of .', async () => {
    const home = freshHome();
    const port = await closedPort();
    const result = await run(SENDMAIL, ['bob@example.org'], { HOME: home, MAILV_SERVER: `127.0.0.1:${port}` }, 'Subject: kept\n\nfirst\n.\nnever read\n');
    assert.equal(result.code, 75);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 2, result.stderr); // the failure, and where the message was kept
    const dead = readFileSync(join(home, 'dead.letter'), 'utf8');
    assert.match(dead, /Subject: kept\n/);
    assert.match(dead, /\n\nfirst\n/);
    assert.doesNotMatch(dead, /never read/);
  });

  it('an account with no password, run where there is no terminal (cron): 64, a hint mailv-sendmail can follow, the message kept', async () => {
    const home = freshHome();
    const config = defaultConfig(home);
    writeFileSync(config, '[default]\nserver = 127.0.0.1:587\nuser = mailtest\n', { mode: 0o600 });
    const result = await run(SENDMAIL, ['-i', 'bob@example.org'], { HOME: home }, 'Subject: cron\n\nimportant\n');
    assert.equal(result.code, 64, result.stderr);
    assert.equal(
      result.stderr.split('\n')[0],
      'mailv: no password: no terminal to ask at; give MAILV_PASSWORD, or password-file or password-cmd in the accounts file',
    );
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^Subject: cron\n\nimportant\n/m);
    // The account's password held back from another server: the hint names what would let it go.
    writeFileSync(config, '[default]\nuser = mailtest\npassword-cmd = echo pw\n', { mode: 0o600 });
    const elsewhere = await run(SENDMAIL, ['-i', 'bob@example.org'], { HOME: home, MAILV_SERVER: '127.0.0.1:9' }, 'Subject: cron\n\nx\n');
    assert.equal(elsewhere.code, 64, elsewhere.stderr);
    assert.equal(
      elsewhere.stderr.split('\n')[0],
      "mailv: no password: the account's is for smtp://localhost:25 only, not 127.0.0.1:9, and no terminal to ask at; give MAILV_PASSWORD, or server = 127.0.0.1:9 in the account",
    );
  });

  it("the configuration file's [default] server wins over MAILV_SERVER, as mailv-sendmail(1) says: an inherited variable sends nothing elsewhere", async () => {
    const server = await startScriptedServer();
    try {
      const home = freshHome();
      const config = defaultConfig(home);
      writeFileSync(config, `[default]\nserver = 127.0.0.1:${server.port}\n`, { mode: 0o600 });
      const env = { HOME: home, MAILV_SERVER: `127.0.0.1:${await closedPort()}` };
      const result = await run(SENDMAIL, ['-i', 'bob@example.org'], env, 'Subject: cron\n\nx\n');
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        server.commands.filter((command) => command.startsWith('RCPT')),
        ['RCPT To:<bob@example.org>'],
      );
    } finally {
      await server.close();
    }
  });

  it('an accounts file that cannot be used (cron): 78, said, and the message read and kept all the same', async () => {
    for (const [content, mode, said] of [
      ['[default]\nserver = 127.0.0.1:9\nbogus = 1\n', 0o600, /:3: unknown key "bogus"$/],
      ['[default]\nserver = 127.0.0.1:9\n', 0o666, /\.config\/mailv\/config/],
      ['[default]\nserver = smtps://127.0.0.1:9\ntls = off\n', 0o600, /\[default\] has an smtps:\/\/ server and tls = off/],
      // Found unusable only with the command line (no user given): kept too, where it was lost.
      ['[default]\nserver = 127.0.0.1:9\npassword = secret1\n', 0o600, /\[default\] has a password but no user to log in as: add a "user = …" line$/],
    ] as const) {
      const home = freshHome();
      const config = defaultConfig(home);
      writeFileSync(config, content, { mode });
      chmodSync(config, mode);
      const result = await run(SENDMAIL, ['-i', 'bob@example.org'], { HOME: home }, 'Subject: cron\n\nimportant\n');
      assert.equal(result.code, 78, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.match(lines[0]!, said);
      assert.equal(lines[1], `mailv: the message was saved in ${join(home, 'dead.letter')}`);
      assert.equal(lines.length, 2, result.stderr);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^Subject: cron\n\nimportant\n/m);
    }
  });

  it("the accounts file's timeout: a server that never greets gives up after it (75, kept), not after RFC 5321's 5 minutes", async () => {
    const home = freshHome();
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const config = defaultConfig(home);
      writeFileSync(config, `[default]\nserver = 127.0.0.1:${(silent.address() as AddressInfo).port}\ntimeout = 1\n`, { mode: 0o600 });
      const started = Date.now();
      const result = await run(SENDMAIL, ['bob@example.org'], { HOME: home }, 'Subject: x\n\nbody\n');
      assert.equal(result.code, 75, result.stderr);
      assert.match(result.stderr, /greeting/);
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      assert.ok(existsSync(join(home, 'dead.letter')));
    } finally {
      silent.close();
    }
  });

  it('-F that was not UTF-8 (a U+FFFD where its octets were) still sends the message: a name never costs it', async () => {
    const server = await startScriptedServer();
    try {
      const result = await run(
        SENDMAIL,
        ['-F', 'Jos\uFFFD', 'bob@example.org'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        'Subject: x\n\nbody\n',
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(server.commands.includes('RCPT To:<bob@example.org>'), server.commands.join('|'));
    } finally {
      await server.close();
    }
  });

  it('DEAD=/dev/null: the failure said, nothing kept and nothing said of it, as mail(1) users set it', async () => {
    const home = freshHome();
    const port = await closedPort();
    const result = await run(SENDMAIL, ['bob@example.org'], { HOME: home, DEAD: '/dev/null', MAILV_SERVER: `127.0.0.1:${port}` }, 'Subject: x\n\nbody\n');
    assert.equal(result.code, 75);
    assert.equal(result.stderr, `mailv: connection refused by [127.0.0.1] port ${port}\n`);
    assert.equal(existsSync(join(home, 'dead.letter')), false);
  });

  it('a message SMTP cannot carry (a NUL): 65, and still kept in dead.letter as it was read, its long line with it', async () => {
    const home = freshHome();
    const port = await closedPort();
    const longLine = 'x'.repeat(2000);
    const result = await run(
      SENDMAIL,
      ['bob@example.org'],
      { HOME: home, MAILV_SERVER: `127.0.0.1:${port}` },
      `Subject: cron output\n\n${longLine}\nnul\0here\n`,
    );
    assert.equal(result.code, 65, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 2, result.stderr); // the refusal, and where the message was kept
    // Kept octet for octet after its mbox From line, to be sent again once mended: not wrapped in a
    // message of mailv's own, which would turn its header into body text.
    const dead = readFileSync(join(home, 'dead.letter'), 'utf8');
    assert.equal(dead.slice(dead.indexOf('\n') + 1), `Subject: cron output\n\n${longLine}\nnul\0here\n\n`);
  });

  it('a header with a control character, without -t: 65, said of the message, never of a -t not given, and kept', async () => {
    const home = freshHome();
    const port = await closedPort();
    const result = await run(SENDMAIL, ['bob@example.org'], { HOME: home, MAILV_SERVER: `127.0.0.1:${port}` }, 'Subject: bell\x07here\n\nbody\n');
    assert.equal(result.code, 65, result.stderr);
    assert.equal(result.stderr.split('\n')[0], "mailv: the message's header Subject (line 1) contains a control character (U+0007)");
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nbody\n/);
  });

  it("PHP's one-line HTML (a line of 5000 octets): sent, broken as Postfix breaks it", async () => {
    const server = await startScriptedServer();
    try {
      const html = `<html>${'<p>x</p>'.repeat(625)}</html>`;
      const result = await run(
        SENDMAIL,
        ['-t', '-i'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        `To: bob@example.org\nSubject: html\nContent-Type: text/html\n\n${html}\n`,
      );
      assert.equal(result.code, 0, result.stderr);
      const wire = server.received().toString('latin1');
      assert.ok(wire.includes(html.slice(0, 998) + '\r\n ' + html.slice(998, 1995) + '\r\n '), 'broken after 998 octets, then every 997');
    } finally {
      await server.close();
    }
  });

  it('header addresses mailv cannot read, in fields that decide nothing (no -t), go as they stand: Postfix passes them too', async () => {
    const server = await startScriptedServer();
    try {
      for (const field of [
        'From: John Smith',
        'From: root@localhost (Cron Daemon',
        'From: "Web Form" <noreply@example.org',
        'To: garbage@@',
        'Cc: x@example.org.',
      ]) {
        const home = freshHome();
        const before = server.received().length;
        const result = await run(
          SENDMAIL,
          ['-i', 'bob@example.org'],
          { HOME: home, MAILV_SERVER: `127.0.0.1:${server.port}` },
          `${field}\nSubject: s\n\nimportant\n`,
        );
        assert.equal(result.code, 0, `${field}: ${result.stderr}`);
        const wire = server.received().subarray(before).toString('latin1');
        assert.ok(wire.includes(`\r\n${field}\r\n`) || wire.includes(`DATA\r\n${field}\r\n`), `${field} sent as it stands`);
        assert.match(wire, /\r\nimportant\r\n/);
        assert.equal(existsSync(join(home, 'dead.letter')), false);
      }
    } finally {
      await server.close();
    }
  });

  it('-t -v, a message being resent: the table shows its new recipients under Resent-To, its first ones as header only', async () => {
    const server = await startScriptedServer();
    try {
      const message = 'From: a@example.org\nTo: first@example.org\nResent-To: new@example.org\n\nb\n';
      const result = await run(SENDMAIL, ['-t', '-v'], { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` }, message);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {2}new@example\.org +RCPT To:<…> +Resent-To: +the message's Resent-To:$/m);
      assert.match(result.stdout, /^ {2}first@example\.org +\(none: header only\) +To: +the message's To:$/m);
    } finally {
      await server.close();
    }
  });

  it('takes what programs pipe as sendmail does: text with no header block is all body, a leading mbox From line is dropped', async () => {
    const server = await startScriptedServer();
    try {
      for (const [input, body] of [
        ['just text\nsecond line\n', '\r\n\r\njust text\r\nsecond line\r\n.\r\n'],
        ['From someone Mon Jan  1 00:00:00 2024\nSubject: patch\n\nFrom me\n', 'Subject: patch\r\n'],
        // A line that is no header field ends the header block, the body beginning with it.
        ['E: Unable to locate package foo\nsecond line of output\n', 'E: Unable to locate package foo\r\n'],
        ['E: Unable to locate package foo\nsecond line of output\n', '\r\n\r\nsecond line of output\r\n.\r\n'],
      ] as const) {
        const before = server.received().length;
        const result = await run(SENDMAIL, ['bob@example.org'], { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` }, input);
        assert.equal(result.code, 0, result.stderr);
        const received = server.received().subarray(before).toString('latin1');
        assert.ok(received.includes(body), received);
        assert.doesNotMatch(received, /From someone/);
        assert.match(received, /\r\nFrom: tester@/);
      }
    } finally {
      await server.close();
    }
  });

  // /etc/mailname is replaced in a mount namespace of mailv's own: root only.
  const noNamespace = skipUnlessRunning(
    process.getuid?.() === 0 && existsSync('/usr/bin/unshare') && existsSync('/etc/mailname'),
    'root, unshare(1) and /etc/mailname',
    'run the tests as root, as .ci/run does',
  );
  it("cron's To: root gets the domain of /etc/mailname, as Postfix's myorigin gives it; EHLO keeps the host's name", { skip: noNamespace }, async () => {
    const server = await startScriptedServer();
    const home = freshHome();
    const mailname = join(home, 'mailname');
    writeFileSync(mailname, 'mail.example.net\n');
    try {
      const child = spawn('unshare', ['-m', 'sh', '-c', `mount --bind ${mailname} /etc/mailname && exec "$@"`, 'sh', process.execPath, SENDMAIL, '-t', '-i'], {
        env: { PATH: '/usr/bin:/bin', USER: 'tester', HOME: home, MAILV_SERVER: `127.0.0.1:${server.port}` },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdin.end('To: root\nSubject: cron\n\nb\n');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, stderr);
      assert.ok(server.commands.includes('RCPT To:<root@mail.example.net>'), server.commands.join('\n'));
      assert.ok(
        server.commands.some((command) => /^MAIL From:<tester@mail\.example\.net>/.test(command)),
        server.commands.join('\n'),
      );
      assert.ok(!server.commands.some((command) => /^EHLO .*mail\.example\.net/.test(command)), 'EHLO names the host, not the mail domain');
      assert.match(server.received().toString('latin1'), /\r\nTo: root@mail\.example\.net\r\n/);
    } finally {
      await server.close();
    }
  });

  it('every mbox From line before the header is dropped, a forwarded >From one too, as Postfix drops them', async () => {
    const server = await startScriptedServer();
    try {
      const input = 'From a@x Sat Dec  5 10:00:00 2026\n>From b@x Sat Dec  5 09:00:00 2026\nFrom: Alice <alice@example.org>\nSubject: fwd\n\nhi\n';
      const result = await run(SENDMAIL, ['bob@example.org'], { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` }, input);
      assert.equal(result.code, 0, result.stderr);
      const received = server.received().toString('latin1');
      assert.match(received, /\r\nFrom: Alice <alice@example\.org>\r\nSubject: fwd\r\n/);
      assert.doesNotMatch(received, /From a@x|From b@x/);
      assert.match(received, /\r\n\r\nhi\r\n/);
      // Kept, it is kept without them too.
      const home = freshHome();
      const failed = await run(SENDMAIL, ['bob@example.org'], { HOME: home, MAILV_SERVER: `127.0.0.1:${await closedPort()}` }, input);
      assert.equal(failed.code, 75, failed.stderr);
      const kept = readFileSync(join(home, 'dead.letter'), 'utf8');
      assert.match(kept, /^From: Alice <alice@example\.org>\nSubject: fwd\n\nhi\n/m);
      assert.doesNotMatch(kept, /From a@x|From b@x/);
    } finally {
      await server.close();
    }
  });

  it('dead.letter of what programs pipe: without the mbox From line before it, and with headers when it had none', async () => {
    const port = await closedPort();
    const fromLine = freshHome();
    await run(
      SENDMAIL,
      ['bob@example.org'],
      { HOME: fromLine, MAILV_SERVER: `127.0.0.1:${port}` },
      'From alice Mon Dec  1 00:00:00 2026\nSubject: p\n\nFrom me\n',
    );
    const kept = readFileSync(join(fromLine, 'dead.letter'), 'utf8');
    assert.equal(kept.slice(kept.indexOf('\n') + 1), 'Subject: p\n\n>From me\n\n');
    const bare = freshHome();
    await run(SENDMAIL, ['bob@example.org'], { HOME: bare, MAILV_SERVER: `127.0.0.1:${port}` }, 'hello there\n');
    assert.match(readFileSync(join(bare, 'dead.letter'), 'utf8'), /\nFrom: tester@[^\n]*\n\nhello there\n\n$/);
  });

  it('-t to a server that cannot be reached: dead.letter keeps the message as read, its Bcc included, nothing added', async () => {
    const home = freshHome();
    const port = await closedPort();
    const message = 'From: a@example.org\nTo: bob@example.org\nBcc: blind@example.org\nSubject: as read\n\nbody\n';
    const result = await run(SENDMAIL, ['-t', '-i'], { HOME: home, MAILV_SERVER: `127.0.0.1:${port}` }, message);
    assert.equal(result.code, 75, result.stderr);
    const dead = readFileSync(join(home, 'dead.letter'), 'utf8');
    assert.equal(dead.slice(dead.indexOf('\n') + 1), `${message}\n`);
  });

  it('-t with recipients that cannot be used (a bad To, none at all): 64, and the message, already read, kept in dead.letter', async () => {
    for (const [message, why] of [
      ['To: bob@\nSubject: s\n\nPrecious\n', /^mailv: invalid address "bob@"/],
      ['Subject: s\n\nPrecious\n', /^mailv: -t: the message names no recipient in To, Cc or Bcc \(an empty group names none\) and no recipient was given$/m],
    ] as const) {
      const home = freshHome();
      const result = await run(SENDMAIL, ['-t', '-i'], { HOME: home, MAILV_SERVER: '127.0.0.1:1' }, message);
      assert.equal(result.code, 64, result.stderr);
      assert.match(result.stderr, why);
      assert.match(result.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
      // As it was read: its own header block first, nothing added.
      const dead = readFileSync(join(home, 'dead.letter'), 'utf8');
      assert.equal(dead.slice(dead.indexOf('\n') + 1), `${message}\n`);
    }
  });

  it('recipients on the command line that come to nothing (without -t): 64, and the message piped kept, the program has no other copy', async () => {
    const home = freshHome();
    const result = await run(SENDMAIL, ['undisclosed-recipients:;'], { HOME: home, MAILV_SERVER: '127.0.0.1:1' }, 'Subject: s\n\nbody\n');
    assert.equal(result.code, 64, result.stderr);
    assert.equal(result.stderr, `mailv: no recipient given\nmailv: the message was saved in ${join(home, 'dead.letter')}\n`);
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\nSubject: s\n\nbody\n/);
  });

  it("-F '' names nobody: From: is the bare address, not an empty name before it", async () => {
    const server = await startScriptedServer();
    try {
      const result = await run(
        SENDMAIL,
        ['-F', '', 'bob@example.org'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        'Subject: x\n\nbody\n',
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(server.received().toString('latin1'), /\r\nFrom: tester@[^ <\r]+\r\n/);
    } finally {
      await server.close();
    }
  });

  it('a line break in -F is refused, naming -F', async () => {
    const result = await run(SENDMAIL, ['-F', 'Evil\nBcc: x@example.org', 'bob@example.org'], { HOME: freshHome(), MAILV_SERVER: '127.0.0.1:1' }, 'x\n');
    assert.equal(result.code, 64);
    assert.match(result.stderr, /^mailv: header From contains a line break \(U\+000A\), given with -F$/m);
  });

  it('an option sendmail programs do not pass: 64, nothing sent, nothing kept', async () => {
    const home = freshHome();
    const result = await run(SENDMAIL, ['-bv', 'bob@example.org'], { HOME: home }, '');
    assert.equal(result.code, 64);
    assert.equal(
      result.stderr,
      'mailv: -bv (verify addresses) is not for mailv-sendmail: it keeps no queue and only sends, at once (-bm, or -bs over SMTP; -bp lists the queue, always empty)\n',
    );
    assert.equal(existsSync(join(home, 'dead.letter')), false);
  });

  it('-bp lists the queue as Postfix words an empty one, whatever the language: there is none; nothing read, sent or kept', async () => {
    const home = freshHome();
    for (const env of [{}, { LANG: 'fr_FR.UTF-8' }] as Record<string, string>[]) {
      // Standard input holds a message that must not go: -bp reads nothing, and no server listens.
      const result = await run(SENDMAIL, ['-bp'], { HOME: home, MAILV_SERVER: '127.0.0.1:1', ...env }, 'Subject: x\n\nnot for sending\n');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'Mail queue is empty\n');
      assert.equal(result.stderr, '');
    }
    // Through a link named mailq, as Postfix installs one.
    const mailq = join(home, 'mailq');
    symlinkSync(MAILV, mailq);
    const listed = await run(mailq, [], { HOME: home, MAILV_SERVER: '127.0.0.1:1' }, 'Subject: x\n\nnot for sending\n');
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'Mail queue is empty\n');
    assert.equal(existsSync(join(home, 'dead.letter')), false);
  });

  it('-bi, -I, -bh and -bH have nothing to do: 0, nothing read, sent or kept; -v says why; newaliases is -bi', async () => {
    const home = freshHome();
    // A listening server that counts connections: none may come.
    const server = await countingServer();
    const env = { HOME: home, MAILV_SERVER: `127.0.0.1:${server.port}` };
    const message = 'Subject: x\n\nnot for sending\n';
    try {
      for (const argv of [['-bi'], ['-I'], ['-bh'], ['-bH'], ['-i', '-bi', '-oi'], ['-c', '-x', '-bh']]) {
        const result = await run(SENDMAIL, argv, env, message);
        assert.deepEqual([result.code, result.stdout, result.stderr], [0, '', ''], argv.join(' '));
      }
      const aliases = await run(SENDMAIL, ['-v', '-bi'], env, message);
      assert.deepEqual([aliases.code, aliases.stderr], [0, 'mailv: mailv-sendmail keeps no alias database: there is nothing to rebuild\n']);
      const hosts = await run(SENDMAIL, ['-v', '-bH'], { ...env, LANG: 'fr_FR.UTF-8' }, message);
      assert.deepEqual([hosts.code, hosts.stderr], [0, 'mailv: mailv-sendmail ne garde pas l’état des hôtes : il n’y a rien à montrer ni à purger\n']);
      // Through a link named newaliases, as Postfix installs one (package scripts run it).
      const newaliases = join(home, 'newaliases');
      symlinkSync(MAILV, newaliases);
      const linked = await run(newaliases, ['-v'], env, message);
      assert.deepEqual([linked.code, linked.stderr], [0, 'mailv: mailv-sendmail keeps no alias database: there is nothing to rebuild\n']);
      // The last mode given counts, as in sendmail's getopt loop: -bi -bm sends.
      const sent = await run(SENDMAIL, ['-bi', '-bm', 'bob@example.org'], env, message);
      assert.equal(sent.code, 75, sent.stderr);
      assert.equal(server.connections(), 1);
    } finally {
      server.close();
    }
  });

  it('run through a link named sendmail, mailv reads sendmail options', async () => {
    const home = freshHome();
    const link = join(home, 'sendmail');
    symlinkSync(MAILV, link);
    const port = await closedPort();
    // -oi is no mailv option: only sendmail's command line takes it.
    const result = await run(
      link,
      ['-oi', '-f', 'alice@example.org', 'bob@example.org'],
      { HOME: home, MAILV_SERVER: `127.0.0.1:${port}` },
      'Subject: x\n\nbody\n',
    );
    assert.equal(result.code, 75, result.stderr);
  });

  it("cron's own header (From: root (Cron Daemon), To: root) leaves with this host's domain, as Postfix qualifies it", async () => {
    const server = await startScriptedServer();
    try {
      const cron =
        'From: root (Cron Daemon)\nTo: root\nErrors-To: root\nDisposition-Notification-To: root\nSubject: Cron <root@host> run-parts /etc/cron.daily\nX-Cron-Env: <SHELL=/bin/sh>\n\noutput\n';
      const result = await run(
        SENDMAIL,
        ['-FCronDaemon', '-i', '-B8BITMIME', '-oem', 'root'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        cron,
      );
      assert.equal(result.code, 0, result.stderr);
      const wire = server.received().toString('latin1');
      const host = /^RCPT To:<root@([^>]+)>$/m.exec(server.commands.join('\n'))![1]!;
      assert.ok(wire.includes(`\r\nFrom: root@${host} (Cron Daemon)\r\nTo: root@${host}\r\n`), wire);
      // Where a bounce or a read notice goes is an address Postfix qualifies too.
      assert.ok(wire.includes(`\r\nErrors-To: root@${host}\r\nDisposition-Notification-To: root@${host}\r\n`), wire);
      assert.ok(wire.includes('\r\nSubject: Cron <root@host> run-parts /etc/cron.daily\r\nX-Cron-Env: <SHELL=/bin/sh>\r\n'), 'other fields as they were');
    } finally {
      await server.close();
    }
  });

  it("-f '<>' and -f '': the null sender on the wire (MAIL From:<>), the From: still the user's, as Postfix's sendmail reads both", async () => {
    for (const sender of ['<>', '']) {
      const server = await startScriptedServer();
      try {
        const result = await run(
          SENDMAIL,
          ['-v', '-f', sender, 'bob@example.org'],
          { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
          'Subject: away\n\nback soon\n',
        );
        assert.equal(result.code, 0, result.stderr);
        assert.match(server.commands.find((line) => line.startsWith('MAIL')) ?? '', /^MAIL From:<> SIZE=\d+$/);
        assert.match(server.received().toString('latin1'), /\r\nFrom: tester@[^\r]+\r\n/);
        // The table tells envelope from header: no address in MAIL FROM, the author in From:.
        assert.match(result.stdout, /^ {2}<> +MAIL From:<…> +\(none: the header names another\) +command line$/m);
        assert.match(result.stdout, /^ {2}tester@\S+ +\(none: header only\) +From: +\$USER at this host$/m);
      } finally {
        await server.close();
      }
    }
  });

  it("mailv -r '<>' sends with the null sender, and Postfix takes it; -r '' is still refused as empty", async (t) => {
    const server = await startScriptedServer();
    try {
      const result = await run(
        MAILV,
        ['-q', '-r', '<>', '-s', 'auto-reply', 'bob@example.org'],
        { HOME: freshHome(), MAILV_SERVER: `127.0.0.1:${server.port}` },
        'away\n',
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(server.commands.find((line) => line.startsWith('MAIL')) ?? '', /^MAIL From:<> SIZE=\d+$/);
      assert.match(server.received().toString('latin1'), /\r\nFrom: tester@[^\r]+\r\n/);
    } finally {
      await server.close();
    }
    const empty = await run(MAILV, ['-r', '', 'bob@example.org'], { HOME: freshHome(), MAILV_SERVER: '127.0.0.1:9' }, 'x\n');
    assert.equal(empty.code, 64, empty.stderr);
    assert.match(empty.stderr, /invalid address "": it is empty/);
    const skip = await postfixSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const real = await run(
      MAILV,
      ['-v', '-r', '<>', '-s', 'bounce test', LOCAL_RECIPIENT],
      { HOME: freshHome(), MAILV_SERVER: `${POSTFIX.host}:${POSTFIX.port}` },
      'x\n',
    );
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /^>>> MAIL From:<> SIZE=\d+$/m);
    assert.match(real.stdout, /^250 2\.1\.0 Ok$/m);
  });

  it('-N, -R and -V ask the server for delivery notifications, as --notify, --ret and --envid do', async (t) => {
    const skip = await postfixSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const result = await run(
      SENDMAIL,
      ['-v', '-N', 'success,failure', '-R', 'hdrs', '-V', 'lesson+1', '-f', LOCAL_RECIPIENT, LOCAL_RECIPIENT],
      { HOME: freshHome(), MAILV_SERVER: `${POSTFIX.host}:${POSTFIX.port}` },
      'Subject: x\n\nbody\n',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^>>> MAIL From:<mailtest@localhost> SIZE=\d+ RET=HDRS ENVID=lesson\+2B1$/m);
    assert.match(result.stdout, /^>>> RCPT To:<mailtest@localhost> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;mailtest@localhost$/m);
  });
});
