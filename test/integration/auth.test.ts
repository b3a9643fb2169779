// AUTH (RFC 4954) with in-process servers on loopback: each mechanism, each source of the
// secret, each refusal with its exit status, and a transcript that never shows the secret unless
// --show-secrets asks for it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, startAuthSink, startScramServer, type AuthSink } from '../helpers/auth-servers.js';
import { freshHome, MAILV, runCli, type CliResult } from '../helpers/cli.js';
import { startScriptedServer, type Script } from '../helpers/scripted-server.js';

const TOKEN = 'ya29.token-for-alice';

/** Every form in which the password (or token) could leak: as typed, and base64 in each SASL encoding. */
function secretForms(secret: string): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [secret, b64(secret), b64(`\0${ACCOUNT.user}\0${secret}`), b64(`user=${ACCOUNT.user}\x01auth=Bearer ${secret}\x01\x01`)];
}

function assertNoSecret(run: CliResult, secret: string = ACCOUNT.password): void {
  const deadLetter = join(run.home, 'dead.letter');
  const places = { stdout: run.stdout, stderr: run.stderr, 'dead.letter': existsSync(deadLetter) ? readFileSync(deadLetter, 'latin1') : '' };
  for (const [place, text] of Object.entries(places)) {
    for (const form of secretForms(secret)) assert.ok(!text.includes(form), `${place} shows the secret as ${JSON.stringify(form)}`);
  }
}

function send(port: number, extra: string[], env: Record<string, string | undefined> = { MAILV_PASSWORD: ACCOUNT.password }): Promise<CliResult> {
  return runCli(['--server', `127.0.0.1:${port}`, '--user', ACCOUNT.user, '-s', 'auth', ...extra, 'bob@example.org'], { input: 'logged in\n', env });
}

/**
 * mailv logging in to `port` with its password asked at a terminal (a pty made by script(1)),
 * `command` run as the pty's shell would (`exec …`: mailv is its process); `typed` is called with
 * what the screen shows so far at each output, and with the child to type into.
 */
function atPasswordPrompt(
  port: number,
  typed: (screen: string, child: ReturnType<typeof spawn>) => void,
  shell = (command: string) => command,
): Promise<{ code: number | null; text: string }> {
  const home = freshHome();
  writeFileSync(join(home, 'body'), 'typed password\n');
  const command = [process.execPath, MAILV, '--server', `127.0.0.1:${port}`, '--user', ACCOUNT.user, '-s', 'tty', 'bob@example.org']
    .map((word) => `'${word}'`)
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `${shell(command)} < '${join(home, 'body')}'`, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', TERM: 'dumb' },
    });
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      typed(text, child);
    });
    // A run left stopped (a signal lost on a busy host) fails the test with what the screen showed, not the whole file by its time limit.
    const limit = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, text });
    });
  });
}

const PROMPT = 'Password for alice at 127.0.0.1: ';

