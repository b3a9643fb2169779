// --quit-after: a probe goes as far as asked, says QUIT, and sends no message; and --explain
// annotates the dialogue in the language asked for or the locale's.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, type CliResult, LOCAL_HOST, LOCAL_HOST_PATTERN } from '../helpers/cli.js';
import { startScriptedServer, type Script } from '../helpers/scripted-server.js';
import { startSink } from '../helpers/smtp-sink.js';

async function probe(script: Script, args: string[]): Promise<CliResult & { commands: string[] }> {
  const server = await startScriptedServer(script);
  try {
    const run = await runCli(['--server', `127.0.0.1:${server.port}`, ...args], { input: 'never read\n' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server's side of the last write
    // The size depends on the Date and Message-ID: only its presence matters here.
    return { ...run, commands: server.commands.map((line) => line.replace(/ SIZE=\d+$/, ' SIZE=n')) };
  } finally {
    await server.close();
  }
}

describe('--quit-after', () => {
  it('ehlo: lists what the server offers, needs no recipient, sends nothing else', async () => {
    const run = await probe({}, ['--quit-after', 'ehlo']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.commands, [`EHLO ${LOCAL_HOST}`, 'QUIT']);
    assert.match(run.stdout, /^Connecting to \[127\.0\.0\.1\] port \d+ via relay\.\.\.$/m);
    assert.match(run.stdout, /^250-PIPELINING$/m);
    assert.match(run.stdout, /^stopping after ehlo \(--quit-after\)$/m);
    assert.ok(!existsSync(join(run.home, 'dead.letter')));
  });

  it('ehlo: a reply nobody asked for behind the EHLO reply breaks the protocol, 76, as a send finds at its next command', async () => {
    const run = await probe({ replies: { EHLO: '250-scripted.test\r\n250 PIPELINING\r\n250 2.0.0 unsolicited' } }, ['--quit-after', 'ehlo']);
    assert.equal(run.code, 76, run.stderr);
    assert.match(run.stderr, /^mailv: protocol error during ehlo: reply received before any command asked for it: "250 2\.0\.0 unsolicited"$/m);
    assert.doesNotMatch(run.stdout, /Warning: protocol error during quit/);
  });

  it('greeting and connect: QUIT after the 220; or hang up without a word', async () => {
    assert.deepEqual((await probe({}, ['--quit-after', 'greeting'])).commands, ['QUIT']);
    const connect = await probe({}, ['--quit-after', 'connect']);
    assert.equal(connect.code, 0, connect.stderr);
    assert.deepEqual(connect.commands, []);
  });

  it('mail: MAIL alone, even with PIPELINING; a refused sender is 69 and nothing is kept', async () => {
    const run = await probe({}, ['--quit-after', 'mail', 'bob@example.org']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.commands, [`EHLO ${LOCAL_HOST}`, `MAIL From:<tester@${LOCAL_HOST}> SIZE=n`, 'QUIT']);
    const refused = await probe({ replies: { MAIL: '550 5.7.1 Not you' } }, ['--quit-after', 'mail', 'bob@example.org']);
    assert.equal(refused.code, 69);
    assert.ok(!existsSync(join(refused.home, 'dead.letter')));
  });

  it('rcpt: does the server take these addresses? 67 when one is refused', async () => {
    const run = await probe({ replies: { RCPT: (line) => (line.includes('nobody') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok') } }, [
      '--quit-after',
      'rcpt',
      'bob@example.org',
      'nobody@example.org',
    ]);
    assert.equal(run.code, 67);
    assert.deepEqual(run.commands.slice(1), [`MAIL From:<tester@${LOCAL_HOST}> SIZE=n`, 'RCPT To:<bob@example.org>', 'RCPT To:<nobody@example.org>', 'QUIT']);
    assert.match(run.stdout, /^nobody@example\.org\.\.\. User unknown \(550 5\.1\.1 User unknown\)$/m);
    assert.ok(!existsSync(join(run.home, 'dead.letter')));
  });

  it('rcpt with PIPELINING and the sender refused: every reply read, so QUIT gets its own 221', async () => {
    const run = await probe({ replies: { MAIL: '550 5.7.1 sender rejected', RCPT: '503 5.5.1 need MAIL' } }, ['--quit-after', 'rcpt', 'bob@example.org']);
    assert.equal(run.code, 69);
    assert.match(run.stdout, />>> QUIT\n221 2\.0\.0 Bye\n/);
  });

  it('data with every recipient refused: no DATA without PIPELINING, 67 as in a real send', async () => {
    const run = await probe({ replies: { EHLO: '250-scripted.test\r\n250 8BITMIME', RCPT: '550 5.1.1 no such user' } }, [
      '--quit-after',
      'data',
      'bob@example.org',
    ]);
    assert.equal(run.code, 67);
    assert.deepEqual(run.commands.slice(1), [`MAIL From:<tester@${LOCAL_HOST}>`, 'RCPT To:<bob@example.org>', 'QUIT'], 'no SIZE offered, so none sent');
  });

  it('-t with an early step needs no message either', async () => {
    const run = await probe({}, ['-t', '--quit-after', 'ehlo']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.commands, [`EHLO ${LOCAL_HOST}`, 'QUIT']);
  });

  it('data: stops at 354 and hangs up, since QUIT would be read as message text', async () => {
    const run = await probe({}, ['--quit-after', 'data', 'bob@example.org']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.commands.slice(1), [`MAIL From:<tester@${LOCAL_HOST}> SIZE=n`, 'RCPT To:<bob@example.org>', 'DATA']);
    assert.match(run.stdout, /hanging up, so the server discards the unfinished message/);
    assert.equal(run.stdout.split('stopping after data').length, 2, 'said once');
  });

  it('starttls: the handshake and EHLO again, then QUIT', async () => {
    const sink = await startSink({ disabledCommands: ['AUTH'] });
    try {
      const run = await runCli(['--server', `127.0.0.1:${sink.port}`, '--quit-after', 'starttls']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(String.raw`>>> STARTTLS\n220 [^\n]*\nTLS: [^\n]*\nTLS: [^\n]*\n>>> EHLO ${LOCAL_HOST_PATTERN}\n(?:250[- ][^\n]*\n)+stopping after starttls`),
      );
      assert.doesNotMatch(run.stdout, /never took place/);
      assert.equal(sink.messages.length, 0);
    } finally {
      await sink.close();
    }
  });

  it('starttls and auth that never took place: exit 0, but the stopping line is a warning that says why', async () => {
    const cases: [string[], Script, string][] = [
      [['--quit-after', 'starttls'], {}, 'the server does not offer STARTTLS'],
      [['--quit-after', 'starttls', '--tls', 'off'], { replies: { EHLO: '250-scripted.test\r\n250 STARTTLS' } }, 'TLS is off \\(--tls off\\)'],
      [
        ['--quit-after', 'starttls'],
        { replies: { EHLO: '250-scripted.test\r\n250 STARTTLS', STARTTLS: '454 4.7.0 TLS not available' } },
        'the server refused STARTTLS',
      ],
      [['--quit-after', 'auth'], {}, 'no user to log in as \\(--user or an account\\)'],
    ];
    for (const [args, script, why] of cases) {
      const run = await probe(script, args);
      assert.equal(run.code, 0, run.stderr);
      const step = args[1]!;
      assert.match(run.stdout, new RegExp(`^Warning: stopping after ${step} \\(--quit-after\\), which never took place: ${why}$`, 'm'), args.join(' '));
      assert.equal(run.commands.at(-1), 'QUIT');
    }
    const french = await probe({}, ['--quit-after', 'auth', '--lang', 'fr']);
    assert.match(french.stdout, /arrêt après AUTH \(--quit-after auth\), étape qui n’a pas eu lieu : aucun utilisateur/);
  });

  it('refuses what cannot probe: --dry-run, --mx, an unknown step', async () => {
    for (const args of [['--dry-run', 'bob@example.org'], ['--mx', 'example.org'], ['bob@example.org']]) {
      const run = await runCli(['--quit-after', args[2] ? 'ehlo' : 'ehlo', ...args.slice(0, 2)]);
      if (args[0] === 'bob@example.org') continue;
      assert.equal(run.code, 64, run.stderr);
      assert.match(run.stderr, /contradict each other/);
    }
    const unknown = await runCli(['--quit-after', 'body', 'bob@example.org']);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /argument 'body' is invalid/);
  });
});

describe('--explain', () => {
  it('annotates commands and replies, in English with --lang en', async () => {
    const run = await runCli(['--demo', '-e', '--lang', 'en', '-s', 'hi', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        String.raw`^>>> MAIL From:<tester@${LOCAL_HOST_PATTERN}> SIZE=\d+\n {6}↳ MAIL From: .*RFC 5321 §4\.1\.1\.2\)\n {6}↳ SIZE=\d+: .*RFC 1870\)$`,
        'm',
      ),
    );
    assert.match(run.stdout, /^ {6}↳ PIPELINING: .*\(RFC 2920\)$/m);
    assert.match(run.stdout, /^\(the next 3 commands in one flight: the replies follow, in order\)\n {6}↳ PIPELINING.*3 commands.*\(RFC 2920\)\n>>> MAIL/m);
  });

  it('speaks French when the locale is French (POSIX order), and --lang overrides it', async () => {
    const french = await runCli(['--demo', '-e', '-s', 'hi', 'bob@example.org'], { input: 'x\n', env: { LANG: 'en_US.UTF-8', LC_ALL: 'fr_FR.UTF-8' } });
    assert.equal(french.code, 0, french.stderr);
    assert.match(french.stdout, /↳ MAIL From : ouvre la transaction ; expéditeur d’enveloppe/);
    const english = await runCli(['--demo', '-e', '--lang', 'en', '-s', 'hi', 'bob@example.org'], { input: 'x\n', env: { LC_ALL: 'fr_FR.UTF-8' } });
    assert.doesNotMatch(english.stdout, /expéditeur/);
    // --lang goes with any run: without --explain it chooses the language of the rest.
    const lang = await runCli(['--lang', 'fr', '--dry-run', 'bob@example.org']);
    assert.equal(lang.code, 0, lang.stderr);
    assert.match(lang.stdout, /^Enveloppe /);
  });
});
