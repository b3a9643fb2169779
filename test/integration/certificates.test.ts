// Certificates as a submission client must judge them, with servers using certificates made at
// test time: STARTTLS and smtps://, --ca, --insecure, and each reason a certificate fails.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testPki, type KeyPair } from '../helpers/certificates.js';
import { freshHome, lines, runCli, type CliResult, LOCAL_HOST } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback-port.js';
import { postfixSkipReason } from '../helpers/postfix.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { lookupShim } from '../helpers/lookup-shim.js';

function startTlsSink(pair: KeyPair, implicit = false): Promise<SmtpSink> {
  return startSink({ disabledCommands: ['AUTH'], key: pair.key, cert: pair.cert, secure: implicit });
}

function send(server: string, extra: string[]): Promise<CliResult> {
  return runCli(['--server', server, '-s', 'tls', ...extra, 'bob@example.org'], { input: 'x\n' });
}

describe('STARTTLS certificates', () => {
  const sinks: Record<'good' | 'wrongName' | 'expired' | 'selfSigned', SmtpSink> = {} as never;
  before(async () => {
    const pki = testPki();
    for (const kind of ['good', 'wrongName', 'expired', 'selfSigned'] as const) sinks[kind] = await startTlsSink(pki[kind]);
  });
  after(async () => {
    for (const sink of Object.values(sinks)) await sink.close();
  });

  it('--ca: verified, and the note names protocol, cipher, subject, issuer and validity', async () => {
    const run = await send(`127.0.0.1:${sinks.good.port}`, ['--tls', 'required', '--ca', testPki().caFile]);
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    const at = shown.findIndex((line) => line.startsWith('TLS: '));
    assert.match(shown[at]!, /^TLS: TLSv1\.3, TLS_\w+; certificate verified$/);
    assert.match(shown[at + 1]!, /^TLS: subject CN=localhost; issuer O=mailv tests, CN=mailv test CA; valid \w{3} .+ GMT to \w{3} .+ GMT$/);
    // No client certificate given, none asked for: nothing said of one.
    assert.ok(!shown[at + 2]!.startsWith('TLS: '), shown.join('\n'));
    // -v: the certificate's SHA-256 fingerprint, as openssl x509 -fingerprint -sha256 writes it.
    const verbose = await send(`127.0.0.1:${sinks.good.port}`, ['-v', '--tls', 'required', '--ca', testPki().caFile]);
    const fingerprint = new X509Certificate(testPki().good.cert).fingerprint256;
    assert.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(lines(verbose.stdout).includes(`TLS: certificate SHA-256 ${fingerprint}`), verbose.stdout);
  });

  it('a client certificate given to a server that does not ask for one: said to have gone nowhere', async () => {
    const home = freshHome();
    const both = join(home, 'both.pem');
    const { wrongName } = testPki();
    writeFileSync(both, Buffer.concat([wrongName.cert, wrongName.key]), { mode: 0o600 });
    const run = await runCli(
      ['--server', `127.0.0.1:${sinks.good.port}`, '-s', 'tls', '--tls', 'required', '--ca', testPki().caFile, '--tls-cert', both, 'bob@example.org'],
      {
        input: 'x\n',
        home,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    const at = shown.findIndex((line) => line.startsWith('TLS: '));
    assert.equal(shown[at + 2], 'TLS: the server did not ask for a client certificate, or named no signature mailv can make: none sent');
  });

  // Each failure: what auto says and still does, and the one line --tls required stops with.
  const failures = [
    ['unknown CA', 'good', [], 'unknown CA'],
    ['a name mismatch', 'wrongName', ['--ca'], 'name mismatch: the certificate is for DNS:mail.example.org'],
    ['an expired certificate', 'expired', ['--ca'], 'expired'],
    ['a self-signed certificate', 'selfSigned', [], 'self-signed'],
  ] as const;
  for (const [what, kind, flags, problem] of failures) {
    it(`${what}: auto notes it and sends; required stops with 75 and names the flags`, async () => {
      const withCa = flags.length > 0 ? ['--ca', testPki().caFile] : [];
      const auto = await send(`127.0.0.1:${sinks[kind].port}`, withCa);
      assert.equal(auto.code, 0, auto.stderr);
      assert.ok(auto.stdout.includes(`; certificate NOT verified: ${problem}\n`), auto.stdout);
      const required = await send(`127.0.0.1:${sinks[kind].port}`, ['--tls', 'required', ...withCa]);
      assert.equal(required.code, 75);
      assert.equal(
        required.stderr.split('\n')[0],
        // Trusting a CA cannot mend a certificate expired or for another name: --ca is named only where it may help.
        `mailv: the certificate of 127.0.0.1 is NOT verified: ${problem} (--tls required; ${flags.length > 0 ? '' : '--ca <file> trusts its CA, '}--insecure accepts any)`,
      );
      assert.doesNotMatch(required.stdout, /^>>> MAIL/m);
      assert.ok(existsSync(join(required.home, 'dead.letter')));
    });
  }

  it('an unknown CA though --ca was given: said so, the advice to give --ca left out (another CA, or an intermediate left out)', async () => {
    const home = freshHome();
    const other = join(home, 'other-ca.pem');
    writeFileSync(other, testPki().selfSigned.cert);
    const required = await send(`127.0.0.1:${sinks.good.port}`, ['--tls', 'required', '--ca', other]);
    assert.equal(required.code, 75, required.stderr);
    assert.equal(
      required.stderr.split('\n')[0],
      'mailv: the certificate of 127.0.0.1 is NOT verified: unknown CA, --ca given: another CA signed it, or the server leaves out its intermediate certificate (--tls required; --insecure accepts any)',
    );
  });

  it('--insecure accepts any certificate, and says so on every run, with TLS or without', async () => {
    const run = await send(`127.0.0.1:${sinks.selfSigned.port}`, ['--tls', 'required', '--insecure']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Warning: certificates are not checked \(--insecure\): anyone on the path could pose as the server$/m);
    const plain = await startSink();
    try {
      const noTls = await send(`127.0.0.1:${plain.port}`, ['--insecure']);
      assert.equal(noTls.code, 0, noTls.stderr);
      assert.match(noTls.stdout, /^Warning: certificates are not checked \(--insecure\)/m);
    } finally {
      await plain.close();
    }
  });

  it('--ca: a missing file is 66, a file without a certificate 65, before any connection', async () => {
    const missing = await send(`127.0.0.1:${sinks.good.port}`, ['--ca', '/nonexistent/ca.pem']);
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /^mailv: cannot read --ca \/nonexistent\/ca\.pem: no such file$/m);
    const home = freshHome();
    writeFileSync(join(home, 'not-a-ca.pem'), 'hello\n');
    const empty = await send(`127.0.0.1:${sinks.good.port}`, ['--ca', join(home, 'not-a-ca.pem')]);
    assert.equal(empty.code, 65);
    assert.match(empty.stderr, /holds no PEM certificate/);
    assert.equal(empty.stdout, '');
    // A regular file that says it is empty and never ends: read to the limit, not to its end.
    const endless = await send(`127.0.0.1:${sinks.good.port}`, ['--ca', '/proc/self/pagemap']);
    assert.equal(endless.code, 66, endless.stderr);
    assert.match(endless.stderr, /^mailv: cannot read --ca \/proc\/self\/pagemap: larger than 4 MiB$/m);
  });

  it('--ca with a damaged certificate (bad base64, cut short, beside a good one): 65 before any connection, naming which, as msmtp refuses it', async () => {
    const home = freshHome();
    const good = readFileSync(testPki().caFile, 'latin1');
    const body = good.split('\n').filter((line) => !line.startsWith('-----'));
    const files = {
      'garbage.pem': '-----BEGIN CERTIFICATE-----\nAAAAnotbase64!!\n-----END CERTIFICATE-----\n',
      'cut.pem': `-----BEGIN CERTIFICATE-----\n${body.slice(0, 3).join('\n')}\n-----END CERTIFICATE-----\n`,
      'second.pem': `${good}-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`,
    };
    for (const [name, pem] of Object.entries(files)) {
      writeFileSync(join(home, name), pem);
      const run = await send(`127.0.0.1:${sinks.good.port}`, ['--tls', 'required', '--ca', join(home, name)]);
      assert.equal(run.code, 65, `${name}: ${run.stderr}`);
      const which = name === 'second.pem' ? 2 : 1;
      assert.match(run.stderr, new RegExp(`^mailv: --ca \\S+${name.replace('.', '\\.')}: certificate ${which} of the file is damaged `, 'm'));
      assert.equal(run.stdout, '', name);
    }
  });

  it('--ca, --tls-cert and --tls-key that cannot be used: a piped message is kept, a dry run refuses them too', async () => {
    const home = freshHome();
    const { good, wrongName } = testPki();
    writeFileSync(join(home, 'client.pem'), wrongName.cert);
    writeFileSync(join(home, 'other.key'), good.key);
    const cases: [string[], number, RegExp][] = [
      [['--ca', '/nonexistent/ca.pem'], 66, /^mailv: cannot read --ca \/nonexistent\/ca\.pem: no such file$/],
      [['--tls-cert', join(home, 'client.pem'), '--tls-key', join(home, 'nowhere.key')], 66, /^mailv: cannot read --tls-key \S+nowhere\.key: no such file$/],
      [['--tls-cert', join(home, 'client.pem'), '--tls-key', join(home, 'other.key')], 65, /cannot be used: the key does not belong to the certificate$/],
    ];
    for (const [flags, code, said] of cases) {
      for (const dryRun of [false, true]) {
        rmSync(join(home, 'dead.letter'), { force: true });
        const run = await runCli(['--server', '127.0.0.1:9', ...(dryRun ? ['--dry-run'] : []), ...flags, '-s', 'x', 'bob@example.org'], {
          input: 'piped once\n',
          home,
        });
        assert.equal(run.code, code, `${flags.join(' ')} ${dryRun}: ${run.stderr}`);
        assert.match(lines(run.stderr)[0]!, said);
        // A dry run sends nothing, so keeps nothing; a send keeps what was piped, its only copy.
        assert.equal(lines(run.stderr).length, dryRun ? 1 : 2, run.stderr);
        assert.equal(existsSync(join(home, 'dead.letter')), !dryRun, dryRun ? 'a dry run keeps nothing' : 'the piped message kept');
      }
    }
  });

  for (const injected of ['250 2.1.0 injected', '421 4.3.0 closing']) {
    it(`bytes injected after "220 Ready to start TLS" (${injected}): 76, no handshake, no message (CVE-2011-0411)`, async () => {
      const server = await startScriptedServer({
        replies: {
          EHLO: '250-scripted.test\r\n250 STARTTLS',
          STARTTLS: `220 2.0.0 Ready to start TLS\r\n${injected}`,
        },
      });
      try {
        const run = await send(`127.0.0.1:${server.port}`, []);
        assert.equal(run.code, 76);
        // Said as what it is, whole replies as well as a line cut short (before: a reply nobody asked for).
        assert.match(run.stderr, /^mailv: the server sent more after its 220 to STARTTLS: a response injection \(CVE-2011-0411\)$/m);
        assert.deepEqual(server.commands, [`EHLO ${LOCAL_HOST}`, 'STARTTLS']);
        assert.ok(existsSync(join(run.home, 'dead.letter')));
      } finally {
        await server.close();
      }
    });
  }
});

describe('smtps:// (implicit TLS, RFC 8314)', () => {
  let smtps: SmtpSink;
  before(async () => {
    smtps = await startTlsSink(testPki().good, true);
  });
  after(() => smtps.close());

  it('TLS from the first byte, certificate verified with --ca, no STARTTLS', async () => {
    const delivered = smtps.messages.length;
    const run = await send(`smtps://127.0.0.1:${smtps.port}`, ['--ca', testPki().caFile]);
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    assert.match(shown[1]!, /^TLS: TLSv1\.3, \S+; certificate verified$/, 'the handshake comes before the greeting');
    assert.match(shown[3]!, /^220 /);
    assert.doesNotMatch(run.stdout, /STARTTLS/);
    assert.equal(smtps.messages.length, delivered + 1);
  });

  it('an unverified certificate stops before the greeting: 75; --insecure lets it through', async () => {
    const run = await send(`smtps://127.0.0.1:${smtps.port}`, []);
    assert.equal(run.code, 75);
    assert.match(
      run.stderr,
      /^mailv: the certificate of 127\.0\.0\.1 is NOT verified: unknown CA \(smtps:\/\/; --ca <file> trusts its CA, --insecure accepts any\)$/m,
    );
    assert.doesNotMatch(run.stdout, /^220 /m);
    const insecure = await send(`smtps://127.0.0.1:${smtps.port}`, ['--insecure']);
    assert.equal(insecure.code, 0, insecure.stderr);
  });

  it('smtps:// to a server that speaks plaintext: the handshake fails, 75, one line', async () => {
    const plain = await startSink();
    try {
      const run = await send(`smtps://127.0.0.1:${plain.port}`, []);
      assert.equal(run.code, 75);
      const first = run.stderr.split('\n')[0]!;
      assert.equal(first, 'mailv: TLS handshake with 127.0.0.1 failed: wrong version number (smtps:// expects TLS from the first byte; smtp:// uses STARTTLS)');
    } finally {
      await plain.close();
    }
  });

  it('smtps:// defaults to port 465 and contradicts --tls off', async () => {
    const run = await send('smtps://127.0.0.1', ['--tls', 'off']);
    assert.equal(run.code, 64);
    assert.match(run.stderr, /smtps:\/\/ and --tls off contradict each other/);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const refused = await send(`smtps://127.0.0.1:${closedPort}`, []);
    assert.equal(refused.code, 75);
    assert.match(refused.stdout, new RegExp(`Connecting to \\[127\\.0\\.0\\.1\\] port ${closedPort} via relay`));
  });
});

describe('a client certificate (--tls-cert, --tls-key), for a server that asks for one', () => {
  let sink: SmtpSink;
  /** The subject CN of the certificate each connection presented (empty: none). */
  const presented: string[] = [];
  before(async () => {
    const pki = testPki();
    sink = await startSink({
      disabledCommands: ['AUTH'],
      key: pki.good.key,
      cert: pki.good.cert,
      requestCert: true,
      rejectUnauthorized: false,
      onSecure(socket, _session, callback) {
        const peer = (socket as import('node:tls').TLSSocket).getPeerCertificate();
        presented.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : '');
        callback();
      },
    });
  });
  after(() => sink.close());

  it('presents the certificate given, from two files or one, and none without it; the session is never resumed with it', async () => {
    const home = freshHome();
    const { wrongName } = testPki();
    const cert = join(home, 'client.pem');
    const key = join(home, 'client.key');
    const both = join(home, 'both.pem');
    writeFileSync(cert, wrongName.cert);
    writeFileSync(key, wrongName.key, { mode: 0o600 });
    writeFileSync(both, Buffer.concat([wrongName.cert, wrongName.key]), { mode: 0o600 });
    const server = `127.0.0.1:${sink.port}`;
    const tls = ['--tls', 'required', '--ca', testPki().caFile];
    for (const given of [
      ['--tls-cert', cert, '--tls-key', key],
      ['--tls-cert', both],
    ]) {
      const run = await runCli(['--server', server, '-s', 'tls', ...tls, ...given, 'bob@example.org'], { input: 'x\n', home });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /resumed here/);
    }
    const without = await runCli(['--server', server, '-s', 'tls', ...tls, 'bob@example.org'], { input: 'x\n', home });
    assert.equal(without.code, 0, without.stderr);
    assert.deepEqual(presented, ['mail.example.org', 'mail.example.org', '']);
    // The dialogue says the server asked, and what went, in English and in French.
    assert.ok(lines(without.stdout).includes('TLS: the server asked for a client certificate: none sent (--tls-cert gives one)'), without.stdout);
    const french = await runCli(['--server', server, '-s', 'tls', ...tls, '--tls-cert', both, '--lang', 'fr', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(french.code, 0, french.stderr);
    assert.ok(lines(french.stdout).includes('TLS : le serveur a demandé un certificat client : proposé CN=mail.example.org'), french.stdout);
    presented.pop();
  });

  it('a server that asks for a certificate but accepts no signature the key can make: none sent, and said so', async () => {
    const home = freshHome();
    // An RSA server that takes RSA signatures only, asked by a client whose key is P-256.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.pem', '-days', '2', '-subj', '/CN=rsa-only'],
      {
        cwd: home,
        stdio: 'ignore',
      },
    );
    const seen: string[] = [];
    const rsaOnly = await startSink({
      disabledCommands: ['AUTH'],
      key: readFileSync(join(home, 'server.key')),
      cert: readFileSync(join(home, 'server.pem')),
      requestCert: true,
      rejectUnauthorized: false,
      sigalgs: 'RSA-PSS+SHA256:RSA+SHA256',
      onSecure(socket, _session, callback) {
        const peer = (socket as import('node:tls').TLSSocket).getPeerCertificate();
        seen.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : '');
        callback();
      },
    } as Parameters<typeof startSink>[0]);
    try {
      const both = join(home, 'both.pem');
      const { wrongName } = testPki();
      writeFileSync(both, Buffer.concat([wrongName.cert, wrongName.key]), { mode: 0o600 });
      const run = await runCli(['--server', `127.0.0.1:${rsaOnly.port}`, '-s', 'tls', '--insecure', '--tls-cert', both, 'bob@example.org'], {
        input: 'x\n',
        home,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(seen, ['']);
      assert.ok(
        lines(run.stdout).includes(
          'TLS: the server asked for a client certificate: none sent, since it accepts no signature the key of CN=mail.example.org can make',
        ),
        run.stdout,
      );
    } finally {
      await rsaOnly.close();
    }
  });

  it('a key file that anyone may read is used, and said, unless -q; one kept to its owner or group is not', async () => {
    const home = freshHome();
    const { wrongName } = testPki();
    const cert = join(home, 'client.pem');
    const key = join(home, 'client.key');
    writeFileSync(cert, wrongName.cert);
    writeFileSync(key, wrongName.key);
    const send = (...extra: string[]) =>
      runCli(
        [
          '--server',
          `127.0.0.1:${sink.port}`,
          '--tls',
          'required',
          '--ca',
          testPki().caFile,
          '--tls-cert',
          cert,
          '--tls-key',
          key,
          ...extra,
          '-s',
          'k',
          'bob@example.org',
        ],
        {
          input: 'x\n',
          home,
        },
      );
    const earlier = presented.length;
    chmodSync(key, 0o644);
    const exposed = await send();
    assert.equal(exposed.code, 0, exposed.stderr);
    assert.equal(exposed.stderr, `mailv: the private key in ${key} is used, but its mode 0644 lets anyone on this machine read it: chmod o-rwx ${key}\n`);
    const quiet = await send('-q');
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    // A group may be meant to share it (Debian's ssl-cert group).
    chmodSync(key, 0o640);
    const shared = await send();
    assert.equal(shared.code, 0, shared.stderr);
    assert.equal(shared.stderr, '');
    // The certificate, public, may be read by anyone: only the key's file is looked at.
    chmodSync(cert, 0o644);
    assert.equal((await send()).stderr, '');
    assert.deepEqual(presented.slice(earlier), Array(4).fill('mail.example.org'));
  });

  it('a server that hangs up during the handshake is said to have, not blamed on its certificate, with a client certificate too', async () => {
    const home = freshHome();
    const both = join(home, 'both.pem');
    const { wrongName } = testPki();
    writeFileSync(both, Buffer.concat([wrongName.cert, wrongName.key]), { mode: 0o600 });
    // Reads the ClientHello, then hangs up: no certificate of its own was ever shown.
    const hangingUp = createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => hangingUp.listen(0, '127.0.0.1', resolve));
    const address = hangingUp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const run = await runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '--tls-cert', both, '-s', 'x', 'bob@example.org'], {
        input: 'x\n',
        home,
      });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /^mailv: TLS handshake with 127\.0\.0\.1 failed: /m);
      assert.doesNotMatch(run.stderr, /does not verify/);
    } finally {
      await new Promise((resolve) => hangingUp.close(resolve));
    }
  });

  it('under TLS 1.2 too, a server whose certificate does not verify stops the handshake (75)', async () => {
    const home = freshHome();
    const both = join(home, 'both.pem');
    const pki = testPki();
    writeFileSync(both, Buffer.concat([pki.wrongName.cert, pki.wrongName.key]), { mode: 0o600 });
    const tls12 = await startSink({
      disabledCommands: ['AUTH'],
      key: pki.good.key,
      cert: pki.good.cert,
      requestCert: true,
      rejectUnauthorized: false,
      maxVersion: 'TLSv1.2',
    } as Parameters<typeof startSink>[0]);
    try {
      const run = await runCli(['--server', `127.0.0.1:${tls12.port}`, '--tls-cert', both, '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
      assert.equal(run.code, 75, run.stderr);
      assert.match(
        run.stderr,
        /the server's certificate does not verify \(.*\): the handshake was stopped, a client certificate being meant for a verified server only/,
      );
      assert.equal(tls12.messages.length, 0);
    } finally {
      await tls12.close();
    }
  });

  it('goes only where it may: not from the accounts file to another server, and never to a server whose certificate does not verify', async () => {
    const home = freshHome();
    const { wrongName } = testPki();
    const cert = join(home, 'client.pem');
    writeFileSync(cert, Buffer.concat([wrongName.cert, wrongName.key]), { mode: 0o600 });
    mkdirSync(join(home, '.config', 'mailv'), { recursive: true });
    writeFileSync(join(home, '.config', 'mailv', 'config'), `[default]\nserver = 127.0.0.1:1\ntls-cert = ${cert}\n`, { mode: 0o600 });
    presented.length = 0;
    const elsewhere = await runCli(['--server', `127.0.0.1:${sink.port}`, '--tls', 'required', '--ca', testPki().caFile, '-s', 'x', 'bob@example.org'], {
      input: 'x\n',
      home,
    });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.deepEqual(presented, [''], "the account's certificate is for the account's server");
    // Given on the command line, to a server whose certificate mailv cannot verify (no --ca): the
    // handshake is refused rather than the certificate shown to it (--tls auto would go on).
    const unverified = await runCli(['--server', `127.0.0.1:${sink.port}`, '--tls-cert', cert, '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(unverified.code, 75, unverified.stderr);
    assert.match(
      unverified.stderr,
      /^mailv: TLS handshake with 127\.0\.0\.1 failed: the server's certificate does not verify \(.*\): the handshake was stopped, a client certificate being meant for a verified server only \(--ca <file> trusts its CA, --insecure accepts any\)$/m,
    );
    assert.deepEqual(presented, ['']);
    assert.ok(existsSync(join(home, 'dead.letter')));
  });

  it('names a file of the accounts file by its key there (tls-cert, tls-key, ca), not by an option the user never typed', async () => {
    const home = freshHome();
    const { wrongName, good } = testPki();
    const cert = join(home, 'client.pem');
    const other = join(home, 'other.key');
    writeFileSync(cert, wrongName.cert);
    writeFileSync(other, good.key, { mode: 0o600 });
    mkdirSync(join(home, '.config', 'mailv'), { recursive: true });
    const before = sink.messages.length;
    const sendWith = async (settings: string) => {
      writeFileSync(join(home, '.config', 'mailv', 'config'), `[default]\nserver = 127.0.0.1:${sink.port}\ntls = required\n${settings}`, { mode: 0o600 });
      const run = await runCli(['-s', 'x', 'bob@example.org'], { input: 'x\n', home });
      return { code: run.code, said: run.stderr.split('\n')[0] };
    };
    assert.deepEqual(await sendWith(`tls-cert = ${join(home, 'nowhere.pem')}\n`), {
      code: 66,
      said: `mailv: cannot read tls-cert ${join(home, 'nowhere.pem')}: no such file`,
    });
    assert.deepEqual(await sendWith(`tls-cert = ${cert}\n`), { code: 65, said: `mailv: tls-cert ${cert} holds no PEM private key (give it with tls-key)` });
    assert.deepEqual(await sendWith(`tls-cert = ${cert}\ntls-key = ${other}\n`), {
      code: 65,
      said: `mailv: tls-cert ${cert} and tls-key ${other} cannot be used: the key does not belong to the certificate`,
    });
    // The command line's certificate with the account's: each named as it was given.
    const mixed = await runCli(['--tls-key', other, '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(mixed.stderr.split('\n')[0], `mailv: tls-cert ${cert} and --tls-key ${other} cannot be used: the key does not belong to the certificate`);
    assert.deepEqual(await sendWith(`ca = ${join(home, 'no-ca.pem')}\n`), { code: 66, said: `mailv: cannot read ca ${join(home, 'no-ca.pem')}: no such file` });
    const french = await runCli(['--lang', 'fr', '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(french.stderr.split('\n')[0], `mailv: impossible de lire ca ${join(home, 'no-ca.pem')} : fichier inexistant`);
    assert.equal(sink.messages.length, before, 'nothing sent');
  });

  it('a server that refuses the certificate (a TLS 1.3 alert after the handshake): 75, said so, the message kept, no crash', async () => {
    const pki = testPki();
    const home = freshHome();
    writeFileSync(join(home, 'server.pem'), pki.good.cert);
    writeFileSync(join(home, 'server.key'), pki.good.key);
    const cert = join(home, 'client.pem');
    writeFileSync(cert, Buffer.concat([pki.selfSigned.cert, pki.selfSigned.key]), { mode: 0o600 });
    // OpenSSL's own server, wanting a certificate of the test CA: TLS 1.3 lets the client finish
    // its handshake first, and the refusal comes after it, as an alert.
    const port = await closedPort();
    const server = spawn(
      'openssl',
      [
        's_server',
        '-quiet',
        '-accept',
        `127.0.0.1:${port}`,
        '-cert',
        'server.pem',
        '-key',
        'server.key',
        '-CAfile',
        pki.caFile,
        '-Verify',
        '1',
        '-verify_return_error',
      ],
      { cwd: home, stdio: 'ignore' },
    );
    try {
      for (let tries = 0; !(await listening(port)); tries++) assert.ok(tries < 100, 'openssl s_server never listened');
      const run = await runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', pki.caFile, '--tls-cert', cert, '-s', 'x', 'bob@example.org'], {
        input: 'kept\n',
        home,
      });
      assert.equal(run.code, 75, run.stderr);
      assert.equal(
        run.stderr.split('\n')[0],
        'mailv: TLS handshake with 127.0.0.1 failed: tlsv1 alert unknown ca (the server refused the handshake: a client certificate it does not accept, or none when it wants one)',
      );
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^kept$/m);
    } finally {
      server.kill();
    }
  });

  it("refuses, before connecting, a key that is not the certificate's, an encrypted one, a missing one, and a key alone (65, 66, 64)", async () => {
    const home = freshHome();
    const { wrongName, good } = testPki();
    const cert = join(home, 'client.pem');
    const other = join(home, 'other.key');
    writeFileSync(cert, wrongName.cert);
    writeFileSync(other, good.key);
    const before = sink.messages.length;
    const send = (flags: string[]) =>
      runCli(['--server', `127.0.0.1:${sink.port}`, '-s', 'tls', '--tls', 'required', ...flags, 'bob@example.org'], { input: 'x\n', home });
    const mismatch = await send(['--tls-cert', cert, '--tls-key', other]);
    assert.equal(mismatch.code, 65);
    assert.equal(mismatch.stderr.split('\n')[0], `mailv: --tls-cert ${cert} and --tls-key ${other} cannot be used: the key does not belong to the certificate`);
    // The chain before the client's own certificate: the key is that of the second.
    const reversed = join(home, 'reversed.pem');
    writeFileSync(reversed, Buffer.concat([readFileSync(testPki().caFile), wrongName.cert, wrongName.key]), { mode: 0o600 });
    for (const flags of [
      ['--tls-cert', reversed],
      ['--tls-cert', reversed, '--tls-key', reversed],
    ]) {
      const upsideDown = await send(flags);
      assert.equal(upsideDown.code, 65);
      assert.equal(
        upsideDown.stderr.split('\n')[0],
        `mailv: --tls-cert ${reversed} (its certificate and key) cannot be used: the key belongs to a certificate further down the file: the client's own certificate comes first, then its chain`,
      );
    }
    // Of another key type (RSA) than the key (P-256): OpenSSL takes both, and would send nothing.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.pem', '-days', '2', '-subj', '/CN=rsa'], {
      cwd: home,
      stdio: 'ignore',
    });
    const ecKey = join(home, 'client.key');
    writeFileSync(ecKey, wrongName.key, { mode: 0o600 });
    const rsaFirst = join(home, 'rsa-first.pem');
    writeFileSync(rsaFirst, Buffer.concat([readFileSync(join(home, 'rsa.pem')), wrongName.cert]));
    const typesReversed = await send(['--tls-cert', rsaFirst, '--tls-key', ecKey]);
    assert.equal(typesReversed.code, 65);
    assert.match(typesReversed.stderr, /cannot be used: the key belongs to a certificate further down the file/);
    const typesDiffer = await send(['--tls-cert', join(home, 'rsa.pem'), '--tls-key', ecKey]);
    assert.equal(typesDiffer.code, 65);
    assert.match(typesDiffer.stderr, /cannot be used: the key does not belong to the certificate$/m);
    // The first certificate under another label OpenSSL reads (X509 CERTIFICATE) is still the first.
    const relabelled = join(home, 'relabelled.pem');
    writeFileSync(
      relabelled,
      Buffer.concat([Buffer.from(wrongName.cert.toString('latin1').replace(/ CERTIFICATE-----/g, ' X509 CERTIFICATE-----')), good.cert]),
    );
    const labelled = await send(['--tls-cert', relabelled, '--tls-key', ecKey]);
    assert.doesNotMatch(labelled.stderr, /cannot be used/);
    assert.notEqual(labelled.code, 65, labelled.stderr);
    // A chain in order whose key is not its first certificate's is a mismatch still.
    const chained = join(home, 'chained.pem');
    writeFileSync(chained, Buffer.concat([wrongName.cert, readFileSync(testPki().caFile)]));
    assert.match((await send(['--tls-cert', chained, '--tls-key', other])).stderr, /cannot be used: the key does not belong to the certificate$/m);
    const noKey = await send(['--tls-cert', cert]);
    assert.equal(noKey.code, 65);
    assert.equal(noKey.stderr.split('\n')[0], `mailv: --tls-cert ${cert} holds no PEM private key (give it with --tls-key)`);
    const encrypted = join(home, 'encrypted.key');
    execFileSync('openssl', ['pkey', '-in', other, '-aes256', '-passout', 'pass:secret', '-out', encrypted]);
    const locked = await send(['--tls-cert', cert, '--tls-key', encrypted]);
    assert.equal(locked.code, 65);
    assert.match(locked.stderr, /^mailv: --tls-cert \S+ and --tls-key \S+encrypted\.key cannot be used: the key is encrypted \(mailv asks for no passphrase/m);
    const missing = await send(['--tls-cert', cert, '--tls-key', join(home, 'nowhere.key')]);
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /^mailv: cannot read --tls-key \S+nowhere\.key: no such file$/m);
    const alone = await send(['--tls-key', other]);
    assert.equal(alone.code, 64);
    assert.equal(alone.stderr, 'mailv: --tls-key goes with --tls-cert: the key of which certificate?\n');
    assert.equal(sink.messages.length, before, 'nothing sent');
  });
});

/** Whether something accepts connections on 127.0.0.1:`port` (after a short wait when nothing does yet). */
function listening(port: number): Promise<boolean> {
  // A connection, not a listen of our own: that would take the port s_server is about to bind.
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => setTimeout(() => resolve(false), 50));
  });
}

