// Servers that misbehave or refuse: each fault gives its documented exit code, transcript and
// dead.letter, never a crash or a hang.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { freshHome, lines, MAILV, runCli, type CliResult, LOCAL_HOST, LOCAL_HOST_PATTERN } from '../helpers/cli.js';
import { startScriptedServer, type Script } from '../helpers/scripted-server.js';

async function sendThrough(
  script: Script,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult & { commands: string[]; received: string }> {
  const server = await startScriptedServer(script);
  try {
    const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', ...extra, 'bob@example.org'], { input: 'body\n', env });
    return { ...run, commands: server.commands, received: server.received().toString('latin1') };
  } finally {
    await server.close();
  }
}

const deadLetter = (run: CliResult) => existsSync(join(run.home, 'dead.letter'));

/** The first connection takes `limit` recipients and answers 452 to the rest; every later one is `second`. */
function limitThen(limit: number, second: Script): Script {
  let connections = 0;
  return {
    perConnection: () => {
      if (++connections > 1) return second;
      let taken = 0;
      return { replies: { RCPT: () => (++taken <= limit ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients') } };
    },
  };
}
/** The events of a --json run's stdout, one a line. */
function jsonEvents(stdout: string): { event: string; recipient?: string; outcome?: string; code?: string; stage?: string }[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; recipient?: string; outcome?: string; code?: string; stage?: string });
}
/**
 * A send to c and e through a server whose limit (1) moves e to a second transaction, which
 * `second` ends as a whole: the run ends `status` with the result `code` at `stage`, e `outcome`.
 */
async function laterRoundEnded(second: Script, code: string, stage: string, status: number, outcome: string): Promise<void> {
  const server = await startScriptedServer(limitThen(1, second));
  try {
    const run = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'c@example.org', 'e@example.org'], { input: 'body\n' });
    assert.equal(run.code, status, `${stage}: ${run.stderr}`);
    const events = jsonEvents(run.stdout);
    assert.deepEqual(
      events.filter((event) => event.event === 'recipient').map((event) => [event.recipient, event.outcome]),
      [
        ['c@example.org', 'sent'],
        ['e@example.org', outcome],
      ],
      stage,
    );
    const result = events.find((event) => event.event === 'result');
    assert.deepEqual([result?.code, result?.stage], [code, stage]);
    assert.ok(deadLetter(run), 'kept for e');
  } finally {
    await server.close();
  }
}
/** A server with PIPELINING and CHUNKING that answers each RCPT with `rcpt` and hangs up on BDAT LAST. */
function hangsUpOnBdat(rcpt: (line: string) => string): Script {
  return { replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING', RCPT: rcpt, 'BDAT LAST': { close: true } } };
}

describe('faults', () => {
  it('a 421 to the QUIT that left with the message: the verdict stands (0), with a warning, for 421 may answer anything', async () => {
    const run = await sendThrough({ replies: { QUIT: '421 4.3.2 Service shutting down' } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^bob@example\.org\.\.\. Sent \(Ok: queued as S1\)$/m);
    assert.ok(!deadLetter(run));
  });

  it("a refusal in QUIT's place after a message refused: the refusal stands, the shift is said in a warning", async () => {
    const run = await sendThrough({ replies: { '.': '554 5.7.1 Refused', QUIT: '554 5.5.1 Out of step' } });
    assert.equal(run.code, 69, run.stderr);
    assert.match(run.stdout, /^Warning: unexpected reply during quit: 554 5\.5\.1 Out of step$/m);
  });

  it('every recipient refused, the empty message tidied up with an RSET the server refuses: the refusals stand (67)', async () => {
    const run = await sendThrough({ replies: { RCPT: '550 5.1.1 No such user', '.': '554 5.5.1 No valid recipients', RSET: '503 5.5.1 Bad sequence' } });
    assert.equal(run.code, 67, run.stderr);
    assert.doesNotMatch(run.stderr, /unexpected reply/);
    assert.ok(run.commands.includes('QUIT'));
  });

  it('221 where the verdict on the message was due: the server closed without one, and may have it (75, kept)', async () => {
    const run = await sendThrough({ replies: { '.': { raw: '221 2.0.0 Bye\r\n', close: true } } });
    assert.equal(run.code, 75, run.stderr);
    assert.match(
      run.stderr,
      /^mailv: the server closed the session: 221 2\.0\.0 Bye after the whole message was sent: \[127\.0\.0\.1\] may have it, so it is not sent again$/m,
    );
    assert.ok(deadLetter(run));
  });

  it('one reply too many, the refusal then read as the reply to QUIT: never "sent" (75, kept), the verdict said to be in doubt', async () => {
    const script: Script = {
      replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING', MAIL: '250 2.1.0 Ok\r\n250 2.1.0 Ok', 'BDAT LAST': '554 5.7.1 Refused' },
    };
    const run = await sendThrough(script);
    assert.equal(run.code, 75, run.stderr);
    assert.match(
      run.stderr,
      /^mailv: where the reply to QUIT was due, the server sent 554 5\.7\.1 Refused, not 221: its replies were out of step with the commands, so this refusal may be the message’s own, and the verdict 250 2\.1\.5 Ok may have answered another command after the whole message was sent: \[127\.0\.0\.1\] may have it, so it is not sent again$/m,
    );
    assert.ok(deadLetter(run), 'kept in dead.letter');
    // With DATA the shifted reply lands on DATA, where only 354 may come: caught before the message left.
    const overData = await sendThrough(script, ['--body', 'data']);
    assert.equal(overData.code, 76, overData.stderr);
    assert.match(overData.stderr, /^mailv: unexpected reply during data: 250 2\.1\.5 Ok$/m);
    assert.ok(deadLetter(overData));
  });

  it('421 to STARTTLS is the server closing: 75, nothing more sent, above all no AUTH in plain text', async () => {
    const server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250-STARTTLS\r\n250-AUTH PLAIN\r\n250 PIPELINING', STARTTLS: '421 4.7.0 Closing now', AUTH: '235 2.7.0 Ok' },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '--user', 'bob', '-s', 'fault', 'bob@example.org'], {
        input: 'body\n',
        env: { MAILV_PASSWORD: 'Se-cret-9' },
      });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /^mailv: the server closed the session: 421 4\.7\.0 Closing now$/m);
      assert.deepEqual(
        server.commands.map((command) => command.split(' ')[0]),
        ['EHLO', 'STARTTLS'],
      );
      assert.doesNotMatch(run.stdout + run.stderr, /going on without TLS/);
      assert.ok(deadLetter(run));
    } finally {
      await server.close();
    }
  });

  it('a TLS handshake that fails: --tls off is suggested only where plain text would do, not under --tls required nor for a login', async () => {
    // STARTTLS answered 220, then plain text where the handshake's answer should be: in answer to the
    // handshake's first bytes, not on a timer a busy host might run before mailv starts it.
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.write('220 plain.test ESMTP\r\n');
      let buffered = '';
      let handshaking = false;
      socket.on('data', (chunk) => {
        if (handshaking) {
          if (!socket.writableEnded) socket.end('500 no TLS here\r\n');
          return;
        }
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
          const verb = buffered.slice(0, end).trim().split(' ')[0]!.toUpperCase();
          buffered = buffered.slice(end + 1);
          if (verb === 'EHLO') socket.write('250-plain.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n');
          else if (verb === 'STARTTLS') {
            socket.write('220 go\r\n');
            handshaking = true;
          } else socket.write('221 bye\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const send = (extra: string[]) =>
        runCli(['--server', `127.0.0.1:${port}`, '-s', 'fault', ...extra, 'bob@example.org'], { input: 'body\n', env: { MAILV_PASSWORD: 'Se-cret-9' } });
      const plain = await send([]);
      assert.equal(plain.code, 75, plain.stderr);
      assert.match(plain.stderr, /^mailv: TLS handshake with .* failed: .* \(--tls off sends without TLS\)$/m);
      for (const extra of [
        ['--tls', 'required'],
        ['--user', 'bob'],
      ]) {
        const run = await send(extra);
        assert.equal(run.code, 75, run.stderr);
        assert.match(run.stderr, /^mailv: TLS handshake with .* failed: /m, extra.join(' '));
        assert.doesNotMatch(run.stderr, /--tls off/, extra.join(' '));
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a reply in Latin-1 shows its octets as they came (\\xe9) in the transcript; --json, read by other parsers, has U+FFFD there', async () => {
    const script: Script = { greeting: { raw: Buffer.from([...Buffer.from('220 mx.example caf'), 0xe9, ...Buffer.from(' ESMTP\r\n')]) } };
    const shown = await sendThrough(script, ['--quit-after', 'greeting']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^220 mx\.example caf\\xe9 ESMTP$/m);
    const server = await startScriptedServer(script);
    try {
      const json = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '--quit-after', 'greeting'], { input: '' });
      const greeting = lines(json.stdout)
        .map((line) => JSON.parse(line) as { event: string; stage?: string; raw?: string[] })
        .find((event) => event.event === 'reply' && event.stage === 'greeting');
      assert.deepEqual(greeting?.raw, ['220 mx.example caf\ufffd ESMTP']);
      assert.doesNotMatch(json.stdout, /udce9/);
    } finally {
      await server.close();
    }
  });

  it("452 past the server's limit of recipients a message: those go in another transaction, as many as it takes (RFC 5321 §4.5.3.1.10)", async () => {
    // Three recipients a transaction; the rest get 452 4.5.3, as Postfix past smtpd_recipient_limit.
    const script: Script = {
      perConnection: () => {
        let taken = 0;
        return {
          replies: {
            MAIL: () => {
              taken = 0;
              return '250 2.1.0 Ok';
            },
            RCPT: () => (++taken > 3 ? '452 4.5.3 Error: too many recipients' : '250 2.1.5 Ok'),
          },
        };
      },
    };
    const server = await startScriptedServer(script);
    try {
      const recipients = Array.from({ length: 8 }, (_, index) => `r${index + 1}@example.org`);
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'many', ...recipients], { input: 'body\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      const rcpts = server.commands.filter((command) => command.startsWith('RCPT')).map((command) => /<(.*)>/.exec(command)![1]);
      // 8, then the 5 turned away, then the 2 turned away again: each delivered once.
      assert.deepEqual(rcpts, [...recipients, ...recipients.slice(3), ...recipients.slice(6)]);
      assert.equal(server.commands.filter((command) => command.startsWith('MAIL')).length, 3);
      for (const recipient of recipients) assert.match(run.stdout, new RegExp(`^${recipient}\\.\\.\\. Sent \\(`, 'm'));
      assert.match(run.stdout, /^5 recipients past the server's limit for one message \(452\): sent in another transaction once this one is accepted/m);
    } finally {
      await server.close();
    }
  });

  it('452 to every recipient of the second transaction too: no progress, they are deferred, 75, the others delivered once', async () => {
    let connections = 0;
    const script: Script = {
      perConnection: () => {
        const first = ++connections === 1;
        let taken = 0;
        return { replies: { RCPT: () => (first && ++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients') } };
      },
    };
    const server = await startScriptedServer(script);
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'many', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to b@example\.org: 452 4\.5\.3 Error: too many recipients$/m);
      assert.equal(server.commands.filter((command) => command.startsWith('MAIL')).length, 2);
      assert.equal(connections, 2);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 ended by a 421 greeting: its recipients deferred by that 421, not by the 452 that moved them', async () => {
    const server = await startScriptedServer(limitThen(2, { greeting: '421 4.3.2 busy now' }));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org', 'c@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to c@example\.org: 421 4\.3\.2 busy now$/m);
      assert.doesNotMatch(run.stderr, /452/);
      assert.doesNotMatch(run.stdout, /^c@example\.org\.\.\. Deferred \(452/m);
      // Said once, on the connection's own line, as a send of one transaction says it.
      assert.deepEqual(
        run.stdout.split('\n').filter((line) => line.includes('Deferred')),
        ['c@example.org... Deferred: 421 4.3.2 busy now'],
      );
    } finally {
      await server.close();
    }
  });

  it('the second transaction turns some away by the limit again, then the server ends it with a 421: the 421 is theirs too, said once', async () => {
    let taken = 0;
    const server = await startScriptedServer(
      limitThen(1, { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients'), '.': '421 4.3.2 busy now' } }),
    );
    try {
      const recipients = ['a@example.org', 'b@example.org', 'c@example.org', 'd@example.org'];
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', ...recipients], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.deepEqual(
        run.stdout.split('\n').filter((line) => line.includes('Deferred')),
        ['b@example.org,c@example.org,d@example.org... Deferred: 421 4.3.2 busy now'],
      );
      for (const recipient of ['b', 'c', 'd'])
        assert.match(run.stderr, new RegExp(`^mailv: not delivered to ${recipient}@example\\.org: 421 4\\.3\\.2 busy now$`, 'm'));
      assert.doesNotMatch(run.stderr, /452/);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 loses its connection after the whole message: the server may have it, said of its recipients, 75, no word of the 452', async () => {
    const server = await startScriptedServer(limitThen(1, { replies: { '.': { close: true } } }));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^a@example\.org\.\.\. Sent \(/m);
      assert.equal(
        run.stderr,
        'mailv: b@example.org: connection closed by the server during body after the whole message was sent: [127.0.0.1] may have it, so it is not sent again\n' +
          `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
      );
      assert.doesNotMatch(run.stdout, /^b@example\.org\.\.\. (?!Connecting)/m);
    } finally {
      await server.close();
    }
    const again = await startScriptedServer(limitThen(1, { replies: { '.': { close: true } } }));
    try {
      const record = join(freshHome(), 'run.jsonl');
      const json = await runCli(['--json', '--record', record, '--server', `127.0.0.1:${again.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], {
        input: 'body\n',
      });
      const result = JSON.parse(lines(json.stdout).at(-1)!) as { event: string; status: number; code: string };
      assert.deepEqual([result.event, result.status, result.code], ['result', 75, 'MAILV_UNCONFIRMED']);
      // --json names them too, in an event of their own; a replay of the record gives it again, and explains it.
      const unsettled = (stdout: string) =>
        lines(stdout)
          .map((line) => JSON.parse(line) as { event: string; recipients?: string[]; error?: { code: string } })
          .filter((event) => event.event === 'unsettled')
          .map((event) => [event.recipients, event.error?.code]);
      assert.deepEqual(unsettled(json.stdout), [[['b@example.org'], 'MAILV_UNCONFIRMED']]);
      const replayed = await runCli(['replay', '--json', record]);
      assert.deepEqual(unsettled(replayed.stdout), [[['b@example.org'], 'MAILV_UNCONFIRMED']]);
      const explained = await runCli(['replay', '--explain', record]);
      assert.match(explained.stdout, /↳ No verdict came: .*could arrive twice \(RFC 1047\)$/m);
    } finally {
      await again.close();
    }
  });

  it('the only transaction loses its connection after the whole message: --json names the recipients it left without a verdict, those refused or deferred at RCPT apart', async () => {
    const server = await startScriptedServer({
      replies: {
        RCPT: (line) => (line.includes('<c@') ? '450 4.2.0 busy' : line.includes('<d@') ? '550 5.1.1 unknown' : '250 2.1.5 Ok'),
        '.': { close: true },
      },
    });
    try {
      const record = join(freshHome(), 'run.jsonl');
      const args = [
        '--json',
        '--record',
        record,
        '--server',
        `127.0.0.1:${server.port}`,
        '-s',
        'x',
        'a@example.org',
        'b@example.org',
        'c@example.org',
        'd@example.org',
      ];
      const json = await runCli(args, { input: 'body\n' });
      const events = lines(json.stdout).map(
        (line) => JSON.parse(line) as { event: string; recipients?: string[]; recipient?: string; error?: { code: string }; code?: string },
      );
      assert.deepEqual(events.at(-1)!.code, 'MAILV_REFUSED_THEN_FAILED');
      // Before, a and b, who may have the message, were named by no event.
      const unsettled = events.filter((event) => event.event === 'unsettled');
      assert.deepEqual(
        unsettled.map((event) => [event.recipients, event.error?.code]),
        [[['a@example.org', 'b@example.org'], 'MAILV_UNCONFIRMED']],
      );
      assert.deepEqual(
        events.filter((event) => event.event === 'recipient').map((event) => event.recipient),
        ['c@example.org', 'd@example.org'],
      );
      const replayed = await runCli(['replay', '--json', record]);
      assert.deepEqual(
        lines(replayed.stdout)
          .map((line) => JSON.parse(line) as { event: string; recipients?: string[] })
          .filter((event) => event.event === 'unsettled')
          .map((event) => event.recipients),
        [['a@example.org', 'b@example.org']],
      );
    } finally {
      await server.close();
    }
  });

  it('a first transaction that turned one away by the limit, then lost its connection after the message: that one deferred by its 452 (never in it), only the accepted one may have it, 75', async () => {
    let taken = 0;
    const server = await startScriptedServer({
      replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients'), '.': { close: true } },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^b@example\.org\.\.\. Deferred \(452 4\.5\.3 Error: too many recipients\)$/m);
      assert.match(
        run.stderr,
        /^mailv: a@example\.org: connection closed by the server during body after the whole message was sent: \[127\.0\.0\.1\] may have it/m,
      );
      assert.doesNotMatch(run.stderr, /b@example\.org[:,].*may have it/);
      // Nobody got it for sure: b is not tried again on its own.
      assert.equal(server.commands.filter((command) => command.startsWith('MAIL')).length, 1);
    } finally {
      await server.close();
    }
  });

  it('with CHUNKING, a first transaction that turned one away by the limit, then hung up on BDAT LAST: that one deferred by its 452, only the accepted one may have it', async () => {
    let taken = 0;
    const server = await startScriptedServer({
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING',
        RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients'),
        'BDAT LAST': { close: true },
      },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org', 'c@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.ok(
        server.commands.some((command) => command.startsWith('BDAT')),
        server.commands.join(', '),
      );
      for (const moved of ['b', 'c'])
        assert.match(run.stdout, new RegExp(`^${moved}@example\\.org\\.\\.\\. Deferred \\(452 4\\.5\\.3 Error: too many recipients\\)$`, 'm'));
      assert.match(
        run.stderr,
        /^mailv: a@example\.org: connection closed by the server during body after the whole message was sent: \[127\.0\.0\.1\] may have it/m,
      );
      assert.doesNotMatch(run.stderr, /[bc]@example\.org[:,].*may have it/);
    } finally {
      await server.close();
    }
  });

  it('with CHUNKING, a recipient put off at RCPT (450) before the server hung up on BDAT LAST is deferred by its 450, not among those that may have it', async () => {
    const server = await startScriptedServer(hangsUpOnBdat((line) => (line.includes('b@') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok')));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^b@example\.org\.\.\. Deferred \(450 4\.2\.0 Greylisted\)$/m);
      assert.match(run.stderr, /^mailv: not delivered to b@example\.org: 450 4\.2\.0 Greylisted$/m);
      assert.match(run.stderr, /connection closed by the server during body after the whole message was sent: \[127\.0\.0\.1\] may have it/);
      assert.doesNotMatch(run.stderr, /b@example\.org[:,][^\n]*may have it/);
    } finally {
      await server.close();
    }
  });

  it("with CHUNKING, every recipient put off at RCPT and then a hang-up on BDAT LAST: the server has nobody's message, each is deferred by its 450", async () => {
    const server = await startScriptedServer(hangsUpOnBdat(() => '450 4.2.0 Greylisted'));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      for (const name of ['a', 'b']) assert.match(run.stderr, new RegExp(`^mailv: not delivered to ${name}@example\\.org: 450 4\\.2\\.0 Greylisted$`, 'm'));
      assert.doesNotMatch(run.stderr, /may have it/);
      // Each said once, by its own 450; the hang-up is no one's loss, said in the goodbye's place.
      assert.deepEqual(
        run.stdout.split('\n').filter((line) => line.includes('Deferred')),
        ['a@example.org... Deferred (450 4.2.0 Greylisted)', 'b@example.org... Deferred (450 4.2.0 Greylisted)'],
      );
      assert.match(
        run.stdout,
        /^b@example\.org\.\.\. Deferred \(450 4\.2\.0 Greylisted\)\nClosing connection to \[127\.0\.0\.1\]\nWarning: connection closed by the server during body, every recipient refused or put off: the message was no one's$/m,
      );
      assert.doesNotMatch(run.stderr, /connection closed/);
      const json = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(json.code, 75, json.stderr);
      const result = json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; code?: string; stage?: string })
        .find((event) => event.event === 'result');
      assert.deepEqual([result?.code, result?.stage], ['MAILV_RECIPIENTS_DEFERRED', 'rcpt'], json.stdout);
    } finally {
      await server.close();
    }
  });

  it('with CHUNKING, one recipient refused and one put off at RCPT, then a hang-up on BDAT LAST: 67, each by its own reply, the hang-up a warning', async () => {
    const server = await startScriptedServer(hangsUpOnBdat((line) => (line.includes('<a@') ? '550 5.1.1 No such user' : '450 4.2.0 Greylisted')));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stdout, /^a@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m);
      assert.match(run.stdout, /^b@example\.org\.\.\. Deferred \(450 4\.2\.0 Greylisted\)$/m);
      assert.match(run.stdout, /^Warning: connection closed by the server during body, every recipient refused or put off: the message was no one's$/m);
      assert.equal(run.stdout.match(/b@example\.org/g)?.length, 3, 'connecting, its RCPT, then its own verdict once');
      assert.doesNotMatch(run.stderr, /connection closed|may have it/);
    } finally {
      await server.close();
    }
  });

  it('every recipient put off, then a hang-up at the empty message a 354 asked for: each by its own 450 (75), the hang-up a warning', async () => {
    // With PIPELINING, DATA leaves with the RCPTs; a server that answers it 354 gets a lone dot.
    const server = await startScriptedServer({ replies: { RCPT: '450 4.2.0 Greylisted', '.': { close: true } } });
    try {
      const run = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      const events = jsonEvents(run.stdout);
      assert.deepEqual(
        events.filter((event) => event.event === 'recipient').map((event) => [event.recipient, event.outcome]),
        [
          ['a@example.org', 'deferred'],
          ['b@example.org', 'deferred'],
        ],
      );
      assert.ok(run.stdout.includes('"note":{"code":"hung-up-for-no-one"'), run.stdout);
      const result = events.find((event) => event.event === 'result');
      assert.deepEqual([result?.code, result?.stage], ['MAILV_RECIPIENTS_DEFERRED', 'rcpt'], run.stdout);
      assert.ok(server.commands.includes('.') || server.received().toString('latin1').includes('\r\n.\r\n'), 'the lone dot was sent');
    } finally {
      await server.close();
    }
  });

  it("every recipient put off, then silence where the reply to DATA was due: each by its own 450, the time limit the run's failure (75)", async () => {
    const server = await startScriptedServer({ replies: { RCPT: '450 4.2.0 Greylisted', DATA: { silent: true } } });
    try {
      const run = await runCli(['--timeout', '1', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      for (const name of ['a', 'b']) assert.match(run.stdout, new RegExp(`^${name}@example\\.org\\.\\.\\. Deferred \\(450 4\\.2\\.0 Greylisted\\)$`, 'm'));
      // Their own replies, not the silence, put them off; the silence is said once, as the run's failure.
      assert.doesNotMatch(run.stdout, /Deferred: /);
      assert.match(run.stderr, /^mailv: timed out after 1 s waiting for the reply \(data\)$/m);
      assert.doesNotMatch(run.stdout, /no one's/);
    } finally {
      await server.close();
    }
  });

  it('with CHUNKING, every recipient refused or put off at RCPT, then a reset while the message was still being written: each by its own reply (67), the reset a warning', async () => {
    // Replies read, then the server resets the connection at the first of several chunks: BDAT LAST never leaves.
    const server = await startScriptedServer({
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-SIZE 100000000\r\n250 CHUNKING',
        RCPT: (line) => (line.includes('<a@') ? '550 5.1.1 No such user' : '450 4.2.0 Greylisted'),
        BDAT: { raw: '', abort: true },
      },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org'], {
        input: `${'x'.repeat(76)}\n`.repeat(60_000),
      });
      assert.equal(run.code, 67, run.stderr);
      assert.ok(!server.commands.some((command) => /^BDAT \d+ LAST/i.test(command)), 'the reset came before the last chunk');
      assert.match(run.stdout, /^a@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m);
      // b's own 450 is its verdict, not the connection lost under a message it was never in. The loss is
      // seen at a chunk before the last (data) or at the last (body), as the writes and the reset meet.
      assert.match(
        run.stdout,
        /^b@example\.org\.\.\. Deferred \(450 4\.2\.0 Greylisted\)\nClosing connection to \[127\.0\.0\.1\]\nWarning: connection (closed by the server|reset by the server|lost \(EPIPE\)) during (data|body), every recipient refused or put off: the message was no one's$/m,
      );
      assert.doesNotMatch(run.stdout, /Deferred: /);
      assert.match(run.stderr, /^mailv: not delivered to b@example\.org: 450 4\.2\.0 Greylisted$/m);
      assert.doesNotMatch(run.stderr, /connection (reset|lost)/);
      assert.ok(deadLetter(run));
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 turns one away by the limit again, then loses its connection after the message: that one deferred by its 452, only the other may have it', async () => {
    let connections = 0;
    const server = await startScriptedServer({
      perConnection: () => {
        const first = ++connections === 1;
        let taken = 0;
        return {
          replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Error: too many recipients'), ...(first ? {} : { '.': { close: true } }) },
        };
      },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org', 'c@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^c@example\.org\.\.\. Deferred \(452 4\.5\.3 Error: too many recipients\)$/m);
      assert.match(
        run.stderr,
        /^mailv: b@example\.org: connection closed by the server during body after the whole message was sent: \[127\.0\.0\.1\] may have it/m,
      );
      assert.doesNotMatch(run.stderr, /c@example\.org[:,].*may have it/);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 loses its connection at RCPT, after a refusal for good in the first: 67, the loss said once, the refused one named apart', async () => {
    let connections = 0;
    const script: Script = {
      perConnection: () => {
        if (++connections > 1) return { replies: { RCPT: { close: true } } };
        return {
          replies: {
            RCPT: (line) => (line.includes('<a@') ? '250 2.1.5 Ok' : line.includes('<b@') ? '550 5.1.1 No such user' : '452 4.5.3 Error: too many recipients'),
          },
        };
      },
    };
    const server = await startScriptedServer(script);
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org', 'c@example.org'], { input: 'body\n' });
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stdout, /^b@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m);
      assert.match(run.stderr, /^mailv: c@example\.org: connection closed by the server during rcpt/m);
      assert.equal(run.stderr.match(/connection closed/g)?.length, 1, run.stderr);
      // c is put off once, by the loss ("Deferred: …" where the verdict would be), never by the 452.
      assert.equal(run.stdout.match(/Deferred/g)?.length, 1, run.stdout);
      assert.doesNotMatch(run.stdout, /Deferred \(452/);
      assert.doesNotMatch(run.stderr, /452/);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 refuses one for good, then its message for now: that one refused once, with its own reply, the other deferred by the 451, 67', async () => {
    const second: Script = {
      replies: { RCPT: (line) => (line.includes('<d@') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'), '.': '451 4.3.0 Try again later' },
    };
    const server = await startScriptedServer(limitThen(1, second));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'c@example.org', 'd@example.org', 'e@example.org'], { input: 'body\n' });
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to d@example\.org: 550 5\.1\.1 No such user$/m);
      assert.match(run.stderr, /^mailv: not delivered to e@example\.org: 451 4\.3\.0 Try again later$/m);
      // d is named once, by its own refusal; neither is put off by the 452 that moved them.
      assert.equal(run.stderr.match(/d@example\.org/g)?.length, 1, run.stderr);
      assert.doesNotMatch(run.stderr + run.stdout, /Deferred \(452|: 452 /);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 refuses one for good, then its message for good (554): both refused, each once, with its own reply, 69 as in one transaction', async () => {
    const second: Script = { replies: { RCPT: (line) => (line.includes('<d@') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'), '.': '554 5.6.0 Refused' } };
    const server = await startScriptedServer(limitThen(1, second));
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'c@example.org', 'd@example.org', 'e@example.org'], { input: 'body\n' });
      // A refusal for good after one at RCPT decides, as a 554 to the message after a 550 does in one transaction.
      assert.equal(run.code, 69, run.stderr);
      assert.match(run.stdout, /^d@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m);
      assert.match(run.stdout, /^e@example\.org\.\.\. Refused \(554 5\.6\.0 Refused\)$/m);
      assert.equal(run.stderr.match(/d@example\.org/g)?.length, 1, run.stderr);
      // The 452 that moved them to the second transaction is no verdict on either.
      assert.doesNotMatch(run.stderr, /452/);
      assert.doesNotMatch(run.stdout, /Deferred \(452/);
    } finally {
      await server.close();
    }
  });

  it('the second transaction after a 452 refused as a whole (a 5xx to its greeting, MAIL, DATA or message), none at RCPT: that refusal decides, 69, as it would alone', async () => {
    for (const [second, code, stage] of [
      [{ greeting: '554 5.7.1 Go away' }, 'MAILV_GREETING_REFUSED', 'greeting'],
      [{ replies: { MAIL: '553 5.1.8 Sender refused' } }, 'MAILV_SENDER_REFUSED', 'mail'],
      [{ replies: { DATA: '554 5.5.1 No' } }, 'MAILV_DATA_REFUSED', 'data'],
      [{ replies: { '.': '554 5.6.0 Refused' } }, 'MAILV_MESSAGE_REFUSED', 'body'],
    ] as const) {
      await laterRoundEnded(second, code, stage, 69, 'refused');
    }
  });

  it('the second transaction after a 452 put off as a whole (a 4xx to its greeting, MAIL, DATA or message): that reply decides, 75, as it would alone; after a 550 at RCPT, 67', async () => {
    for (const [second, code, stage] of [
      [{ greeting: '451 4.3.2 Busy' }, 'MAILV_GREETING_REFUSED', 'greeting'],
      [{ replies: { MAIL: '451 4.3.0 Sender later' } }, 'MAILV_SENDER_REFUSED', 'mail'],
      [{ replies: { DATA: '451 4.3.0 Not now' } }, 'MAILV_DATA_REFUSED', 'data'],
      [{ replies: { '.': '451 4.3.0 Try again later' } }, 'MAILV_MESSAGE_REFUSED', 'body'],
    ] as const) {
      await laterRoundEnded(second, code, stage, 75, 'deferred');
    }
    // A recipient refused for good at RCPT in the first transaction: trying again cannot help it (67).
    let connections = 0;
    const server = await startScriptedServer({
      perConnection: () =>
        ++connections === 1
          ? { replies: { RCPT: (line) => (line.includes('<c@') ? '250 2.1.5 Ok' : line.includes('<d@') ? '550 5.1.1 No such user' : '452 4.5.3 Too many') } }
          : { greeting: '451 4.3.2 Busy' },
    });
    try {
      const run = await runCli(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'c@example.org', 'd@example.org', 'e@example.org'], {
        input: 'body\n',
      });
      assert.equal(run.code, 67, run.stderr);
      const result = jsonEvents(run.stdout).find((event) => event.event === 'result');
      assert.equal(result?.stage, 'greeting', run.stdout);
    } finally {
      await server.close();
    }
  });

  it('over LMTP, a first transaction that lost one recipient after the message, then a later one refused as a whole (554 to DATA): that refusal decides, 69, before the loss for now', async () => {
    let connections = 0;
    const lhlo = '250-lmtp.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES';
    const server = await startScriptedServer({
      greeting: '220 lmtp.test LMTP',
      perConnection: () =>
        ++connections === 1
          ? {
              replies: {
                LHLO: lhlo,
                RCPT: (line) => (line.includes('<c@') ? '452 4.5.3 Too many recipients' : '250 2.1.5 Ok'),
                // a's reply after the message, then a hang-up: b is left without one.
                '.': { raw: '250 2.0.0 <a@example.org> Saved\r\n', close: true },
              },
            }
          : { replies: { LHLO: lhlo, DATA: '554 5.7.1 No data for you' } },
    });
    try {
      const run = await runCli(['--json', '--server', `lmtp://127.0.0.1:${server.port}`, '-s', 'x', 'a@example.org', 'b@example.org', 'c@example.org'], {
        input: 'body\n',
      });
      assert.equal(run.code, 69, run.stderr);
      const result = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; code?: string; stage?: string })
        .find((event) => event.event === 'result');
      assert.deepEqual([result?.code, result?.stage], ['MAILV_DATA_REFUSED', 'data'], run.stdout);
      assert.ok(deadLetter(run));
    } finally {
      await server.close();
    }
  });

  it('greeting 421: temporary, 75, message kept, and no QUIT to a server that is closing (RFC 5321 §3.8)', async () => {
    const run = await sendThrough({ greeting: '421 4.3.2 Too busy, try later' });
    assert.equal(run.code, 75);
    assert.match(run.stderr, /^mailv: the server refused the connection: 421 4\.3\.2 Too busy, try later$/m);
    assert.deepEqual(run.commands, []);
    assert.doesNotMatch(run.stdout, /no reply to QUIT|Closing connection/);
    assert.ok(deadLetter(run));
  });

  it('421 to EHLO, AUTH or MAIL: the server is closing, no QUIT follows and none is waited for (RFC 5321 §3.8); at MAIL it is no refusal of the sender', async () => {
    const ehlo = await sendThrough({ replies: { EHLO: '421 4.3.2 Shutting down' } });
    const auth = await sendThrough({ replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: '421 4.3.0 Bye' } }, ['--user', 'alice'], {
      MAILV_PASSWORD: 'Secret-pw-1',
    });
    const mail = await sendThrough({ replies: { MAIL: '421 4.4.5 Too busy' } });
    assert.match(mail.stderr, /^mailv: the server closed the session before taking the sender <\S+>: 421 4\.4\.5 Too busy$/m);
    for (const [run, said] of [
      [ehlo, 'mailv: the server closed the session at EHLO: 421 4.3.2 Shutting down'],
      [auth, 'mailv: the server closed the session during the authentication of alice with PLAIN: 421 4.3.0 Bye'],
    ] as const) {
      assert.equal(run.code, 75, run.stderr);
      assert.equal(run.stderr.split('\n')[0], said);
      assert.ok(!run.commands.includes('QUIT'), run.commands.join(', '));
      assert.doesNotMatch(run.stdout, /no reply to QUIT|>>> QUIT/);
      assert.ok(deadLetter(run));
    }
  });

  it('greeting 554: permanent, 69', async () => {
    const run = await sendThrough({ greeting: '554 5.7.1 No service for you' });
    assert.equal(run.code, 69);
    assert.ok(deadLetter(run));
  });

  it('a reply that is not SMTP: protocol error, 76', async () => {
    const run = await sendThrough({ greeting: { raw: 'HTTP/1.1 400 Bad Request\r\n\r\n', close: true } });
    assert.equal(run.code, 76);
    assert.match(run.stderr, /^mailv: protocol error during greeting: malformed reply: "HTTP\/1\.1 400 Bad Request"$/m);
    assert.ok(deadLetter(run));
  });

  it('a multi-line reply with mismatched codes: protocol error, 76', async () => {
    const run = await sendThrough({ replies: { EHLO: '250-scripted.test\r\n251 PIPELINING' } });
    assert.equal(run.code, 76);
    assert.match(run.stderr, /mixes codes 250 and 251/);
  });

  it("a malformed reply read together with good ones: the good ones answer their commands, the fault is the next command's, 76", async () => {
    // The replies to MAIL and RCPT come in one write with a bad one to DATA, as a server that
    // gathers its replies to pipelined commands sends them.
    const together = { raw: '250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\nhello there garbage\r\n' };
    const run = await sendThrough({ replies: { MAIL: { silent: true }, RCPT: { silent: true }, DATA: together } });
    assert.equal(run.code, 76, run.stderr);
    assert.match(run.stdout, /^250 2\.1\.0 Sender ok\n250 2\.1\.5 Recipient ok$/m);
    assert.match(run.stderr, /^mailv: protocol error during data: malformed reply: "hello there garbage"$/m);
    assert.doesNotMatch(run.stdout, /Sent \(/);
    assert.ok(deadLetter(run));
  });

  it('a reply before its command was sent: protocol error, 76, never taken for success', async () => {
    const run = await sendThrough({ replies: { DATA: '354 go ahead\r\n250 2.0.0 Ok: queued as FAKE' } });
    assert.equal(run.code, 76);
    assert.match(run.stderr, /^mailv: protocol error during \w+: reply received before any command asked for it: "250 2\.0\.0 Ok: queued as FAKE"$/m);
    assert.doesNotMatch(run.stdout, /Sent \(/);
    assert.ok(deadLetter(run));
  });

  it('a flood of replies nobody asked for stops at once', async () => {
    const run = await sendThrough({ replies: { EHLO: `250 scripted.test\r\n${'250 flood\r\n'.repeat(100_000)}` } });
    assert.equal(run.code, 76);
    assert.match(run.stderr, /reply received before any command asked for it/);
  });

  it('a 2xx where a refusal or 220 was due: protocol error, 76', async () => {
    const greeting = await sendThrough({ greeting: '250 hello' });
    assert.equal(greeting.code, 76);
    assert.match(greeting.stderr, /^mailv: unexpected reply during greeting: 250 hello$/m);
    const data = await sendThrough({ replies: { DATA: '250 2.0.0 fine' } });
    assert.equal(data.code, 76);
  });

  it('a message never answered, its QUIT answered 221: no verdict, the server may have it (75), never "Sent (Bye)", over DATA and BDAT, once or under load', async () => {
    const CHUNKING = '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING';
    // QUIT leaves in the write of the message's end: the 221 is the first reply the message gets.
    for (const replies of [{ '.': { silent: true } as const }, { EHLO: CHUNKING, 'BDAT LAST': { silent: true } as const }]) {
      const how = 'EHLO' in replies ? 'BDAT' : 'DATA';
      const once = await sendThrough({ replies });
      assert.equal(once.code, 75, `${how}: ${once.stderr}`);
      assert.match(once.stderr, /^mailv: the server closed the session: 221 2\.0\.0 Bye after the whole message was sent: \[127\.0\.0\.1\] may have it/m, how);
      assert.doesNotMatch(once.stdout, /Sent \(/, how);
      assert.ok(deadLetter(once), how);
      const load = await sendThrough({ replies }, ['--count', '3', '--per-connection', '1', '--json']);
      assert.equal(load.code, 75, `${how}: ${load.stderr}`);
      assert.match(load.stdout, /"accepted":0,"failed":3,"refused":0,"deferred":3,/, how);
    }
  });

  it('a 421 to one RCPT, one command at a time: the server closing ends the transaction for all, nothing follows it, 75, kept', async () => {
    const NO_PIPELINING = '250-scripted.test\r\n250-8BITMIME\r\n250 SIZE 1000000';
    const server = await startScriptedServer({
      replies: { EHLO: NO_PIPELINING, RCPT: (line) => (line.includes('carol') ? '421 4.3.2 Closing' : '250 2.1.5 Ok') },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'bob@example.org', 'carol@example.org', 'dave@example.org'], {
        input: 'body\n',
      });
      assert.equal(run.code, 75, run.stderr);
      assert.deepEqual(
        server.commands.filter((command) => !command.startsWith('EHLO')).map((command) => command.replace(/ SIZE=\d+$/, '')),
        [`MAIL From:<tester@${LOCAL_HOST}>`, 'RCPT To:<bob@example.org>', 'RCPT To:<carol@example.org>'],
      );
      assert.doesNotMatch(run.stdout, /no reply to QUIT|>>> QUIT/);
      // Not carol refused and bob's DATA refused by a 421 it never got: the server said it was closing.
      assert.match(
        run.stderr,
        /^mailv: the server closed the session at the recipient <carol@example\.org>: 421 4\.3\.2 Closing\nmailv: the message was saved in .*dead\.letter\n$/,
      );
    } finally {
      await server.close();
    }
  });

  it('a 550 to one RCPT, then a 421 to the next: the refusal for good is still said, the rest deferred by the closing, 67', async () => {
    const server = await startScriptedServer({
      replies: { RCPT: (line) => (line.includes('bob') ? '550 5.1.1 No such user' : line.includes('carol') ? '421 4.3.2 Closing' : '250 2.1.5 Ok') },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'bob@example.org', 'carol@example.org'], { input: 'body\n' });
      // Trying again cannot help bob: 67 (the 421 alone would be 75).
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to bob@example\.org: 550 5\.1\.1 No such user$/m);
      assert.match(run.stderr, /^mailv: the server closed the session at the recipient <carol@example\.org>: 421 4\.3\.2 Closing$/m);
    } finally {
      await server.close();
    }
  });

  it('a recipient refused for good, then the rest failed for now: 67 whatever failed (75 alone), a 5xx after it stays 69, the failure said as it would be alone', async () => {
    const cases = [
      { dot: '451 4.3.0 Try again later', status: 67, said: /^mailv: the server did not accept the message: 451 4\.3\.0 Try again later$/m },
      {
        dot: { close: true } as const,
        status: 67,
        said: /^mailv: connection closed by the server during body after the whole message was sent: \[127\.0\.0\.1\] may have it, so it is not sent again$/m,
      },
      { dot: '554 5.6.0 Refused', status: 69, said: /^mailv: the server did not accept the message: 554 5\.6\.0 Refused$/m },
    ];
    for (const { dot, status, said } of cases) {
      const server = await startScriptedServer({ replies: { RCPT: (line) => (line.includes('bob') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'), '.': dot } });
      try {
        const args = ['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'bob@example.org', 'carol@example.org'];
        const run = await runCli(args, { input: 'body\n' });
        assert.equal(run.code, status, run.stderr);
        assert.match(run.stderr, /^mailv: not delivered to bob@example\.org: 550 5\.1\.1 No such user$/m);
        assert.match(run.stderr, said);
        // Named once, on its own line: the failure after it does not name it again.
        assert.equal(run.stderr.match(/bob@example\.org/g)?.length, 1, run.stderr);
        const json = await runCli([...args, '--json'], { input: 'body\n' });
        const result = JSON.parse(lines(json.stdout).at(-1)!) as Record<string, unknown>;
        assert.deepEqual([result.status, result.code], [status, status === 67 ? 'MAILV_REFUSED_THEN_FAILED' : 'MAILV_MESSAGE_REFUSED']);
      } finally {
        await server.close();
      }
    }
    // Without a refusal for good, the same failure is 75.
    const server = await startScriptedServer({ replies: { '.': '451 4.3.0 Try again later' } });
    try {
      assert.equal((await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'carol@example.org'], { input: 'body\n' })).code, 75);
    } finally {
      await server.close();
    }
  });

  it('a recipient refused for good, then a hang-up before the other replies were read: the refusal still said, and it alone kept out of the deferred, 67', async () => {
    for (const pipelining of [true, false]) {
      const ehlo = pipelining ? '250-scripted.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES' : '250-scripted.test\r\n250 ENHANCEDSTATUSCODES';
      const server = await startScriptedServer({
        replies: { EHLO: ehlo, RCPT: (line) => (line.includes('bob') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'), DATA: { close: true } },
      });
      try {
        const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'bob@example.org', 'carol@example.org'], { input: 'body\n' });
        const where = pipelining ? 'pipelined' : 'one command at a time';
        assert.equal(run.code, 67, `${where}: ${run.stderr}`);
        assert.match(run.stdout, /^bob@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m, where);
        assert.match(run.stdout, /^carol@example\.org\.\.\. Deferred: connection closed by the server during data by \[127\.0\.0\.1\]$/m, where);
        assert.match(run.stderr, /^mailv: not delivered to bob@example\.org: 550 5\.1\.1 No such user$/m, where);
      } finally {
        await server.close();
      }
    }
  });

  it('354 to RCPT: protocol error, 76, never a deferral, the message kept and never sent', async () => {
    const NO_PIPELINING = '250-scripted.test\r\n250-8BITMIME\r\n250 SIZE 1000000';
    for (const ehlo of [undefined, NO_PIPELINING]) {
      const server = await startScriptedServer({
        replies: { ...(ehlo ? { EHLO: ehlo } : {}), RCPT: (line) => (line.includes('carol') ? '354 go ahead' : '250 2.1.5 Ok') },
      });
      try {
        const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'fault', 'bob@example.org', 'carol@example.org'], { input: 'body\n' });
        const where = ehlo ? 'one command at a time' : 'pipelined';
        assert.equal(run.code, 76, `${where}: ${run.stderr}`);
        assert.match(run.stderr, /^mailv: unexpected reply during rcpt: 354 go ahead\nmailv: the message was saved in .*dead\.letter$/m, where);
        assert.doesNotMatch(run.stdout + run.stderr, /Deferred|not delivered|Sent \(/, where);
        assert.ok(!server.received().toString('latin1').includes('body'), `${where}: no message content sent`);
        assert.ok(deadLetter(run), where);
      } finally {
        await server.close();
      }
    }
  });

  it('a 3xx where no intermediate reply is due: BDAT, STARTTLS, RSET are 76; QUIT a warning', async () => {
    const CHUNKING = '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING';
    const bdat = await sendThrough({ replies: { EHLO: CHUNKING, 'BDAT LAST': '354 go ahead' } });
    assert.equal(bdat.code, 76, bdat.stderr);
    assert.match(bdat.stderr, /^mailv: unexpected reply during body: 354 go ahead$/m);
    assert.ok(deadLetter(bdat));

    const starttls = await sendThrough({ replies: { EHLO: '250-scripted.test\r\n250 STARTTLS', STARTTLS: '354 go ahead' } });
    assert.equal(starttls.code, 76, starttls.stderr);
    assert.match(starttls.stderr, /^mailv: unexpected reply during starttls: 354 go ahead$/m);
    assert.ok(!starttls.commands.some((command) => command.startsWith('MAIL')), 'not a refusal to go on from in plaintext');

    // Every recipient refused after a pipelined DATA was accepted: the empty message, then RSET.
    const rset = await sendThrough({ replies: { RCPT: '550 5.1.1 No such user', RSET: '354 go ahead' } });
    assert.equal(rset.code, 76, rset.stderr);
    assert.match(rset.stdout, /^bob@example\.org\.\.\. User unknown \(550 5\.1\.1 No such user\)$/m);
    assert.match(rset.stderr, /^mailv: unexpected reply during rset: 354 go ahead$/m);
    assert.ok(!rset.commands.includes('QUIT'), 'QUIT would be taken for message content');

    const quit = await sendThrough({ replies: { QUIT: '354 go ahead' } });
    assert.equal(quit.code, 0, quit.stderr);
    assert.match(quit.stdout, /^bob@example\.org\.\.\. Sent \(Ok: queued as S1\)$/m);
    assert.match(quit.stdout, /^Warning: unexpected reply during quit: 354 go ahead$/m);
    assert.equal(deadLetter(quit), false);
  });

  it('a QUIT answered with anything but 221 (a reply owed to another command): sent all the same, with a warning', async () => {
    const quit = await sendThrough({ replies: { QUIT: '250 2.0.0 delivered' } });
    assert.equal(quit.code, 0, quit.stderr);
    assert.match(quit.stdout, /^bob@example\.org\.\.\. Sent \(Ok: queued as S1\)$/m);
    assert.match(quit.stdout, /^Warning: unexpected reply during quit: 250 2\.0\.0 delivered$/m);
  });

  it('-t: lines past 998 octets are broken as Postfix breaks them (CRLF and a space), the SIZE exact, a long To: folded at a space', async () => {
    const server = await startScriptedServer();
    try {
      const to = ['bob@example.org', ...Array.from({ length: 60 }, (_, index) => `user${index}@example.org`)].join(', ');
      const input = `To: ${to}\nSubject: long\n\n${'z'.repeat(3000)}\nshort\n`;
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-t', '-q'], { input });
      assert.equal(run.code, 0, run.stderr);
      const wire = server.received().toString('latin1');
      const data = wire.slice(wire.indexOf('\r\n', wire.indexOf('DATA')) + 2, wire.lastIndexOf('\r\n.\r\n') + 2);
      assert.equal(Number(/SIZE=(\d+)/.exec(server.commands.find((line) => line.startsWith('MAIL'))!)![1]), data.length, 'SIZE= the octets sent');
      assert.ok(
        data.split('\r\n').every((line) => line.length <= 998),
        'no line past 998 octets',
      );
      assert.ok(
        data.includes(`\r\n\r\n${'z'.repeat(998)}\r\n ${'z'.repeat(997)}\r\n ${'z'.repeat(997)}\r\n ${'z'.repeat(8)}\r\nshort\r\n`),
        'the body line broken',
      );
      // Unfolded, the To: is the one written: folded before a space, nothing added.
      const header = data.slice(0, data.indexOf('\r\n\r\n') + 2);
      assert.equal(/^To: (.*(?:\r\n[ \t].*)*)\r\n/m.exec(header)![1]!.replace(/\r\n/g, ''), to);
    } finally {
      await server.close();
    }
  });

  it('-t: 8-bit content and a server without 8BITMIME: refused, 69', async () => {
    const server = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 PIPELINING' } });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-t'], { input: 'To: bob@example.org\nSubject: x\n\nété\n' });
      assert.equal(run.code, 69);
      assert.match(run.stderr, /the server does not offer 8BITMIME/);
      assert.ok(!server.commands.some((command) => command.startsWith('MAIL')));
    } finally {
      await server.close();
    }
  });

  it('-t: a UTF-8 header over an ASCII body goes all the same to a server without 8BITMIME or SMTPUTF8 (RFC 6532), as msmtp sends it', async () => {
    const server = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 PIPELINING' } });
    try {
      // Long enough that the body is read again to tell it from the header (a line past 998 octets).
      for (const body of ['ascii body\n', `${'x'.repeat(1200)}\n`]) {
        const run = await runCli(['-q', '--server', `127.0.0.1:${server.port}`, '-t'], { input: `To: bob@example.org\nSubject: café\n\n${body}` });
        assert.equal(run.code, 0, run.stderr);
        assert.match(server.received().toString('latin1'), /\r\nMAIL From:<[^>]*>\r\n/);
        assert.match(server.received().toString('utf8'), /Subject: café\r\n/);
      }
    } finally {
      await server.close();
    }
  });

  it('an attachment deleted while waiting for the server is still sent whole', async () => {
    // Deleted once mailv has connected (its attachments are open by then), while the greeting is awaited.
    let connected = () => {};
    const connection = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const server = await startScriptedServer({
      greetingDelayMs: 1000,
      perConnection: () => {
        connected();
        return {};
      },
    });
    try {
      const home = freshHome();
      const file = join(home, 'report.txt');
      writeFileSync(file, 'attached text\n'.repeat(1000));
      const running = runCli(['--server', `127.0.0.1:${server.port}`, '-q', '-s', 'x', '-a', file, 'bob@example.org'], { input: 'x\n', home });
      await connection;
      unlinkSync(file);
      const run = await running;
      assert.equal(run.code, 0, run.stderr);
      const base64 = Buffer.from('attached text\n'.repeat(1000)).toString('base64');
      assert.ok(server.received().toString('latin1').replace(/\r\n/g, '').includes(base64));
    } finally {
      await server.close();
    }
  });

  it('a greeting one byte per segment is read whole', async () => {
    const trickle = createServer((socket) => {
      socket.setNoDelay(true);
      const greeting = '220-trickle.test first line\r\n220 ready\r\n';
      let index = 0;
      const timer = setInterval(() => {
        if (index >= greeting.length) {
          clearInterval(timer);
          return;
        }
        socket.write(greeting[index++]!);
      }, 1);
      socket.on('data', (chunk) => {
        for (const line of chunk.toString().split('\r\n')) {
          if (line.startsWith('EHLO')) socket.write('250 trickle.test\r\n');
          else if (line.startsWith('MAIL') || line.startsWith('RCPT')) socket.write('250 Ok\r\n');
          else if (line === 'DATA') socket.write('354 go\r\n');
          else if (line === '.') socket.write('250 Ok: queued\r\n');
          else if (line === 'QUIT') socket.end('221 Bye\r\n');
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const port = (trickle.address() as { port: number }).port;
    const run = await runCli(['--server', `127.0.0.1:${port}`, '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    trickle.close();
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).slice(1, 3), ['220-trickle.test first line', '220 ready']);
  });

  it('EHLO refused with 502: falls back to HELO, one command at a time', async () => {
    const run = await sendThrough({ replies: { EHLO: '502 5.5.1 Command not implemented' } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.commands, [
      `EHLO ${LOCAL_HOST}`,
      `HELO ${LOCAL_HOST}`,
      `MAIL From:<tester@${LOCAL_HOST}>`,
      'RCPT To:<bob@example.org>',
      'DATA',
      'QUIT',
    ]);
    // Without PIPELINING each reply comes before the next command.
    const shown = lines(run.stdout);
    assert.deepEqual(shown.slice(shown.indexOf(`>>> MAIL From:<tester@${LOCAL_HOST}>`), shown.indexOf('>>> .')), [
      `>>> MAIL From:<tester@${LOCAL_HOST}>`,
      '250 2.1.0 Ok',
      '>>> RCPT To:<bob@example.org>',
      '250 2.1.5 Ok',
      '>>> DATA',
      '354 End data with <CR><LF>.<CR><LF>',
    ]);
  });

  it('EHLO answered 500, 501, 504 or 550 falls back to HELO too, as RFC 5321 §4.1.4 and swaks do', async () => {
    for (const answer of ['500 5.5.2 Syntax error', '501 5.5.4 Bad EHLO', '504 5.5.4 Not implemented', '550 5.7.1 No EHLO here']) {
      const run = await sendThrough({ replies: { EHLO: answer } });
      assert.equal(run.code, 0, `${answer}: ${run.stderr}`);
      assert.deepEqual(run.commands.slice(0, 3), [`EHLO ${LOCAL_HOST}`, `HELO ${LOCAL_HOST}`, `MAIL From:<tester@${LOCAL_HOST}>`], answer);
    }
  });

  it('EHLO refused otherwise: no HELO, 69', async () => {
    const run = await sendThrough({ replies: { EHLO: '554 5.7.1 go away' } });
    assert.equal(run.code, 69);
    assert.ok(!run.commands.includes(`HELO ${LOCAL_HOST}`));
  });

  it('sender refused in a pipelined group: all replies read, then QUIT, 69', async () => {
    const run = await sendThrough({
      replies: { MAIL: '550 5.7.1 Sender rejected', RCPT: '503 5.5.1 need MAIL', DATA: '503 5.5.1 need RCPT' },
    });
    assert.equal(run.code, 69);
    assert.deepEqual(
      run.commands.slice(1).map((command) => command.replace(/ SIZE=\d+$/, '')),
      [`MAIL From:<tester@${LOCAL_HOST}>`, 'RCPT To:<bob@example.org>', 'DATA', 'QUIT'],
    );
    assert.match(run.stderr, new RegExp(String.raw`the server refused the sender <tester@${LOCAL_HOST_PATTERN}>: 550 5\.7\.1 Sender rejected`));
  });

  it('a refusal asking for a login from a server that offers AUTH says that mailv did not log in', async () => {
    const hint = 'Warning: the server offers AUTH and mailv did not log in: if it wants a login before it takes mail, give --user (or an account with a user)';
    const withAuth = '250-scripted.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN';
    const cases: [Script, number, boolean][] = [
      // Gmail's way: MAIL refused until the client logs in.
      [{ replies: { EHLO: withAuth, MAIL: '530 5.7.0 Authentication Required', RCPT: '503 5.5.1 need MAIL', DATA: '503 5.5.1 need RCPT' } }, 69, true],
      // Postfix's: the recipient refused, relay denied.
      [{ replies: { EHLO: withAuth, RCPT: '554 5.7.1 <bob@example.org>: Relay access denied', DATA: '554 5.5.1 no valid recipients' } }, 67, true],
      // No AUTH offered: a login would not help.
      [
        {
          replies: {
            EHLO: '250-scripted.test\r\n250 PIPELINING',
            MAIL: '530 5.7.0 Authentication Required',
            RCPT: '503 5.5.1 need MAIL',
            DATA: '503 5.5.1 need RCPT',
          },
        },
        69,
        false,
      ],
      // A refusal of another kind: no such user.
      [{ replies: { EHLO: withAuth, RCPT: '550 5.1.1 no such user', DATA: '554 5.5.1 no valid recipients' } }, 67, false],
    ];
    for (const [script, code, said] of cases) {
      const run = await sendThrough(script);
      assert.equal(run.code, code, run.stderr);
      assert.equal(lines(run.stdout).filter((line) => line === hint).length, said ? 1 : 0, run.stdout);
      assert.ok(!run.commands.some((command) => command.startsWith('AUTH')), 'no login was attempted');
    }
    // An MX under --direct, where mailv takes no --user: a refusal there hints at nothing.
    const mx = await startScriptedServer(cases[1]![0]);
    try {
      const direct = await runCli(['--direct', '--port', String(mx.port), '-s', 'fault', 'bob@[127.0.0.1]'], { input: 'body\n' });
      assert.equal(direct.code, 67, direct.stderr);
      assert.match(direct.stdout, /554 5\.7\.1/);
      assert.ok(!lines(direct.stdout).includes(hint), direct.stdout);
    } finally {
      await mx.close();
    }
  });

  it('every recipient refused but DATA accepted anyway: empty message, then RSET', async () => {
    const run = await sendThrough({ replies: { RCPT: '550 5.1.1 no such user', '.': '554 5.5.1 no valid recipients' } });
    assert.equal(run.code, 67);
    assert.deepEqual(run.commands.slice(-3), ['DATA', 'RSET', 'QUIT']);
    assert.match(run.received, /\r\nDATA\r\n\.\r\nRSET\r\nQUIT\r\n$/);
    assert.doesNotMatch(run.received, /Subject: fault/);
    assert.ok(deadLetter(run));
  });

  it('a temporary refusal of a recipient: 75', async () => {
    const run = await sendThrough({ replies: { RCPT: '450 4.2.0 Mailbox busy', DATA: '554 5.5.1 no valid recipients' } });
    assert.equal(run.code, 75);
    assert.match(run.stdout, /^bob@example\.org\.\.\. Deferred \(450 4\.2\.0 Mailbox busy\)$/m);
  });

  it('451 after the final dot: temporary, 75, message kept', async () => {
    const run = await sendThrough({ replies: { '.': '451 4.3.0 Queue file write error' } });
    assert.equal(run.code, 75);
    assert.match(run.stderr, /the server did not accept the message: 451 4\.3\.0 Queue file write error/);
    assert.ok(deadLetter(run));
    assert.match(run.stdout, /^>>> QUIT$/m);
  });

  it('552 after the final dot (too big after all): permanent, 69, message kept', async () => {
    const run = await sendThrough({ replies: { '.': '552 5.3.4 Message size exceeds fixed limit' } });
    assert.equal(run.code, 69);
    assert.match(run.stderr, /the server did not accept the message: 552 5\.3\.4 Message size exceeds fixed limit/);
    assert.ok(deadLetter(run));
  });

  it('554 after the final dot: permanent, 69', async () => {
    const run = await sendThrough({ replies: { '.': '554 5.7.1 Spam' } });
    assert.equal(run.code, 69);
  });

  it('with PIPELINING, QUIT goes out in the same write as the final dot', async () => {
    const run = await sendThrough({});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.received, /\r\n\.\r\nQUIT\r\n$/);
    const noPipelining = await sendThrough({ replies: { EHLO: '250-scripted.test\r\n250 8BITMIME' } });
    assert.equal(noPipelining.code, 0, noPipelining.stderr);
    assert.deepEqual(lines(noPipelining.stdout).slice(-6, -1), [
      '>>> .',
      '250 2.0.0 Ok: queued as S1',
      'bob@example.org... Sent (2.0.0 Ok: queued as S1)',
      'Closing connection to [127.0.0.1]',
      '>>> QUIT',
    ]);
  });

  it('CHUNKING: MAIL, RCPT, BDAT with the message and QUIT in one flight, no dot-stuffing', async () => {
    const chunking = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING';
    const server = await startScriptedServer({ replies: { EHLO: chunking } });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], { input: '.dot\n' });
      assert.equal(run.code, 0, run.stderr);
      const received = server.received().toString('latin1');
      const flight = received.slice(received.indexOf('MAIL From:'));
      const size = /BDAT (\d+) LAST\r\n/.exec(flight)![1]!;
      assert.match(
        flight,
        new RegExp(
          `^MAIL From:<tester@${LOCAL_HOST_PATTERN}>\\r\\nRCPT To:<bob@example\\.org>\\r\\nBDAT ${size} LAST\\r\\n[\\s\\S]*\\r\\n\\r\\n\\.dot\\r\\nQUIT\\r\\n$`,
        ),
      );
      assert.match(
        run.stdout,
        /^\(the next 2 commands in one flight: the replies follow, in order\)\n>>> BDAT \d+ LAST\n>>> QUIT\n250 2\.1\.0 Ok\n250 2\.1\.5 Ok\n250 2\.0\.0 Ok: queued as S1\nbob@example\.org\.\.\. Sent \(2\.0\.0 Ok: queued as S1\)\nClosing connection to \[127\.0\.0\.1\]\n221 2\.0\.0 Bye\n$/m,
      );
    } finally {
      await server.close();
    }
  });

  it('BDAT LAST refused: permanent, 69, message kept', async () => {
    const run = await sendThrough({
      replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING', 'BDAT LAST': '554 5.7.1 Rejected as spam' },
    });
    assert.equal(run.code, 69);
    assert.match(run.stderr, /the server did not accept the message: 554 5\.7\.1 Rejected as spam/);
    assert.ok(deadLetter(run));
  });

  it('--body: data avoids BDAT, bdat insists on CHUNKING', async () => {
    const data = await sendThrough({ replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING' } }, ['--body', 'data']);
    assert.equal(data.code, 0, data.stderr);
    assert.ok(data.commands.includes('DATA'));
    const bdat = await sendThrough({}, ['--body', 'bdat']);
    assert.equal(bdat.code, 69);
    assert.match(bdat.stderr, /does not offer CHUNKING \(--body bdat\)/);
  });

  it('no 221 after QUIT: a warning, the message still counts as sent', async () => {
    const run = await sendThrough({ replies: { QUIT: { close: true } } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^bob@example\.org\.\.\. Sent \(Ok: queued as S1\)$/m);
    assert.match(run.stdout, /^Warning: no reply to QUIT \(.+\)$/m);
    assert.equal(deadLetter(run), false);
  });

  it('connection reset mid-dialogue: 75, message kept', async () => {
    const run = await sendThrough({ replies: { DATA: { close: true } } });
    assert.equal(run.code, 75);
    assert.match(run.stderr, /^mailv: (connection reset by the server|connection closed by the server) during (data|rcpt|mail)/m);
    assert.ok(deadLetter(run));
  });

  it('a drop after the whole message was sent: 75, the server may have it, the message kept', async () => {
    const drops: Record<string, Script> = {
      'DATA, pipelined': { replies: { '.': { close: true } } },
      'BDAT, pipelined': {
        replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING', MAIL: { silent: true }, RCPT: { silent: true }, 'BDAT LAST': { close: true } },
      },
      'BDAT, one command at a time': { replies: { EHLO: '250-scripted.test\r\n250 CHUNKING', 'BDAT LAST': { close: true } } },
    };
    for (const [name, script] of Object.entries(drops)) {
      const run = await sendThrough(script);
      assert.equal(run.code, 75, `${name}: ${run.stderr}`);
      assert.ok(run.received.includes('body\r\n'), `${name}: the whole message went out`);
      assert.match(
        run.stderr,
        /^mailv: connection closed by the server during \w+ after the whole message was sent: \[127\.0\.0\.1\] may have it, so it is not sent again\nmailv: the message was saved in .*dead\.letter$/m,
        name,
      );
      assert.ok(deadLetter(run), name);
    }
  });

  it('a silent server: the timeout names its stage, 75', async () => {
    const started = Date.now();
    const run = await sendThrough({ replies: { EHLO: { silent: true } } }, ['--timeout', '0.5']);
    assert.equal(run.code, 75);
    assert.match(run.stderr, /^mailv: timed out after 0\.5 s waiting for the reply \(ehlo\)\nmailv: the message was saved in /);
    assert.ok(Date.now() - started < 5000);
    assert.ok(deadLetter(run));
  });

  it('a non-ASCII mailbox and a server without SMTPUTF8: refused before MAIL, 69', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'josé@example.org'], { input: 'x\n' });
      assert.equal(run.code, 69);
      assert.match(run.stderr, /^mailv: an address is not ASCII and the server does not offer SMTPUTF8$/m);
      assert.deepEqual(server.commands, [`EHLO ${LOCAL_HOST}`, 'QUIT']);
    } finally {
      await server.close();
    }
  });

  it('control characters from the server are shown escaped', async () => {
    const run = await sendThrough({ greeting: '220 evil.test \x1b[31mred\x1b[0m' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^220 evil\.test \\x1b\[31mred\\x1b\[0m$/m);
    assert.doesNotMatch(run.stdout, /\x1b/);
  });
});

describe('an attachment changed while the message is sent', () => {
  it('fails the send (74), and dead.letter keeps the text without the attachment, saying why', async () => {
    const home = freshHome();
    const attachment = join(home, 'report.txt');
    writeFileSync(attachment, 'first version\n');
    // mailv opens the attachment and takes its size before it reads standard input, and connects
    // after: the file is changed when the connection comes, before the server greets it.
    const server = await startScriptedServer({
      perConnection: () => {
        appendFileSync(attachment, 'a second version, written while it is sent\n');
        return {};
      },
    });
    try {
      const child = spawn(process.execPath, [MAILV, '--server', `127.0.0.1:${server.port}`, '-s', 'report', '-a', attachment, 'bob@example.org'], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdout.resume();
      child.stdin.end('the text I typed\n');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 74, stderr);
      assert.match(stderr, /^mailv: .*report\.txt changed while it was being sent$/m);
      assert.match(stderr, /^mailv: the message was saved in .*dead\.letter, without its attachments \(.*report\.txt changed while it was being sent\)$/m);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\n\nthe text I typed\n/);
    } finally {
      await server.close();
    }
  });
});
