// A message from a pipe larger than 4 MiB is spooled to a temporary file that is unlinked as soon
// as it is open: it never shows in $TMPDIR, not even after SIGKILL, and every reader of the message
// reads it back from the descriptor. An unusable $TMPDIR falls back to /tmp and /var/tmp, then to
// memory within a bound; past that, what was read is kept in dead.letter.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILV, freshHome, runCli, type CliOptions } from '../helpers/cli.js';
import { a, mx, reply, startDns } from '../helpers/dns-server.js';
import { scriptedOnOnePort } from '../helpers/loopback-port.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startSink } from '../helpers/smtp-sink.js';
import { skipUnlessRunning } from '../helpers/service.js';

const FIXED = ['-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-H', 'Message-ID: <spool.1@mailv-client.example>'];
const HEADER =
  'From: alice@example.org\nTo: bob@example.org\nSubject: spooled\nDate: Fri, 27 Nov 2026 20:29:31 +0000\nMessage-ID: <spool.2@mailv-client.example>\n\n';

/** Text of about `size` octets: numbered lines, some starting with a dot, some in UTF-8. */
function text(size: number): Buffer {
  const lines: string[] = [];
  for (let length = 0, index = 0; length < size; index++) {
    const line =
      index % 5 === 0 ? `.line ${index} starts with a dot\n` : index % 5 === 1 ? `ligne ${index} accentuée\n` : `line ${index} of the spooled message\n`;
    lines.push(line);
    length += Buffer.byteLength(line);
  }
  return Buffer.from(lines.join(''));
}

/** The DATA payload a scripted server received, without the final dot and dot-stuffing. */
function dataOf(received: Buffer): Buffer {
  const wire = received.toString('latin1');
  const start = wire.indexOf('\r\n', wire.lastIndexOf('DATA\r\n')) + 2;
  const end = wire.indexOf('\r\n.\r\n', start);
  return Buffer.from(wire.slice(start, end + 2).replace(/^\./gm, ''), 'latin1');
}

/** What dead.letter holds for a message: mbox form, after its From_ line. */
function asMbox(message: Buffer): string {
  return `${message
    .toString('latin1')
    .replace(/\r\n/g, '\n')
    .replace(/^From /gm, '>From ')}\n`;
}

