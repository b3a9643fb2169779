// The CLI as a process against an in-process smtp-server: envelope, exact bytes, transcript.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshHome, lines, runCli, LOCAL_HOST, LOCAL_HOST_PATTERN } from '../helpers/cli.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { lookupShim } from '../helpers/lookup-shim.js';

const FIXED = ['-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-H', 'Message-ID: <fixed.1@example.org>'];

/** What --dry-run -q says would be sent: the reference the received bytes must equal. */
async function expectedMessage(args: string[], input: string | Buffer): Promise<Buffer> {
  const dry = await runCli(['--dry-run', '-q', ...FIXED, ...args], { input });
  assert.equal(dry.code, 0, dry.stderr);
  return dry.stdoutBytes;
}

describe('sending to an SMTP server', () => {
  let sink: SmtpSink;
  let server: string;
  before(async () => {
    sink = await startSink({ refuse: ['nosuch'], size: 200_000 });
    server = `127.0.0.1:${sink.port}`;
  });
  after(() => sink.close());

  it('delivers the exact bytes the dry run shows, whatever the text holds', async () => {
    const body = Buffer.concat([
      Buffer.from('.starts with a dot\n.\n..\nbare LF\nbare CR\rCRLF\r\n'),
      Buffer.from(`${'x'.repeat(998)}\n`),
      Buffer.from('Accentué, 日本語\nno final newline'),
    ]);
    const args = ['-s', 'Byte test', '-r', 'alice@example.org', 'bob@example.org'];
    const expected = await expectedMessage(args, body);
    const before = sink.messages.length;
    const run = await runCli(['--server', server, ...FIXED, ...args], { input: body });
    assert.equal(run.code, 0, run.stderr);
    const received = sink.messages[before]!;
    assert.deepEqual(received.data, expected);
    assert.equal(received.from, 'alice@example.org');
    assert.deepEqual(received.recipients, ['bob@example.org']);
    assert.equal(received.mailArgs['BODY'], '8BITMIME');
    assert.equal(Number(received.mailArgs['SIZE']), expected.length);
    const text = expected.toString('utf8');
    assert.match(text, /\r\nContent-Transfer-Encoding: 8bit\r\n/);
    assert.match(text, /\r\n\r\n\.starts with a dot\r\n\.\r\n\.\.\r\nbare LF\r\nbare CR\r\nCRLF\r\nx{998}\r\n/);
    assert.ok(text.endsWith('no final newline\r\n'));
  });

  it('prints the dialogue as mail -v does, each pipelined flight marked, Closing connection after the verdict', async () => {
    const run = await runCli(['--server', server, '-s', 'hi', '-r', 'alice@example.org', 'bob@example.org', 'carol@example.org'], {
      input: 'hello\n',
    });
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout).map((line) => line.replace(/port \d+/, 'port N').replace(/SINK\d+/, 'SINKn'));
    const size = /SIZE=(\d+)/.exec(run.stdout)![1];
    assert.deepEqual(shown, [
      'bob@example.org,carol@example.org... Connecting to [127.0.0.1] port N via relay...',
      '220 sink.test ESMTP',
      `>>> EHLO ${LOCAL_HOST}`,
      '250-sink.test Nice to meet you, [127.0.0.1]',
      '250-PIPELINING',
      '250-8BITMIME',
      '250-SMTPUTF8',
      '250-ENHANCEDSTATUSCODES',
      '250 SIZE 200000',
      '(the next 4 commands in one flight: the replies follow, in order)',
      `>>> MAIL From:<alice@example.org> SIZE=${size}`,
      '>>> RCPT To:<bob@example.org>',
      '>>> RCPT To:<carol@example.org>',
      '>>> DATA',
      '250 2.1.0 Accepted',
      '250 2.1.5 Accepted',
      '250 2.1.5 Accepted',
      '354 End data with <CR><LF>.<CR><LF>',
      // RFC 2920 §3.1: QUIT ends the last pipelined group, written with the final dot; the session
      // is said to close only once the verdict is shown. ENHANCEDSTATUSCODES offered: Sent quotes
      // the text without its code, as sendmail does.
      '(the next 2 commands in one flight: the replies follow, in order)',
      '>>> .',
      '>>> QUIT',
      '250 2.6.0 Ok: queued as SINKn',
      'bob@example.org... Sent (Ok: queued as SINKn)',
      'carol@example.org... Sent (Ok: queued as SINKn)',
      'Closing connection to [127.0.0.1]',
      '221 2.0.0 Bye',
    ]);
  });

  it('keeps Bcc in the envelope only', async () => {
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-q', '-s', 'x', '-c', 'carol@example.org', '-b', 'dave@example.org,erin@example.org', 'bob@example.org'], {
      input: 'x\n',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', '-q prints no dialogue');
    const received = sink.messages[before]!;
    assert.deepEqual(received.recipients, ['bob@example.org', 'carol@example.org', 'dave@example.org', 'erin@example.org']);
    const text = received.data.toString();
    assert.match(text, /^Cc: carol@example.org\r\n/m);
    assert.doesNotMatch(text, /dave|erin|^Bcc/im);
  });

  it('sends to the accepted recipients when one is refused, exits 67, and keeps the message for the one who did not get it', async () => {
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-s', 'x', 'bob@example.org', 'nosuch@example.org'], { input: 'x\n' });
    assert.equal(run.code, 67);
    assert.deepEqual(sink.messages[before]!.recipients, ['bob@example.org']);
    assert.match(run.stdout, /^550 5\.1\.1 <nosuch@example\.org>: User unknown$/m);
    assert.match(run.stdout, /^nosuch@example\.org\.\.\. User unknown \(550 5\.1\.1 <nosuch@example\.org>: User unknown\)$/m);
    assert.match(run.stdout, /^bob@example\.org\.\.\. Sent \(/m);
    assert.match(run.stderr, /^mailv: not delivered to nosuch@example\.org: 550 5\.1\.1/m);
    // No queue will bounce it back for nosuch: dead.letter is where the user finds it again.
    assert.match(run.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
    const dead = readFileSync(join(run.home, 'dead.letter'), 'utf8');
    assert.match(dead, /^To: bob@example\.org, nosuch@example\.org$/m);
    assert.equal(dead.match(/^From /gm)?.length, 1, 'kept once');
  });

  it('-E, as mail -E: an empty standard input sends nothing (0, no connection, nothing kept, said unless -q); a message read goes', async () => {
    const before = sink.messages.length;
    const quiet = await runCli(['-E', '-q', '--server', server, '-s', 'report', 'bob@example.org'], { input: '' });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout + quiet.stderr, '', '-q: nothing to say');
    const told = await runCli(['-E', '--server', server, '-s', 'report', 'bob@example.org'], { input: '' });
    assert.equal(told.code, 0, told.stderr);
    assert.match(told.stdout + told.stderr, /^mailv: the message is empty: not sent \(-E\)$/m);
    assert.doesNotMatch(told.stdout, /Connecting/);
    assert.equal(sink.messages.length, before, 'no message reached the server');
    assert.equal(existsSync(join(told.home, 'dead.letter')), false);
    const sent = await runCli(['-E', '--server', server, '-s', 'report', 'bob@example.org'], { input: 'disk full\n' });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sink.messages.length, before + 1);
  });

  it('a body that is not UTF-8 (Latin-1 typed in a UTF-8 locale) goes as charset=unknown-8bit, its octets untouched, and -v says so', async () => {
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-s', 'latin', 'bob@example.org'], { input: Buffer.from('caf\xe9\n', 'latin1') });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout + run.stderr, /^mailv: the text is not UTF-8: it goes as charset=unknown-8bit/m);
    const data = sink.messages[before]!.data;
    assert.match(data.toString('latin1'), /^Content-Type: text\/plain; charset=unknown-8bit\r$/m);
    assert.ok(data.includes(Buffer.from('caf\xe9\r\n', 'latin1')), 'the octet as typed');
    // UTF-8 stays UTF-8, and says nothing.
    const utf8 = await runCli(['--server', server, '-s', 'utf8', 'bob@example.org'], { input: 'café\n' });
    assert.doesNotMatch(utf8.stdout + utf8.stderr, /not UTF-8/);
    assert.match(sink.messages[before + 1]!.data.toString(), /^Content-Type: text\/plain; charset=utf-8\r$/m);
  });

  it('sends no content when every recipient is refused, and keeps the message in dead.letter', async () => {
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-s', 'Lost?', 'nosuch@example.org'], { input: 'Keep me.\n' });
    assert.equal(run.code, 67);
    assert.equal(sink.messages.length, before);
    assert.match(run.stdout, /^>>> DATA$/m);
    assert.doesNotMatch(run.stdout, /^>>> \.$/m);
    const dead = readFileSync(join(run.home, 'dead.letter'), 'utf8');
    assert.match(dead, new RegExp(String.raw`^From tester@${LOCAL_HOST_PATTERN} \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n`));
    assert.match(dead, /\nSubject: Lost\?\n[\s\S]*\n\nKeep me\.\n\n$/);
    assert.match(run.stderr, /saved in .*dead\.letter/);
  });

  it('refuses before MAIL when the message exceeds the advertised SIZE', async () => {
    const run = await runCli(['--server', server, '-s', 'big', 'bob@example.org'], { input: 'y'.repeat(300_000) });
    assert.equal(run.code, 69);
    assert.match(run.stderr, /^mailv: the message is \d+ octets; the server takes at most 200000 \(SIZE\)$/m);
    assert.doesNotMatch(run.stdout, />>> MAIL/);
    assert.match(run.stdout, /^>>> QUIT$/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('echoes the message lines with -vv and connection notes with -v', async () => {
    const run = await runCli(['--server', server, '-vv', '-s', 'verbose', 'bob@example.org'], { input: '.dotted\nplain\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Connected to \[127\.0\.0\.1\] port \d+$/m);
    assert.match(
      run.stdout,
      /^>>> Subject: verbose\n(?:.*\n)*>>> \n>>> \.\.dotted\n>>> plain\n\(the next 2 commands in one flight: the replies follow, in order\)\n>>> \.\n>>> QUIT\n/m,
    );
  });

  it('--content-type text/html: the text goes as HTML, alone or as the first part beside an attachment; -H Content-Type points to it', async () => {
    const home = freshHome();
    const file = join(home, 'notes.txt');
    writeFileSync(file, 'attached\n');
    const before = sink.messages.length;
    const alone = await runCli(['--server', server, '-q', '--content-type', 'text/HTML', '-s', 'html', 'bob@example.org'], { input: '<p>caf\u00e9</p>\n' });
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(sink.messages[before]!.data.toString(), /^Content-Type: text\/html; charset=utf-8\r$/m);
    const beside = await runCli(['--server', server, '-q', '--content-type', 'text/html', '-a', file, '-s', 'html', 'bob@example.org'], {
      input: '<p>hi</p>\n',
    });
    assert.equal(beside.code, 0, beside.stderr);
    const text = sink.messages[before + 1]!.data.toString();
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    assert.match(text.split(`--${boundary}`)[1]!, /^\r\nContent-Type: text\/html; charset=us-ascii\r\n/);
    assert.match(text.split(`--${boundary}`)[2]!, /^\r\nContent-Type: text\/plain; charset=us-ascii; name="notes\.txt"\r\n/);
    const image = await runCli(['--server', server, '--content-type', 'image/png', 'bob@example.org'], { input: 'x\n' });
    assert.equal(image.code, 64);
    assert.equal(image.stderr, 'mailv: invalid --content-type "image/png": a text type such as text/html (a file of another type goes with -a)\n');
    const header = await runCli(['--server', server, '-H', 'Content-Type: text/html', 'bob@example.org'], { input: 'x\n' });
    assert.equal(header.code, 64);
    assert.match(header.stderr, /give the text's type with --content-type/);
    assert.equal(sink.messages.length, before + 2, 'nothing sent for the refused ones');
  });

  it('attaches files so they decode back to the same bytes', async () => {
    const home = (await runCli(['--version'])).home;
    const file = join(home, 'photo.png');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
    writeFileSync(file, bytes);
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-q', '-s', 'pic', '-a', file, 'bob@example.org'], { input: 'see attached\n' });
    assert.equal(run.code, 0, run.stderr);
    const text = sink.messages[before]!.data.toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    const part = text.split(`--${boundary}`)[2]!;
    assert.match(part, /^\r\nContent-Type: image\/png; name="photo\.png"\r\n/);
    const base64 = part.slice(part.indexOf('\r\n\r\n') + 4);
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    assert.equal(sha(Buffer.from(base64.replace(/\r\n/g, ''), 'base64')), sha(bytes));
  });

  it('asks for SMTPUTF8 for a non-ASCII mailbox and writes international domains in A-labels', async () => {
    const before = sink.messages.length;
    const run = await runCli(['--server', server, '-s', 'utf8', 'josé@example.org', 'info@bücher.example'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    // The To: field holds the UTF-8 address: 8-bit octets, announced as such.
    assert.match(run.stdout, new RegExp(String.raw`^>>> MAIL From:<tester@${LOCAL_HOST_PATTERN}> SIZE=\d+ BODY=8BITMIME SMTPUTF8$`, 'm'));
    assert.match(run.stdout, /^>>> RCPT To:<info@xn--bcher-kva\.example>$/m);
    const received = sink.messages[before]!;
    assert.equal(received.mailArgs['SMTPUTF8'], true);
    assert.equal(received.mailArgs['BODY'], '8BITMIME');
    assert.equal(received.recipients[0], 'josé@example.org'); // smtp-server shows domains decoded
    assert.match(received.data.toString('utf8'), /^To: josé@example\.org, info@xn--bcher-kva\.example\r\n/m);
  });

  it('passes -t header octets through untouched, whatever their charset, with an exact SIZE', async () => {
    const before = sink.messages.length;
    const input = Buffer.concat([Buffer.from('To: bob@example.org\nSubject: caf'), Buffer.from([0xe9]), Buffer.from(' cr\xe8me\n\nbody\n', 'latin1')]);
    const run = await runCli(['--server', server, '-q', '-t'], { input });
    assert.equal(run.code, 0, run.stderr);
    const received = sink.messages[before]!;
    assert.ok(received.data.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20])), 'the Latin-1 octet arrives as it was');
    assert.equal(Number(received.mailArgs['SIZE']), received.data.length);
  });

  it('takes recipients from the headers with -t and removes Bcc', async () => {
    const before = sink.messages.length;
    const input = 'From: Alice <alice@example.org>\nTo: bob@example.org\nCc: Carol <carol@example.org>\nBcc: dave@example.org\nSubject: raw\n\nBody.\n';
    const run = await runCli(['--server', server, '-q', '-t', '-r', 'alice@example.org', 'erin@example.org'], { input });
    assert.equal(run.code, 0, run.stderr);
    const received = sink.messages[before]!;
    assert.deepEqual(received.recipients, ['bob@example.org', 'carol@example.org', 'dave@example.org', 'erin@example.org']);
    const text = received.data.toString();
    assert.match(
      text,
      new RegExp(
        String.raw`^From: Alice <alice@example\.org>\r\nTo: bob@example\.org\r\nCc: Carol <carol@example\.org>\r\nSubject: raw\r\nDate: .+\r\nMessage-ID: <.+@${LOCAL_HOST_PATTERN}>\r\n\r\nBody\.\r\n$`,
      ),
    );
  });
});

describe('failures before and around the connection', () => {
  it('exits 75 when the server cannot be reached, keeping the message; the transcript says Deferred as sendmail does', async () => {
    const run = await runCli(['--server', '127.0.0.1:9', '-s', 'x', 'bob@example.org'], { input: 'keep\n' });
    assert.equal(run.code, 75);
    // sendmail-mail-v-relay-sink-down.txt: the same host named the same way on every line.
    assert.equal(
      run.stdout,
      'bob@example.org... Connecting to [127.0.0.1] port 9 via relay...\nbob@example.org... Deferred: Connection refused by [127.0.0.1]\n',
    );
    assert.match(run.stderr, /^mailv: connection refused by \[127\.0\.0\.1\] port 9$/m);
    assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\n\nkeep\n\n$/);
    // --json names the relay once: its name is its address.
    const json = await runCli(['--json', '--server', '127.0.0.1:9', '-s', 'x', 'bob@example.org'], { input: 'keep\n' });
    const deferred = lines(json.stdout)
      .map((line) => JSON.parse(line) as { event: string; host?: string })
      .find((event) => event.event === 'deferred');
    assert.equal(deferred?.host, '127.0.0.1');
  });

  it("a server name the resolver cannot look up for now: 75, kept, and Deferred in sendmail's words, not a transcript that stops at Connecting", async () => {
    // The system's resolver answers EAI_AGAIN for this name alone (no query leaves the machine).
    const shim = lookupShim({ 'smtp.example.invalid': 'EAI_AGAIN' });
    const run = await runCli(['--server', 'smtp.example.invalid', '-s', 'x', 'bob@example.org'], {
      input: 'keep\n',
      env: { NODE_OPTIONS: `--require ${shim}` },
    });
    assert.equal(run.code, 75, run.stderr);
    assert.equal(
      run.stdout,
      'bob@example.org... Connecting to smtp.example.invalid via relay...\nbob@example.org... Deferred: Name server: smtp.example.invalid: host name lookup failure\n',
    );
    assert.match(run.stderr, /^mailv: temporary failure looking up smtp\.example\.invalid$/m);
    assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\n\nkeep\n\n$/);
  });

  it('exits 64 with one line naming the problem, before reading anything', async () => {
    const cases: [string[], RegExp][] = [
      [[], /no recipient given/],
      [['-s', 'a\nBcc: x@example.org', 'bob@example.org'], /header Subject contains a line break/],
      [['bob@'], /invalid address "bob@": no domain after @/],
      [['-H', 'Bcc: x@example.org', 'bob@example.org'], /use -b/],
      [['-H', 'Resent-Bcc: x@example.org', 'bob@example.org'], /use -b/],
      [['-H', 'return-path: <bounces@example.org>', 'bob@example.org'], /Return-Path is written on delivery .*use -r/],
      [['--server', 'imap://host', 'bob@example.org'], /scheme must be smtp/],
      [['--timeout', 'soon', 'bob@example.org'], /invalid --timeout/],
      [['--frobnicate', 'bob@example.org'], /unknown option '--frobnicate'/],
      [['-t', '-s', 'x'], /-s cannot be used with -t/],
      [['undisclosed-recipients:;'], /no recipient given/],
      [['-c', '', '-s', 'x'], /no recipient given/],
      [['"a\x1b]0;owned\x07"@example.org'], /malformed local part/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { input: 'body\n' });
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr.split('\n')[0]!, new RegExp(`^mailv: .*${message.source}`));
      assert.equal(existsSync(join(run.home, 'dead.letter')), false);
    }
  });

  it('exits 66 for an attachment that is missing or not a file', async () => {
    const missing = await runCli(['-a', '/nonexistent/file.pdf', 'bob@example.org'], { input: 'x\n' });
    assert.equal(missing.code, 66);
    assert.equal(missing.stderr, 'mailv: cannot attach /nonexistent/file.pdf: no such file\n');
    const directory = await runCli(['-a', '/tmp', 'bob@example.org'], { input: 'x\n' });
    assert.equal(directory.code, 66);
    assert.match(directory.stderr, /cannot attach \/tmp: not a regular file/);
  });

  it('exits 65 for a -t message without a header block', async () => {
    const run = await runCli(['-t', '--server', '127.0.0.1:9'], { input: 'just text, no headers\n' });
    assert.equal(run.code, 65);
    assert.match(run.stderr, /line 1 of the message is not a header field/);
  });

  it('exits 65 for a -t message whose own header holds a control character, before connecting', async () => {
    const home = freshHome();
    // ESC and BEL would retitle a reader's terminal; a UTF-8 character whose octets fall in the C1 range is no control.
    const input = 'From: alice@example.org\nTo: bob@example.org\nX-Name: \u0100\nSubject: a\n b\x1b]0;T\x07\n\nbody\n';
    const run = await runCli(['-t', '--server', '127.0.0.1:9'], { input, home });
    assert.equal(run.code, 65);
    assert.equal(run.stderr.split('\n')[0], "mailv: the message's header Subject (line 5) contains a control character (U+001B)");
    const dryRun = await runCli(['-t', '--dry-run'], { input: input.replace('\x1b]0;T\x07', ''), home });
    assert.equal(dryRun.code, 0, dryRun.stderr);
  });

  it('exits 65 for a -t recipient in octets that are not UTF-8, keeping the message; a Latin-1 name beside an address goes on', async () => {
    const home = freshHome();
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    // Before: RCPT To:<jos\uFFFD@example.org>, under SMTPUTF8, an address the header never named.
    const run = await runCli(['-t', '--server', '127.0.0.1:9'], { input: latin1('From: a@example.org\nTo: jos\xe9@example.org\nSubject: x\n\nhi\n'), home });
    assert.equal(run.code, 65, run.stderr);
    assert.equal(
      run.stderr.split('\n')[0],
      "mailv: the message's header To names a recipient in octets that are not UTF-8: the envelope cannot name the address the header shows; give it in UTF-8 (iconv -f latin1, say)",
    );
    assert.ok(existsSync(join(home, 'dead.letter')), 'kept');
    // In the domain too: said as such, 65, not as a malformed domain holding a U+FFFD (64).
    const domain = await runCli(['-t', '--server', '127.0.0.1:9'], { input: latin1('From: a@example.org\nTo: jose@caf\xe9.org\nSubject: x\n\nhi\n'), home });
    assert.equal(domain.code, 65, domain.stderr);
    assert.match(domain.stderr, /^mailv: the message's header To names a recipient in octets that are not UTF-8: /);
    // Another address's fault beside a Latin-1 name is said as its own (before: as the name's octets).
    const other = await runCli(['-t', '--dry-run'], { input: latin1('To: Ren\xe9 <rene@example.org>, carol@exa_mple.org\nSubject: x\n\nhi\n'), home });
    assert.equal(other.code, 64, other.stderr);
    assert.equal(other.stderr, 'mailv: invalid address "carol@exa_mple.org": malformed domain "exa_mple.org"\n');
    const named = await runCli(['-t', '--dry-run'], { input: latin1('From: a@example.org\nCc: Jos\xe9 <jose@example.org>\nSubject: x\n\nhi\n'), home });
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /^ {2}RCPT To:<jose@example\.org>$/m);
  });
});
