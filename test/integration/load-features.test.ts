// The load mode's pacing, its live line, --direct and --vary with -t: --rate holds the run to at
// least (N − 1)/R seconds; the live line is drawn on a terminal (a pseudo-terminal made by
// script(1)) and never in a pipe; --direct loads the first MX host that takes a connection;
// --vary makes each copy of a -t message distinct at the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshHome, MAILV, runCli } from '../helpers/cli.js';
import { DNSMASQ, dnsmasqSkipReason } from '../helpers/dnsmasq.js';
import { loadSummary } from '../helpers/load-summary.js';
import { answerPlainly } from '../helpers/plain-responder.js';
import { sinksOnOnePort } from '../helpers/loopback-port.js';
import { skipUnlessRunning } from '../helpers/service.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

const SCRIPT = '/usr/bin/script';

/** What a run of mailv with `args` writes on its standard error, a pseudo-terminal; its standard output goes to a file. */
function onTerminal(args: readonly string[], input: string, term = 'xterm'): Promise<{ code: number | null; screen: string; stdout: string }> {
  const home = freshHome();
  writeFileSync(join(home, 'body'), input);
  const command = [process.execPath, MAILV, ...args].map((word) => `'${word}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qec', `${command} < '${join(home, 'body')}' > '${join(home, 'out')}'`, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', TERM: term, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen, stdout: readFileSync(join(home, 'out'), 'utf8') }));
  });
}

describe('load mode pacing and its live line', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSink();
  });
  after(() => sink.close());
  const sending = (extra: readonly string[]) => ['--server', `127.0.0.1:${sink.port}`, '-r', 'load@example.org', '-s', 'load', ...extra, 'sink@example.org'];

  it('--rate 20 over 11 messages takes at least (11 − 1)/20 s, and accepts a decimal rate', async () => {
    const started = performance.now();
    const run = await runCli(sending(['--count', '11', '--concurrency', '3', '--rate', '20', '--json']), { input: 'Paced.\n' });
    const wall = performance.now() - started;
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted, 11);
    assert.ok(summary.ms >= 500, `the run took ${summary.ms} ms`);
    assert.ok(wall >= 500);
    const slow = await runCli(sending(['--count', '2', '--rate', '2.5', '--json']), { input: 'Paced.\n' });
    assert.equal(slow.code, 0, slow.stderr);
    assert.ok(loadSummary(slow.stdout).ms >= 400);
  });

  it('--rate counts a turn from the MAIL that left: a slow greeting is not made up for by a burst after it', async () => {
    const mailsAt: number[] = [];
    const server = await startScriptedServer({
      greetingDelayMs: 400,
      replies: {
        EHLO: '250-paced.test\r\n250 PIPELINING',
        MAIL: () => {
          mailsAt.push(performance.now());
          return '250 2.1.0 Ok';
        },
      },
    });
    try {
      const run = await runCli(
        ['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '4', '--rate', '10', '--json', 'sink@example.org'],
        {
          input: 'Paced.\n',
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(mailsAt.length, 4);
      // 1/10 s apart at the server, give or take its own and mailv's scheduling on a busy host (either
      // may read or write a turn late): never the burst a late greeting would leave, a few ms apart.
      const gaps = mailsAt.slice(1).map((at, index) => at - mailsAt[index]!);
      assert.ok(
        gaps.every((gap) => gap >= 50),
        gaps.map((gap) => gap.toFixed(1)).join(', '),
      );
      // And paced at 10 a second over the three turns, one late reading or not.
      assert.ok(mailsAt[3]! - mailsAt[0]! >= 270, gaps.map((gap) => gap.toFixed(1)).join(', '));
    } finally {
      await server.close();
    }
  });

  it('twelve connections at once: nothing on standard error (no warning about listeners)', async () => {
    const run = await runCli(sending(['--count', '24', '--concurrency', '12', '--per-connection', '2', '--json']), { input: 'Many at once.\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(loadSummary(run.stdout).accepted, 24);
    // Paced, each connection waits for its turn on the same signal.
    const paced = await runCli(sending(['--count', '24', '--concurrency', '12', '--per-connection', '1', '--rate', '400', '--json']), {
      input: 'Many at once, paced.\n',
    });
    assert.equal(paced.code, 0, paced.stderr);
    assert.equal(paced.stderr, '');
    assert.equal(loadSummary(paced.stdout).accepted, 24);
  });

  it('refuses a rate that is no number above 0, and load options without --count: 64', async () => {
    for (const [args, said] of [
      [['--count', '2', '--rate', '0'], /^mailv: invalid --rate "0": a number of messages a second above 0/],
      [['--count', '2', '--rate', 'fast'], /^mailv: invalid --rate "fast"/],
      [['--rate', '5'], /^mailv: --rate goes with --count \(the load run\)$/m],
      [['--stop-on-error'], /^mailv: --stop-on-error goes with --count \(the load run\)$/m],
      [['--vary-recipients'], /^mailv: --vary-recipients goes with --count \(the load run\)$/m],
      // It would be ignored by a load run: refused instead, as --timing and --explain are.
      [['--count', '2', '--mx', 'example.org'], /^mailv: --mx cannot be used with --count$/m],
      [
        ['--count', '2', '-v', '--json'],
        /^mailv: -v and --json cannot be used together with --count: the witness of -v is shown in the transcript, which --json replaces$/m,
      ],
      [
        ['--count', '2', '--explain'],
        /^mailv: --explain cannot be used with --count: a load run shows no dialogue \(-v shows the first connection where a message failed\)$/m,
      ],
    ] as const) {
      const run = await runCli(sending(args), { input: 'x\n' });
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, said);
    }
  });

  it('refuses more connections than the process may open files for (ulimit -n), before connecting, rather than count EMFILE as the server deferring: 64', async () => {
    // The sink runs in this process: the run is awaited, not waited for in a blocking call.
    const limited = (concurrency: string) =>
      new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(
          '/bin/sh',
          ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, MAILV, ...sending(['--count', '400', '--concurrency', concurrency, '-q'])],
          {
            env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: freshHome(), USER: 'tester' },
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stderr }));
        child.stdin.end('x\n');
      });
    const refused = await limited('1000');
    assert.equal(refused.status, 64, refused.stderr);
    assert.equal(
      refused.stderr,
      'mailv: 400 connections at once (--concurrency) need more open files than this process may have (256, ulimit -n): at most 224, or raise the limit\n',
    );
    const fits = await limited('200');
    assert.equal(fits.status, 0, fits.stderr);
  });

  it('draws a live line on a terminal, redrawn in place and erased before the summary; none in a pipe, with --json or -q, nor on a dumb terminal', {
    skip: skipUnlessRunning(existsSync(SCRIPT), `${SCRIPT} is missing`, 'apt-get install util-linux'),
  }, async () => {
    const args = sending(['--count', '30', '--rate', '40']);
    const shown = await onTerminal(args, 'Watched.\n');
    assert.equal(shown.code, 0, shown.screen);
    const drawings = shown.screen.split('\r\x1b[2K');
    // At least two drawings over 0.7 s, each one line; the last thing written erases the line.
    assert.ok(drawings.length >= 3, JSON.stringify(shown.screen));
    assert.equal(drawings.at(-1), '');
    for (const drawing of drawings.slice(1, -1)) assert.match(drawing, /^accepted \d+, refused 0, deferred 0, \d+(\.\d)?\/s, \d+\.\d s$/);
    assert.match(shown.stdout, /^30 messages in [\d.]+ s over 1 connection: 30 accepted, 0 failed$/m);
    const french = await onTerminal([...args, '--lang', 'fr'], 'Observé.\n');
    assert.match(french.screen, /\r\x1b\[2Kacceptés \d+, refusés 0, différés 0, \d+(,\d)?\/s, \d+,\d s/);
    for (const quiet of [['--json'], ['-q']]) {
      const run = await onTerminal([...args, ...quiet], 'Unwatched.\n');
      assert.equal(run.code, 0, run.screen);
      assert.equal(run.screen, '', quiet.join(' '));
    }
    const dumb = await onTerminal(args, 'Dumb.\n', 'dumb');
    assert.equal(dumb.code, 0, dumb.screen);
    assert.equal(dumb.screen, '', 'no line a dumb terminal cannot redraw');
    const piped = await runCli(args, { input: 'Piped.\n' });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '');
  });
});

describe('load mode concurrency', () => {
  it('--concurrency 4 has four connections open at once, and --concurrency 1 one', async () => {
    // The server greets no connection until four are open (or a second has passed): a run that
    // opened them one after another would wait that second at each, and never have four at once.
    const open = new Set<Socket>();
    const waiting: (() => void)[] = [];
    let most = 0;
    const server = createServer((socket) => {
      open.add(socket);
      most = Math.max(most, open.size);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      answerPlainly(socket, ['many.test'], { greet: false });
      const greet = () => socket.write('220 many.test ESMTP\r\n');
      if (open.size >= 4) {
        for (const each of waiting.splice(0)) each();
        greet();
      } else {
        const timer = setTimeout(greet, 1000);
        waiting.push(() => {
          clearTimeout(timer);
          greet();
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = async (concurrency: number) => {
        most = 0;
        const args = [
          '--server',
          `127.0.0.1:${port}`,
          '-r',
          'load@example.org',
          '-s',
          'load',
          '--count',
          '8',
          '--concurrency',
          String(concurrency),
          '--json',
          'sink@example.org',
        ];
        const result = await runCli(args, { input: 'Hello.\n' });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(loadSummary(result.stdout).accepted, 8);
        return most;
      };
      assert.equal(await run(4), 4);
      assert.equal(await run(1), 1);
    } finally {
      server.close();
    }
  });
});

describe('load mode over TLS that does not verify', () => {
  it('says the certificate did not verify, and --insecure that it was not checked, where a single send says it in its dialogue', async () => {
    // smtp-server's own certificate: self-signed, for no name of this machine.
    const sink = await startSink({ disabledCommands: ['AUTH'] });
    try {
      const args = ['--server', `127.0.0.1:${sink.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '3', '--per-connection', '1', 'sink@example.org'];
      const unverified = await runCli(args, { input: 'Hello.\n' });
      assert.equal(unverified.code, 0, unverified.stderr);
      // Why, as the first handshake found it (smtp-server's certificate is self-signed, and out of date).
      assert.match(unverified.stdout, /^Warning: the server's certificate did NOT verify in 3 of 3 TLS handshakes \([^)]+\): anyone on the path /m);
      const insecure = await runCli([...args, '--insecure', '--json'], { input: 'Hello.\n' });
      const summary = loadSummary(insecure.stdout);
      assert.deepEqual([summary.tlsUnverified, summary.certificatesUnchecked], [3, true]);
      assert.equal(sink.messages.length, 6);
      assert.ok(sink.messages.every((message) => message.secure));
    } finally {
      await sink.close();
    }
  });
});

