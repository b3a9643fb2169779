// LMTP (RFC 2033) and unix-domain sockets: --server lmtp://host:port, lmtp:/path and unix:/path.
// A scripted server on a unix socket pins the bytes on the wire and the per-recipient replies after
// the message (§4.2); the real Dovecot LMTP of test/services/lmtp.sh delivers to its Maildirs over
// TCP and over its socket.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lines, runCli } from '../helpers/cli.js';
import { startScriptedServer, type Action } from '../helpers/scripted-server.js';
import { skipUnlessRunning } from '../helpers/service.js';

const socketDir = mkdtempSync(join(tmpdir(), 'mailv-lmtp-'));
after(() => rmSync(socketDir, { recursive: true, force: true }));

const HEADERS = [
  '--helo',
  'client.test',
  '-r',
  'alice@example.org',
  '-s',
  'Hi',
  '-H',
  'Message-ID: <1@example.org>',
  '-H',
  'Date: Fri, 27 Nov 2026 20:29:31 +0000',
];

const MESSAGE =
  'Date: Fri, 27 Nov 2026 20:29:31 +0000\r\nFrom: alice@example.org\r\nTo: a@x.test, b@x.test, c@x.test\r\nSubject: Hi\r\n' +
  'Message-ID: <1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nBody line\r\n';

const LHLO_REPLY = '250-lmtp.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES';

/** A scripted LMTP server on a socket of its own: b refused at RCPT (or as `rcpt` says), `afterDot` the replies to the message. */
async function lmtpServer(
  afterDot: Action,
  rcpt: (line: string) => string = (line) => (line.includes('<b@') ? "550 5.1.1 <b@x.test> User doesn't exist" : '250 2.1.5 OK'),
) {
  const path = join(socketDir, `${randomBytes(4).toString('hex')}.sock`);
  const server = await startScriptedServer({
    path,
    greeting: '220 lmtp.test LMTP',
    replies: { LHLO: LHLO_REPLY, MAIL: '250 2.1.0 OK', RCPT: rcpt, DATA: '354 OK', '.': afterDot },
  });
  return { path, server };
}

