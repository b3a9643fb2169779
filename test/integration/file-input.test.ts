// Standard input redirected from a file: a large message is read once for its statistics and then
// sent from the file itself, through buffers that are lent and reused. What reaches the server
// must be exactly what the dry run (which keeps every chunk) and a pipe give.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshHome, runCli, type CliOptions } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

const FIXED = ['-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-H', 'Message-ID: <fixed.2@example.org>'];
const READ_CHUNK = 256 * 1024;

/**
 * About 6 MiB of text that exercises every path of the normaliser and the stuffer: LF, CRLF and
 * bare CR line ends, a CRLF cut by each 256 KiB read, lines of dots, 998-octet lines, UTF-8, and
 * stretches already in CRLF form.
 */
function awkwardText(): Buffer {
  const pieces: string[] = [];
  let index = 0;
  let length = 0;
  while (length < 6 * 1024 * 1024) {
    const kind = index % 7;
    const line =
      kind === 0
        ? `.line ${index} starts with a dot\n`
        : kind === 1
          ? `line ${index} in CRLF form, as mail software writes it\r\n`
          : kind === 2
            ? `line ${index} ends in a bare CR\r`
            : kind === 3
              ? `${'x'.repeat(990)} ${index}`.slice(0, 998) + '\n'
              : kind === 4
                ? `ligne ${index} accentuée, 日本語\n`
                : kind === 5
                  ? '.\n'
                  : `plain line ${index}\n`;
    pieces.push(line);
    length += Buffer.byteLength(line);
    index++;
  }
  const text = Buffer.from(pieces.join(''));
  // A CRLF split by every read: CR the last octet of one chunk, LF the first of the next.
  for (let edge = READ_CHUNK; edge + 1 < text.length; edge += READ_CHUNK) {
    text[edge - 1] = 0x0d;
    text[edge] = 0x0a;
  }
  return text;
}

