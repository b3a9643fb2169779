// The command line as a user meets it: version, help, the demo, a terminal, colours, dry runs.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MAILV, freshHome, lines, runCli, LOCAL_HOST } from '../helpers/cli.js';
import { runThroughShell } from '../helpers/shell-run.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs mailv in a pseudo-terminal (script(1)), typing `typed` on its keyboard. */
function runInTerminal(args: string[], typed: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, MAILV, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: freshHome(), USER: 'tester', TERM: 'xterm-256color' },
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
    child.stdin.end(typed);
  });
}

describe('command line', () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${pkg.version}\n`);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: mailv \[options\] <recipient\.\.\.>/);
    for (const flag of [
      '--subject',
      '--cc',
      '--bcc',
      '--from',
      '--attach',
      '--header',
      '--read-recipients',
      '--server',
      '--helo',
      '--timeout',
      '--verbose',
      '--quiet',
      '--dry-run',
      '--demo',
      '--no-color',
    ]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    assert.match(help.stdout, /Examples:/);
  });

  it('writes its help in the language of the locale, or of --lang, which comes first', async () => {
    const french = await runCli(['--help'], { env: { LC_ALL: undefined, LANG: 'fr_FR.UTF-8' } });
    assert.equal(french.code, 0);
    // The flags stay as typed; the names of their values and of the arguments are words, in French.
    assert.match(french.stdout, /^Utilisation : mailv \[options\] <destinataire\.\.\.>/);
    assert.match(french.stdout, /^ {2}-s, --subject <texte> +l’objet du message$/m);
    assert.match(french.stdout, /^ {2}-H, --header <"Nom: valeur"> +/m);
    assert.match(french.stdout, /^ {2}destinataires +les adresses/m);
    assert.doesNotMatch(french.stdout, /<(text|file|addresses|address|seconds)>/);
    const missing = await runCli(['-s'], { env: { LC_ALL: undefined, LANG: 'fr_FR.UTF-8' } });
    assert.equal(missing.stderr, 'mailv: il manque la valeur de l’option « -s, --subject <texte> »\n');
    // A --lang given again without its value: the error about it in the language of the one before (it was English).
    const repeated = await runCli(['--lang', 'fr', '--lang'], { env: { LC_ALL: 'C', LANG: 'C' } });
    assert.equal(repeated.stderr, 'mailv: il manque la valeur de l’option « --lang <langue> »\n');
    const english = await runCli(['--lang', 'en', '--help'], { env: { LC_ALL: undefined, LANG: 'fr_FR.UTF-8' } });
    assert.match(english.stdout, /^Usage: mailv /);
    const posix = await runCli(['--help'], { env: { LC_ALL: 'C', LANG: 'fr_FR.UTF-8' } });
    assert.match(posix.stdout, /^Usage: mailv /);
    const completion = await runCli(['completion', '--lang', 'fr', '--help']);
    assert.match(completion.stdout, /^Utilisation : mailv completion /);
    const script = await runCli(['completion', '--lang', 'fr', 'fish']);
    assert.match(script.stdout, /ne montrer aucun dialogue, seulement les erreurs/);
    const replay = await runCli(['replay', '--lang=fr', '--help']);
    assert.match(replay.stdout, /^Utilisation : mailv replay \[options\] <fichier>$/m);
    assert.match(replay.stdout, /^Exemples :$/m);
  });

  it('takes a U+FFFD typed as such (copied from a log), and refuses octets that were not UTF-8, which Node turned into one', async () => {
    const typed = await runCli(['--dry-run', '-s', 'Re: \uFFFD garbled', '-H', 'X-Note: \uFFFD', 'a@example.org'], { input: 'x\n' });
    assert.equal(typed.code, 0, typed.stderr);
    assert.match(typed.stdout, /\r\nSubject: Re: =\?UTF-8\?B\?77\+9\?= garbled\r\n/);
    assert.match(typed.stdout, /\r\nX-Note: =\?UTF-8\?B\?77\+9\?=\r\n/);
    // `-s "$(printf 'caf\351')"` from a Latin-1 script: the octet E9 alone is no UTF-8.
    const latin1 = spawnSync('/bin/sh', ['-c', `exec "$0" "$1" --dry-run -s "$(printf 'caf\\351')" a@example.org </dev/null`, process.execPath, MAILV], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: freshHome(), USER: 'tester', LANG: 'C.UTF-8' },
      encoding: 'utf8',
    });
    assert.equal(latin1.status, 64, latin1.stderr);
    assert.match(latin1.stderr, /^mailv: header Subject is not UTF-8 \(a U\+FFFD stands where octets were\), given with -s/);
  });

  it('runs the demo end to end on a machine without an MTA', async () => {
    const run = await runCli(['--demo', '-r', 'alice@example.org', '-s', 'Demo', 'bob@example.org', 'nobody@example.org'], { input: 'Bonjour\n' });
    assert.equal(run.code, 67, 'nobody is refused by the demo server');
    const shown = lines(run.stdout);
    assert.match(shown[0]!, /^bob@example\.org,nobody@example\.org\.\.\. Connecting to \[127\.0\.0\.1\] port \d+ via relay\.\.\.$/);
    assert.match(run.stdout, /^250-PIPELINING\n250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250 SIZE \d+$/m);
    assert.match(run.stdout, /^550 5\.1\.1 <nobody@example\.org>: Recipient address rejected: User unknown$/m);
    assert.match(run.stdout, /^--- The demo server received \d+ octets from <alice@example\.org> for <bob@example\.org>:\nDate: /m);
    assert.match(run.stdout, /\r\nSubject: Demo\r\n[\s\S]*\r\n\r\nBonjour\r\n--- end of message\n$/);
    // The demo's server delivers nowhere: bob's copy taken, nothing is kept for nobody.
    assert.equal(run.stderr, 'mailv: not delivered to nobody@example.org: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\n');
    assert.equal(existsSync(join(run.home, 'dead.letter')), false);
  });

  it('the demo sends to bob@example.org only when the command line names no recipient: a blind copy alone goes alone', async () => {
    const blind = await runCli(['--demo', '-r', 'alice@example.org', '-s', 'Bcc', '-b', 'dave@example.org'], { input: 'x\n' });
    assert.equal(blind.code, 0, blind.stderr);
    // Before, bob@example.org was added beside dave, in the envelope and in To:.
    assert.match(blind.stdout, /^--- The demo server received \d+ octets from <alice@example\.org> for <dave@example\.org>:$/m);
    assert.doesNotMatch(blind.stdout, /bob@example\.org/);
    const none = await runCli(['--demo', '-r', 'alice@example.org', '-s', 'Default', '-c', ''], { input: 'x\n' });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^--- The demo server received \d+ octets from <alice@example\.org> for <bob@example\.org>:$/m);
    assert.match(none.stdout, /\r\nTo: bob@example\.org\r\n/);
  });

  it('the demo says the recipients its server received as they went on the wire: an international domain in its A-labels', async () => {
    const run = await runCli(['--demo', '-r', 'alice@example.org', '-s', 'IDN', 'bob@münchen.de'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> RCPT To:<bob@xn--mnchen-3ya\.de>$/m);
    // Before: for <bob@münchen.de>, as smtp-server hands it over, another domain from the dialogue's.
    assert.match(run.stdout, /^--- The demo server received \d+ octets from <alice@example\.org> for <bob@xn--mnchen-3ya\.de>:$/m);
  });

  it('the demo shows what its server received escaped on a terminal, as --dry-run does: the message steers nothing', async () => {
    const home = freshHome();
    const body = join(home, 'body');
    writeFileSync(body, 'hello \x1b[31mRED\x1b]0;TITLE\x07 end\n');
    const command = `'${process.execPath}' '${MAILV}' --demo -s x bob@example.org < '${body}'`;
    const screen = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', TERM: 'xterm-256color' },
      });
      let shown = '';
      child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', () => resolve(shown));
      child.stdin.end();
    });
    const received = screen.slice(screen.indexOf('--- The demo server received'));
    // Before, the octets went to the terminal as they came: its title set, red left on.
    assert.doesNotMatch(received, /\x1b\]0;|\x1b\[31m/);
    assert.match(received, /hello \\x1b\[31mRED\\x1b\]0;TITLE\\x07 end\r?\n/);
  });

  it('asks for the subject and reads to a lone dot at a terminal, as mail does', async () => {
    const { code, screen } = await runInTerminal(['--demo', '-r', 'alice@example.org', 'bob@example.org'], 'Typed subject\nfirst line\n.\nnever sent\n');
    assert.equal(code, 0, screen);
    assert.match(screen, /Subject: /);
    assert.match(screen, /EOT/);
    assert.match(screen, /Subject: Typed subject\r+\n/);
    assert.match(screen, /\r+\nfirst line\r+\n--- end of message/);
    assert.doesNotMatch(screen.slice(screen.indexOf('--- The demo')), /never sent/);
    assert.match(screen, /\x1b\[36m>>> EHLO /, 'colours on a terminal');
  });

  it('still sends when the transcript reader goes away', async () => {
    const home = freshHome();
    const server = await startScriptedServer();
    try {
      const shell = `printf 'sent all the same\\n' | '${process.execPath}' '${MAILV}' --server 127.0.0.1:${server.port} -s x bob@example.org | head -c 1 >/dev/null; echo "status \${PIPESTATUS[1]}"`;
      const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
        const child = spawn('bash', ['-c', shell], { env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' } });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk));
        child.on('close', () => resolve({ stdout: out }));
      });
      assert.equal(stdout.trim(), 'status 0', 'sent, not a crash on EPIPE');
      // The status alone passed for a mailv that gave up at the first failed write: the server must have the message.
      assert.match(server.received().toString('latin1'), /\r\n\r\nsent all the same\r\n/);
      assert.equal(server.commands.at(-1), 'QUIT');
    } finally {
      await server.close();
    }
  });

  it('keeps the message and removes its spool file when a signal ends it', async () => {
    const server = await startScriptedServer({ greeting: { raw: '' } }); // never greets
    const tmp = freshHome();
    const home = freshHome();
    const child = spawn(process.execPath, [MAILV, '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester', TMPDIR: tmp },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.on('error', () => {}); // killed before it read everything
    child.stdin.end(Buffer.alloc(6 * 1024 * 1024, 'a'));
    for (let i = 0; i < 500 && !/Connecting to/.test(stdout); i++) await sleep(20);
    assert.match(stdout, /Connecting to/, 'now waiting for the greeting');
    const whileRunning = readdirSync(tmp);
    child.kill('SIGTERM');
    assert.equal(await exited, 143, '128 + SIGTERM, as a shell reports it');
    assert.deepEqual(whileRunning, [], 'the spool of a body over 4 MiB is unlinked as soon as it is open');
    assert.match(stderr, /^mailv: interrupted by SIGTERM\nmailv: the message was saved in .*dead\.letter\n$/);
    assert.equal(statSync(join(home, 'dead.letter')).size > 6 * 1024 * 1024, true);
    assert.deepEqual(readdirSync(tmp), []);
    await server.close();
  });

  it('ends a dry run quietly when its reader goes away, removing the spool', async () => {
    const tmp = freshHome();
    const shell = `head -c 6000000 /dev/zero | tr '\\\\0' 'a' | '${process.execPath}' '${MAILV}' --dry-run -s x bob@example.org | head -c 100 >/dev/null; echo "status \${PIPESTATUS[2]}"`;
    const stdout = await new Promise<string>((resolve) => {
      const child = spawn('bash', ['-c', shell], { env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester', TMPDIR: tmp } });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.on('close', () => resolve(out));
    });
    assert.equal(stdout.trim(), 'status 0');
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('writes a dry run to a file (plainly) and to a pipe (as a stream) alike, with -v too', async () => {
    const home = freshHome();
    for (const args of [['--dry-run', '-q'], ['--dry-run']]) {
      const all = [...args, '-H', 'Date: Sat, 28 Nov 2026 03:00:00 +0000', '-H', 'Message-ID: <same.1@example.org>', '-s', 'x', 'bob@example.org'];
      const toPipe = await runCli(all, { input: 'one\ntwo\n' });
      const file = join(home, 'out.eml');
      const command = [process.execPath, MAILV, ...all].map((word) => `'${word}'`).join(' ');
      const toFile = await new Promise<number | null>((resolve) => {
        const child = spawn('sh', ['-c', `printf 'one\\ntwo\\n' | ${command} > '${file}'`], {
          env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' },
        });
        child.on('close', resolve);
      });
      assert.equal(toFile, 0);
      assert.ok(toPipe.stdoutBytes.length > 100);
      assert.deepEqual(readFileSync(file), toPipe.stdoutBytes, args.join(' '));
    }
  });

  it('ships a bundle of ASCII only, which the launcher reads as latin1', () => {
    const bundle = readFileSync(new URL('../../dist/bundle/mailv.cjs', import.meta.url));
    const firstNonAscii = bundle.findIndex((octet) => octet > 0x7f);
    assert.equal(firstNonAscii, -1, `a non-ASCII octet at ${firstNonAscii}: esbuild must keep --charset=ascii`);
  });

  it('refuses a directory as input and warns of an empty body, as mail does', async () => {
    const empty = await runCli(['--dry-run', 'bob@example.org'], { input: '' });
    assert.equal(empty.code, 0);
    assert.equal(empty.stderr, "mailv: Null message body; hope that's ok\n");
    const home = freshHome();
    const directory = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', `'${process.execPath}' '${MAILV}' --dry-run bob@example.org < /`], {
        env: { PATH: process.env['PATH'] ?? '', HOME: home },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(directory.code, 66);
    assert.equal(directory.stderr, 'mailv: standard input is a directory, not a message\n');
  });

  it('takes a lone dot from a pipe as content', async () => {
    const run = await runCli(['--demo', '-s', 'x', 'bob@example.org'], { input: 'before\n.\nafter\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\r\nbefore\r\n\.\r\nafter\r\n--- end/);
  });

  it('colours only when asked or on a terminal, and never with NO_COLOR', async () => {
    const plain = await runCli(['--demo', '-s', 'x'], { input: 'x\n' });
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    const forced = await runCli(['--demo', '-s', 'x'], { input: 'x\n', env: { FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\x1b\[36m>>> EHLO/);
    const flag = await runCli(['--demo', '--color', '-s', 'x'], { input: 'x\n' });
    assert.match(flag.stdout, /\x1b\[32m250 /);
    const vetoed = await runCli(['--demo', '-s', 'x'], { input: 'x\n', env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.doesNotMatch(vetoed.stdout, /\x1b\[/);
  });

  it('shows the envelope and the exact message on a dry run, connecting to nothing', async () => {
    const run = await runCli(['--dry-run', '--server', '127.0.0.1:9', '-s', 'Dry', '-b', 'hidden@example.org', 'bob@example.org'], { input: 'été\n' });
    assert.equal(run.code, 0, run.stderr);
    const [envelope, message] = [run.stdout.slice(0, run.stdout.indexOf('Date:')), run.stdout.slice(run.stdout.indexOf('Date:'))];
    const size = Buffer.byteLength(message);
    assert.equal(
      envelope,
      'Envelope (what a server offering SIZE is told):\n' +
        `  MAIL From:<tester@${LOCAL_HOST}> SIZE=${size} BODY=8BITMIME\n` +
        '  RCPT To:<bob@example.org>\n' +
        '  RCPT To:<hidden@example.org>   (Bcc: envelope only)\n' +
        `Message (${size} octets, 8-bit, as sent to a server that offers 8BITMIME):\n`,
    );
    assert.match(message, /\r\nContent-Transfer-Encoding: 8bit\r\n\r\nété\r\n$/);
    assert.doesNotMatch(message, /hidden/);
  });

  it('writes an -H field of printable ASCII as given, however long its words: threading and links keep working', async () => {
    const id = '<CAKvHMgTq9Zx3y7LwPp0a1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tUv=wXyZ@mail.gmail.com>';
    const run = await runCli(['--dry-run', '-s', 'Re', '-H', `In-Reply-To: ${id}`, 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`\r\nIn-Reply-To: ${id}\r\n`), run.stdout);
  });
});

describe('usage errors and untrusted text on standard error', () => {
  it("a mistyped option: commander's two lines, as they are, and 64", async () => {
    const run = await runCli(['--subjet', 'hi', 'bob']);
    assert.equal(run.code, 64);
    assert.equal(run.stderr, "mailv: unknown option '--subjet'\n(Did you mean --subject?)\n");
    assert.equal(run.stdout, '');
    const typed = await runCli(['--sub\x1b[2J\njet', 'bob']);
    assert.equal(typed.code, 64);
    assert.equal(typed.stderr, "mailv: unknown option '--sub\\x1b[2J\\x0ajet'\n");
  });

  it('--dns without --direct or --mx is refused in one line, 64', async () => {
    const run = await runCli(['--dns', '127.0.0.1', '--server', '127.0.0.1:9', 'bob'], { input: 'x\n' });
    assert.equal(run.code, 64);
    assert.equal(run.stderr, 'mailv: --dns goes with --direct or --mx (the name of a submission server is looked up as the system does)\n');
    assert.equal(run.stdout, '');
  });

  it("a server's reply inside an error line stays escaped: ESC, BEL, CR, C1, bidirectional overrides", async () => {
    const server = await startScriptedServer({ greeting: '554-5.3.2 no \x1b]0;PWNED\x07 mail\rhere\r\n554 5.3.2 \u202egnp.exe \u009b31m' });
    try {
      const run = await runCli(['-q', '--server', `127.0.0.1:${server.port}`, 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 69);
      const [first, ...rest] = run.stderr.split('\n');
      assert.equal(first, 'mailv: the server refused the connection: 554 5.3.2 no \\x1b]0;PWNED\\x07 mail\\x0dhere 5.3.2 \\u202egnp.exe \\u009b31m');
      assert.match(rest.join('\n'), /^mailv: the message was saved in .*dead\.letter\n$/);
    } finally {
      await server.close();
    }
  });
});

/** Runs mailv with a standard input that stays open and is never written to; resolves when it ends. */
function runWithOpenStdin(args: string[], env: Record<string, string>, options: { detached?: boolean } = {}) {
  const child = spawn(process.execPath, [MAILV, ...args], {
    env: { PATH: process.env['PATH'] ?? '', USER: 'tester', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...env },
    // A new session has no controlling terminal, whatever runs the tests.
    detached: options.detached === true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const started = Date.now();
  return new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('usage errors come before standard input', () => {
  it('--step with no terminal: 64 at once, without waiting for a message, $DEAD untouched', async () => {
    const home = freshHome();
    const dead = join(home, 'kept.letter');
    const run = await runWithOpenStdin(['--step', '--server', '127.0.0.1:9', '-s', 'x', 'bob@example.org'], { HOME: home, DEAD: dead }, { detached: true });
    assert.equal(run.code, 64, run.stderr);
    assert.equal(run.stderr, 'mailv: --step needs a terminal to wait at\n');
    assert.ok(run.ms < 5000, `ended in ${run.ms} ms`);
    assert.equal(existsSync(dead), false);
  });

  it('an address literal that is no address ([300.1.1.1], [IPv6:127.0.0.1]): 64 at once, never looked up as a name', async () => {
    for (const literal of ['[300.1.1.1]', '[IPv6:127.0.0.1]', '[::1]']) {
      const run = await runWithOpenStdin(['--direct', '--dns', '127.0.0.1:9', '-s', 'x', `bob@${literal}`], { HOME: freshHome() });
      assert.equal(run.code, 64, `${literal}: ${run.stderr}`);
      assert.equal(run.stderr, `mailv: invalid address "bob@${literal}": malformed domain "${literal}"\n`);
    }
  });

  it("a control character in a value quoted by an error line is escaped once, by the transcript's rule: an ESC is \\x1b, the text \\u001b keeps its backslash doubled", async () => {
    for (const [sender, shown] of [
      ['a\x1bb@x.org', 'mailv: invalid address "a\\x1bb@x.org": malformed local part "a\\x1bb"\n'],
      ['a\\u001bb@x.org', 'mailv: invalid address "a\\\\u001bb@x.org": malformed local part "a\\\\u001bb"\n'],
    ] as const) {
      const run = await runCli(['--dry-run', '-r', sender, 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 64, run.stderr);
      assert.equal(run.stderr, shown);
    }
  });

  it('a file name that is not UTF-8 is refused (64), naming the option: never opened, nor written, under another name', async () => {
    const home = freshHome();
    // The octets of a Latin-1 name, which only a shell passes on as they are.
    writeFileSync(join(home, 'lat\u00e9.txt'), 'a file of that name in UTF-8, which must not be the one attached\n');
    for (const [args, option] of [
      ['-a "$(printf \'lat\\351.txt\')"', '--attach'],
      ['-q --record "$(printf \'r\\351.rec\')"', '--record'],
      ['--diagram "$(printf \'d\\351.svg\')"', '--diagram'],
    ] as const) {
      const run = await runThroughShell(MAILV, `--server 127.0.0.1:9 -s x ${args} bob@example.org`, { cwd: home, env: { HOME: home, LANG: 'C.UTF-8' } });
      assert.equal(run.code, 64, run.stderr);
      // The name as typed, its Latin-1 octet shown as \xe9 (before: the U+FFFD Node read in its place).
      assert.match(
        run.stderr,
        new RegExp(
          `^mailv: the file name given with ${option} is not UTF-8 \\("(lat|r|d)\\\\xe9\\.(txt|rec|svg)"\\): mailv cannot open it as typed; rename the file\n$`,
        ),
      );
    }
    assert.deepEqual(readdirSync(home).sort(), ['lat\u00e9.txt']);
    // Each argument is judged by its own octets: a name that holds a U+FFFD typed in UTF-8 opens,
    // and the Latin-1 subject beside it is the one refused.
    writeFileSync(join(home, 'h-\ufffd.txt'), 'x\n');
    const mixed = await runThroughShell(MAILV, `--dry-run -a 'h-\ufffd.txt' -s "$(printf 'caf\\351')" bob@example.org`, {
      cwd: home,
      env: { HOME: home, LANG: 'C.UTF-8' },
    });
    assert.equal(mixed.code, 64, mixed.stderr);
    assert.match(mixed.stderr, /^mailv: header Subject is not UTF-8 .*given with -s/);
  });

  it('--count --direct to two domains: 64 at once, before the message is read, $DEAD untouched', async () => {
    const home = freshHome();
    const dead = join(home, 'kept.letter');
    const run = await runWithOpenStdin(['--count', '2', '--direct', '--dns', '127.0.0.1:9', '-s', 'x', 'bob@a.test', '-b', 'carol@B.test'], {
      HOME: home,
      DEAD: dead,
    });
    assert.equal(run.code, 64, run.stderr);
    assert.equal(run.stderr, 'mailv: --direct with --count loads one server: the recipients must all be in one domain, not "a.test", "b.test"\n');
    assert.ok(run.ms < 5000, `ended in ${run.ms} ms`);
    assert.equal(existsSync(dead), false);
  });

  it('flags that contradict each other: 64 at once, $DEAD untouched', async () => {
    const home = freshHome();
    const dead = join(home, 'kept.letter');
    const run = await runWithOpenStdin(['--json', '--dry-run', 'bob@example.org'], { HOME: home, DEAD: dead });
    assert.equal(run.code, 64, run.stderr);
    assert.match(run.stderr, /^mailv: --json and --dry-run contradict each other/);
    assert.equal(existsSync(dead), false);
  });
});

describe('standard output that cannot be written (/dev/full)', () => {
  /** Runs mailv with its standard output on /dev/full. */
  function runToFull(args: string[], input: string, home: string) {
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [MAILV, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: ['pipe', full, 'pipe'],
    });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin!.end(input);
    return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  }

  it('--version and -V: 74 and one line, as any output that fails', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runToFull([flag], '', freshHome());
      assert.equal(run.code, 74, flag);
      assert.equal(run.stderr, 'mailv: cannot write to standard output: no space left on device\n');
    }
  });

  it('--dry-run: 74 and one line, nothing kept (a dry run sends nothing)', async () => {
    const home = freshHome();
    const run = await runToFull(['--dry-run', '-s', 'x', 'bob@example.org'], 'x\n', home);
    assert.equal(run.code, 74);
    assert.equal(run.stderr, 'mailv: cannot write to standard output: no space left on device\n');
    assert.equal(existsSync(join(home, 'dead.letter')), false);
  });

  it('a send: 74 and one line, the message not sent and kept in dead.letter', async () => {
    const server = await startScriptedServer();
    try {
      const home = freshHome();
      const run = await runToFull(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], 'kept\n', home);
      assert.equal(run.code, 74);
      const dead = join(home, 'dead.letter');
      assert.equal(run.stderr, `mailv: cannot write to standard output: no space left on device\nmailv: the message was saved in ${dead}\n`);
      assert.match(readFileSync(dead, 'utf8'), /\n\nkept\n/);
      assert.ok(!server.commands.some((command) => command.startsWith('MAIL')), 'stopped before the message');
    } finally {
      await server.close();
    }
  });
});
