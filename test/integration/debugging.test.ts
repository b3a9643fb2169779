// The debugging outputs: --json (one object per event, then the result), --timing (stamps and a
// summary whose counts are checked against what the server received), and what -v shows first.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshHome, runCli } from '../helpers/cli.js';
import { dnsmasqSkipReason } from '../helpers/dnsmasq.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('--json', () => {
  it('one object per event, times rising, the result last; no colour even when forced', async () => {
    const server = await startScriptedServer({ replies: { RCPT: (line) => (line.includes('nobody') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok') } });
    try {
      const run = await runCli(['--json', '--color', '--server', `127.0.0.1:${server.port}`, '-s', 'j', 'bob@example.org', 'nobody@example.org'], {
        input: 'x\n',
      });
      assert.equal(run.code, 67);
      assert.doesNotMatch(run.stdout, /\u001b/);
      const events = parseJsonLines(run.stdout);
      // First the addresses, as -v's table shows them: every field on every row, null where there is none.
      const rows = events[0]!['addresses'] as Record<string, unknown>[];
      assert.equal(events[0]!['event'], 'addresses');
      assert.match(String(rows[0]!['address']), /^tester@/);
      assert.deepEqual(rows[0], { address: rows[0]!['address'], envelope: 'MAIL From', header: 'From', blind: false, source: 'user' });
      assert.deepEqual(rows.slice(1), [
        { address: 'bob@example.org', envelope: 'RCPT To', header: 'To', blind: false, source: 'command-line' },
        { address: 'nobody@example.org', envelope: 'RCPT To', header: 'To', blind: false, source: 'command-line' },
      ]);
      assert.deepEqual(events[1], {
        event: 'connecting',
        ms: events[1]!['ms'],
        recipients: ['bob@example.org', 'nobody@example.org'],
        host: '127.0.0.1',
        port: server.port,
        via: 'relay',
        implicitTls: false,
      });
      const times = events.map((event) => event['ms'] as number);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      const mail = events.find((event) => event['event'] === 'send' && String(event['line']).startsWith('MAIL'));
      assert.deepEqual(Object.keys(mail!), ['event', 'ms', 'stage', 'line', 'command', 'pipelined']);
      const command = mail!['command'] as { verb: string; from: string; params: string[] };
      assert.equal(command.verb, 'MAIL');
      assert.equal(`MAIL From:<${command.from}> ${command.params.join(' ')}`, mail!['line']);
      const refused = events.find((event) => event['event'] === 'reply' && event['code'] === 550)!;
      assert.deepEqual(
        [refused['stage'], refused['recipient'], refused['enhanced'], refused['raw']],
        ['rcpt', 'nobody@example.org', '5.1.1', ['550 5.1.1 User unknown']],
      );
      // A status other than 0 always says why: here a result, not an exception.
      assert.deepEqual(events.at(-1), {
        event: 'result',
        ms: events.at(-1)!['ms'],
        status: 67,
        error: 'a recipient was refused: nobody@example.org',
        code: 'MAILV_RECIPIENTS_REFUSED',
        stage: 'rcpt',
      });
      const traffic = events.find((event) => event['event'] === 'traffic')!;
      assert.equal(traffic['sent'], server.received().length);
    } finally {
      await server.close();
    }
  });

  it('Bob@ and bob@ are two RCPTs, each a row of the addresses; each under the field that shows it as it went', async () => {
    const server = await startScriptedServer({});
    try {
      const run = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '-c', 'BOB@Example.ORG', 'Bob@example.org', 'bob@example.org'], {
        input: 'x\n',
      });
      assert.equal(run.code, 0, run.stderr);
      const rcpts = server
        .received()
        .toString('latin1')
        .split('\r\n')
        .filter((line) => line.startsWith('RCPT'));
      assert.deepEqual(rcpts, ['RCPT To:<Bob@example.org>', 'RCPT To:<bob@example.org>', 'RCPT To:<BOB@example.org>']);
      const rows = parseJsonLines(run.stdout)[0]!['addresses'] as Record<string, unknown>[];
      // Before, the table kept one row for the three: two RCPTs went unsaid.
      assert.deepEqual(
        rows.slice(1).map((row) => [row['address'], row['envelope'], row['header']]),
        [
          ['Bob@example.org', 'RCPT To', 'To'],
          ['bob@example.org', 'RCPT To', 'To'],
          ['BOB@example.org', 'RCPT To', 'Cc'],
        ],
      );
    } finally {
      await server.close();
    }
  });

  it('a failure still ends with the result, its status and its reason', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const run = await runCli(['--json', '--server', `127.0.0.1:${port}`, 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 75);
    const events = parseJsonLines(run.stdout);
    const result = events.at(-1)!;
    assert.equal(result['status'], 75);
    assert.equal(result['error'], `connection refused by [127.0.0.1] port ${port}`);
    assert.equal(result['stage'], 'connect');
    assert.match(String(result['code']), /^MAILV_[A-Z_]+$/);
    // The refusal's fact names no time: a time limit there read as if the refusal had taken it.
    const deferred = events.find((event) => event['event'] === 'deferred')!;
    assert.deepEqual(deferred['error'], { code: 'MAILV_CONNECT_FAILED', host: '127.0.0.1', port, reason: 'refused' });
    // When and where the message was kept: just before the result, as standard error says it.
    const path = join(run.home, 'dead.letter');
    const kept = events.at(-2)!;
    assert.deepEqual(kept, { event: 'dead-letter', ms: kept['ms'], path, size: kept['size'], unfinished: false });
    assert.ok((kept['size'] as number) > 0 && (kept['size'] as number) < statSync(path).size, 'the message, less its From_ line');
    assert.match(run.stderr, new RegExp(`^mailv: the message was saved in ${path}$`, 'm'));
  });

  it('a usage error: its code and stage in the result, nothing kept', async () => {
    const run = await runCli(['--json', '--server', 'smtp://[::1', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 64);
    const result = parseJsonLines(run.stdout).at(-1)!;
    assert.deepEqual([result['code'], result['stage']], ['MAILV_SERVER_INVALID', 'options']);
    assert.equal(result['error'], run.stderr.replace(/^mailv: /, '').trimEnd());
    assert.throws(() => statSync(join(run.home, 'dead.letter')), { code: 'ENOENT' });
  });

  it('--demo: only JSON on stdout; --mx: the plan as an object, the DNS time apart from ms', async (t) => {
    const demo = await runCli(['--json', '--demo', '-s', 'j', 'bob@example.org'], { input: 'x\n' });
    assert.equal(demo.code, 0, demo.stderr);
    assert.equal(parseJsonLines(demo.stdout).at(-1)!['status'], 0);
    // The server is said to be the demo's, for the explanations (and a replay's).
    assert.equal(parseJsonLines(demo.stdout).find((event) => event['event'] === 'connecting')!['demo'], true);
    const explained = await runCli(['-e', '--lang', 'en', '--demo', '-s', 'j', 'bob@example.org'], { input: 'x\n' });
    const port = /port (\d+) via relay/.exec(explained.stdout)![1];
    assert.match(explained.stdout, /^ +↳ Demo: mailv hands the message to its own server on 127\.0\.0\.1, which only shows it \(RFC 5321 §2\.3\.10\)$/m);
    assert.match(explained.stdout, new RegExp(`^ +↳ Port ${port}: a free one, taken at random; `, 'm'));
    assert.doesNotMatch(explained.stdout, /Submission|Relay:|not a standard SMTP port/);
    const dnsmasqMissing = await dnsmasqSkipReason();
    if (dnsmasqMissing) return t.skip(dnsmasqMissing);
    const mx = await runCli(['--json', '--mx', 'mx.test', '--dns', '127.0.0.1:5354']);
    const events = parseJsonLines(mx.stdout);
    const answer = events.find((event) => event['event'] === 'dns-answer')!;
    assert.equal(typeof answer['queryMs'], 'number');
    const plan = events.find((event) => event['event'] === 'mx-plan')!;
    assert.equal(plan['domain'], 'mx.test');
    assert.deepEqual(events.at(-1)!['status'], 0);
  });

  it('a usage error still ends with a result line', async () => {
    const run = await runCli(['--json', '--account', 'nope', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 78);
    assert.equal(parseJsonLines(run.stdout).at(-1)!['status'], 78);
    const unknown = await runCli(['-v', '--json', '--bogus', 'bob@example.org'], { input: 'x\n' });
    assert.equal(unknown.code, 64);
    assert.equal(parseJsonLines(unknown.stdout).at(-1)!['code'], 'MAILV_OPTION_UNKNOWN');
  });

  it('--json as the value of an option or after -- asks for nothing: the error is said as without it', async () => {
    // Before, any argument --json made the failed run's result JSON on standard output.
    for (const args of [
      ['-s', '--json', '--bogus', 'bob@example.org'],
      ['-vs', '--json', '--bogus'],
      ['--bogus', '--', '--json'],
      ['--server=--json', '--bogus'],
    ]) {
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 64, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
      assert.match(run.stderr, /^mailv: .*unknown option '--bogus'/, args.join(' '));
    }
    const replay = await runCli(['replay', '--diagram', '--json', '--bogus', 'x.jsonl']);
    assert.equal(replay.code, 64);
    assert.equal(replay.stdout, '');
  });

  it('contradicts -q, --explain, --timing, --step and --dry-run', async () => {
    for (const flag of ['-q', '--explain', '--timing', '--step', '--dry-run']) {
      const run = await runCli(['--json', flag, 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 64, flag);
      assert.match(run.stderr, /--json and .* contradict each other/);
    }
  });
});

describe('--timing', () => {
  it('stamps every line and sums up round trips, octets and steps, counts that match the server', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['--timing', '--server', `127.0.0.1:${server.port}`, '-s', 't', 'bob@example.org'], { input: 'timed\n' });
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      const dialogue = lines.filter((line) => !line.startsWith('Timing: '));
      for (const line of dialogue) assert.match(line, /^(\[ *\d+\.\d ms\] | {13})/, line);
      // TCP handshake, greeting, EHLO, MAIL+RCPT+DATA (pipelined), message+QUIT: 5 waits.
      const summary = lines.filter((line) => line.startsWith('Timing: '));
      assert.match(
        summary[0]!,
        new RegExp(`^Timing: 5 round trips \\(waits for the server\\), ${server.received().length} octets sent, \\d+ received, \\d+\\.\\d ms in all$`),
      );
      assert.match(summary[1]!, /^Timing: greeting \d+\.\d ms after the connection was made$/);
      assert.match(summary[2]!, /^Timing: connect \d+\.\d ms, greeting \d+\.\d ms, ehlo \d+\.\d ms, mail .*body \d+\.\d ms, quit \d+\.\d ms$/);
    } finally {
      await server.close();
    }
  });

  it('counts a refused connect as the connect step’s time, the only step there was', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const run = await runCli(['--timing', '--server', `127.0.0.1:${port}`, '-r', 'alice@example.org', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 75, run.stderr);
    assert.match(run.stdout, /^Timing: 0 round trips /m);
    assert.match(run.stdout, /^Timing: connect \d+\.\d ms$/m);
  });

  it('writes its figures with the decimal comma in French, the stamps as the summary', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['--timing', '--lang', 'fr', '--server', `127.0.0.1:${server.port}`, '-s', 't', 'bob@example.org'], { input: 'timed\n' });
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      for (const line of lines.filter((line) => !line.startsWith('Temps : '))) assert.match(line, /^(\[ *\d+,\d ms\] | {13})/, line);
      assert.match(lines.find((line) => line.startsWith('Temps : '))!, /, \d+,\d ms en tout$/);
    } finally {
      await server.close();
    }
  });
});

