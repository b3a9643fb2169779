// --record FILE and mailv replay FILE, the built CLI as a process: a session recorded against an
// in-process server shows again the same in every mode, with no network; a damaged record is one
// line and 65; secrets never reach the file; the file is private; a record that cannot be made
// sends nothing (73).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, startAuthSink, type AuthSink } from '../helpers/auth-servers.js';
import { freshHome, runCli, type CliResult } from '../helpers/cli.js';
import { secretTraces } from '../helpers/netns.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

/** A send through `port`, kept in `record`. */
function send(port: number, record: string, extra: readonly string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['--server', `127.0.0.1:${port}`, '-r', 'alice@example.org', '-s', 'Lesson', '--record', record, ...extra, 'bob@example.org'], {
    input: 'Bonjour Bob,\nà demain.\n',
    env,
  });
}

describe('--record and mailv replay', () => {
  let sink: SmtpSink;
  let home: string;
  before(async () => {
    sink = await startSink({ refuse: ['carol'] });
    home = freshHome();
  });
  after(() => sink.close());

  it('replays the transcript line for line, with no server', async () => {
    const record = join(home, 'plain.jsonl');
    const live = await send(sink.port, record);
    assert.equal(live.code, 0, live.stderr);
    await sink.close(); // nothing to connect to: the replay needs none
    const replay = await runCli(['replay', record]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.stdout, live.stdout);
    assert.equal(replay.stderr, '');
    assert.match(replay.stdout, /^>>> DATA$/m);
    sink = await startSink({ refuse: ['carol'] });
  });

  it('-vv: the message lines too, octet for octet', async () => {
    const record = join(home, 'body.jsonl');
    const live = await send(sink.port, record, ['-vv']);
    assert.equal(live.code, 0, live.stderr);
    const replay = await runCli(['replay', '-vv', record]);
    assert.equal(replay.code, 0, replay.stderr);
    // A live -vv run shows the message and its addresses before the dialogue; the dialogue is the record.
    assert.ok(live.stdout.endsWith(replay.stdout), `${live.stdout}\n---\n${replay.stdout}`);
    assert.match(replay.stdout, /^>>> à demain\.$/m);
  });

  it('--json: the same events and result as the live run, to the tenth of a millisecond', async () => {
    const record = join(home, 'json.jsonl');
    const live = await send(sink.port, record, ['--json']);
    assert.equal(live.code, 0, live.stderr);
    const replay = await runCli(['replay', '--json', record]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.stdout, live.stdout);
  });

  it('--timing: the same times and the same total as the live run', async () => {
    const record = join(home, 'timing.jsonl');
    const live = await send(sink.port, record, ['--timing']);
    assert.equal(live.code, 0, live.stderr);
    const replay = await runCli(['replay', '--timing', record]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.stdout, live.stdout);
    assert.match(replay.stdout, /^Timing: .* ms in all$/m);
  });

  it('--explain --lang fr: the annotations of a live run in French', async () => {
    const record = join(home, 'explain.jsonl');
    const live = await send(sink.port, record, ['--explain', '--lang', 'fr']);
    assert.equal(live.code, 0, live.stderr);
    const english = await runCli(['replay', record]);
    const replay = await runCli(['replay', '--explain', '--lang', 'fr', record]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.ok(live.stdout.endsWith(replay.stdout), `${live.stdout}\n---\n${replay.stdout}`);
    assert.match(replay.stdout, /↳ EHLO : mailv se présente/);
    assert.ok(!english.stdout.includes('↳'), 'no annotation unless asked');
  });

  it('--explain sets MAIL and RCPT against the header, live and replayed: a sender From: does not show, a blind copy, an envelope-only recipient', async () => {
    const record = join(home, 'envelope.jsonl');
    const server = ['--server', `127.0.0.1:${sink.port}`];
    const header = ['-r', 'bounces@example.org', '-H', 'From: Alice <alice@example.org>', '-b', 'dave@example.org', '-s', 'Lesson'];
    const live = await runCli([...server, ...header, '--record', record, '--explain', '--lang', 'en', 'bob@example.org'], { input: 'x\n' });
    assert.equal(live.code, 0, live.stderr);
    const replay = await runCli(['replay', '--explain', '--lang', 'en', record]);
    assert.equal(replay.code, 0, replay.stderr);
    // The table of -v too, where the live run showed it, under the message a record does not keep.
    assert.match(
      replay.stdout,
      /^Envelope and header \(the envelope decides who gets the message\):\n.*\n {2}bounces@example\.org +MAIL From:<…> +\(none: the header names another\) /,
    );
    assert.ok(live.stdout.endsWith(replay.stdout), `${live.stdout}\n---\n${replay.stdout}`);
    assert.doesNotMatch((await runCli(['replay', record])).stdout, /Envelope and header/, 'only where -vv or --explain shows it');
    for (const run of [live, replay]) {
      assert.match(
        run.stdout,
        /^>>> MAIL From:<bounces@example\.org>.*\n(?: {6}↳ .*\n)* {6}↳ From: in the header shows <alice@example\.org> to readers; bounces go to the envelope sender \(RFC 5321 §3\.3\)$/m,
      );
      assert.match(
        run.stdout,
        /^>>> RCPT To:<dave@example\.org>\n {6}↳ RCPT To: .*\n {6}↳ <dave@example\.org> is a Bcc \(blind copy\): no To: or Cc: names it, .*\(RFC 5322 §3\.6\.3\)$/m,
      );
      // bob is in To:: nothing more is said of him.
      assert.doesNotMatch(run.stdout, /<bob@example\.org> is a Bcc|No To: or Cc: names <bob@/);
    }
    // -t: a recipient named on the command line that the message's header does not name.
    const message = 'From: alice@example.org\nTo: bob@example.org\nSubject: Lesson\n\nx\n';
    const french = await runCli([...server, '-t', '-r', 'alice@example.org', '--explain', '--lang', 'fr', 'erin@example.org'], { input: message });
    assert.equal(french.code, 0, french.stderr);
    assert.match(
      french.stdout,
      /^>>> RCPT To:<erin@example\.org>\n(?: {6}↳ .*\n)* {6}↳ Ni To: ni Cc: ne nomme <erin@example\.org> : il reçoit le message sans que l’en-tête le dise \(RFC 5321 §7\.2\)$/m,
    );
    assert.doesNotMatch(french.stdout, /From: montre|ne nomme <bob@/);
    // A resent message: Resent-From: shows the envelope sender, Resent-To: the recipient -b also names.
    const resent = 'Resent-From: Rita <rita@example.org>\nResent-To: sam@example.org\nFrom: alice@example.org\nTo: bob@example.org\nSubject: s\n\nx\n';
    const again = await runCli([...server, '-t', '-r', 'rita@example.org', '--explain', '--lang', 'en'], { input: resent });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^ {2}rita@example\.org +MAIL From:<…> +Resent-From: /m);
    assert.doesNotMatch(again.stdout, /shows <alice@example\.org>|No To: or Cc: names <sam@/);
    // Without a Resent-From of its own, it gets the envelope sender's (and no From: is added).
    const unsigned = await runCli([...server, '-t', '-r', 'rita@example.org', '--explain', '--lang', 'en'], {
      input: resent.replace(/^Resent-From: .*\n/, ''),
    });
    assert.equal(unsigned.code, 0, unsigned.stderr);
    assert.match(unsigned.stdout, /^ {2}\| Resent-From: rita@example\.org$/m);
    assert.match(unsigned.stdout, /^ {2}rita@example\.org +MAIL From:<…> +Resent-From: +command line$/m);
    assert.doesNotMatch(unsigned.stdout, /shows <alice@example\.org>/);
    // Resent by rita, the envelope sender the original From: shows: readers see rita as its author.
    const byAlice = await runCli([...server, '-t', '-r', 'alice@example.org', '--explain', '--lang', 'en'], { input: resent });
    assert.equal(byAlice.code, 0, byAlice.stderr);
    assert.match(byAlice.stdout, /^ {2}alice@example\.org +MAIL From:<…> +From: /m);
    assert.match(
      byAlice.stdout,
      /^>>> MAIL From:<alice@example\.org>.*\n(?: {6}↳ .*\n)* {6}↳ Resent-From: in the header shows <rita@example\.org> to readers; bounces go to the envelope sender \(RFC 5321 §3\.3\)$/m,
    );
    const added = await runCli([...server, ...header, '-H', 'Resent-To: erin@example.org', '-b', 'erin@example.org', '--explain', 'bob@example.org'], {
      input: 'x\n',
      env: { LANG: 'C.UTF-8' },
    });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^ {2}erin@example\.org +RCPT To:<…> +Resent-To: /m);
    assert.doesNotMatch(added.stdout, /<erin@example\.org> is a Bcc/);
    // A probe sends no message: no table, nor any event of it, live or replayed.
    const probe = join(home, 'probe.jsonl');
    const probed = await runCli([...server, '--quit-after', 'ehlo', '--explain', '--record', probe, 'bob@example.org']);
    assert.equal(probed.code, 0, probed.stderr);
    assert.doesNotMatch(readFileSync(probe, 'utf8'), /"addresses"/);
    assert.doesNotMatch((await runCli(['replay', '--explain', probe])).stdout, /Envelope and header/);
  });

  it('a --demo run replays explained as the demo’s, as it was live', async () => {
    const record = join(home, 'demo.jsonl');
    const live = await runCli(['--demo', '-q', '-r', 'alice@example.org', '-s', 'x', '--record', record, 'bob@example.org'], { input: 'x\n' });
    assert.equal(live.code, 0, live.stderr);
    const replay = await runCli(['replay', '--explain', '--lang', 'fr', record]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /↳ Démo : mailv confie le message à son propre serveur sur 127\.0\.0\.1/);
    assert.match(replay.stdout, /↳ Port \d+ : un port libre pris au hasard ; /);
  });

  it('a failed run ends the same: its line, its status, its notes', async () => {
    const record = join(home, 'refused.jsonl');
    const live = await runCli(['--server', `127.0.0.1:${sink.port}`, '-r', 'alice@example.org', '--record', record, 'carol@example.org'], {
      input: 'x\n',
      env: { DEAD: join(home, 'dead.letter') },
    });
    assert.equal(live.code, 67, live.stderr);
    const replay = await runCli(['replay', record]);
    assert.equal(replay.code, 67);
    assert.equal(replay.stdout, live.stdout);
    assert.equal(replay.stderr, live.stderr);
    assert.match(replay.stderr, /^mailv: not delivered to carol@example\.org: 550/m);
    assert.match(replay.stderr, /was saved in/);
    const json = await runCli(['replay', '--json', record]);
    assert.deepEqual(JSON.parse(json.stdout.trim().split('\n').at(-1)!), {
      event: 'result',
      ms: JSON.parse(json.stdout.trim().split('\n').at(-1)!).ms,
      status: 67,
      error: 'a recipient was refused: carol@example.org',
      code: 'MAILV_RECIPIENTS_REFUSED',
      stage: 'rcpt',
    });
  });

  it('a session that could not connect replays its one line and 75', async () => {
    const closed = await startSink();
    const port = closed.port;
    await closed.close();
    const record = join(home, 'refused-connection.jsonl');
    const live = await send(port, record, [], { DEAD: join(home, 'dead.letter') });
    assert.equal(live.code, 75, live.stderr);
    const replay = await runCli(['replay', '--lang', 'en', record]);
    assert.equal(replay.code, 75);
    assert.equal(replay.stderr, live.stderr);
    assert.match(replay.stderr, /^mailv: .*connect/im);
    // The dead.letter line said again as it was said; the replay itself keeps nothing.
    assert.match(replay.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
    assert.equal(existsSync(join(replay.home, 'dead.letter')), false, 'a replay keeps no message');
  });

  it('the record is private (0600), even where a readable file was', async () => {
    const record = join(home, 'private.jsonl');
    writeFileSync(record, 'old\n', { mode: 0o644 });
    chmodSync(record, 0o644);
    const live = await send(sink.port, record);
    assert.equal(live.code, 0, live.stderr);
    assert.equal(statSync(record).mode & 0o777, 0o600);
    assert.match(readFileSync(record, 'utf8'), /^\{"format":"mailv-record","version":1,/);
    const fresh = join(home, 'fresh.jsonl');
    await send(sink.port, fresh);
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
  });

  it('a record that cannot be created: 73, one line, nothing sent', async () => {
    const server = await startScriptedServer();
    try {
      const blocked = join(home, 'no-such-directory', 'lesson.jsonl');
      const run = await send(server.port, blocked);
      assert.equal(run.code, 73, run.stderr);
      assert.equal(run.stderr, `mailv: cannot create the record ${blocked}: no such file or directory; nothing was sent\n`);
      assert.equal(run.stdout, '');
      const directory = join(home, 'a-directory');
      mkdirSync(directory);
      const again = await send(server.port, directory);
      assert.equal(again.code, 73, again.stderr);
      assert.equal(again.stderr.split('\n').length, 2, again.stderr);
      assert.deepEqual(server.commands, [], 'no connection was even made');
    } finally {
      await server.close();
    }
  });

  it('a record named as the message on standard input, an attachment or dead.letter: 73 before anything is read, the file untouched', async () => {
    const server = await startScriptedServer();
    try {
      const message = join(home, 'message.txt');
      writeFileSync(message, 'Important text\nline 2\n');
      const args = (record: string, extra: string[] = []) => [
        '--server',
        `127.0.0.1:${server.port}`,
        '-s',
        'x',
        '--record',
        record,
        ...extra,
        'bob@example.org',
      ];
      const cases: [string[], Parameters<typeof runCli>[1], string][] = [
        [args(message), { stdinFile: { path: message } }, 'the message on standard input'],
        [args(join(home, '.', 'message.txt'), ['-a', message]), { input: 'hi\n' }, 'a file attached'],
        [args(message), { input: 'hi\n', env: { DEAD: message } }, 'dead.letter'],
        [args(message, ['--user', 'alice', '--password-file', message]), { input: 'hi\n' }, 'the password or token file'],
        [args(message, ['--ca', message]), { input: 'hi\n' }, 'a certificate or key file the run reads'],
      ];
      for (const [argv, options, what] of cases) {
        const run = await runCli(argv, options);
        assert.equal(run.code, 73, run.stderr);
        assert.match(run.stderr, new RegExp(`^mailv: cannot make the record .*message\\.txt: it is ${what}, which it would empty; nothing was sent\n$`));
        assert.equal(readFileSync(message, 'utf8'), 'Important text\nline 2\n');
      }
      // A file named `-` is a file to every option but mailv replay's: not standard input.
      const dashed = freshHome();
      writeFileSync(join(dashed, '-'), 'attached\n');
      const dash = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', '-a', '-', '--record', './-', 'bob@example.org'], {
        input: 'hi\n',
        cwd: dashed,
      });
      assert.equal(dash.code, 73, dash.stderr);
      assert.equal(readFileSync(join(dashed, '-'), 'utf8'), 'attached\n');
      // The accounts file at its default place, which a run reads without being told.
      const configHome = freshHome();
      const config = join(configHome, '.config', 'mailv', 'config');
      mkdirSync(join(configHome, '.config', 'mailv'), { recursive: true });
      writeFileSync(config, '[default]\nfrom = alice@example.org\n', { mode: 0o600 });
      const run = await runCli(args(config), { input: 'hi\n', home: configHome });
      assert.equal(run.code, 73, run.stderr);
      assert.match(run.stderr, /it is the accounts file, which it would empty; nothing was sent\n$/);
      assert.equal(readFileSync(config, 'utf8'), '[default]\nfrom = alice@example.org\n');
      assert.deepEqual(server.commands, [], 'no connection was even made');
    } finally {
      await server.close();
    }
  });

  it('replay or completion after an option is refused (64), not taken for a recipient', async () => {
    for (const [args, command] of [
      [['--lang', 'fr', 'replay', 'lesson.jsonl'], 'replay'],
      [['-s', 'x', 'completion', 'bash'], 'completion'],
      [['-r', 'alice@example.org', 'replay', '--', 'bob@example.org'], 'replay'],
    ] as const) {
      // No --dry-run: were the word a recipient, mailv would try to send (and keep a dead.letter).
      const run = await runCli([...args, '--server', '127.0.0.1:9'], { input: 'x\n' });
      assert.equal(run.code, 64, run.stderr);
      assert.match(run.stderr.split('\n')[0]!, new RegExp(`^mailv: ${command} (is a command and comes first|est une commande et vient en premier)`));
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
      assert.equal(existsSync(join(run.home, 'dead.letter')), false, 'nothing to keep: nothing was read');
    }
  });

  it('mailv -- replay sends to a recipient named replay', async () => {
    const run = await runCli(['--dry-run', '-r', 'alice@example.org', '--', 'replay'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /RCPT To:<replay@/);
  });
});