describe('load mode with -t and --vary', () => {
  it('each copy of the message read from standard input is distinct at the server: its Subject numbered, a Message-ID of its own', async () => {
    const sink = await startSink();
    try {
      const message = 'To: sink@example.org\nSubject: Weekly report\nMessage-ID: <original@example.org>\n\nThe body.\n';
      const run = await runCli(
        ['--server', `127.0.0.1:${sink.port}`, '-t', '-r', 'load@example.org', '--count', '12', '--concurrency', '3', '--vary', '--json'],
        {
          input: message,
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(loadSummary(run.stdout).accepted, 12);
      const headers = sink.messages.map((each) => each.data.toString('utf8').split('\r\n\r\n')[0]!);
      const subjects = headers.map((header) => /^Subject: (.*)$/m.exec(header)?.[1]);
      const ids = headers.map((header) => /^Message-ID: (.*)$/m.exec(header)?.[1]);
      assert.deepEqual([...subjects].sort(), Array.from({ length: 12 }, (_, index) => `Weekly report #${index + 1}`).sort());
      assert.equal(new Set(ids).size, 12, ids.join(' '));
      assert.ok(!ids.includes('<original@example.org>'));
      for (const header of headers) assert.equal(header.match(/^Message-ID:/gm)?.length, 1, header);
      for (const each of sink.messages) assert.ok(each.data.toString('utf8').endsWith('\r\n\r\nThe body.\r\n'));
    } finally {
      await sink.close();
    }
  });
});

describe('load mode with --vary-recipients', () => {
  it('numbers every envelope recipient of every message once, as smtp-source -N, the quoted one inside its quotes, the header left as written', async () => {
    const server = await startScriptedServer();
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '3', '--vary-recipients', '--json'];
      const run = await runCli([...args, 'sink@example.org', '"a b"@example.org'], { input: 'Hello.\n' });
      assert.equal(run.code, 0, run.stderr);
      const writes = server.chunks.map((chunk) => chunk.toString('latin1'));
      const envelope = (first: number) =>
        `MAIL From:<load@example\\.org> SIZE=\\d+\\r\\nRCPT To:<${first}sink@example\\.org>\\r\\nRCPT To:<"${first + 1}a b"@example\\.org>\\r\\nDATA\\r\\n`;
      assert.equal(writes.length, 5, writes.join('|'));
      assert.match(writes[1]!, new RegExp(`^${envelope(1)}$`));
      // Each envelope leaves with the message before it (PIPELINING), numbered for its own message.
      assert.match(writes[2]!, new RegExp(`\\r\\nHello\\.\\r\\n\\.\\r\\n${envelope(3)}$`));
      assert.match(writes[3]!, new RegExp(`\\r\\nHello\\.\\r\\n\\.\\r\\n${envelope(5)}$`));
      for (const write of writes.slice(2)) assert.match(write, /^To: sink@example\.org, "a b"@example\.org\r$/m);
    } finally {
      await server.close();
    }
  });

  it('refuses, before connecting, numbers that would make a path too long or two recipients one: 64, the message kept', async () => {
    const long = `${'w'.repeat(241)}@example.org`;
    for (const [recipients, said] of [
      [[long], /^mailv: --vary-recipients: numbered, "11w+…" would be 255 octets, past the 254 a path may carry/m],
      [
        ['bob@example.org', '1bob@example.org'],
        /^mailv: --vary-recipients: "1bob@example\.org" is "bob@example\.org" with digits before it: numbered, both would be "21bob@example\.org" \(in message 11\)$/m,
      ],
    ] as const) {
      const home = freshHome();
      // Nothing listens on port 9: a connection attempt would fail otherwise (69 or 75).
      const run = await runCli(['--server', '127.0.0.1:9', '-r', 'load@example.org', '-s', 'load', '--count', '11', '--vary-recipients', ...recipients], {
        input: 'Kept.\n',
        home,
      });
      assert.equal(run.code, 64, run.stderr);
      assert.match(run.stderr, said);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\nKept\.\n/);
    }
  });

  it('counts a recipient refused under all its numbers as one failure, named by the address given: the limit shows, not a list of numbers', async () => {
    const server = await startScriptedServer({
      replies: { RCPT: (line) => (line.includes('"') ? '250 2.1.5 Ok' : '550 5.1.1 no such user'), DATA: '354 go ahead' },
    });
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '7', '--vary-recipients'];
      const run = await runCli([...args, '--json', 'sink@example.org', '"a b"@example.org'], { input: 'Hello.\n' });
      assert.equal(run.code, 67, run.stderr);
      const { failures } = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('{"event":"load"'))!) as { failures: Record<string, unknown>[] };
      assert.deepEqual(
        failures.map(({ count, code, recipient, numbered }) => ({ count, code, recipient, numbered })),
        [{ count: 7, code: 'recipient-refused', recipient: 'sink@example.org', numbered: true }],
      );
      const told = await runCli([...args, '--lang', 'fr', 'sink@example.org', '"a b"@example.org'], { input: 'Hello.\n' });
      assert.match(told.stdout, /^7 × sink@example\.org refusé sous ses numéros \(--vary-recipients\) : 550 5\.1\.1 no such user$/m);
    } finally {
      await server.close();
    }
  });

  it('counts a failure whose fact names a recipient (a 421 to its RCPT) as one under the address given, whatever its number', async () => {
    const server = await startScriptedServer({ replies: { RCPT: (line) => (line.includes('carol') ? '421 4.7.0 Too many connections' : '250 2.1.5 Ok') } });
    try {
      const args = [
        '--server',
        `127.0.0.1:${server.port}`,
        '-r',
        'load@example.org',
        '-s',
        'load',
        '--count',
        '6',
        '--vary-recipients',
        'bob@example.org',
        'carol@example.org',
      ];
      const run = await runCli([...args, '--json'], { input: 'Hello.\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.ok(
        server.commands.some((command) => command.includes('<6carol@example.org>')),
        'numbered on the wire',
      );
      const { failures } = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('{"event":"load"'))!) as {
        failures: { count: number; code: string; numbered?: boolean; error: { recipient?: string } }[];
      };
      assert.deepEqual(
        failures.map(({ count, code, numbered, error }) => ({ count, code, numbered, recipient: error.recipient })),
        [{ count: 6, code: 'MAILV_RECIPIENT_CLOSING', numbered: true, recipient: 'carol@example.org' }],
      );
      const told = await runCli(args, { input: 'Hello.\n' });
      assert.match(
        told.stdout,
        /^6 × the server closed the session at the recipient <carol@example\.org>: 421 4\.7\.0 Too many connections \(the recipient under its numbers, --vary-recipients\)$/m,
      );
    } finally {
      await server.close();
    }
  });

  it('over several connections, each message to recipients of its own: 1 to 12, each once, whatever connection carried it', async () => {
    const sink = await startSink();
    try {
      const args = ['--server', `127.0.0.1:${sink.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '12', '--concurrency', '3'];
      const run = await runCli([...args, '--per-connection', '2', '--vary-recipients', '--json', 'sink@example.org'], { input: 'Hello.\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(loadSummary(run.stdout).accepted, 12);
      const recipients = sink.messages.flatMap((each) => each.recipients);
      assert.deepEqual([...recipients].sort(), Array.from({ length: 12 }, (_, index) => `${index + 1}sink@example.org`).sort());
    } finally {
      await sink.close();
    }
  });
});

describe('load mode with --vary, on the wire', () => {
  it('numbers each Subject and gives each a Message-ID of its own; each envelope leaves with the message before, QUIT with the last', async () => {
    const server = await startScriptedServer();
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '3', '--vary', '--json', 'sink@example.org'];
      const run = await runCli(args, { input: 'Hello.\n' });
      assert.equal(run.code, 0, run.stderr);
      const writes = server.chunks.map((chunk) => chunk.toString('latin1'));
      const envelope = 'MAIL From:<load@example\\.org> SIZE=\\d+\\r\\nRCPT To:<sink@example\\.org>\\r\\nDATA\\r\\n';
      assert.equal(writes.length, 5, writes.join('|'));
      assert.match(writes[0]!, /^EHLO \S+\r\n$/);
      assert.match(writes[1]!, new RegExp(`^${envelope}$`));
      for (const write of writes.slice(2, 4)) assert.match(write, new RegExp(`\\r\\nHello\\.\\r\\n\\.\\r\\n${envelope}$`));
      assert.match(writes[4]!, /\r\nHello\.\r\n\.\r\nQUIT\r\n$/);
      const headers = writes.slice(2).map((write) => write.split('\r\n\r\n')[0]!);
      assert.deepEqual(
        headers.map((header) => /^Subject: (.*)$/m.exec(header)?.[1]),
        ['load #1', 'load #2', 'load #3'],
      );
      const ids = headers.map((header) => /^Message-ID: <(\d+)\.[^>]+>$/m.exec(header)?.[1]);
      assert.deepEqual(ids, ['1', '2', '3']);
    } finally {
      await server.close();
    }
  });

  it('with CHUNKING too, QUIT leaves with the last BDAT, sent ahead whole: no round trip of its own, and no RSET after it', async () => {
    const server = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING' } });
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'load@example.org', '-s', 'load', '--count', '3', '--json', 'sink@example.org'];
      const run = await runCli(args, { input: 'Hello.\n' });
      assert.equal(run.code, 0, run.stderr);
      // QUIT came in the same read as the whole of the last BDAT: it was written before that
      // BDAT's reply could have come. (A read may hold several writes; one this small, on
      // loopback, is not split across reads.)
      const last = server.chunks.at(-1)!.toString('latin1');
      const bdat = /BDAT (\d+) LAST\r\n/g;
      const lastBdat = [...last.matchAll(bdat)].at(-1);
      assert.ok(lastBdat, last);
      const content = last.slice(lastBdat.index + lastBdat[0].length);
      assert.equal(content.length, Number(lastBdat[1]) + 'QUIT\r\n'.length, last);
      assert.match(content, /\r\nHello\.\r\nQUIT\r\n$/);
      assert.deepEqual(
        server.commands.filter((line) => /^(RSET|QUIT|BDAT)/.test(line)).map((line) => line.split(' ')[0]),
        ['BDAT', 'RSET', 'BDAT', 'RSET', 'BDAT', 'QUIT'],
      );
    } finally {
      await server.close();
    }
  });
});

describe('load mode latencies', () => {
  it('a transaction sent ahead whole (BDAT) is timed from the verdict before it, not from its write: the server’s time on it, not its wait behind another', async () => {
    // Each message's verdict 600 ms after the one before: the second, written with the first, waits
    // 1,200 from its write, of which the first 600 are the first message's. (600, not less: the two
    // readings must stay apart however late a busy host runs a timer or reads a reply.)
    const server = createServer((socket) => {
      let pending = Buffer.alloc(0);
      let owed = 0;
      // Replies in order, each `ms` after the one before it (or after now): one chain, since two
      // timers due at the same moment may fire in either order.
      let chain = Promise.resolve();
      const say = (text: string, ms = 0) => {
        chain = chain.then(() => new Promise<void>((resolve) => setTimeout(() => resolve(void socket.write(text)), ms)));
      };
      socket.on('error', () => {});
      socket.write('220 slow.test ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (;;) {
          if (owed > 0) {
            if (pending.length < owed) return;
            pending = pending.subarray(owed);
            owed = 0;
            say('250 2.0.0 Ok: queued\r\n', 600);
            continue;
          }
          const end = pending.indexOf('\r\n');
          if (end < 0) return;
          const line = pending.subarray(0, end).toString('latin1');
          pending = pending.subarray(end + 2);
          if (line.startsWith('EHLO')) say('250-slow.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n');
          else if (line.startsWith('BDAT')) owed = Number(line.split(' ')[1]);
          else if (line === 'QUIT') say('221 2.0.0 Bye\r\n');
          else say('250 2.1.0 Ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const args = ['--server', `127.0.0.1:${port}`, '-r', 'load@example.org', '-s', 'load', '--count', '4', '--json', 'sink@example.org'];
      const run = await runCli(args, { input: 'Hello.\n' });
      assert.equal(run.code, 0, run.stderr);
      const transaction = loadSummary(run.stdout).transaction!;
      assert.equal(transaction.samples, 4);
      // Written at once behind the first, each later message waits in the server's queue: that wait
      // is not its time (read from its write, every later message would take about 1,200 ms). The
      // server's 600 ms leave a busy host 300 ms either way.
      assert.ok(transaction.max < 900, JSON.stringify(transaction));
      assert.ok(transaction.p50 >= 590, JSON.stringify(transaction));
    } finally {
      server.close();
    }
  });
});

describe('load mode with --direct, against real dnsmasq', { skip: await dnsmasqSkipReason() }, () => {
  it('loads the first MX host that takes a connection (the first is dead), over the connection that found it, and says which', async () => {
    let connections = 0;
    const [live] = await sinksOnOnePort(['127.0.0.3'], {
      onConnect(_session, callback) {
        connections++;
        callback();
      },
    });
    try {
      const args = ['--direct', '--port', String(live!.port), '--dns', DNSMASQ, '--count', '10', '--concurrency', '2', '-s', 'MX load', 'bob@deadfirst.test'];
      const run = await runCli([...args, '--json'], { input: 'via MX\n' });
      assert.equal(run.code, 0, run.stderr);
      const summary = loadSummary(run.stdout);
      assert.equal(summary.accepted, 10);
      // Two connections in all: the one that found the host carried messages too.
      assert.equal(summary.connections, 2);
      assert.equal(connections, 2);
      assert.deepEqual(summary.target, { host: 'live.deadfirst.test.', address: '127.0.0.3', port: live!.port });
      assert.equal(live!.messages.length, 10);
      const text = await runCli(args, { input: 'via MX\n' });
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        new RegExp(`^load sent to live\\.deadfirst\\.test\\. \\[127\\.0\\.0\\.3\\] port ${live!.port}, the first MX host that accepted a connection$`, 'm'),
      );
    } finally {
      await live!.close();
    }
  });

  it('recipients in two domains: one server is loaded, so the run is refused, 64', async () => {
    const run = await runCli(['--direct', '--dns', DNSMASQ, '--count', '2', 'bob@deadfirst.test', 'carol@mx.test'], { input: 'x\n' });
    assert.equal(run.code, 64, run.stderr);
    assert.match(run.stderr, /^mailv: --direct with --count loads one server: the recipients must all be in one domain, not "deadfirst\.test", "mx\.test"$/m);
  });
});