describe('-v: the message and the addresses before the dialogue', () => {
  it('the message with its size, and envelope against header, Bcc in the envelope only', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(
        ['-v', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'v', '-b', 'dave@example.org', 'bob@example.org'],
        { input: 'shown first\n' },
      );
      assert.equal(run.code, 0, run.stderr);
      const size = /^>>> MAIL From:<alice@example\.org> SIZE=(\d+)$/m.exec(run.stdout)![1];
      // ASCII: the size is the same for every server, 8BITMIME or not.
      assert.match(run.stdout, new RegExp(`^Message as generated: ${size} octets \\(what SIZE= announces\\):\\n  \\| Date: `));
      assert.match(run.stdout, /^ {2}\| shown first$/m);
      assert.doesNotMatch(run.stdout, /8-bit text/, 'plain ASCII: nothing to say of 8BITMIME');
      assert.match(run.stdout, /^ {2}dave@example\.org +RCPT To:<…> +\(none: Bcc, envelope only\) +command line$/m);
      assert.match(run.stdout, /^ {2}bob@example\.org +RCPT To:<…> +To: +command line$/m);
    } finally {
      await server.close();
    }
  });

  it('-v with 8-bit text: the preview says what a server without 8BITMIME gets instead', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['-v', '--server', `127.0.0.1:${server.port}`, '-s', 'v', 'bob@example.org'], { input: 'Café\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^Message as generated: \d+ octets \(what SIZE= announces to a server offering 8BITMIME\):\n {2}\(8-bit text, [^\n]*quoted-printable[^\n]*\)\n {2}\| Date: /m,
      );
    } finally {
      await server.close();
    }
  });

  it('-v -t with an 8-bit header alone, to a server offering neither 8BITMIME nor SMTPUTF8: said, and sent as it is, as Postfix and msmtp send it', async () => {
    const server = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 PIPELINING' } });
    try {
      const message = 'From: alice@example.org\nTo: bob@example.org\nSubject: Café\n\nplain text\n';
      const run = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], { input: message });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}\(8-bit text, [^\n]*with -t, an 8-bit body not at all and an 8-bit header as it is\)$/m);
      assert.match(run.stdout, /^>>> MAIL From:<alice@example\.org>$/m);
      assert.match(server.received().toString('utf8'), /^Subject: Café\r\n/m);
      // The same message with an 8-bit body is refused before it goes, as the note says (69).
      const body = await runCli(['-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], { input: `${message}Café\n` });
      assert.equal(body.code, 69, body.stderr);
    } finally {
      await server.close();
    }
  });

  it('-v names where the sender came from: $USER at this host, or the configuration file', async () => {
    const server = await startScriptedServer();
    try {
      const byUser = await runCli(['-v', '--server', `127.0.0.1:${server.port}`, '--config', '/dev/null', '-s', 'v', 'bob@example.org'], { input: 'x\n' });
      assert.equal(byUser.code, 0, byUser.stderr);
      assert.match(byUser.stdout, /^ {2}tester@\S+ +MAIL From:<…> +From: +\$USER at this host$/m);
      const home = freshHome();
      const config = join(home, 'mailv.conf');
      writeFileSync(config, 'from = Alice Martin <alice@example.org>\n', { mode: 0o600 });
      const byFile = await runCli(['-v', '--server', `127.0.0.1:${server.port}`, '--config', config, '-s', 'v', 'bob@example.org'], { input: 'x\n', home });
      assert.equal(byFile.code, 0, byFile.stderr);
      assert.match(byFile.stdout, /^ {2}alice@example\.org +MAIL From:<…> +From: +configuration file$/m);
    } finally {
      await server.close();
    }
  });

  it("-t: where each address came from, the message's Bcc not in its header", async () => {
    const server = await startScriptedServer();
    try {
      const message = 'From: alice@example.org\nTo: bob@example.org\nBcc: eve@example.org\nSubject: t\n\nbody\n';
      const run = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], { input: message });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}bob@example\.org +RCPT To:<…> +To: +the message's To:$/m);
      assert.match(run.stdout, /^ {2}eve@example\.org +RCPT To:<…> +\(none: Bcc, envelope only\) +the message's Bcc:$/m);
      assert.match(run.stdout, /^ {2}alice@example\.org +MAIL From:<…> +From: +command line$/m, 'the sender the header names too');
    } finally {
      await server.close();
    }
  });

  it('-H From:, To: and Cc: replace what the header shows: the table tells the envelope from the header as sent', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(
        [
          '-v',
          '--server',
          `127.0.0.1:${server.port}`,
          '-r',
          'alice@example.org',
          '-H',
          'From: Boss <boss@example.org>',
          '-H',
          'To: x@example.org',
          '-H',
          'Cc: y@example.org',
          'bob@example.org',
        ],
        { input: 'x\n' },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}\| From: Boss <boss@example\.org>$/m);
      assert.match(run.stdout, /^ {2}alice@example\.org +MAIL From:<…> +\(none: the header names another\) +command line$/m);
      assert.match(run.stdout, /^ {2}bob@example\.org +RCPT To:<…> +\(none: envelope only\) +command line$/m);
      for (const [address, field] of [
        ['boss', 'From'],
        ['x', 'To'],
        ['y', 'Cc'],
      ]) {
        assert.match(run.stdout, new RegExp(`^ {2}${address}@example\\.org +\\(none: header only\\) +${field}: +command line$`, 'm'));
      }
    } finally {
      await server.close();
    }
  });

  it('a blind copy a header names anyway is no blind copy: the table says which field shows it', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(
        ['-v', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-b', 'carol@example.org', '-c', 'carol@example.org', 'bob@example.org'],
        {
          input: 'x\n',
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}carol@example\.org +RCPT To:<…> +Cc: +command line$/m);
      assert.equal(run.stdout.match(/^ {2}carol@/gm)?.length, 1, 'one row for one envelope recipient');
    } finally {
      await server.close();
    }
  });

  it('-t without -r: the sender is $USER at this host, as without -t', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '--config', '/dev/null'], {
        input: 'To: bob@example.org\nSubject: t\n\nbody\n',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}tester@\S+ +MAIL From:<…> +From: +\$USER at this host$/m);
    } finally {
      await server.close();
    }
  });

  it('-t with a From: that names no mailbox (an empty group): the sender is not said to be in it', async () => {
    const server = await startScriptedServer();
    try {
      const message = 'From: undisclosed:;\nTo: bob@example.org\nSubject: t\n\nbody\n';
      const run = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], { input: message });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}alice@example\.org +MAIL From:<…> +\(none: the header names another\) +command line$/m);
    } finally {
      await server.close();
    }
  });

  it('-t with a From: that is not the envelope sender: two rows, each saying where it is not', async () => {
    const server = await startScriptedServer();
    try {
      const message = 'From: Carol <carol@example.org>\nTo: bob@example.org\nSubject: t\n\nbody\n';
      const run = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], { input: message });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {2}alice@example\.org +MAIL From:<…> +\(none: the header names another\) +command line$/m);
      assert.match(run.stdout, /^ {2}carol@example\.org +\(none: header only\) +From: +the message's From:$/m);
      // A From: mailv would not send to (a zero-width space in it) decides nothing: it is shown as it is.
      const unseen = await runCli(['-v', '-t', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org'], {
        input: message.replace('carol@', 'carol\u200b@'),
      });
      assert.equal(unseen.code, 0, unseen.stderr);
      assert.match(unseen.stdout, /^ {2}carol\u200b@example\.org +\(none: header only\) +From: +the message's From:$/m);
    } finally {
      await server.close();
    }
  });
});