describe('AUTH with smtp-server', () => {
  let sink: AuthSink;
  before(async () => {
    sink = await startAuthSink(['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2']);
  });
  after(() => sink.close());

  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    it(`${mechanism}: logs in, sends, and shows no secret`, async () => {
      const delivered = sink.messages.length;
      const run = await send(sink.port, ['--auth', mechanism.toLowerCase()]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^>>> AUTH ${mechanism}( \\*{8})?$`, 'm'));
      assert.match(run.stdout, /^235 2\.7\.0 Authentication successful$/m);
      assert.equal(sink.messages.length, delivered + 1);
      assert.deepEqual(sink.attempts.at(-1), { method: mechanism, user: ACCOUNT.user, accepted: true });
      assertNoSecret(run);
    });
  }

  it('picks the strongest mechanism offered: CRAM-MD5 over PLAIN and LOGIN', async () => {
    const run = await send(sink.port, []);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> AUTH CRAM-MD5$/m);
    assert.match(run.stdout, /^334 \S+$/m, 'the challenge is shown');
    assert.match(run.stdout, /^>>> \*{8}$/m, 'the answer is not');
  });

  it('XOAUTH2 with a token from --oauth2-token-file', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'token'), `${TOKEN}\n`);
    const run = await runCli(['--server', `127.0.0.1:${sink.port}`, '--user', ACCOUNT.user, '--oauth2-token-file', join(home, 'token'), 'bob@example.org'], {
      input: 'x\n',
      home,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> AUTH XOAUTH2 \*{8}$/m);
    assertNoSecret(run, TOKEN);
  });

  it('XOAUTH2 refused: the JSON error challenge is answered empty, then 77', async () => {
    const run = await runCli(['--server', `127.0.0.1:${sink.port}`, '--user', ACCOUNT.user, '--oauth2-token-cmd', 'echo expired-token', 'bob@example.org'], {
      input: 'x\n',
    });
    assert.equal(run.code, 77, run.stderr);
    assert.match(run.stdout, /^334 eyJ/m, 'the base64 JSON error');
    assert.match(run.stdout, /^>>> $/m, 'the empty answer');
    assert.match(run.stderr, /^mailv: authentication of alice with XOAUTH2 failed: 535 /m);
    assertNoSecret(run, 'expired-token');
  });

  it('a wrong password: 77 with the server text, the message kept, the password nowhere', async () => {
    const delivered = sink.messages.length;
    const run = await send(sink.port, ['--auth', 'PLAIN'], { MAILV_PASSWORD: 'Wr0ng-guess' });
    assert.equal(run.code, 77);
    assert.match(run.stderr, /^mailv: authentication of alice with PLAIN failed: 535 5\.7\.8 Authentication credentials invalid$/m);
    assert.match(run.stderr, /the message was saved in .*dead\.letter/);
    assert.doesNotMatch(run.stdout, />>> MAIL/);
    assert.match(run.stdout, /^>>> QUIT$/m);
    assert.equal(sink.messages.length, delivered);
    assertNoSecret(run, 'Wr0ng-guess');
  });

  it('--show-secrets shows each step and decodes it', async () => {
    const run = await send(sink.port, ['--auth', 'PLAIN', '--show-secrets']);
    assert.equal(run.code, 0, run.stderr);
    const blob = Buffer.from(`\0${ACCOUNT.user}\0${ACCOUNT.password}`).toString('base64');
    assert.match(run.stdout, new RegExp(`^>>> AUTH PLAIN ${blob.replace(/[+/=]/g, '\\$&')}$`, 'm'));
    assert.ok(run.stdout.includes(`(sent, decoded: "\\0alice\\0${ACCOUNT.password}")`), run.stdout);
  });

  it('a forced mechanism the server lacks: 69, naming what it offers', async () => {
    const plainOnly = await startAuthSink(['PLAIN']);
    try {
      const run = await send(plainOnly.port, ['--auth', 'CRAM-MD5']);
      assert.equal(run.code, 69);
      assert.match(run.stderr, /^mailv: the server does not offer AUTH CRAM-MD5 \(--auth CRAM-MD5\); it offers: PLAIN$/m);
    } finally {
      await plainOnly.close();
    }
  });
});

describe('AUTH SCRAM-SHA-256 against a server that checks the proof', () => {
  it('logs in: the server verified the client proof, mailv the server signature', async () => {
    const server = await startScramServer();
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(server.proofs, [true]);
      assert.match(run.stdout, /^>>> AUTH SCRAM-SHA-256 \*{8}$/m);
      assert.match(run.stdout, /^235 2\.7\.0 Authentication successful$/m);
      assertNoSecret(run);
    } finally {
      await server.close();
    }
  });

  it('a server signature that is wrong: cancelled, 77, nothing sent', async () => {
    const server = await startScramServer({ forgeSignature: true });
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 77);
      assert.match(run.stderr, /^mailv: SCRAM-SHA-256 with 127\.0\.0\.1 cancelled: the server's SCRAM signature is wrong/m);
      assert.ok(server.commands.includes('*'), 'the exchange is cancelled with *');
      assert.ok(!server.commands.some((line) => line.startsWith('MAIL')));
    } finally {
      await server.close();
    }
  });

  it('a wrong password: the server refuses the proof, 77', async () => {
    const server = await startScramServer();
    try {
      const run = await send(server.port, [], { MAILV_PASSWORD: 'not-it' });
      assert.equal(run.code, 77);
      assert.deepEqual(server.proofs, [false]);
      assertNoSecret(run, 'not-it');
    } finally {
      await server.close();
    }
  });
});

describe('no secret in any output but --show-secrets', () => {
  let sink: AuthSink;
  before(async () => {
    sink = await startAuthSink(['PLAIN', 'LOGIN', 'CRAM-MD5']);
  });
  after(() => sink.close());

  for (const verbosity of [[], ['-v'], ['-vv'], ['-q']]) {
    it(`${verbosity.join(' ') || 'default verbosity'}: every mechanism, accepted and refused`, async () => {
      for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
        for (const password of [ACCOUNT.password, 'Wr0ng-but-secret']) {
          const run = await send(sink.port, ['--auth', mechanism, ...verbosity], { MAILV_PASSWORD: password });
          assert.equal(run.code, password === ACCOUNT.password ? 0 : 77, `${mechanism}: ${run.stderr}`);
          assertNoSecret(run, password);
        }
      }
    });
  }
});

describe('AUTH refusals that are not about the password', () => {
  it('a token too long for the AUTH line waits for the empty challenge (RFC 4954 §4)', async () => {
    const token = `ya29.${'x'.repeat(600)}`;
    const sink = await startAuthSink(['XOAUTH2'], token);
    try {
      const run = await runCli(['--server', `127.0.0.1:${sink.port}`, '--user', ACCOUNT.user, '--oauth2-token-cmd', `echo ${token}`, 'bob@example.org'], {
        input: 'x\n',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^>>> AUTH XOAUTH2\n334 ?\n>>> \*{8}\n235 /m);
    } finally {
      await sink.close();
    }
  });

  it('a server that never stops challenging: 76; one that hangs up during AUTH: 75', async () => {
    const endless = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 AUTH LOGIN', AUTH: '334 VXNlcm5hbWU6', '*': '334 UGFzc3dvcmQ6' } });
    try {
      const run = await send(endless.port, []);
      assert.equal(run.code, 76);
      assert.match(run.stderr, /^mailv: the server sent more than 10 AUTH challenges$/m);
      assertNoSecret(run);
    } finally {
      await endless.close();
    }
    const hangUp = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: { close: true } } });
    try {
      const run = await send(hangUp.port, []);
      assert.equal(run.code, 75);
      assert.match(run.stderr, /^mailv: connection closed by the server during auth$/m);
      assert.ok(existsSync(join(run.home, 'dead.letter')));
    } finally {
      await hangUp.close();
    }
  });

  it('no AUTH offered: 77, saying so', async () => {
    const server = await startScriptedServer();
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 77);
      assert.match(run.stderr, /^mailv: the server offers no AUTH, so alice cannot log in \(--user\); some servers offer it only after STARTTLS \(--tls\)$/m);
    } finally {
      await server.close();
    }
  });

  it('454, a temporary failure: 75', async () => {
    const server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: '454 4.7.0 Temporary authentication failure' },
    });
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 75);
      assert.match(run.stderr, /^mailv: authentication of alice with PLAIN failed: 454 4\.7\.0 Temporary authentication failure$/m);
    } finally {
      await server.close();
    }
  });
});

describe('servers that try to make mailv show the secret', () => {
  it('a 535 that echoes the password and the PLAIN blob: both scrubbed from transcript and error', async () => {
    const blob = Buffer.from(`\0${ACCOUNT.user}\0${ACCOUNT.password}`).toString('base64');
    const server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250 AUTH PLAIN', AUTH: `535 5.7.8 Bad credentials ${blob} (${ACCOUNT.user} ${ACCOUNT.password})` },
    });
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 77);
      assert.match(run.stderr, /^mailv: authentication of alice with PLAIN failed: 535 5\.7\.8 Bad credentials \*{8} \(alice \*{8}\)$/m);
      assertNoSecret(run);
    } finally {
      await server.close();
    }
  });

  it('a SCRAM server that forges its nonce and hangs up on the cancel: still 77, for the right reason', async () => {
    const server = await startScriptedServer({
      replies: {
        EHLO: '250-scripted.test\r\n250 AUTH SCRAM-SHA-256',
        AUTH: `334 ${Buffer.from('r=not-the-client-nonce,s=AAAA,i=4096').toString('base64')}`,
        '*': { close: true },
      },
    });
    try {
      const run = await send(server.port, []);
      assert.equal(run.code, 77);
      assert.match(run.stderr, /^mailv: SCRAM-SHA-256 with 127\.0\.0\.1 cancelled: the server's SCRAM nonce does not extend mailv's$/m);
    } finally {
      await server.close();
    }
  });

  it('a challenge that is not base64, or an empty CRAM-MD5 challenge: cancelled, 77', async () => {
    for (const challenge of ['334 not base64!', '334 ']) {
      const server = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250 AUTH CRAM-MD5', AUTH: challenge, '*': '501 5.0.0 Cancelled' } });
      try {
        const run = await send(server.port, []);
        assert.equal(run.code, 77, run.stderr);
        assert.match(run.stderr, /CRAM-MD5 with 127\.0\.0\.1 cancelled: (the server's challenge is not base64|the server sent an empty CRAM-MD5 challenge)/);
        assert.ok(server.commands.includes('*'));
      } finally {
        await server.close();
      }
    }
  });
});

describe('secrets a server echoes after AUTH succeeded', () => {
  const OUTPUTS = [['-q'], [], ['-v'], ['-vv'], ['--json'], ['--explain', '--lang', 'en'], ['--timing']];
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const plainBlob = b64(`\0${ACCOUNT.user}\0${ACCOUNT.password}`);
  const passwordBlob = b64(ACCOUNT.password);
  /** What a careless server quotes back of each exchange: the base64 it was sent, the decoded PLAIN string, the password. */
  const ECHO = {
    PLAIN: [
      `you said: ${plainBlob} \0${ACCOUNT.user}\0${ACCOUNT.password} (${ACCOUNT.user}:${ACCOUNT.password})`,
      'you said: \\*{8} \\*{8} \\(alice:\\*{8}\\)',
    ],
    // The user name is no secret: its step stays readable.
    LOGIN: [`you said: ${b64(ACCOUNT.user)} ${passwordBlob} (${ACCOUNT.user}:${ACCOUNT.password})`, 'you said: YWxpY2U= \\*{8} \\(alice:\\*{8}\\)'],
  } as const;

  /** A server that takes AUTH PLAIN at once, or AUTH LOGIN in two steps, and any password. */
  function loginServer(mechanism: 'PLAIN' | 'LOGIN', replies: Script['replies']) {
    return startScriptedServer({
      replies: {
        EHLO: `250-scripted.test\r\n250-PIPELINING\r\n250 AUTH ${mechanism}`,
        AUTH: mechanism === 'PLAIN' ? '235 2.7.0 Authentication successful' : '334 VXNlcm5hbWU6',
        '*': (line) => (line === b64(ACCOUNT.user) ? '334 UGFzc3dvcmQ6' : '235 2.7.0 Authentication successful'),
        ...replies,
      },
    });
  }

  for (const [mechanism, stage, verb, reply, code, error] of [
    ['PLAIN', 'RCPT', 'RCPT', '550 5.1.1', 67, 'not delivered to bob@example\\.org: 550 5\\.1\\.1'],
    ['LOGIN', 'RCPT', 'RCPT', '550 5.1.1', 67, 'not delivered to bob@example\\.org: 550 5\\.1\\.1'],
    ['PLAIN', 'the final dot', '.', '554 5.7.1', 69, 'the server did not accept the message: 554 5\\.7\\.1'],
    ['LOGIN', 'DATA', 'DATA', '451 4.3.0', 75, 'the server refused DATA: 451 4\\.3\\.0'],
  ] as const) {
    it(`AUTH ${mechanism}, then ${stage} quoting the secret: scrubbed in every output, ${code}`, async () => {
      const [echo, shown] = ECHO[mechanism];
      const server = await loginServer(mechanism, { [verb]: `${reply} ${echo}` });
      try {
        for (const output of OUTPUTS) {
          const run = await send(server.port, ['--auth', mechanism, ...output]);
          const how = output.join(' ') || 'default output';
          assert.equal(run.code, code, `${how}: ${run.stderr}`);
          assert.match(run.stderr, new RegExp(`^mailv: ${error} ${shown}$`, 'm'), how);
          assertNoSecret(run);
          if (output.length === 0) assert.match(run.stdout, new RegExp(`^${reply.replace(/\./g, '\\.')} ${shown}$`, 'm'));
        }
      } finally {
        await server.close();
      }
    });
  }

  it('a malformed reply, or a 421 out of turn, quoting the password: scrubbed in the error line, 76 and 75', async () => {
    // Cut at 60 characters, a quote of the line as received would end inside the password.
    const malformed = await loginServer('PLAIN', { MAIL: `${'X'.repeat(52)} ${ACCOUNT.password}` });
    try {
      const run = await send(malformed.port, ['--auth', 'PLAIN']);
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stderr, /^mailv: protocol error during mail: malformed reply: "X{52} \*{7}"$/m);
      assert.ok(!run.stderr.includes(ACCOUNT.password.slice(0, 4)), run.stderr);
      assertNoSecret(run);
    } finally {
      await malformed.close();
    }
    const goodbye = await loginServer('PLAIN', { AUTH: `235 2.7.0 Ok\r\n421 4.7.0 ${plainBlob} is banned` });
    try {
      const run = await send(goodbye.port, ['--auth', 'PLAIN']);
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /^mailv: the server closed the session: 421 4\.7\.0 \*{8} is banned$/m);
      assertNoSecret(run);
    } finally {
      await goodbye.close();
    }
  });

  it('a piece cut from inside the PLAIN blob is masked whole, no octet of the password left beside the mask', async () => {
    const server = await loginServer('PLAIN', { RCPT: `550 5.1.1 you said: ${plainBlob.slice(3, -3)}` });
    try {
      const run = await send(server.port, ['--auth', 'PLAIN']);
      assert.equal(run.code, 67, run.stderr);
      // Before, the password's aligned base64 was masked first, leaving a character of it after the mask.
      assert.match(run.stdout, /^550 5\.1\.1 you said: \*{8}$/m);
      assert.match(run.stderr, /: 550 5\.1\.1 you said: \*{8}$/m);
    } finally {
      await server.close();
    }
  });

  it('--show-secrets shows the echo as received', async () => {
    const server = await loginServer('PLAIN', { RCPT: `550 5.1.1 you said: ${plainBlob}` });
    try {
      const run = await send(server.port, ['--auth', 'PLAIN', '--show-secrets']);
      assert.equal(run.code, 67, run.stderr);
      assert.ok(run.stdout.includes(`550 5.1.1 you said: ${plainBlob}`), run.stdout);
      // Standard error never shows it: before, the PLAIN blob's ends (the user and the password's first
      // and last octets in base64) were left around the mask.
      assert.match(run.stderr, /: 550 5\.1\.1 you said: \*{8}$/m);
      assertNoSecret({ ...run, stdout: '' });
    } finally {
      await server.close();
    }
  });

  it('--show-secrets shows the secret on standard output only: standard error and the diagram still mask it', async () => {
    const server = await loginServer('PLAIN', { AUTH: `535 5.7.8 bad credentials ${ACCOUNT.user} ${ACCOUNT.password}` });
    try {
      const diagram = join(freshHome(), 'class.svg');
      const run = await send(server.port, ['--auth', 'PLAIN', '--show-secrets', '--diagram', diagram]);
      assert.equal(run.code, 77, run.stderr);
      assert.ok(run.stdout.includes(ACCOUNT.password), run.stdout);
      assert.equal(run.stderr.split('\n')[0], `mailv: authentication of ${ACCOUNT.user} with PLAIN failed: 535 5.7.8 bad credentials ${ACCOUNT.user} ********`);
      const picture = readFileSync(diagram, 'utf8');
      assert.ok(!picture.includes(ACCOUNT.password));
      // The user name is no secret: the picture shows it where the dialogue does, with the option or without.
      assert.ok(picture.includes(`bad credentials ${ACCOUNT.user} ********`), 'the user name masked in the diagram');
    } finally {
      await server.close();
    }
  });
});

describe('where the secret comes from', () => {
  let sink: AuthSink;
  before(async () => {
    sink = await startAuthSink(['PLAIN']);
  });
  after(() => sink.close());

  it('--password-file: its first line', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'pw'), `${ACCOUNT.password}\nsecond line ignored\n`);
    const run = await send(sink.port, ['--password-file', join(home, 'pw')], {});
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(sink.attempts.at(-1), { method: 'PLAIN', user: ACCOUNT.user, accepted: true });
  });

  it('--password-file: a byte-order mark and a line ended by CR alone are no part of it; one anyone may read is used, and said', async () => {
    const home = freshHome();
    for (const [octets, mode] of [
      [Buffer.from(`\ufeff${ACCOUNT.password}\r\n`), 0o600],
      [Buffer.from(`${ACCOUNT.password}\rsecond line ignored\r`), 0o644],
    ] as const) {
      writeFileSync(join(home, 'pw'), octets, { mode });
      chmodSync(join(home, 'pw'), mode);
      const run = await send(sink.port, ['--password-file', join(home, 'pw')], {});
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(sink.attempts.at(-1), { method: 'PLAIN', user: ACCOUNT.user, accepted: true });
      const warning = `mailv: the secret in ${join(home, 'pw')} is used, but its mode 0644 lets anyone on this machine read it: chmod o-rwx ${join(home, 'pw')}`;
      assert.equal(run.stderr.includes(warning), mode === 0o644, run.stderr);
    }
  });

  it('a secret that is not UTF-8 is refused (65), never sent with U+FFFD in its place; the message kept', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'pw'), Buffer.from('p\xe4ss\n', 'latin1'), { mode: 0o600 });
    const attempts = sink.attempts.length;
    for (const source of [
      ['--password-file', join(home, 'pw')],
      ['--password-cmd', `cat '${join(home, 'pw')}'`],
    ]) {
      const run = await send(sink.port, source, {});
      assert.equal(run.code, 65, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `^mailv: the secret from ${source[0]} is not UTF-8: read as it stands, it would be another one; give it in UTF-8 \\(iconv -f latin1, say\\)$`,
          'm',
        ),
      );
      assert.ok(existsSync(join(run.home, 'dead.letter')), 'the message is kept');
    }
    assert.equal(sink.attempts.length, attempts, 'no login was tried');
  });

  it('--password-cmd: the first line it prints; a failing command is 78', async () => {
    const good = await send(sink.port, ['--password-cmd', `printf '%s\\n' '${ACCOUNT.password}'`], {});
    assert.equal(good.code, 0, good.stderr);
    const bad = await send(sink.port, ['--password-cmd', 'exit 3'], {});
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /^mailv: --password-cmd failed \(exit status 3\)$/m);
    assert.ok(existsSync(join(bad.home, 'dead.letter')), 'the message is kept');
  });

  it('a --password-cmd that floods: stopped at 64 KiB, 78, the message kept', async () => {
    // cat's own complaint at the closed pipe goes elsewhere: on the shared standard error it could
    // land in the middle of mailv's line.
    const run = await send(sink.port, ['--password-cmd', 'cat /dev/zero 2>/dev/null'], {});
    assert.equal(run.code, 78);
    assert.match(run.stderr, /^mailv: --password-cmd printed more than 64 KiB: not a password$/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('a missing --password-file is 66; no source and no terminal is 64, the message kept (as under cron)', async () => {
    const missing = await send(sink.port, ['--password-file', '/nonexistent/pw'], {});
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /^mailv: cannot read --password-file \/nonexistent\/pw: no such file$/m);
    const none = await runCli(['--server', `127.0.0.1:${sink.port}`, '--user', 'alice', 'bob@example.org'], { input: 'x\n' });
    assert.ok(none.code === 64, none.stderr);
    assert.match(none.stderr, /no password: no terminal to ask at; give MAILV_PASSWORD, --password-file or --password-cmd/);
    // Found once the message was read: it is kept, as for any other failure after that.
    assert.match(readFileSync(join(none.home, 'dead.letter'), 'utf8'), /^x$/m);
  });

  it('asks at the terminal with echo off', async () => {
    const screen = await atPasswordPrompt(sink.port, (text, child) => {
      if (text.includes(PROMPT) && !child.stdin!.writableEnded) child.stdin!.end(`${ACCOUNT.password}\r`);
    });
    assert.equal(screen.code, 0, screen.text);
    assert.ok(!screen.text.includes(ACCOUNT.password), 'the password is not echoed');
    assert.match(screen.text, /^235 2\.7\.0 Authentication successful/m);
  });

  it('a line typed before the prompt is not the password: only what is typed at it counts', async () => {
    const attempts = sink.attempts.length;
    let ahead = false;
    const screen = await atPasswordPrompt(
      sink.port,
      (text, child) => {
        // Typed while mailv starts, before it asks: before, this line was taken as the password.
        if (text.includes('ready') && !ahead) {
          ahead = true;
          child.stdin!.write('typed-ahead\r');
        }
        if (text.includes(PROMPT) && !child.stdin!.writableEnded) child.stdin!.end(`${ACCOUNT.password}\r`);
      },
      (command) => `printf 'ready\\n'; sleep 0.5; exec ${command}`,
    );
    assert.equal(screen.code, 0, screen.text);
    assert.deepEqual(
      sink.attempts.slice(attempts).map((attempt) => attempt.accepted),
      [true],
    );
  });

  it('a password typed that is not UTF-8 is refused (65), never sent with U+FFFD in its place', async () => {
    const attempts = sink.attempts.length;
    const screen = await atPasswordPrompt(sink.port, (text, child) => {
      if (text.includes(PROMPT) && !child.stdin!.writableEnded) child.stdin!.end(Buffer.from('p\xe4ss\r', 'latin1'));
    });
    assert.equal(screen.code, 65, screen.text);
    assert.match(screen.text, /the secret from the terminal is not UTF-8/);
    assert.equal(sink.attempts.length, attempts, 'no login was tried');
  });

  it('stopped at the prompt and continued after the terminal was given echo back, as a shell does: echo off again, the prompt asked again', async () => {
    let stage = 0;
    const screen = await atPasswordPrompt(
      sink.port,
      (text, child) => {
        const type = () => {
          stage = 2;
          child.stdin!.end(`${ACCOUNT.password}\r`);
        };
        if (stage === 0 && text.includes(PROMPT)) {
          stage = 1;
          // mailv, which the shell of script became (exec): stopped, its terminal (its standard
          // output) made as a shell leaves it (echo on, lines cooked), then continued.
          const mailv = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
          process.kill(mailv, 'SIGSTOP');
          execFileSync('stty', ['-F', readlinkSync(`/proc/${mailv}/fd/1`), 'sane']);
          process.kill(mailv, 'SIGCONT');
          // script stops itself when its child stops, for a shell to continue: continued too, and
          // again while either is seen stopped (on a busy host script may stop only after the first).
          process.kill(child.pid!, 'SIGCONT');
          const stopped = (pid: number) => {
            try {
              return /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
            } catch {
              return false;
            }
          };
          const watch = setInterval(() => {
            for (const pid of [mailv, child.pid!]) if (stopped(pid)) process.kill(pid, 'SIGCONT');
          }, 100);
          setTimeout(() => clearInterval(watch), 5000);
          // A prompt never asked again is typed at all the same, to see whether it echoes.
          setTimeout(() => stage === 1 && type(), 5000);
        } else if (stage === 1 && text.indexOf(PROMPT) !== text.lastIndexOf(PROMPT)) type();
      },
      (command) => `exec ${command}`,
    );
    assert.equal(screen.code, 0, screen.text);
    assert.ok(!screen.text.includes(ACCOUNT.password), 'the password is not echoed');
    assert.match(screen.text, /^235 2\.7\.0 Authentication successful/m);
  });

  it('refuses secret flags without --user, an unknown --auth, --user with --direct: 64', async () => {
    for (const args of [
      ['--password-file', 'pw'],
      ['--user', 'a', '--auth', 'DIGEST-MD5'],
      ['--user', 'a', '--direct'],
      ['--user', 'a', '--password-file', 'x', '--password-cmd', 'y'],
    ]) {
      const run = await runCli([...args, 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
    }
  });
});