describe('standard input from a file', () => {
  let sink: SmtpSink;
  let directory: string;
  let bodyFile: string;
  let body: Buffer;
  before(async () => {
    sink = await startSink({ size: 50_000_000 });
    directory = freshHome();
    body = awkwardText();
    bodyFile = join(directory, 'body.txt');
    writeFileSync(bodyFile, body);
  });
  after(() => sink.close());

  /** The run with a private TMPDIR, which must stay empty: a file is never spooled. */
  async function runFromFile(args: string[], options: CliOptions) {
    const tmp = freshHome();
    const run = await runCli(args, { ...options, env: { TMPDIR: tmp } });
    assert.deepEqual(readdirSync(tmp), [], 'nothing spooled');
    return run;
  }

  it('sends the bytes of the dry run and of a pipe, through DATA', async () => {
    const args = [...FIXED, '-s', 'From a file', '-r', 'alice@example.org', 'bob@example.org'];
    const fromPipe = await runCli(['--dry-run', '-q', ...args], { input: body });
    const dryFromFile = await runFromFile(['--dry-run', '-q', ...args], { stdinFile: { path: bodyFile } });
    assert.equal(fromPipe.code, 0, fromPipe.stderr);
    assert.ok(dryFromFile.stdoutBytes.equals(fromPipe.stdoutBytes), 'a file and a pipe make the same message');

    const before = sink.messages.length;
    const run = await runFromFile(['-q', '--server', `127.0.0.1:${sink.port}`, ...args], { stdinFile: { path: bodyFile } });
    assert.equal(run.code, 0, run.stderr);
    const received = sink.messages[before]!;
    assert.ok(received.data.equals(fromPipe.stdoutBytes), 'the server received the dry run, byte for byte');
    assert.equal(Number(received.mailArgs['SIZE']), fromPipe.stdoutBytes.length);
    assert.equal(received.mailArgs['BODY'], '8BITMIME');
  });

  it('sends the bytes of the dry run through BDAT, in 1 MiB chunks', async () => {
    const chunking = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING';
    const server = await startScriptedServer({ replies: { EHLO: chunking } });
    try {
      const args = [...FIXED, '-s', 'From a file', '-r', 'alice@example.org', 'bob@example.org'];
      const dry = await runCli(['--dry-run', '-q', ...args], { input: body });
      const run = await runFromFile(['-q', '--server', `127.0.0.1:${server.port}`, ...args], { stdinFile: { path: bodyFile } });
      assert.equal(run.code, 0, run.stderr);
      const received = server.received();
      const chunks: Buffer[] = [];
      const sizes: number[] = [];
      let at = received.indexOf('BDAT ');
      while (at !== -1) {
        const lineEnd = received.indexOf('\r\n', at);
        const size = Number(/^BDAT (\d+)/.exec(received.subarray(at, lineEnd).toString('latin1'))![1]);
        sizes.push(size);
        chunks.push(received.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = received.indexOf('BDAT ', lineEnd + 2 + size);
      }
      assert.ok(Buffer.concat(chunks).equals(dry.stdoutBytes), 'the chunks put together are the dry run');
      assert.ok(sizes.length >= 6 && sizes.slice(0, -1).every((size) => size === 1024 * 1024), `chunk sizes ${sizes.join(' ')}`);
    } finally {
      await server.close();
    }
  });

  it('refuses a file changed while it is being sent, before the message is complete (BDAT and DATA)', async () => {
    for (const chunking of [true, false]) {
      const file = join(directory, `changing-${chunking}.txt`);
      writeFileSync(file, body);
      // Once mailv has read the file for its statistics, one octet at 5 MiB becomes a line break:
      // same size, more octets on the wire, and a newer modification time.
      const change = (reply: string) => () => {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.from('\n'), 0, 1, 5 * 1024 * 1024 + 3);
        closeSync(fd);
        utimesSync(file, new Date(), new Date(Date.now() + 10_000));
        return reply;
      };
      const ehlo = chunking ? '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING' : '250-scripted.test\r\n250-PIPELINING\r\n250 8BITMIME';
      const server = await startScriptedServer({ replies: { EHLO: change(ehlo) } });
      try {
        const run = await runFromFile(['--server', `127.0.0.1:${server.port}`, '-s', 'changing', 'bob@example.org'], { stdinFile: { path: file } });
        assert.equal(run.code, 74, run.stderr);
        // Whichever is seen first: more octets than announced, or the file's new time at its end.
        assert.match(
          run.stderr,
          /^mailv: (standard input changed while it was being sent|the message grew past its announced size of \d+ octets while it was being sent)$/m,
        );
        const received = server.received().toString('latin1');
        assert.ok(received.includes(chunking ? 'BDAT 1048576\r\n' : 'DATA\r\n'), 'the message had begun');
        assert.doesNotMatch(received, chunking ? /BDAT \d+ LAST/ : /\r\n\.\r\n/, 'but was never completed');
        // dead.letter cannot hold it either (the file no longer matches); the user is told where it is.
        assert.match(
          run.stderr,
          /^mailv: cannot save the message to .*dead\.letter: standard input changed while it was being sent; it is only in the file given on standard input$/m,
        );
        assert.ok(!existsSync(join(run.home, 'dead.letter')), 'no half entry left behind');
      } finally {
        await server.close();
      }
    }
  });

  it('keeps the whole message in dead.letter when the server refuses it', async () => {
    const server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING', 'BDAT LAST': '554 5.7.1 Rejected' },
    });
    try {
      const args = [...FIXED, '-s', 'From a file', '-r', 'alice@example.org', 'bob@example.org'];
      const dry = await runCli(['--dry-run', '-q', ...args], { input: body });
      const run = await runFromFile(['-q', '--server', `127.0.0.1:${server.port}`, ...args], { stdinFile: { path: bodyFile } });
      assert.equal(run.code, 69, run.stderr);
      const kept = readFileSync(join(run.home, 'dead.letter'), 'latin1');
      // mbox form: a From_ line, LF line ends, and `From ` at a line start quoted.
      const expected = dry.stdoutBytes
        .toString('latin1')
        .replace(/\r\n/g, '\n')
        .replace(/^From /gm, '>From ');
      assert.equal(kept.slice(kept.indexOf('\n') + 1), `${expected}\n`);
    } finally {
      await server.close();
    }
  });

  it('reads a file that does not tell its size (/proc) as a pipe', async () => {
    const run = await runFromFile(['--dry-run', '-q', '-s', 'kernel', 'bob@example.org'], { stdinFile: { path: '/proc/version' } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\r\n\r\nLinux version /);
  });

  it('-t sends the message as it is, from where standard input stands', async () => {
    const header =
      'From: alice@example.org\nTo: bob@example.org\nSubject: read past a first line\nDate: Fri, 27 Nov 2026 20:29:31 +0000\nMessage-ID: <t.1@example.org>\n\n';
    const skipped = 'this first line was read by the shell before mailv started\n';
    for (const [name, text] of [
      ['large', body],
      ['small', Buffer.from('a small message\n.\nwith a lone dot\n')],
    ] as const) {
      const file = join(directory, `message-${name}.eml`);
      writeFileSync(file, Buffer.concat([Buffer.from(skipped), Buffer.from(header), text]));
      const dry = await runCli(['--dry-run', '-q', '-t'], { input: Buffer.concat([Buffer.from(header), text]) });
      const before = sink.messages.length;
      const run = await runFromFile(['-q', '-t', '--server', `127.0.0.1:${sink.port}`], { stdinFile: { path: file, skip: Buffer.byteLength(skipped) } });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(sink.messages[before]!.data.equals(dry.stdoutBytes), `${name}: the message after the offset, exactly`);
    }
  });
});