describe('LMTP over a unix socket (scripted server)', () => {
  it('sends LHLO, and reads one reply per accepted recipient after the dot, each shown with its recipient (67)', async () => {
    const { path, server } = await lmtpServer('250 2.0.0 <a@x.test> Saved\r\n552 5.2.2 <c@x.test> Quota exceeded');
    const run = await runCli(['--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'b@x.test', 'c@x.test'], { input: 'Body line\n' });
    await server.close();
    assert.equal(run.code, 67, run.stderr);
    assert.equal(
      server.received().toString('latin1'),
      `LHLO client.test\r\nMAIL From:<alice@example.org>\r\nRCPT To:<a@x.test>\r\nRCPT To:<b@x.test>\r\nRCPT To:<c@x.test>\r\nDATA\r\n${MESSAGE}.\r\nQUIT\r\n`,
    );
    assert.equal(
      run.stdout,
      [
        `a@x.test,b@x.test,c@x.test... Connecting to ${path} via lmtp...`,
        '220 lmtp.test LMTP',
        '>>> LHLO client.test',
        '250-lmtp.test',
        '250-PIPELINING',
        '250-CHUNKING',
        '250 ENHANCEDSTATUSCODES',
        '(the next 5 commands in one flight: the replies follow, in order)',
        '>>> MAIL From:<alice@example.org>',
        '>>> RCPT To:<a@x.test>',
        '>>> RCPT To:<b@x.test>',
        '>>> RCPT To:<c@x.test>',
        '>>> DATA',
        '250 2.1.0 OK',
        '250 2.1.5 OK',
        "550 5.1.1 <b@x.test> User doesn't exist",
        '250 2.1.5 OK',
        '354 OK',
        "b@x.test... User unknown (550 5.1.1 <b@x.test> User doesn't exist)",
        '(the next 2 commands in one flight: the replies follow, in order)',
        '>>> .',
        '>>> QUIT',
        '250 2.0.0 <a@x.test> Saved',
        'a@x.test... Sent (<a@x.test> Saved)',
        '552 5.2.2 <c@x.test> Quota exceeded',
        'c@x.test... Refused (552 5.2.2 <c@x.test> Quota exceeded)',
        `Closing connection to ${path}`,
        '221 2.0.0 Bye',
        '',
      ].join('\n'),
    );
    assert.match(run.stderr, /not delivered to c@x\.test: 552 5\.2\.2/);
  });

  it("--json's result says where the refusals came: after the message (LMTP), or at RCPT when one did", async () => {
    for (const [recipients, stage] of [
      [['a@x.test'], 'body'],
      [['a@x.test', 'b@x.test'], 'rcpt'],
    ] as const) {
      const { path, server } = await lmtpServer('552 5.2.2 <a@x.test> Quota exceeded');
      try {
        const run = await runCli(['--json', '--server', `lmtp:${path}`, ...HEADERS, ...recipients], { input: 'Body line\n' });
        assert.equal(run.code, 67, run.stderr);
        const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
        assert.deepEqual([result.event, result.code, result.stage], ['result', 'MAILV_RECIPIENTS_REFUSED', stage], recipients.join());
      } finally {
        await server.close();
      }
    }
  });

  it('a load run over LMTP: no RSET after the replies to a dot, which end the transaction whatever they say', async () => {
    const { path, server } = await lmtpServer('550 5.2.2 <a@x.test> Mailbox full');
    try {
      const run = await runCli(['--server', `lmtp:${path}`, '-s', 'x', '--count', '3', '--json', 'a@x.test'], { input: 'body\n' });
      assert.equal(run.code, 67, run.stderr);
      assert.deepEqual(
        server.commands.map((line) => line.split(/[ :]/)[0]),
        ['LHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT'],
      );
    } finally {
      await server.close();
    }
  });

  it('counts a recipient deferred after the dot as deferred (75), the others delivered', async () => {
    const { path, server } = await lmtpServer('452 4.2.2 <a@x.test> Mailbox busy\r\n250 2.0.0 <c@x.test> Saved');
    const run = await runCli(['-q', '--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'c@x.test'], { input: 'Body line\n' });
    await server.close();
    assert.equal(run.code, 75, run.stderr);
    assert.match(run.stderr, /a@x\.test/);
    assert.doesNotMatch(run.stderr, /c@x\.test/);
  });
});

describe('LMTP, a recipient refused after the dot, then a hang-up', () => {
  it('the refusal stands: said with its recipient, 67 (trying again cannot help it), the rest may have it', async () => {
    const path = join(socketDir, `${randomBytes(4).toString('hex')}.sock`);
    const server = await startScriptedServer({
      path,
      greeting: '220 lmtp.test LMTP',
      replies: { LHLO: LHLO_REPLY, DATA: '354 OK', '.': { raw: '550 5.1.1 <a@x.test> User unknown\r\n', close: true } },
    });
    try {
      const run = await runCli(['--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'c@x.test'], { input: 'Body line\n' });
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stdout, /^a@x\.test\.\.\. User unknown \(550 5\.1\.1 <a@x\.test> User unknown\)$/m);
      assert.match(run.stderr, /^mailv: not delivered to a@x\.test: 550 5\.1\.1 <a@x\.test> User unknown$/m);
      assert.match(run.stderr, /may have it/);
    } finally {
      await server.close();
    }
  });

  it('one reply after the message, then a hang-up: that recipient delivered, only the other may have it, 75', async () => {
    const path = join(socketDir, `${randomBytes(4).toString('hex')}.sock`);
    const server = await startScriptedServer({
      path,
      greeting: '220 lmtp.test LMTP',
      replies: { LHLO: LHLO_REPLY, DATA: '354 OK', '.': { raw: '250 2.0.0 <a> Saved\r\n', close: true } },
    });
    try {
      const run = await runCli(['--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'b@x.test'], { input: 'Body line\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^a@x\.test\.\.\. Sent \(<a> Saved\)$/m);
      assert.match(
        run.stderr,
        /^mailv: b@x\.test: connection closed by the server during body after the whole message was sent: .* may have it, so it is not sent again$/m,
      );
      assert.doesNotMatch(run.stderr, /a@x\.test/);
    } finally {
      await server.close();
    }
  });

  it('one reply after the message, then a hang-up: a recipient put off at RCPT keeps its own verdict, never named among those that may have it', async () => {
    const { path, server } = await lmtpServer({ raw: '250 2.0.0 <a> Saved\r\n', close: true }, (line) =>
      line.includes('<c@') ? '450 4.2.0 <c@x.test> Mailbox busy' : '250 2.1.5 OK',
    );
    try {
      const run = await runCli(['--json', '--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'b@x.test', 'c@x.test'], { input: 'Body line\n' });
      assert.equal(run.code, 75, run.stderr);
      const events = lines(run.stdout).map((line) => JSON.parse(line) as { event: string; recipients?: string[]; recipient?: string; outcome?: string });
      // Before, c (never in the message) was named beside b as one that may have it.
      assert.deepEqual(
        events.filter((event) => event.event === 'unsettled').map((event) => event.recipients),
        [['b@x.test']],
      );
      assert.deepEqual(
        events.filter((event) => event.event === 'recipient').map((event) => [event.recipient, event.outcome]),
        [
          ['c@x.test', 'deferred'],
          ['a@x.test', 'sent'],
        ],
      );
    } finally {
      await server.close();
    }
  });

  it("past the server's limit of recipients, a second transaction answered for one, then hung up: that one delivered, only the other may have it, 75", async () => {
    const path = join(socketDir, `${randomBytes(4).toString('hex')}.sock`);
    let connections = 0;
    let taken = 0;
    const server = await startScriptedServer({
      path,
      greeting: '220 lmtp.test LMTP',
      replies: { LHLO: LHLO_REPLY, DATA: '354 OK' },
      perConnection: () =>
        ++connections === 1
          ? { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 OK' : '452 4.5.3 Too many recipients'), '.': '250 2.0.0 <a> Saved' } }
          : { replies: { '.': { raw: '250 2.0.0 <b> Saved\r\n', close: true } } },
    });
    try {
      const run = await runCli(['--server', `lmtp:${path}`, ...HEADERS, 'a@x.test', 'b@x.test', 'c@x.test'], { input: 'Body line\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^a@x\.test\.\.\. Sent \(<a> Saved\)$/m);
      assert.match(run.stdout, /^b@x\.test\.\.\. Sent \(<b> Saved\)$/m);
      assert.match(
        run.stderr,
        /^mailv: c@x\.test: connection closed by the server during body after the whole message was sent: .* may have it, so it is not sent again$/m,
      );
      assert.doesNotMatch(run.stderr, /b@x\.test/);
    } finally {
      await server.close();
    }
  });
});

describe('SMTP over a unix socket (unix:/path)', () => {
  it('greets with EHLO and delivers as over TCP, byte for byte', async () => {
    const path = join(socketDir, 'smtp.sock');
    const server = await startScriptedServer({ path });
    const run = await runCli(['--server', `unix:${path}`, ...HEADERS, 'a@x.test', 'b@x.test', 'c@x.test'], { input: 'Body line\n' });
    await server.close();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      server.received().toString('latin1'),
      `EHLO client.test\r\nMAIL From:<alice@example.org> SIZE=${Buffer.byteLength(MESSAGE)}\r\nRCPT To:<a@x.test>\r\nRCPT To:<b@x.test>\r\nRCPT To:<c@x.test>\r\nDATA\r\n${MESSAGE}.\r\nQUIT\r\n`,
    );
    assert.match(run.stdout, /^a@x\.test\.\.\. Sent \(Ok: queued as S1\)$/m);
  });

  it('logs in over the socket without TLS, as on loopback: no one sits between the two ends of a local socket', async () => {
    const path = join(socketDir, 'auth.sock');
    const server = await startScriptedServer({ path, replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: '235 2.7.0 Authentication successful' } });
    const run = await runCli(['--server', `unix:${path}`, '--user', 'bob', ...HEADERS, 'a@x.test'], {
      input: 'Body line\n',
      env: { MAILV_PASSWORD: 'socket secret' },
    });
    await server.close();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.commands[1], `AUTH PLAIN ${Buffer.from('\0bob\0socket secret').toString('base64')}`);
  });

  it('names the socket when nothing listens there (one line, 69 or 75, dead.letter kept)', async () => {
    const path = join(socketDir, 'absent.sock');
    const run = await runCli(['--server', `unix:${path}`, ...HEADERS, 'a@x.test'], { input: 'Body line\n' });
    assert.ok(run.code === 75 || run.code === 69, `${run.code}: ${run.stderr}`);
    assert.ok(run.stderr.includes(path), run.stderr);
    assert.ok(existsSync(join(run.home, 'dead.letter')), run.stderr);
  });
});

const DOVECOT_SOCKET = '/run/mailv-lmtp/lmtp';
const DOVECOT_PORT = 2424;
const MAILDIR = '/var/lib/mailv-lmtp/lmtptest/Maildir/new';

function listening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: DOVECOT_PORT });
    socket.once('connect', () => {
      socket.destroy();
      resolve(existsSync(DOVECOT_SOCKET));
    });
    socket.once('error', () => resolve(false));
  });
}

/** The delivered file holding `id`, or undefined. */
function deliveredWith(id: string): string | undefined {
  for (const name of readdirSync(MAILDIR)) {
    const text = readFileSync(join(MAILDIR, name), 'latin1');
    if (text.includes(id)) return text;
  }
  return undefined;
}

describe('Dovecot LMTP (test/services/lmtp.sh)', { skip: skipUnlessRunning(await listening(), 'Dovecot LMTP', 'sudo test/services/lmtp.sh start') }, () => {
  for (const server of [`lmtp://127.0.0.1:${DOVECOT_PORT}`, `lmtp:${DOVECOT_SOCKET}`]) {
    it(`delivers to the Maildir through ${server}, refusing an unknown user at RCPT and a full mailbox after the message (67)`, async () => {
      const id = `<${randomBytes(8).toString('hex')}.lmtp@example.org>`;
      // Over the 1 KiB quota of lmtpfull, so its refusal comes after the message, not at RCPT.
      const body = `${'quota filler line\n'.repeat(80)}end\n`;
      const run = await runCli(
        [
          '--server',
          server,
          '-r',
          'alice@example.org',
          '-s',
          'LMTP',
          '-H',
          `Message-ID: ${id}`,
          'lmtptest@localhost',
          'nobody@localhost',
          'lmtpfull@localhost',
        ],
        {
          input: body,
        },
      );
      assert.equal(run.code, 67, run.stderr);
      assert.match(run.stdout, /^>>> LHLO /m);
      assert.match(run.stdout, /^550 5\.1\.1 <nobody@localhost> User doesn't exist/m);
      assert.match(run.stdout, /^250 2\.0\.0 <lmtptest@localhost> \S+ Saved\nlmtptest@localhost\.\.\. Sent \(<lmtptest@localhost> \S+ Saved\)$/m);
      assert.match(run.stdout, /^552 5\.2\.2 <lmtpfull@localhost> Quota exceeded.*\nlmtpfull@localhost\.\.\. Refused \(552 5\.2\.2 /m);
      const delivered = deliveredWith(id);
      assert.ok(delivered, `no message ${id} in ${MAILDIR}`);
      assert.match(delivered, /^\tby \S+ with LMTP$/m);
      assert.ok(delivered.endsWith(`\n\n${body}`), delivered.slice(-200));
    });
  }

  it('refuses SMTP on the LMTP socket: EHLO and HELO are unknown there (unix:/path is SMTP)', async () => {
    const run = await runCli(['--server', `unix:${DOVECOT_SOCKET}`, '-r', 'alice@example.org', 'lmtptest@localhost'], { input: 'x\n' });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /^>>> EHLO .*\n500 5\.5\.1 Unknown command$/m);
  });
});
