// The application in this process, its I/O in memory: what it writes on each output, the status it
// returns, and what it keeps in dead.letter, without a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../dist/errors.js';
import type { PendingWrite } from '../../dist/smtp/command.js';
import { runApp, SignalSender } from '../helpers/app.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { loadLines } from '../helpers/load-summary.js';
import { DNSMASQ, dnsmasqSkipReason } from '../helpers/dnsmasq.js';
import { scriptedOnOnePort } from '../helpers/loopback-port.js';

const FIXED = ['-H', 'Date: Sat, 28 Nov 2026 03:00:00 +0000', '-H', 'Message-ID: <fixed.1@example.org>'];

/** Standard input that never ends: a run that reads it never returns. */
/** --direct needs dnsmasq's test zone (mx.test, deadfirst.test). */
const noDnsmasq = await dnsmasqSkipReason();

const neverEnding = () => new Readable({ read() {} });

function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the application in memory', () => {
  it('--dry-run: the envelope, then the exact message, on standard output', async () => {
    const run = await runApp(['--dry-run', ...FIXED, '-s', 'Dry', 'bob@example.org'], { input: 'one\ntwo\n' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    const message =
      'Date: Sat, 28 Nov 2026 03:00:00 +0000\r\nFrom: tester@client.example.org\r\nTo: bob@example.org\r\nSubject: Dry\r\n' +
      'Message-ID: <fixed.1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\none\r\ntwo\r\n';
    const size = Buffer.byteLength(message);
    assert.equal(
      run.stdout,
      'Envelope (what a server offering SIZE is told):\n' +
        `  MAIL From:<tester@client.example.org> SIZE=${size}\n` +
        '  RCPT To:<bob@example.org>\n' +
        `Message (${size} octets):\n` +
        message,
    );
  });

  it('--dry-run to a terminal: the message escaped as -vv shows it, never its control characters raw', async () => {
    const input = Buffer.from('clear \x1b[2J, retitle \x1b]0;T\x07, C1 \u009b, right-to-left \u202e, é\n');
    const run = await runApp(['--dry-run', '-q', ...FIXED, '-s', 'Dry', 'bob@example.org'], { input, terminal: { colorDepth: 1, columns: 80 } });
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/, 'no control character reaches the terminal');
    assert.ok(run.stdout.endsWith('\nclear \\x1b[2J, retitle \\x1b]0;T\\x07, C1 \\u009b, right-to-left \\u202e, é\n'), run.stdout);
    const piped = await runApp(['--dry-run', '-q', ...FIXED, '-s', 'Dry', 'bob@example.org'], { input });
    assert.ok(piped.stdout.includes('clear \x1b[2J'), 'a file or a pipe still gets the exact octets');
  });

  it('--step with --direct and two domains: q ends the whole run, not one domain', { skip: noDnsmasq }, async () => {
    const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], {});
    try {
      let asked = 0;
      const run = await runApp(['--step', '--direct', '--port', String(servers[0]!.port), '--dns', DNSMASQ, '-s', 'x', 'bob@mx.test', 'carol@deadfirst.test'], {
        input: 'x\n',
        openStepper: async () => ({
          ask: async () => {
            asked++;
            return 'quit' as const;
          },
          close: () => {},
        }),
      });
      assert.equal(run.status, 75, run.stderr);
      assert.equal(asked, 1, 'asked once: q stopped everything');
      assert.equal(servers[1]!.commands.length, 0, "deadfirst.test's host was never reached");
    } finally {
      for (const server of servers) await server.close();
    }
  });

  it('--step with --direct: q at the second domain, after the first was sent, names those the message was not sent to', { skip: noDnsmasq }, async () => {
    const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], {});
    try {
      let ehlos = 0;
      const stepper = async () => ({
        // Every write goes, up to the second domain's EHLO.
        ask: async (next: PendingWrite) => (next.commands[0]?.verb === 'EHLO' && ++ehlos === 2 ? ('quit' as const) : ('go' as const)),
        close: () => {},
      });
      const args = ['--step', '--direct', '--port', String(servers[0]!.port), '--dns', DNSMASQ, '-s', 'x', 'bob@mx.test', 'carol@deadfirst.test'];
      const run = await runApp(args, { input: 'x\n', openStepper: stepper });
      assert.equal(run.status, 75, run.stderr);
      assert.match(run.stdout, /bob@mx\.test\.\.\. Sent/);
      assert.match(
        run.stderr,
        /^mailv: stopped at your request \(--step\): the message was not sent to carol@deadfirst\.test\nmailv: the message was saved in .*dead\.letter\n$/,
      );
      ehlos = 0;
      const french = await runApp(['--lang', 'fr', ...args], { input: 'x\n', openStepper: stepper });
      assert.match(french.stderr, /^mailv: arrêté à votre demande \(--step\) : le message n’a pas été envoyé à carol@deadfirst\.test$/m);
    } finally {
      for (const server of servers) await server.close();
    }
  });

  it('--step with --direct: q names only those with no verdict said, and only once someone got the message', { skip: noDnsmasq }, async () => {
    const byRecipient = (replies: Readonly<Record<string, string>>) => (line: string) =>
      Object.entries(replies).find(([name]) => line.includes(`<${name}@`))?.[1] ?? '250 2.1.5 Ok';
    const cases = [
      {
        // carol got it in the first transaction; dave, past the limit, waits for the second, stopped at its EHLO.
        name: 'past the limit',
        script: { perConnection: (index: number) => ({ replies: { RCPT: byRecipient(index === 1 ? { dave: '452 4.5.3 Too many recipients' } : {}) } }) },
        recipients: ['carol@mx.test', 'dave@mx.test'],
        quitAtEhlo: 2,
        said: 'stopped at your request (--step): the message was not sent to dave@mx.test',
      },
      {
        // Refused, then stopped: nobody got it.
        name: 'refused',
        script: { replies: { RCPT: byRecipient({ bob: '550 5.1.1 No such user' }) } },
        recipients: ['bob@mx.test', 'carol@deadfirst.test'],
        quitAtEhlo: 2,
        said: 'stopped at your request (--step): the message was not sent',
      },
      {
        // bob got it; carol, put off by the first host, has her 450 said when the next host is stopped.
        name: 'put off',
        script: { replies: { RCPT: byRecipient({ carol: '450 4.2.0 Greylisted' }) } },
        recipients: ['bob@aonly.test', 'carol@mx.test'],
        quitAtEhlo: 3,
        said: 'stopped at your request (--step)',
      },
    ];
    for (const { name, script, recipients, quitAtEhlo, said } of cases) {
      const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3', '127.0.0.7'], script);
      try {
        let ehlos = 0;
        const stepper = async () => ({
          ask: async (next: PendingWrite) => (next.commands[0]?.verb === 'EHLO' && ++ehlos === quitAtEhlo ? ('quit' as const) : ('go' as const)),
          close: () => {},
        });
        const args = ['--step', '--direct', '--port', String(servers[0]!.port), '--dns', DNSMASQ, '-s', 'x', ...recipients];
        const run = await runApp(args, { input: 'x\n', openStepper: stepper });
        assert.equal(run.status, 75, `${name}: ${run.stderr}`);
        assert.equal(
          run.stderr.split('\n').find((line) => line.startsWith('mailv: stopped')),
          `mailv: ${said}`,
          `${name}: ${run.stderr}`,
        );
      } finally {
        for (const server of servers) await server.close();
      }
    }
  });

  it('--step through a server with a limit of recipients: q at the second transaction names those the first did not take', async () => {
    let connections = 0;
    const server = await startScriptedServer({
      perConnection: () => {
        const first = ++connections === 1;
        return { replies: { RCPT: (line) => (first && line.includes('<dave@') ? '452 4.5.3 Too many recipients' : '250 2.1.5 Ok') } };
      },
    });
    try {
      let ehlos = 0;
      const stepper = async () => ({
        ask: async (next: PendingWrite) => (next.commands[0]?.verb === 'EHLO' && ++ehlos === 2 ? ('quit' as const) : ('go' as const)),
        close: () => {},
      });
      const run = await runApp(['--step', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'carol@example.org', 'dave@example.org'], {
        input: 'x\n',
        openStepper: stepper,
      });
      assert.equal(run.status, 75, run.stderr);
      assert.match(run.stdout, /^carol@example\.org\.\.\. Sent /m);
      assert.match(run.stderr, /^mailv: stopped at your request \(--step\): the message was not sent to dave@example\.org$/m);
    } finally {
      await server.close();
    }
  });

  it('a reply mailv cannot take is shown as received before the failure it causes: mixed codes, a broken line, one cut short', async () => {
    for (const [greeting, shown, status] of [
      [{ raw: '220-a first line\r\n554 b\r\n' }, ['220-a first line', '554 b'], 76],
      [{ raw: '220-a\r\n220\tb\r\n' }, ['220-a', '220\tb'], 76],
      [{ raw: '220-partial\r\n220-sec', close: true }, ['220-partial', '220-sec'], 75],
    ] as const) {
      const server = await startScriptedServer({ greeting });
      try {
        const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'];
        const run = await runApp(args, { input: 'body\n' });
        assert.equal(run.status, status, run.stderr);
        assert.deepEqual(run.stdout.split('\n').slice(1, 1 + shown.length), shown, run.stdout);
        const json = await runApp(['--json', ...args], { input: 'body\n' });
        const events = json.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { event: string; lines?: string[] });
        assert.deepEqual(events.find((event) => event.event === 'unreadable-reply')?.lines, shown);
      } finally {
        await server.close();
      }
    }
  });

  it('--body bdat to an LMTP server: 64 before any connection, the message going over LMTP with DATA', async () => {
    const server = await startScriptedServer({});
    try {
      for (const [language, said] of [
        ['en', 'mailv: --body bdat cannot be had over LMTP: mailv sends the message to an LMTP server with DATA\n'],
        ['fr', 'mailv: --body bdat est impossible en LMTP : mailv envoie le message à un serveur LMTP avec DATA\n'],
      ] as const) {
        const run = await runApp(['--lang', language, '--body', 'bdat', '--server', `lmtp://127.0.0.1:${server.port}`, 'bob@example.org'], {
          stdin: neverEnding(),
        });
        assert.equal(run.status, 64, run.stderr);
        assert.equal(run.stderr, said);
      }
      assert.equal(server.received().length, 0);
      // --body data, or auto, is what LMTP takes.
      const run = await runApp(['--body', 'data', '--server', `lmtp://127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], { input: 'body\n' });
      assert.notEqual(run.status, 64, run.stderr);
      assert.ok(server.received().length > 0);
    } finally {
      await server.close();
    }
  });

  it('--proxy to a server on a unix-domain socket: 64 before any connection, a PROXY header names an address and port', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mailv-proxy-')), 'smtp.sock');
    const server = await startScriptedServer({ path });
    try {
      const run = await runApp(['--proxy', 'v1', '--proxy-source', '192.0.2.7:40000', '--server', `unix:${path}`, 'bob@example.org'], { stdin: neverEnding() });
      assert.equal(run.status, 64, run.stderr);
      assert.equal(
        run.stderr,
        `mailv: --proxy needs a server over TCP: a PROXY header names the server's address and port, and the socket "${path}" has neither\n`,
      );
      assert.equal(server.received().length, 0);
    } finally {
      await server.close();
    }
  });

  it('a signal after the whole message was sent, before the verdict: its status (130), the doubt said, the message kept', async () => {
    let received = false;
    const server = await startScriptedServer({
      replies: {
        '.': () => {
          received = true;
          return { silent: true };
        },
        QUIT: { silent: true },
      },
    });
    try {
      const signals = new SignalSender();
      const running = runApp(['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], { input: 'body\n', signals });
      while (!received) await sleep(10);
      signals.send('SIGINT');
      const run = await running;
      assert.equal(run.status, 130, run.stderr);
      assert.match(
        run.stderr,
        /^mailv: stopped after the whole message was sent, before the verdict on it: \[127\.0\.0\.1\] may have it; look before sending the copy kept again$/m,
      );
      assert.ok(existsSync(join(run.home, 'dead.letter')));
    } finally {
      await server.close();
    }
  });

  it('a signal while the reply to QUIT is awaited: the verdict stands (0), said, nothing kept', async () => {
    const server = await startScriptedServer({ replies: { QUIT: { silent: true } } });
    try {
      const signals = new SignalSender();
      const running = runApp(['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], { input: 'body\n', signals });
      while (!server.commands.includes('QUIT')) await sleep(10);
      await sleep(50);
      signals.send('SIGTERM');
      const run = await running;
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^bob@example\.org\.\.\. Sent \(/m);
      assert.match(run.stdout, /^Warning: interrupted by SIGTERM while the reply to QUIT was awaited: the verdict on the message stands$/m);
      assert.equal(existsSync(join(run.home, 'dead.letter')), false);
    } finally {
      await server.close();
    }
  });

  it('a relay that puts the message off (421 greeting, 421 to MAIL, a hang-up) is said as sendmail says it, Deferred:, as --direct says it of an MX host', async () => {
    // Said where a verdict is, before the goodbye (QUIT after a 4xx greeting or verdict), as `Sent (…)` is.
    for (const [script, deferred, goodbye] of [
      [{ greeting: '421 4.3.2 busy, try later' }, 'bob@example.org... Deferred: 421 4.3.2 busy, try later', false],
      [{ greeting: '450 4.3.2 not now' }, 'bob@example.org... Deferred: 450 4.3.2 not now', true],
      [{ replies: { MAIL: '421 4.7.0 too many' } }, 'bob@example.org... Deferred: 421 4.7.0 too many', false],
      // The verdict on the message: a 4xx, a 421.
      [{ replies: { '.': '451 4.7.1 Try again later' } }, 'bob@example.org... Deferred: 451 4.7.1 Try again later', true],
      [{ replies: { '.': '421 4.3.0 closing' } }, 'bob@example.org... Deferred: 421 4.3.0 closing', false],
      [{ replies: { EHLO: { close: true } } }, /^bob@example\.org\.\.\. Deferred: connection closed by the server during ehlo by \[127\.0\.0\.1\]$/, false],
    ] as const) {
      const server = await startScriptedServer(script);
      try {
        const run = await runApp(['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], { input: 'body\n' });
        assert.equal(run.status, 75, run.stderr);
        const lines = run.stdout.trim().split('\n');
        const at = lines.findIndex((line) => (typeof deferred === 'string' ? line === deferred : deferred.test(line)));
        assert.ok(at >= 0, run.stdout);
        const after = lines.slice(at + 1);
        assert.equal(after.length > 0, goodbye, run.stdout);
        if (goodbye) assert.deepEqual([after[0], after.at(-1)?.slice(0, 4)], ['Closing connection to [127.0.0.1]', '221 '], run.stdout);
      } finally {
        await server.close();
      }
    }
    // And so under --direct, of an MX host that greets with a 4xx (the next host, had there been one, after it).
    const mx = await startScriptedServer({ greeting: '450 4.3.2 not now' });
    try {
      const run = await runApp(['--direct', '--port', String(mx.port), '-r', 'alice@example.org', '-s', 'x', 'bob@[127.0.0.1]'], { input: 'body\n' });
      assert.equal(run.status, 75, run.stderr);
      const lines = run.stdout.trim().split('\n');
      const at = lines.indexOf('bob@[127.0.0.1]... Deferred: 450 4.3.2 not now');
      assert.ok(at >= 0 && lines[at + 1] === 'Closing connection to [127.0.0.1]', run.stdout);
    } finally {
      await mx.close();
    }
    // A 5xx greeting is a refusal, not a putting off: no Deferred line.
    const server = await startScriptedServer({ greeting: '554 5.7.1 go away' });
    try {
      const run = await runApp(['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], { input: 'body\n' });
      assert.doesNotMatch(run.stdout, /Deferred/);
    } finally {
      await server.close();
    }
  });

  it('a recipient refused for good, and the message then put off for the rest: both said, the put-off naming the others alone, 67', async () => {
    const server = await startScriptedServer({
      replies: { RCPT: (line) => (line.includes('carol') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok'), '.': '451 4.7.1 Try again later' },
    });
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org', 'carol@example.org'];
      const run = await runApp(args, { input: 'body\n' });
      // Trying again cannot help carol: 67, as when bob is deferred at RCPT, not 75.
      assert.equal(run.status, 67, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to carol@example\.org: 550 5\.1\.1 User unknown$/m);
      assert.match(run.stderr, /^mailv: the server did not accept the message: 451 4\.7\.1 Try again later$/m);
      // Put off: bob alone; carol was refused for good already.
      assert.match(run.stdout, /^bob@example\.org\.\.\. Deferred: 451 4\.7\.1 Try again later$/m);
    } finally {
      await server.close();
    }
  });

  it("a signal while dead.letter's lock is awaited: the entry written at once, the run ending by the signal (143), said", async () => {
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const dead = join(mkdtempSync(join(tmpdir(), 'mailv-lock-')), 'dead.letter');
      writeFileSync(`${dead}.lock`, `${holder.pid}@${hostname()}\n`);
      const signals = new SignalSender();
      const record = join(dirname(dead), 'run.jsonl');
      const running = runApp(['--record', record, '--server', '127.0.0.1:9', '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], {
        input: 'body\n',
        signals,
        env: { DEAD: dead },
      });
      await sleep(500);
      assert.equal(existsSync(dead), false, 'waiting for the lock');
      signals.send('SIGTERM');
      const run = await running;
      assert.equal(run.status, 143, run.stderr);
      assert.equal(run.stderr.trim().split('\n').at(-1), 'mailv: interrupted by SIGTERM');
      assert.match(readFileSync(dead, 'utf8'), /\n\nbody\n/);
      // The record ends as the run did: a replay of it ends so too.
      const end = JSON.parse(readFileSync(record, 'utf8').trim().split('\n').at(-1)!) as { end: { status: number; failure?: { fact: { code: string } } } };
      assert.equal(end.end.status, 143);
      assert.equal(end.end.failure?.fact.code, 'MAILV_INTERRUPTED');
    } finally {
      holder.kill();
    }
  });

  it('a usage error: 64 and one line, standard input never read, nothing kept', async () => {
    const run = await runApp(['-q', '-v', 'bob@example.org'], { stdin: neverEnding() });
    assert.equal(run.status, 64);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'mailv: -q and -v contradict each other\n');
    assert.equal(existsSync(join(run.home, 'dead.letter')), false);
  });

  it('--step without a terminal: 64 before standard input is read, nothing kept', async () => {
    const noTerminal = async () => {
      throw new UsageError({ code: 'MAILV_STEP_NO_TERMINAL' });
    };
    const run = await runApp(['--step', '--server', '127.0.0.1:9', 'bob@example.org'], { stdin: neverEnding(), openStepper: noTerminal });
    assert.equal(run.status, 64);
    assert.equal(run.stderr, 'mailv: --step needs a terminal to wait at\n');
    assert.equal(existsSync(join(run.home, 'dead.letter')), false);
  });

  it('--step paced by a terminal of the test: the whole dialogue goes out', async () => {
    const server = await startScriptedServer();
    try {
      let asked = 0;
      const ask = async () => {
        asked++;
        return 'go' as const;
      };
      const stepper = async () => ({ ask, close: () => {} });
      const run = await runApp(['--step', '--server', `127.0.0.1:${server.port}`, '-s', 's', 'bob@example.org'], { input: 'x\n', openStepper: stepper });
      assert.equal(run.status, 0, run.stderr);
      // At least EHLO; MAIL, RCPT and DATA (pipelined, one flight); the message and QUIT.
      assert.ok(asked >= 3, `asked before each flight of commands: ${asked}`);
      assert.ok(server.commands.includes('QUIT'));
    } finally {
      await server.close();
    }
  });

  it('a send to a server in this process: the transcript on stdout, a refusal on stderr, 67', async () => {
    const server = await startScriptedServer({ replies: { RCPT: (line) => (line.includes('nobody') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok') } });
    try {
      const run = await runApp(['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org', 'nobody@example.org'], {
        input: 'hello\n',
      });
      assert.equal(run.status, 67);
      const shown = run.stdout.split('\n');
      assert.equal(shown[0], `bob@example.org,nobody@example.org... Connecting to [127.0.0.1] port ${server.port} via relay...`);
      assert.ok(shown.includes('>>> EHLO client.example.org'));
      assert.ok(shown.includes('nobody@example.org... User unknown (550 5.1.1 User unknown)'));
      assert.ok(shown.includes('bob@example.org... Sent (Ok: queued as S1)'));
      // bob got it, nobody did not: mailv has no queue to bounce it back, so it is kept.
      assert.equal(
        run.stderr,
        `mailv: not delivered to nobody@example.org: 550 5.1.1 User unknown\nmailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
      );
    } finally {
      await server.close();
    }
  });

  it('--json: the result says why the status is not 0; dead.letter is an event', async () => {
    const server = await startScriptedServer({ replies: { RCPT: '550 5.1.1 User unknown' } });
    try {
      const run = await runApp(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'nobody@example.org'], { input: 'hello\n' });
      assert.equal(run.status, 67);
      const events = parseJsonLines(run.stdout);
      const path = join(run.home, 'dead.letter');
      const kept = events.find((event) => event['event'] === 'dead-letter')!;
      assert.deepEqual(kept, { event: 'dead-letter', ms: kept['ms'], path, size: kept['size'], unfinished: false });
      const result = events.at(-1)!;
      assert.deepEqual(result, {
        event: 'result',
        ms: result['ms'],
        status: 67,
        error: 'a recipient was refused: nobody@example.org',
        code: 'MAILV_RECIPIENTS_REFUSED',
        stage: 'rcpt',
      });
      assert.equal(run.stderr, `mailv: not delivered to nobody@example.org: 550 5.1.1 User unknown\nmailv: the message was saved in ${path}\n`);
      assert.match(readFileSync(path, 'utf8'), /^From tester@client\.example\.org /);
    } finally {
      await server.close();
    }
  });

  it('--dry-run on a full disk: 74, one line on stderr, nothing kept', async () => {
    const run = await runApp(['--dry-run', '-s', 'x', 'bob@example.org'], { input: 'x\n', failing: { output: 'stdout', errno: 'ENOSPC' } });
    assert.equal(run.status, 74);
    assert.equal(run.stderr, 'mailv: cannot write to standard output: no space left on device\n');
    assert.equal(existsSync(join(run.home, 'dead.letter')), false);
  });

  it('a send whose transcript cannot be written: 74, the message not sent but kept', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runApp(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], {
        input: 'kept\n',
        failing: { output: 'stdout', errno: 'EIO' },
      });
      assert.equal(run.status, 74);
      const path = join(run.home, 'dead.letter');
      assert.equal(run.stderr, `mailv: cannot write to standard output: input/output error\nmailv: the message was saved in ${path}\n`);
      assert.match(readFileSync(path, 'utf8'), /\n\nkept\n/);
      assert.ok(!server.commands.some((command) => command.startsWith('MAIL')), 'stopped before the message');
    } finally {
      await server.close();
    }
  });

  it('a reader that goes away (EPIPE) does not stop the message', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runApp(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], {
        input: 'sent\n',
        failing: { output: 'stdout', errno: 'EPIPE' },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.match(server.received().toString('latin1'), /\r\nsent\r\n\.\r\n/);
    } finally {
      await server.close();
    }
  });

  it('standard error that fails: 74 without a word', async () => {
    const run = await runApp(['-q', '-v', 'bob@example.org'], { failing: { output: 'stderr', errno: 'ENOSPC' } });
    assert.equal(run.status, 74);
    assert.equal(run.stdout, '');
  });

  it('a load run whose standard error fails before it starts: 74, nothing sent, the run cut short and the message kept', async () => {
    const server = await startScriptedServer({});
    try {
      const argv = ['--json', '--server', `127.0.0.1:${server.port}`, '--count', '5', '--per-connection', '1', '-s', 'x', 'bob@example.org'];
      // The empty body's note is the first write to standard error, and it fails.
      const run = await runApp(argv, { input: '', failing: { output: 'stderr', errno: 'ENOSPC' } });
      assert.equal(run.status, 74);
      const { summary, result, deadLetter } = loadLines(run.stdout);
      assert.deepEqual(summary.cutShort, { by: 'output', unconfirmed: 0, unsent: 5 });
      assert.deepEqual([summary.failed, summary.connections, server.commands.length], [0, 0, 0]);
      assert.equal(result.code, 'MAILV_OUTPUT_FAILED');
      assert.ok(deadLetter, run.stdout);
      assert.ok(existsSync(join(run.home, 'dead.letter')));
    } finally {
      await server.close();
    }
  });

  it('a stop signal ends the run as a failure: 130, the message kept', async () => {
    const server = await startScriptedServer({ greeting: { raw: '' } });
    const signals = new SignalSender();
    try {
      const running = runApp(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], { input: 'interrupted\n', signals });
      for (let i = 0; i < 200 && signals.watching === 0; i++) await sleep(10);
      await sleep(100); // waiting for the greeting now
      signals.send('SIGINT');
      const run = await running;
      assert.equal(run.status, 130);
      assert.equal(run.stderr, `mailv: interrupted by SIGINT\nmailv: the message was saved in ${join(run.home, 'dead.letter')}\n`);
      assert.equal(signals.watching, 0, 'signals are no longer watched');
    } finally {
      await server.close();
    }
  });

  it('runs share nothing: two at once, each in its language', async () => {
    const [en, fr] = await Promise.all([
      runApp(['--dry-run', ...FIXED, 'bob@example.org'], { input: 'x\n' }),
      runApp(['--dry-run', '--lang', 'fr', ...FIXED, 'bob@example.org'], { input: 'x\n' }),
    ]);
    assert.match(en.stdout, /^Envelope \(what a server offering SIZE is told\):\n/);
    assert.match(fr.stdout, /^Enveloppe \(ce qu’on annonce à un serveur qui offre SIZE\) :\n/);
    assert.equal(en.stdout.slice(en.stdout.indexOf('Date:')), fr.stdout.slice(fr.stdout.indexOf('Date:')), 'the same message');
  });
});