describe('a login over loopback to a certificate that does not verify', () => {
  it('goes, loopback being this machine, with a warning that another user may hold the port; --insecure silences it', async () => {
    const { wrongName } = testPki();
    const logins: string[] = [];
    const sink = await startSink({
      disabledCommands: [],
      key: wrongName.key,
      cert: wrongName.cert,
      authMethods: ['PLAIN'],
      onAuth(auth, _session, callback) {
        logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
    });
    try {
      const send = (extra: string[]) =>
        runCli(['--server', `127.0.0.1:${sink.port}`, '--user', 'bob', '-s', 'tls', ...extra, 'bob@example.org'], {
          input: 'x\n',
          env: { MAILV_PASSWORD: 'Se-cret-9' },
        });
      const warned = await send([]);
      assert.equal(warned.code, 0, warned.stderr);
      assert.match(
        warned.stdout,
        /^Warning: logging in to 127\.0\.0\.1 although its certificate is NOT verified \(.+\): allowed on loopback, where nothing leaves this machine, but on a shared machine another user may hold this port \(--insecure says you know\)$/m,
      );
      const quiet = await send(['--insecure']);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stdout + quiet.stderr, /logging in to/);
      assert.deepEqual(logins, ['bob', 'bob']);
    } finally {
      await sink.close();
    }
  });
});