describe('the spool of a piped message', () => {
  let directory: string;
  let body: Buffer;
  let bodyFile: string;
  let message: Buffer; // the message as mailv makes it, from a file (which is never spooled)
  let tMessage: Buffer; // the same with -t
  let tFile: string;
  before(async () => {
    directory = freshHome();
    body = text(6 * 1024 * 1024);
    bodyFile = join(directory, 'body.txt');
    writeFileSync(bodyFile, body);
    tFile = join(directory, 'message.eml');
    writeFileSync(tFile, Buffer.concat([Buffer.from(HEADER), body]));
    const dry = await runCli(['--dry-run', '-q', ...FIXED, '-s', 'spooled', '-r', 'alice@example.org', 'bob@example.org'], { stdinFile: { path: bodyFile } });
    assert.equal(dry.code, 0, dry.stderr);
    message = dry.stdoutBytes;
    const dryT = await runCli(['--dry-run', '-q', '-t'], { stdinFile: { path: tFile } });
    assert.equal(dryT.code, 0, dryT.stderr);
    tMessage = dryT.stdoutBytes;
  });

  /** Pipes `input` to mailv with a private TMPDIR; `seen` collects what TMPDIR held at each look. */
  async function pipe(args: string[], input: Buffer, options: CliOptions & { tmp?: string } = {}) {
    const tmp = options.tmp ?? freshHome();
    const run = await runCli(args, { ...options, input, env: { TMPDIR: tmp, ...options.env } });
    assert.deepEqual(readdirSync(tmp), [], 'nothing left in TMPDIR');
    return run;
  }

  it('never shows in TMPDIR; DATA, BDAT, -t and dead.letter read it from its descriptor', async () => {
    const tmp = freshHome();
    const looks: string[][] = [];
    const look = (reply: string) => () => {
      looks.push(readdirSync(tmp)); // the whole message has been read by now
      return reply;
    };
    const sink = await startSink({
      size: 50_000_000,
      onMailFrom(_address, _session, callback) {
        looks.push(readdirSync(tmp));
        callback();
      },
    });
    const chunking = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING';
    const bdat = await startScriptedServer({ replies: { EHLO: look(chunking) } });
    const refusing = await startScriptedServer({ replies: { EHLO: look('250-scripted.test\r\n250 8BITMIME'), '.': '554 5.7.1 Rejected' } });
    try {
      const args = [...FIXED, '-s', 'spooled', '-r', 'alice@example.org', 'bob@example.org'];
      // DATA
      const data = await pipe(['-q', '--server', `127.0.0.1:${sink.port}`, ...args], body, { tmp });
      assert.equal(data.code, 0, data.stderr);
      assert.ok(sink.messages[0]!.data.equals(message), 'DATA: the message, byte for byte');
      assert.equal(Number(sink.messages[0]!.mailArgs['SIZE']), message.length, 'SIZE from the statistics of the spooled text');
      // -t: the header block read back from the spool, then the rest
      const t = await pipe(['-q', '-t', '--server', `127.0.0.1:${sink.port}`], Buffer.concat([Buffer.from(HEADER), body]), { tmp });
      assert.equal(t.code, 0, t.stderr);
      assert.ok(sink.messages[1]!.data.equals(tMessage), '-t: the message, byte for byte');
      // BDAT
      const chunked = await pipe(['-q', '--server', `127.0.0.1:${bdat.port}`, ...args], body, { tmp });
      assert.equal(chunked.code, 0, chunked.stderr);
      const received = bdat.received();
      const chunks: Buffer[] = [];
      for (let at = received.indexOf('BDAT '); at !== -1; ) {
        const lineEnd = received.indexOf('\r\n', at);
        const size = Number(/^BDAT (\d+)/.exec(received.subarray(at, lineEnd).toString('latin1'))![1]);
        chunks.push(received.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = received.indexOf('BDAT ', lineEnd + 2 + size);
      }
      assert.ok(Buffer.concat(chunks).equals(message), 'BDAT: the chunks put together are the message');
      // dead.letter, after the server refused the message it read from the spool
      const refused = await pipe(['-q', '--server', `127.0.0.1:${refusing.port}`, ...args], body, { tmp });
      assert.equal(refused.code, 69, refused.stderr);
      assert.ok(dataOf(refusing.received()).equals(message), 'DATA to the refusing server');
      const kept = readFileSync(join(refused.home, 'dead.letter'), 'latin1');
      assert.equal(kept.slice(kept.indexOf('\n') + 1), asMbox(message));
      assert.equal(looks.length, 4);
      assert.deepEqual(looks, [[], [], [], []], 'TMPDIR was empty while the message was being sent');
    } finally {
      await Promise.all([sink.close(), bdat.close(), refusing.close()]);
    }
  });

  it('--direct: a second MX host reads it again from the start', async () => {
    let closing = 1;
    const [first, second] = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], {
      // The first host reads the whole message, then says 421: the next host is tried.
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 8BITMIME',
        '.': () => (closing-- > 0 ? '421 4.3.2 Service shutting down' : '250 2.0.0 Ok: queued as S2'),
      },
    });
    const dns = await startDns((query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx1.example.test'), mx(name, 20, 'mx2.example.test')] })];
      if (type === 'A' && name === 'mx1.example.test') return [reply(query, { answers: [a(name, '127.0.0.2')] })];
      if (type === 'A' && name === 'mx2.example.test') return [reply(query, { answers: [a(name, '127.0.0.3')] })];
      return [reply(query)];
    });
    try {
      const args = [
        '--direct',
        '--port',
        String(first!.port),
        '--dns',
        `127.0.0.1:${dns.port}`,
        ...FIXED,
        '-s',
        'spooled',
        '-r',
        'alice@example.org',
        'bob@example.test',
      ];
      const dry = await runCli(['--dry-run', '-q', ...args], { stdinFile: { path: bodyFile } });
      const run = await pipe(['-q', ...args], body);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(dataOf(first!.received()).equals(dry.stdoutBytes), 'the first host received it whole');
      assert.ok(dataOf(second!.received()).equals(dry.stdoutBytes), 'the second host received it whole, byte for byte');
    } finally {
      await Promise.all([first!.close(), second!.close(), dns.close()]);
    }
  });

  it('SIGKILL while the message is being sent leaves nothing in TMPDIR', async () => {
    const server = await startScriptedServer({ replies: { EHLO: { silent: true } } }); // stalls after the greeting
    const tmp = freshHome();
    try {
      const child = spawn(process.execPath, [MAILV, '-q', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester', TMPDIR: tmp },
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
      child.stdin.on('error', () => {});
      child.stdin.end(body);
      for (let i = 0; i < 500 && !server.commands.some((command) => command.startsWith('EHLO')); i++) await sleep(20);
      assert.ok(
        server.commands.some((command) => command.startsWith('EHLO')),
        'the message was read, and the session had begun',
      );
      const whileRunning = readdirSync(tmp);
      // The spool is there all the same, held by a descriptor alone, readable by its owner only.
      const target = (link: string) => {
        try {
          return readlinkSync(link);
        } catch {
          return ''; // closed meanwhile
        }
      };
      const spools = readdirSync(`/proc/${child.pid}/fd`)
        .map((fd) => `/proc/${child.pid}/fd/${fd}`)
        .filter((link) => target(link).startsWith(`${tmp}/mailv-`));
      const spoolTarget = spools.length === 1 ? target(spools[0]!) : '';
      const spoolMode = spools.length === 1 ? statSync(spools[0]!).mode : 0;
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.deepEqual(whileRunning, [], 'the spool was unlinked as soon as it was open');
      assert.equal(spools.length, 1, 'a body over 4 MiB is spooled');
      assert.match(spoolTarget, / \(deleted\)$/);
      assert.equal(spoolMode & 0o777, 0o600);
      assert.deepEqual(readdirSync(tmp), []);
    } finally {
      await server.close();
    }
  });

  it('an unusable TMPDIR (missing, or a file): the spool goes to /tmp, the message is sent byte for byte', async () => {
    const sink = await startSink({ size: 50_000_000 });
    try {
      const file = join(directory, 'not-a-directory');
      writeFileSync(file, 'x');
      for (const tmp of [join(directory, 'missing'), file]) {
        const run = await runCli(['-q', '--server', `127.0.0.1:${sink.port}`, ...FIXED, '-s', 'spooled', '-r', 'alice@example.org', 'bob@example.org'], {
          input: body,
          env: { TMPDIR: tmp },
        });
        assert.equal(run.code, 0, `TMPDIR=${tmp}: ${run.stderr}`);
        assert.equal(run.stderr, '');
        assert.ok(sink.messages.at(-1)!.data.equals(message), `TMPDIR=${tmp}: the message, byte for byte`);
      }
      assert.equal(sink.messages.length, 2);
    } finally {
      await sink.close();
    }
  });

  // Only root can make every temporary directory unusable: /tmp and /var/tmp are made read-only in a
  // mount namespace of mailv's own.
  const noNamespace = skipUnlessRunning(
    process.getuid?.() === 0 && existsSync('/usr/bin/unshare'),
    'root and unshare(1) (to hide /tmp and /var/tmp)',
    'run the tests as root, as .ci/run does',
  );
  it('no usable temporary directory: held in memory up to 64 MiB; past that, what was read goes to dead.letter (74)', { skip: noNamespace }, async () => {
    const sink = await startSink({ size: 100_000_000 });
    // HOME must stay visible in the namespace: not under /tmp.
    const home = mkdtempSync('/dev/shm/mailv-test-home-');
    try {
      const inNamespace = (args: string[], input: Buffer) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          // Read-only in place, not hidden: the clone (and so mailv itself) may live under /tmp.
          const readOnly = (dir: string) => `mount --bind ${dir} ${dir} && mount -o remount,bind,ro ${dir}`;
          const script = `${readOnly('/tmp')} && ${readOnly('/var/tmp')} && exec "$@"`;
          const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', process.execPath, MAILV, ...args], {
            env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' },
          });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
          child.stdin.on('error', () => {}); // mailv stops reading past the limit
          child.stdin.end(input);
        });
      const args = ['-q', '--server', `127.0.0.1:${sink.port}`, ...FIXED, '-s', 'spooled', '-r', 'alice@example.org', 'bob@example.org'];
      const held = await inNamespace(args, body);
      assert.equal(held.code, 0, held.stderr);
      assert.ok(sink.messages[0]!.data.equals(message), 'held in memory and sent, byte for byte');

      const large = text(70 * 1024 * 1024);
      const tooLarge = await inNamespace(args, large);
      assert.equal(tooLarge.code, 74, tooLarge.stderr);
      const deadLetter = join(home, 'dead.letter');
      assert.equal(
        tooLarge.stderr,
        'mailv: cannot spool the message (/tmp: read-only file system; /var/tmp: read-only file system) and it is larger than the 64 MiB kept in memory\n' +
          `mailv: what was read of the message was saved in ${deadLetter}\n`,
      );
      assert.equal(sink.messages.length, 1, 'nothing sent');
      const kept = readFileSync(deadLetter, 'latin1');
      const keptBody = Buffer.from(kept.slice(kept.indexOf('\n\n') + 2, -1), 'latin1'); // LF lines, as read
      assert.ok(keptBody.length > 64 * 1024 * 1024, `${keptBody.length} octets kept`);
      // The last line read may have been cut short: the message ends it.
      assert.ok(keptBody.subarray(0, -1).equals(large.subarray(0, keptBody.length - 1)), 'what was read, from the start, byte for byte');
      assert.equal(keptBody.at(-1), 0x0a);
    } finally {
      await sink.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
