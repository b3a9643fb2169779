// mailv-sendmail -bs as a process: an SMTP client on its standard input and output, step by step
// as Symfony Mailer speaks it, or all at once; each message handed to a scripted server, the dot
// answered with what became of it, standard output the dialogue's alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LOCAL_HOST, freshHome } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback-port.js';
import { runScript } from '../helpers/node-script.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const SENDMAIL = fileURLToPath(new URL('../../bin/mailv-sendmail.js', import.meta.url));

function environment(home: string, server: string): Record<string, string> {
  return { PATH: '/usr/bin:/bin', USER: 'tester', LANG: 'C.UTF-8', HOME: home, MAILV_SERVER: server };
}

/** Runs mailv-sendmail with `input` written at once, as a pipelining client writes it. */
function runAtOnce(args: readonly string[], env: Record<string, string>, input: string) {
  return runScript(SENDMAIL, args, env, input);
}

/**
 * A client that writes a command only once the reply before it came, as Symfony's SmtpTransport
 * does over a process: `command` sends a line and resolves with the whole reply to it.
 */
function stepByStep(env: Record<string, string>, args: readonly string[] = []) {
  const child = spawn(process.execPath, [SENDMAIL, '-bs', ...args], { env });
  let buffered = '';
  let stderr = '';
  let waiting: ((reply: string) => void) | undefined;
  const take = () => {
    // A reply ends with a line whose code is followed by a space.
    const end = /^\d{3} .*\r\n/m.exec(buffered);
    if (end === null || waiting === undefined) return;
    const reply = buffered.slice(0, end.index + end[0].length);
    buffered = buffered.slice(reply.length);
    const resolve = waiting;
    waiting = undefined;
    resolve(reply);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    take();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply; so far: ${JSON.stringify(buffered)}`)), 10_000);
      waiting = (text) => {
        clearTimeout(timer);
        resolve(text);
      };
      take();
    });
  return {
    reply,
    send: (text: string) => child.stdin.write(text),
    command: (line: string) => {
      child.stdin.write(`${line}\r\n`);
      return reply();
    },
    kill: (signal: NodeJS.Signals) => child.kill(signal),
    /** The exit status, standard input left open. */
    exited: () => closed,
    /** What standard error said so far. */
    stderr: () => stderr,
    pid: () => child.pid!,
    /** The client stops reading the replies: standard output's read end is closed. */
    stopReading: () => child.stdout.destroy(),
    /** Ends standard input; resolves with the exit status and what standard error said. */
    end: async () => {
      child.stdin.end();
      return { code: await closed, stderr, unread: buffered };
    },
  };
}

describe('mailv-sendmail -bs', () => {
  it('step by step, as Symfony Mailer speaks it: each reply byte for byte, the message un-stuffed and handed on with the envelope given', async () => {
    const server = await startScriptedServer();
    try {
      const client = stepByStep(environment(freshHome(), `127.0.0.1:${server.port}`));
      assert.equal(await client.reply(), `220 ${LOCAL_HOST} ESMTP mailv-sendmail\r\n`);
      assert.equal(await client.command('EHLO [127.0.0.1]'), `250-${LOCAL_HOST}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n`);
      assert.equal(await client.command('MAIL FROM:<alice@example.org>'), '250 Ok\r\n');
      assert.equal(await client.command('RCPT TO:<bob@example.org>'), '250 Ok\r\n');
      assert.equal(await client.command('RCPT TO:<carol@example.org>'), '250 Ok\r\n');
      assert.equal(await client.command('DATA'), '354 End data with <CR><LF>.<CR><LF>\r\n');
      const message = 'Message-ID: <bs.1@example.org>\r\nSubject: step\r\n\r\n..a line that began with a dot\r\nlast\r\n';
      assert.equal(await client.command(`${message}.`), '250 Ok: sent\r\n');
      assert.equal(await client.command('QUIT'), '221 Bye\r\n');
      const ended = await client.end();
      assert.equal(ended.code, 0, ended.stderr);
      assert.equal(ended.stderr, '');
      assert.equal(ended.unread, '');
      assert.deepEqual(
        server.commands.filter((line) => /^(MAIL|RCPT)/.test(line)).map((line) => line.replace(/ SIZE=\d+$/, '')),
        ['MAIL From:<alice@example.org>', 'RCPT To:<bob@example.org>', 'RCPT To:<carol@example.org>'],
      );
      const received = server.received().toString('latin1');
      // Stuffed again on the way out: the line began with one dot in the message itself.
      assert.match(received, /^Subject: step\r\n/m);
      assert.match(received, /\r\n\r\n\.\.a line that began with a dot\r\nlast\r\n\.\r\n/);
      assert.match(received, /^Message-ID: <bs\.1@example\.org>\r\n/m);
      // As a piped message: what it lacks is added, From naming the envelope sender.
      assert.match(received, /^From: alice@example\.org\r\n/m);
      assert.match(received, /^Date: /m);
    } finally {
      await server.close();
    }
  });

  it('all at once, as a pipelining client writes it: two messages, the null sender, RSET and NOOP, the replies in order', async () => {
    const server = await startScriptedServer();
    try {
      const input = [
        'HELO client.example',
        'MAIL FROM:<>',
        'RCPT TO:<bob@example.org>',
        'DATA',
        'Subject: bounce\r\n\r\nfirst\r\n.',
        'NOOP',
        'RSET',
        'MAIL FROM: <alice@example.org> BODY=8BITMIME',
        'RCPT TO:carol@example.org',
        'DATA',
        'Subject: second\r\n\r\nsecond\r\n.',
        'QUIT',
        '',
      ].join('\r\n');
      const result = await runAtOnce(['-bs', '-i'], environment(freshHome(), `127.0.0.1:${server.port}`), input);
      assert.equal(result.code, 0, result.stderr);
      const ok = '250 Ok\r\n';
      const data = '354 End data with <CR><LF>.<CR><LF>\r\n';
      assert.equal(
        result.stdout,
        `220 ${LOCAL_HOST} ESMTP mailv-sendmail\r\n250 ${LOCAL_HOST}\r\n${ok}${ok}${data}250 Ok: sent\r\n${ok}${ok}${ok}${ok}${data}250 Ok: sent\r\n221 Bye\r\n`,
      );
      const envelopes = server.commands.filter((line) => /^(MAIL|RCPT)/.test(line)).map((line) => line.replace(/ SIZE=\d+/, ''));
      assert.deepEqual(envelopes, ['MAIL From:<>', 'RCPT To:<bob@example.org>', 'MAIL From:<alice@example.org>', 'RCPT To:<carol@example.org>']);
    } finally {
      await server.close();
    }
  });

  it('a $USER that makes no address refuses no session: each MAIL names its sender, and only a message that needs an author is refused', async () => {
    const server = await startScriptedServer();
    try {
      const input = [
        'EHLO client.example',
        'MAIL FROM:<>',
        'RCPT TO:<bob@example.org>',
        'DATA',
        'From: daemon@example.org\r\nSubject: bounce\r\n\r\nfirst\r\n.',
        'MAIL FROM:<>',
        'RCPT TO:<bob@example.org>',
        'DATA',
        'Subject: no author\r\n\r\nsecond\r\n.',
        'MAIL FROM:<alice@example.org>',
        'RCPT TO:<carol@example.org>',
        'DATA',
        'Subject: third\r\n\r\nthird\r\n.',
        'QUIT',
        '',
      ].join('\r\n');
      const home = freshHome();
      // As Symfony and Laravel run it: -bs, and no -f.
      const result = await runAtOnce(['-bs'], { ...environment(home, `127.0.0.1:${server.port}`), USER: 'a b', LOGNAME: '' }, input);
      // Before: nothing on standard output, 64 before the greeting.
      assert.match(result.stdout, /^220 /);
      const verdicts = result.stdout.split('\r\n').filter((line) => /^(250 Ok: sent|554 )/.test(line));
      assert.equal(verdicts.length, 3, result.stdout);
      assert.equal(verdicts[0], '250 Ok: sent');
      assert.match(verdicts[1]!, /^554 no author for the From field: the address made from \$USER \("a b"\) is no address/);
      assert.equal(verdicts[2], '250 Ok: sent');
      assert.equal(result.code, 64, result.stderr);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /\nSubject: no author\n\nsecond\n/);
      const envelopes = server.commands.filter((line) => /^MAIL/.test(line)).map((line) => line.replace(/ SIZE=\d+/, ''));
      assert.deepEqual(envelopes, ['MAIL From:<>', 'MAIL From:<alice@example.org>']);
    } finally {
      await server.close();
    }
  });

  it('a bare LF, dot, LF inside a message is text: one message goes, never a second smuggled behind it (RFC 5321 §4.1.1.4)', async () => {
    const server = await startScriptedServer();
    try {
      const input =
        'EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: first\r\n\r\nhello\n.\n' +
        'MAIL FROM:<ceo@example.org>\nRCPT TO:<bob@example.org>\nDATA\nSubject: SMUGGLED\n\nwire money\r\n.\r\nQUIT\r\n';
      const result = await runAtOnce(['-bs'], environment(freshHome(), `127.0.0.1:${server.port}`), input);
      assert.equal(result.code, 0, result.stderr);
      const replies = result.stdout.split('\r\n').filter((line) => /^\d{3} /.test(line));
      assert.deepEqual(replies.slice(-4), ['250 Ok', '354 End data with <CR><LF>.<CR><LF>', '250 Ok: sent', '221 Bye']);
      assert.deepEqual(
        server.commands.filter((line) => line.startsWith('MAIL')).map((line) => line.replace(/ SIZE=\d+/, '')),
        ['MAIL From:<alice@example.org>'],
      );
      // What followed the bare LF's dot went as the message's text, its lines ended in CR LF.
      assert.match(
        server.received().toString('latin1'),
        /\r\nhello\r\n\r\nMAIL FROM:<ceo@example\.org>\r\nRCPT TO:<bob@example\.org>\r\nDATA\r\nSubject: SMUGGLED\r\n/,
      );
    } finally {
      await server.close();
    }
  });

  it('relays the message as the dialogue gave it: leading From lines kept (no mbox here), recipients that differ in case both (RFC 5321 §2.4), a CR alone no line break', async () => {
    const server = await startScriptedServer();
    try {
      const input =
        'EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<Bob@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n' +
        'From now on we meet at five.\r\n>From the team\r\nSee you.\r\n.\r\n' +
        'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: hello\rReply-To: evil@example.org\r\n\r\nbody\r\n.\r\nQUIT\r\n';
      const result = await runAtOnce(['-bs'], environment(freshHome(), `127.0.0.1:${server.port}`), input);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        server.commands.filter((line) => line.startsWith('RCPT')),
        ['RCPT To:<Bob@example.org>', 'RCPT To:<bob@example.org>', 'RCPT To:<bob@example.org>'],
      );
      const received = server.received().toString('latin1');
      assert.match(received, /\r\n\r\nFrom now on we meet at five\.\r\n>From the team\r\nSee you\.\r\n/);
      assert.match(received, /\r\nSubject: hello Reply-To: evil@example\.org\r\n/);
      assert.doesNotMatch(received, /^Reply-To:/m);
    } finally {
      await server.close();
    }
  });

  it("a client's mistakes are answered as Postfix answers them, and the dialogue goes on", async () => {
    const server = await startScriptedServer();
    try {
      const input = [
        'RCPT TO:<bob@example.org>',
        'DATA',
        'MAIL FROM:<alice@example.org> SIZE=abc',
        'MAIL FROM:<alice@example.org> RET=XYZ',
        'MAIL FROM:<alice@example.org> ENVID=a+b',
        'MAIL FROM:<alice@example.org> BODY=BINARYMIME',
        'MAIL FROM:<alice@example.org> SMTPUTF8',
        'MAIL FROM:<alice@example.org>',
        'DATA',
        'RCPT TO:<bob@exa mple.org>',
        'RCPT TO:<j\u00f6rg@exa mple.org>',
        // Latin-1, not UTF-8: never read with a replacement character.
        'RCPT TO:<j\u00fcrgen@example.org>',
        'RCPT TO:"Bob" <bob@example.org>',
        'RCPT <bob@example.org>',
        // Parameters of no extension offered, and a second path taken for one: 555, never dropped.
        'RCPT TO:<bob@example.org> FOO=bar',
        'RCPT TO:<bob@example.org> <carol@example.org>',
        // Values that do not parse: 501, as Postfix's smtpd answers them.
        'RCPT TO:<bob@example.org> NOTIFY=sometimes',
        'RCPT TO:<bob@example.org> ORCPT=bob@example.org',
        // DATA and RSET take nothing: 501, as Postfix's smtpd answers them (its transaction stands);
        // DATA's state first, as there: here no recipient was taken, 503.
        'DATA now',
        'RSET all',
        'STARTTLS',
        'AUTH PLAIN AGFsaWNlAHNlY3JldA==',
        'XYZZY',
        `NOOP ${'x'.repeat(3000)}`,
        'VRFY bob',
        // RSET, and EHLO, end the transaction under way.
        'RCPT TO:<bob@example.org>',
        'DATA now',
        'RSET',
        'DATA',
        // A UTF-8 address where MAIL did not declare SMTPUTF8: 553 5.6.7 (RFC 6531 §3.4), as Postfix.
        'MAIL FROM:<j\u00f6rg@example.org>',
        'MAIL FROM:<alice@example.org>',
        'RCPT TO:<j\u00f6rg@example.org>',
        'EHLO client.example',
        'RCPT TO:<bob@example.org>',
        'QUIT',
      ];
      // Each line in UTF-8, but jürgen's, in Latin-1.
      const octets = Buffer.concat(input.map((line) => Buffer.from(`${line}\r\n`, line.includes('\u00fc') ? 'latin1' : 'utf8')));
      const result = await runScript(SENDMAIL, ['-bs'], environment(freshHome(), `127.0.0.1:${server.port}`), octets);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.split('\r\n').slice(1, -1), [
        '503 Error: need MAIL command',
        '503 Error: need MAIL command',
        '501 5.5.4 Bad message size syntax',
        '501 5.5.4 Bad RET parameter syntax',
        '501 5.5.4 Bad ENVID parameter syntax',
        '555 5.5.4 Unsupported option: BODY=BINARYMIME',
        '250 Ok',
        '503 Error: nested MAIL command',
        '503 Error: need RCPT command',
        '501 invalid address "bob@exa mple.org": malformed domain "exa mple.org"',
        // Reply text is ASCII (RFC 5321 §4.2).
        '501 invalid address "j?rg@exa mple.org": malformed domain "exa mple.org"',
        '500 Error: the command is neither ASCII nor UTF-8',
        '501 Syntax: RCPT TO:<address>',
        '501 Syntax: RCPT TO:<address>',
        '555 5.5.4 Unsupported option: FOO=bar',
        '555 5.5.4 Unsupported option: <carol@example.org>',
        '501 5.5.4 Error: Bad NOTIFY parameter syntax',
        '501 5.5.4 Error: Bad ORCPT parameter syntax',
        '503 Error: need RCPT command',
        '501 Syntax: RSET',
        '502 Error: STARTTLS is not offered here',
        '502 Error: AUTH is not offered here',
        '500 Error: command not recognized',
        '500 Error: line too long',
        '252 Cannot VRFY, but will try a message to it',
        '250 Ok',
        '501 Syntax: DATA',
        '250 Ok',
        '503 Error: need MAIL command',
        '553 5.6.7 Must declare SMTPUTF8 to send unicode address',
        '250 Ok',
        '553 5.6.7 Must declare SMTPUTF8 to send unicode address',
        `250-${LOCAL_HOST}`,
        '250-PIPELINING',
        '250-8BITMIME',
        '250 SMTPUTF8',
        '503 Error: need MAIL command',
        '221 Bye',
      ]);
      // Nothing was ever handed on.
      assert.deepEqual(server.commands, []);
    } finally {
      await server.close();
    }
  });

  it('the dot is answered with the verdict: 554 refused, 451 deferred, 250 for some only, 451 when the server cannot be reached; failures on standard error, every message someone lacks kept', async () => {
    const verdicts = await startScriptedServer({
      replies: {
        RCPT: (line) =>
          /nobody/i.test(line)
            ? '550 5.1.1 <nobody@example.org>: User unknown'
            : line.includes('later')
              ? '450 4.2.0 <later@example.org>: try again'
              : '250 2.1.5 Ok',
      },
    });
    try {
      const home = freshHome();
      const transaction = (...recipients: string[]) => [
        'MAIL FROM:<alice@example.org>',
        ...recipients.map((to) => `RCPT TO:<${to}>`),
        'DATA',
        'Subject: v\r\n\r\nbody\r\n.',
      ];
      const input = [
        // Named twice (the domain in another case), the refused recipient is still the only one: nobody got it.
        ...transaction('nobody@example.org', 'nobody@EXAMPLE.org'),
        ...transaction('bob@example.org', 'nobody@example.org'),
        ...transaction('later@example.org'),
        ...transaction('bob@example.org', 'later@example.org'),
        // Refused for one, deferred for the other: nobody got it, and the other may take it later.
        ...transaction('nobody@example.org', 'later@example.org'),
        'QUIT',
        '',
      ].join('\r\n');
      const result = await runAtOnce(['-bs'], environment(home, `127.0.0.1:${verdicts.port}`), input);
      // The status of the first message that did not go to everyone.
      assert.equal(result.code, 67, result.stderr);
      const replies = result.stdout.split('\r\n').filter((line) => /^(250 Ok:|4|5)/.test(line));
      const some = '250 Ok: sent, but not to every recipient (see standard error)';
      assert.deepEqual(replies, [
        '554 a recipient was refused: nobody@example.org',
        some,
        '451 not accepted for now (try again later): later@example.org',
        some,
        // The 451 is for the one put off, whom the client tries again for: named, not the refused one alone.
        '451 not accepted for now (try again later): later@example.org; a recipient was refused: nobody@example.org',
      ]);
      assert.match(result.stderr, /^mailv: not delivered to nobody@example\.org: 550 5\.1\.1 <nobody@example\.org>: User unknown$/m);
      // Every message that someone did not get is kept, those the client heard 250 for too.
      assert.equal(readFileSync(join(home, 'dead.letter'), 'utf8').match(/^Subject: v$/gm)?.length, 5);
    } finally {
      await verdicts.close();
    }
    const home = freshHome();
    const unreachable = await runAtOnce(
      ['-bs'],
      environment(home, `127.0.0.1:${await closedPort()}`),
      'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n',
    );
    assert.equal(unreachable.code, 75, unreachable.stderr);
    assert.match(unreachable.stdout, /\r\n451 connection refused by \[127\.0\.0\.1\] port \d+\r\n221 Bye\r\n$/);
    assert.equal(existsSync(join(home, 'dead.letter')), true);
  });

  it('a recipient refused for good, then the message put off for the others (451 to the dot): 451 to the client, which keeps it for them, 67', async () => {
    const server = await startScriptedServer({
      replies: { RCPT: (line) => (/nobody/i.test(line) ? '550 5.1.1 <nobody@example.org>: User unknown' : '250 2.1.5 Ok'), '.': '451 4.3.0 Try again later' },
    });
    try {
      const home = freshHome();
      const input = [
        'MAIL FROM:<alice@example.org>',
        'RCPT TO:<nobody@example.org>',
        'RCPT TO:<bob@example.org>',
        'DATA',
        'Subject: v\r\n\r\nbody\r\n.',
        'QUIT',
        '',
      ];
      const result = await runAtOnce(['-bs'], environment(home, `127.0.0.1:${server.port}`), input.join('\r\n'));
      assert.equal(result.code, 67, result.stderr);
      // 554 would have the client bounce the message, bob's copy with it.
      assert.match(result.stdout, /\r\n451 the server did not accept the message: 451 4\.3\.0 Try again later\r\n221 Bye\r\n$/);
      assert.equal(existsSync(join(home, 'dead.letter')), true);
    } finally {
      await server.close();
    }
    // Every recipient refused, then the server hangs up at the empty message mailv ends the
    // transaction with: nobody is left to take it, so no 451 to retry for ever.
    const refusing = await startScriptedServer({ replies: { RCPT: '550 5.1.1 User unknown', '.': { close: true } } });
    try {
      const input = ['MAIL FROM:<alice@example.org>', 'RCPT TO:<nobody@example.org>', 'DATA', 'Subject: v\r\n\r\nbody\r\n.', 'QUIT', ''];
      const result = await runAtOnce(['-bs'], environment(freshHome(), `127.0.0.1:${refusing.port}`), input.join('\r\n'));
      assert.equal(result.code, 67, result.stderr);
      assert.match(result.stdout, /\r\n554 [^\r]*\r\n221 Bye\r\n$/);
    } finally {
      await refusing.close();
    }
  });

  it('a second signal right after the first lets the dialogue end as the first has it: 421, said, 128 + the first one', async () => {
    const client = stepByStep(environment(freshHome(), '127.0.0.1:9'));
    await client.reply();
    assert.equal(await client.command('MAIL FROM:<a@example.org>'), '250 Ok\r\n');
    // Two kinds, so that both arrive (in either order): before, the second ended it by its default
    // action, the first one's line often unsaid.
    client.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 2));
    client.kill('SIGTERM');
    assert.equal(await client.reply(), `421 ${LOCAL_HOST} mailv-sendmail is stopping: try again later\r\n`);
    const ended = await client.end();
    const first = /^mailv: interrupted by (SIGINT|SIGTERM)\n$/.exec(ended.stderr)?.[1];
    assert.ok(first !== undefined, ended.stderr);
    // 128 + the first's number; or, past the run's end, the second's own action (null here).
    assert.ok(ended.code === (first === 'SIGINT' ? 130 : 143) || ended.code === null, `${ended.code}: ${ended.stderr}`);
  });

  it('a signal ends the dialogue with 421, said once on standard error, waiting or in the middle of a message, 128 + its number', async () => {
    for (const during of ['wait', 'message'] as const) {
      const client = stepByStep(environment(freshHome(), '127.0.0.1:9'));
      await client.reply();
      assert.equal(await client.command('MAIL FROM:<a@example.org>'), '250 Ok\r\n');
      if (during === 'message') {
        assert.equal(await client.command('RCPT TO:<b@example.org>'), '250 Ok\r\n');
        assert.equal(await client.command('DATA'), '354 End data with <CR><LF>.<CR><LF>\r\n');
        await client.send('Subject: half\r\n\r\nhalf a');
      }
      client.kill('SIGTERM');
      assert.equal(await client.reply(), `421 ${LOCAL_HOST} mailv-sendmail is stopping: try again later\r\n`, during);
      const ended = await client.end();
      assert.equal(ended.code, 143, during);
      assert.equal(ended.stderr, 'mailv: interrupted by SIGTERM\n', during);
    }
    // While the message is being handed on: the dot gets no verdict, the message is kept.
    let handingOn = false;
    const slow = await startScriptedServer({
      greetingDelayMs: 20_000,
      perConnection: () => {
        handingOn = true;
        return {};
      },
    });
    try {
      const home = freshHome();
      const client = stepByStep(environment(home, `127.0.0.1:${slow.port}`));
      await client.reply();
      for (const line of ['MAIL FROM:<a@example.org>', 'RCPT TO:<b@example.org>', 'DATA']) await client.command(line);
      client.send('Subject: slow\r\n\r\nbody\r\n.\r\n');
      // Once mailv has connected to hand the message on (the server never greets it).
      for (let waited = 0; !handingOn; waited++) {
        assert.ok(waited < 200, 'mailv never connected to the server');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      client.kill('SIGTERM');
      assert.equal(await client.reply(), `421 ${LOCAL_HOST} mailv-sendmail is stopping: try again later\r\n`);
      const ended = await client.end();
      assert.equal(ended.code, 143);
      assert.equal(ended.stderr.match(/interrupted by SIGTERM/g)?.length, 1, ended.stderr);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^Subject: slow$/m);
    } finally {
      await slow.close();
    }
  });

  it('standard error is bounded, so that a program reading it only after standard output ends (Symfony) never waits for ever; a recipient past 1000 is 452', async () => {
    const server = await startScriptedServer({ replies: { RCPT: '550 5.1.1 User unknown' } });
    try {
      const recipients = Array.from({ length: 1001 }, (_, index) => `RCPT TO:<user${index}@example.org>`);
      const input = ['MAIL FROM:<alice@example.org>', ...recipients, 'DATA', 'Subject: many\r\n\r\nx\r\n.', 'QUIT', ''].join('\r\n');
      const child = spawn(process.execPath, [SENDMAIL, '-bs'], { env: environment(freshHome(), `127.0.0.1:${server.port}`) });
      child.stdin.end(input);
      // Standard output to its end first, standard error only then, as Symfony's ProcessStream reads them.
      let stdout = '';
      for await (const chunk of child.stdout) stdout += chunk;
      let stderr = '';
      for await (const chunk of child.stderr) stderr += chunk;
      const code = await new Promise((resolve) => (child.exitCode === null ? child.on('close', resolve) : resolve(child.exitCode)));
      assert.equal(code, 67, stderr.slice(0, 300));
      const replies = stdout.split('\r\n');
      assert.equal(replies.filter((line) => line === '250 Ok').length, 1 + 1000);
      assert.equal(replies.filter((line) => line === '452 Error: too many recipients').length, 1);
      assert.ok(Buffer.byteLength(stderr) <= 8 * 1024, `${Buffer.byteLength(stderr)} octets`);
      assert.match(stderr, /^mailv: not delivered to user0@example\.org: 550 5\.1\.1 User unknown$/m);
      assert.match(stderr, /\nmailv: more failures are not written here: standard error is only read once the dialogue is over\n$/);
    } finally {
      await server.close();
    }
  });

  it('a client that keeps standard input open after QUIT does not keep mailv-sendmail running; one that stops reading the replies gets nothing sent', async () => {
    const server = await startScriptedServer();
    try {
      const client = stepByStep(environment(freshHome(), `127.0.0.1:${server.port}`));
      await client.reply();
      assert.equal(await client.command('QUIT'), '221 Bye\r\n');
      const timer = setTimeout(() => client.kill('SIGKILL'), 5000);
      assert.equal(await client.exited(), 0);
      clearTimeout(timer);

      // It could not hear the verdict, and would send the message again.
      const deaf = stepByStep(environment(freshHome(), `127.0.0.1:${server.port}`));
      await deaf.reply();
      deaf.stopReading();
      deaf.send('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      deaf.send('Subject: unheard\r\n\r\nx\r\n.\r\nQUIT\r\n');
      await deaf.end();
      assert.deepEqual(server.commands, []);
    } finally {
      await server.close();
    }
  });

  it('a client silent for -O Timeout.command gets 421 4.4.2 and the dialogue ends: between commands its status stands, inside a message nothing goes (65)', async () => {
    const server = await startScriptedServer();
    try {
      const env = environment(freshHome(), `127.0.0.1:${server.port}`);
      const between = stepByStep(env, ['-O', 'Timeout.command=1s']);
      await between.reply();
      await between.command('HELO client.example');
      await between.command('MAIL FROM:<alice@example.org>');
      await between.command('RCPT TO:<bob@example.org>');
      assert.equal(await between.command('DATA'), '354 End data with <CR><LF>.<CR><LF>\r\n');
      // The limit is the client's: the time mailv takes to hand the message on is not counted.
      assert.equal(await between.command('Subject: sent\r\n\r\nfirst\r\n.'), '250 Ok: sent\r\n');
      const silent = performance.now();
      assert.equal(await between.reply(), `421 4.4.2 ${LOCAL_HOST} Error: timeout exceeded\r\n`);
      assert.ok(performance.now() - silent > 900, 'after the limit, not before');
      // Standard input is still open: mailv ends all the same, the message it sent counted.
      assert.equal(await between.exited(), 0, between.stderr());
      assert.equal(between.stderr(), 'mailv: the client sent nothing for 1 s: the dialogue was closed (421)\n');

      // What standard error could not take is the run's failure still (74), the client given up or not.
      const full = openSync('/dev/full', 'w');
      try {
        const child = spawn(process.execPath, [SENDMAIL, '-bs', '-O', 'Timeout.command=1s'], { env, stdio: ['pipe', 'pipe', full] });
        assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 74);
      } finally {
        closeSync(full);
      }

      const inside = stepByStep(env, ['-OTimeout.command=1s']);
      await inside.reply();
      await inside.command('MAIL FROM:<alice@example.org>');
      await inside.command('RCPT TO:<carol@example.org>');
      await inside.command('DATA');
      inside.send('Subject: cut short\r\n\r\nhalf a mess');
      assert.equal(await inside.reply(), `421 4.4.2 ${LOCAL_HOST} Error: timeout exceeded\r\n`);
      assert.equal(await inside.exited(), 65, inside.stderr());
      assert.equal(inside.stderr(), 'mailv: the client sent nothing for 1 s in its message: the dialogue was closed (421), nothing was sent\n');
      // One message reached the server, the first; nothing of the second.
      assert.equal(server.commands.filter((command) => command.startsWith('MAIL')).length, 1);
      assert.doesNotMatch(server.received().toString('latin1'), /cut short/);
    } finally {
      await server.close();
    }
  });

  it('a client that reads no reply for the limit is given up as a silent one, never waited for; one stopped past its limit with its command waiting is answered', async () => {
    const server = await startScriptedServer();
    try {
      const env = environment(freshHome(), `127.0.0.1:${server.port}`);
      // Its standard output a pipe nobody reads: the replies fill it, then the 421 cannot go either.
      const deaf = spawn(process.execPath, [SENDMAIL, '-bs', '-O', 'Timeout.command=1s'], { env });
      let stderr = '';
      deaf.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      deaf.stdin.on('error', () => {}); // it stops reading: the rest of the input has nowhere to go
      // Behind the replies it never reads, a message and QUIT, read but never carried out: the
      // message would go unconfirmed (and be sent again), QUIT would end the run waiting for ever.
      const message = 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: unheard\r\n\r\nx\r\n.\r\nQUIT\r\n';
      // Enough NOOPs that their replies fill any pipe or socket buffer well before the message.
      deaf.stdin.write(`${'NOOP\r\n'.repeat(200_000)}${message}`);
      assert.equal(await new Promise((resolve) => deaf.on('exit', resolve)), 0, stderr);
      assert.equal(stderr, 'mailv: the client read no reply for 1 s: the dialogue was closed (421)\n');
      assert.deepEqual(server.commands, []);
      // Standard error behind the same unread pipe (2>&1): given up with it, not waited for.
      const shell = spawn('/bin/sh', ['-c', `exec "${process.execPath}" "${SENDMAIL}" -bs -O Timeout.command=1s 2>&1`], { env });
      shell.stdin.on('error', () => {});
      shell.stdin.write('NOOP\r\n'.repeat(200_000));
      assert.equal(await new Promise((resolve) => shell.on('exit', resolve)), 0);
      // Stopped (SIGSTOP) past its limit while its NOOP waits: the NOOP is read first, and answered.
      const stopped = stepByStep(env, ['-O', 'Timeout.command=1s']);
      await stopped.reply();
      const pid = stopped.pid();
      process.kill(pid, 'SIGSTOP');
      stopped.send('NOOP\r\n');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      process.kill(pid, 'SIGCONT');
      assert.equal(await stopped.reply(), '250 Ok\r\n');
      assert.equal(await stopped.reply(), `421 4.4.2 ${LOCAL_HOST} Error: timeout exceeded\r\n`);
      assert.equal(await stopped.exited(), 0, stopped.stderr());
    } finally {
      await server.close();
    }
  });

  it('a client gone before its lone dot sends nothing (65); -bs with recipients or -t is refused before any greeting (64)', async () => {
    const server = await startScriptedServer();
    try {
      const gone = await runAtOnce(
        ['-bs'],
        environment(freshHome(), `127.0.0.1:${server.port}`),
        'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nhalf a message\r\n',
      );
      // Its own failure: a wrapper that reads the status knows a message was abandoned.
      assert.equal(gone.code, 65, gone.stderr);
      assert.equal(
        gone.stderr,
        'mailv: the client stopped before the lone dot that ends its message (after a DATA ended with CR LF, a dot next to a bare LF ends nothing): nothing was sent\n',
      );
      assert.match(gone.stdout, /354 [^\r]*\r\n$/);
      assert.deepEqual(server.commands, []);
    } finally {
      await server.close();
    }
    // A directory is no client: 66, as for a piped message, and no greeting.
    const directory = openSync(freshHome(), 'r');
    try {
      const child = spawn(process.execPath, [SENDMAIL, '-bs'], { env: environment(freshHome(), '127.0.0.1:9'), stdio: [directory, 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
      assert.equal(await new Promise((resolve) => child.on('close', resolve)), 66);
      assert.equal(stdout, '');
    } finally {
      closeSync(directory);
    }
    for (const [args, said] of [
      [['-bs', 'bob@example.org'], 'recipients as arguments'],
      [['-bs', '-t'], '-t'],
    ] as const) {
      const refused = await runAtOnce(args, environment(freshHome(), '127.0.0.1:9'), 'QUIT\r\n');
      assert.equal(refused.code, 64);
      assert.equal(refused.stdout, '');
      assert.equal(refused.stderr, `mailv: -bs takes the recipients from the SMTP dialogue on standard input: ${said} cannot go with it\n`);
    }
  });

  it('replies that cannot be written (/dev/full): 74, said once as the write that failed, nothing sent', async () => {
    const home = freshHome();
    const server = await startScriptedServer();
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [SENDMAIL, '-bs'], { env: environment(home, `127.0.0.1:${server.port}`), stdio: ['pipe', full, 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdin!.end('EHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nHello\r\n.\r\nQUIT\r\n');
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(status, 74, stderr);
      assert.equal(stderr, 'mailv: cannot write to standard output: no space left on device\n');
      assert.deepEqual(server.commands, []);
    } finally {
      closeSync(full);
      await server.close();
    }
  });
});