describe('the name sent in SNI', () => {
  it('is the server name without its final dot (RFC 6066 §3), as the certificate is checked against it', async () => {
    // The system's resolver gives 127.0.0.1 for these two names alone (no query leaves the machine).
    const shim = lookupShim({ 'mail.example.test.': '127.0.0.1', 'mail.example.test': '127.0.0.1' });
    const names: (string | false | null)[] = [];
    const pki = testPki();
    const server = createTlsServer({ key: pki.good.key, cert: pki.good.cert }, (socket) => {
      names.push(socket.servername);
      socket.end('421 4.3.2 enough\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = await runCli(['--server', `smtps://mail.example.test.:${port}`, '--insecure', '-s', 'x', 'bob@example.org'], {
        input: 'x\n',
        env: { NODE_OPTIONS: `--require ${shim}` },
      });
      assert.equal(run.code, 75, run.stderr);
      // Before: 'mail.example.test.', which a server choosing its certificate by name may not know.
      assert.deepEqual(names, ['mail.example.test']);
    } finally {
      server.close();
    }
  });

  it("is none over a unix-domain socket, whose path is no name (and none of the server's business)", async () => {
    const pki = testPki();
    const path = join(freshHome(), 'smtp.sock');
    const names: (string | false | null)[] = [];
    const server = createServer((plain) => {
      plain.on('error', () => {});
      plain.write('220 socket.test ESMTP\r\n');
      let pending = '';
      const onData = (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        if (pending.startsWith('EHLO') && pending.endsWith('\r\n')) {
          pending = '';
          plain.write('250-socket.test\r\n250 STARTTLS\r\n');
        } else if (pending === 'STARTTLS\r\n') {
          plain.off('data', onData);
          plain.write('220 2.0.0 go ahead\r\n');
          const secure = new TLSSocket(plain, { isServer: true, key: pki.good.key, cert: pki.good.cert });
          secure.on('secure', () => {
            names.push(secure.servername);
            secure.end('421 4.3.2 enough\r\n');
          });
          secure.on('error', () => {});
        }
      };
      plain.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const run = await runCli(['--server', `unix:${path}`, '--tls', 'required', '--insecure', '-s', 'x', 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      // Before: the socket's path went to the server as the name.
      assert.deepEqual(names, [false]);
    } finally {
      server.close();
    }
  });
});

describe("smtp:// to Postfix's implicit-TLS port", { skip: await postfixSkipReason() }, () => {
  it('the greeting that never comes (the server waits for TLS from the first byte) is said as such: smtps://', async () => {
    const run = await send('127.0.0.1:465', ['--timeout', '2']);
    assert.equal(run.code, 75, run.stderr);
    // Before: the time limit alone, after five minutes by default, with nothing to say why.
    assert.equal(
      run.stderr.split('\n')[0],
      'mailv: timed out after 2 s waiting for the reply (greeting): a server on port 465 waits for TLS from the first byte (smtps://host:465)',
    );
  });
});