describe('a small record kept with the sources', () => {
  const fixture = new URL('record-small.jsonl', FIXTURES).pathname;

  it('replays to its golden transcript, byte for byte', async () => {
    const run = await runCli(['replay', '-vv', fixture]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, readFileSync(new URL('record-small.transcript', FIXTURES), 'utf8'));
  });

  it('--timing shows the recorded times and sums them', async () => {
    const run = await runCli(['replay', '--timing', fixture]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, readFileSync(new URL('record-small.timing', FIXTURES), 'utf8'));
  });

  it('--diagram draws the recorded session: one arrow per command and reply of its transcript, explained in French', async () => {
    const picture = join(freshHome(), 'lesson.svg');
    const run = await runCli(['replay', '-e', '--lang', 'fr', '--diagram', picture, fixture]);
    assert.equal(run.code, 0, run.stderr);
    const shown = run.stdout.split('\n');
    const commands = shown.filter((line) => line.startsWith('>>> ')).length;
    // A reply is its lines up to the one whose code is followed by a space: one arrow each.
    const replies = shown.filter((line) => /^\d{3}(?: |$)/.test(line)).length;
    const drawn = readFileSync(picture, 'utf8');
    assert.ok(commands > 0 && replies > 0, run.stdout);
    assert.equal([...drawn.matchAll(/data-arrow="command"/g)].length, commands);
    assert.equal([...drawn.matchAll(/data-arrow="reply"/g)].length, replies);
    assert.match(drawn, /Accueil|accueil/, 'the explanations are in French');
  });

  it('from standard input, explained in French', async () => {
    const run = await runCli(['replay', '--explain', '--lang', 'fr', '-'], { input: readFileSync(fixture) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, readFileSync(new URL('record-small.explain-fr', FIXTURES), 'utf8'));
  });
});

describe('a damaged record: one line naming it, 65', () => {
  const fixture = readFileSync(new URL('record-small.jsonl', FIXTURES), 'utf8');
  const lines = fixture.split('\n');
  const DAMAGED: readonly [string, string, RegExp][] = [
    ['not JSON', fixture.replace('"kind":"closing"', '"kind":"closing'), /^mailv: (.+), line 22: not a line of JSON$/],
    [
      'an event of an unknown kind',
      fixture.replace('"kind":"closing"', '"kind":"goodbye"'),
      /^mailv: (.+), line 22: event\.kind "goodbye" is unknown to this mailv$/,
    ],
    ['a field of the wrong type', fixture.replace('"sent":', '"sent":"many","x":'), /^mailv: (.+), line 24: event\.sent should be an integer$/],
    [
      'a truncated last line',
      fixture.slice(0, fixture.length - 12),
      /^mailv: (.+), line 25: the last line stops in the middle \(the run that wrote it was stopped\)$/,
    ],
    [
      'a newer version',
      fixture.replace('"version":1', '"version":2'),
      /^mailv: (.+), line 1: a record of version 2, which this mailv cannot read \(it reads version 1\); a newer mailv may$/,
    ],
    [
      'no end',
      lines.slice(0, -2).join('\n') + '\n',
      /^mailv: (.+), line 25: the record stops before the end of the run \(the run that wrote it was stopped\)$/,
    ],
    [
      'a time that goes back',
      fixture.replace('{"at":19.8,', '{"at":1.5,'),
      /^mailv: (.+), line 22: at should be milliseconds, no fewer than on the line before$/,
    ],
    // Started plus 1e308 ms is Infinity: --json's result said "ms":null.
    ['a time past 2^53 ms', fixture.replace('{"at":21.0,', '{"at":1e308,'), /^mailv: (.+), line 25: at should be milliseconds, from 0 to 2\^53$/],
    [
      'a note whose fields do not fit its code',
      fixture.replace('{"at":0.4,', '{"at":0.3,"note":{"code":"domain-not-delivered","recipients":"bob","error":7}}\n{"at":0.4,'),
      /^mailv: (.+), line 2: facts mailv cannot show as they are$/,
    ],
    // Quoted back whole, a kind of a megabyte made a line of a megabyte.
    [
      'an unknown kind of a megabyte, quoted back cut short',
      fixture.replace('"kind":"closing"', `"kind":"${'k'.repeat(1_000_000)}"`),
      /^mailv: (.+), line 22: event\.kind "k{60}…" is unknown to this mailv$/,
    ],
    // Walked whole to mask secrets, thousands of levels exhausted the stack: 70 and a stack trace.
    [
      'a fact nested thousands of levels deep',
      fixture.replace(
        '{"at":0.4,',
        `{"at":0.3,"note":{"code":"dead-letter-saved","path":"/x","unfinished":false,"x":${'['.repeat(3000)}${']'.repeat(3000)}}}\n{"at":0.4,`,
      ),
      /^mailv: (.+), line 2: facts mailv cannot show as they are$/,
    ],
  ];
  for (const [what, text, expected] of DAMAGED) {
    it(what, async () => {
      const path = join(freshHome(), 'damaged.jsonl');
      writeFileSync(path, text);
      const run = await runCli(['replay', path]);
      assert.equal(run.code, 65, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
      assert.equal(expected.exec(run.stderr.trimEnd())?.[1], path, run.stderr);
    });
  }

  it('what a record holds where a name server, a response code or an address was is shown escaped, as every other field', async () => {
    const hostile = '\u001b]0;PWNED\u0007\u001b[2J';
    const dns = [
      { at: 0.1, event: { kind: 'dns-query', name: 'example.org', type: 'MX', server: hostile, transport: 'udp' } },
      {
        at: 0.2,
        event: {
          kind: 'dns-answer',
          name: 'example.org',
          type: 'MX',
          rcode: hostile,
          truncated: false,
          server: hostile,
          ms: 1,
          answers: [{ type: 'A', name: 'example.org', ttl: 300, address: hostile }],
          additionals: [{ type: 'OTHER', name: 'example.org', ttl: 300, rrtype: hostile }],
        },
      },
      { at: 0.3, event: { kind: 'dns-no-answer', name: 'example.org', type: 'A', server: hostile, reason: 'timeout', transport: 'udp', timeoutMs: 500 } },
    ];
    const [header, ...rest] = fixture.split('\n');
    const path = join(freshHome(), 'hostile.jsonl');
    writeFileSync(path, [header, ...dns.map((line) => JSON.stringify(line)), ...rest].join('\n'));
    const run = await runCli(['replay', '-v', path]);
    assert.equal(run.code, 0, run.stderr);
    const shown = run.stdout.split('\n').filter((line) => line.startsWith(';;'));
    assert.equal(shown.length, 5, run.stdout);
    // dig's tabs apart, no control character reaches the terminal: ESC is shown as \x1b.
    for (const line of shown) assert.doesNotMatch(line, /[\u0000-\u0008\u000a-\u001f\u007f]/, JSON.stringify(line));
    assert.ok(
      shown.every((line) => line.includes('\\x1b]0;PWNED')),
      run.stdout,
    );
  });

  it('--diagram of a reply of 130,000 lines draws it (a spread of them exhausted the stack: 74, the file blamed)', async () => {
    const lines = fixture.split('\n');
    const greeting = lines.findIndex((line) => line.includes('"stage":"greeting"'));
    const text = Array.from({ length: 130_000 }, (_, index) => `line ${index}`);
    const raw = text.map((line, index) => `${index === text.length - 1 ? '220 ' : '220-'}${line}`);
    const entry = JSON.parse(lines[greeting]!) as { event: { reply: unknown } };
    entry.event.reply = { code: 220, lines: text, raw };
    lines[greeting] = JSON.stringify(entry);
    const home = freshHome();
    const path = join(home, 'long-greeting.jsonl');
    writeFileSync(path, lines.join('\n'));
    const picture = join(home, 'session.svg');
    const run = await runCli(['replay', '-q', '--diagram', picture, path]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(readFileSync(picture, 'utf8').includes('220 line 129999'), 'the last line drawn');
  });

  it('said in French with --lang fr', async () => {
    const run = await runCli(['replay', '--lang', 'fr', '-'], { input: 'hello\n' });
    assert.equal(run.code, 65);
    assert.equal(run.stderr, 'mailv: l’entrée standard, ligne 1 : ce n’est pas une ligne JSON\n');
  });

  it('no such record: 66', async () => {
    const run = await runCli(['replay', join(freshHome(), 'missing.jsonl')]);
    assert.equal(run.code, 66);
    assert.match(run.stderr, /^mailv: cannot read the record .*missing\.jsonl: no such file or directory\n$/);
  });

  it('a directory on standard input: 66, as a directory named is, not an empty record (65)', async () => {
    const run = await runCli(['replay', '-'], { stdinFile: { path: freshHome() } });
    assert.equal(run.code, 66, run.stderr);
    assert.equal(run.stderr, 'mailv: cannot read the record standard input: it is neither a file nor a pipe\n');
  });

  it('an outcome recorded without its reply is said without empty parentheses', async () => {
    const lines = fixture.split('\n');
    const sent = lines.findIndex((line) => line.includes('"kind":"recipient"'));
    const entry = JSON.parse(lines[sent]!) as { event: { outcome: string; reply?: unknown } };
    entry.event.outcome = 'deferred';
    delete entry.event.reply;
    lines[sent] = JSON.stringify(entry);
    const path = join(freshHome(), 'no-reply.jsonl');
    writeFileSync(path, lines.join('\n'));
    const run = await runCli(['replay', path]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^bob@example\.org\.\.\. Deferred$/m);
  });
});

describe('no secret in a record, even with --show-secrets', () => {
  let server: AuthSink;
  before(async () => {
    server = await startAuthSink(['PLAIN', 'LOGIN']);
  });
  after(() => server.close());

  for (const mechanism of ['PLAIN', 'LOGIN']) {
    it(`AUTH ${mechanism}`, async () => {
      const record = join(freshHome(), 'auth.jsonl');
      const run = await runCli(
        [
          '--server',
          `127.0.0.1:${server.port}`,
          '--user',
          ACCOUNT.user,
          '--auth',
          mechanism,
          '--show-secrets',
          '-r',
          'alice@example.org',
          '--record',
          record,
          'bob@example.org',
        ],
        { input: 'logged in\n', env: { MAILV_PASSWORD: ACCOUNT.password } },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.notDeepEqual(secretTraces(run.stdout, ACCOUNT.password), [], 'the live run shows the secret, as asked');
      const text = readFileSync(record, 'utf8');
      assert.deepEqual(secretTraces(text, ACCOUNT.password), []);
      assert.match(text, /"verb":"AUTH"/);
      const replay = await runCli(['replay', record]);
      assert.equal(replay.code, 0, replay.stderr);
      assert.deepEqual(secretTraces(replay.stdout + replay.stderr, ACCOUNT.password), []);
      assert.match(replay.stdout, /^>>> (AUTH \w+ )?\*{8}$/m);
    });
  }

  it('a server that echoes the secret back', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const blob = b64(`\0${ACCOUNT.user}\0${ACCOUNT.password}`);
    const echo = await startScriptedServer({
      replies: {
        EHLO: '250-scripted.test\r\n250 AUTH PLAIN',
        AUTH: `235 2.7.0 welcome ${ACCOUNT.password}`,
        RCPT: `550 5.1.1 you said: ${blob} ${b64(ACCOUNT.password)} (${ACCOUNT.user}:${ACCOUNT.password})`,
      },
    });
    try {
      const home = freshHome();
      const record = join(home, 'echo.jsonl');
      const run = await runCli(
        ['--server', `127.0.0.1:${echo.port}`, '--user', ACCOUNT.user, '--auth', 'PLAIN', '--show-secrets', '--record', record, 'bob@example.org'],
        { input: 'x\n', env: { MAILV_PASSWORD: ACCOUNT.password } },
      );
      assert.equal(run.code, 67, run.stderr);
      assert.ok(run.stdout.includes(blob), 'shown live, as asked');
      const text = readFileSync(record, 'utf8');
      assert.deepEqual(secretTraces(text, ACCOUNT.password), []);
      assert.ok(!text.includes(blob));
      assert.match(text, /you said: \*{8} \*{8} \(alice:\*{8}\)/);
    } finally {
      await echo.close();
    }
  });

  it('a server that quotes a piece of what AUTH sent: the password inside it is masked there too', async () => {
    const blob = Buffer.from(`\0${ACCOUNT.user}\0${ACCOUNT.password}`).toString('base64');
    // Cut at a 4-character boundary: the rest still decodes, with the password's octets in it.
    const piece = blob.slice(4);
    const echo = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: '235 2.7.0 welcome', RCPT: `550 5.1.1 you said: ${piece}` },
    });
    try {
      const home = freshHome();
      const record = join(home, 'piece.jsonl');
      const args = ['--server', `127.0.0.1:${echo.port}`, '--user', ACCOUNT.user, '--auth', 'PLAIN', '--record', record, 'bob@example.org'];
      const options = { input: 'x\n', env: { MAILV_PASSWORD: ACCOUNT.password } };
      const shown = await runCli(['--show-secrets', ...args], options);
      assert.equal(shown.code, 67, shown.stderr);
      assert.ok(shown.stdout.includes(piece), 'shown live, as asked');
      assert.notDeepEqual(secretTraces(piece, ACCOUNT.password), [], 'the piece holds the password');
      assert.deepEqual(secretTraces(readFileSync(record, 'utf8'), ACCOUNT.password), []);
      const hidden = await runCli(args, options);
      assert.equal(hidden.code, 67, hidden.stderr);
      assert.deepEqual(secretTraces(hidden.stdout + hidden.stderr, ACCOUNT.password), []);
      assert.deepEqual(secretTraces(readFileSync(record, 'utf8'), ACCOUNT.password), []);
    } finally {
      await echo.close();
    }
  });
});
