// --tls-name and the accounts file's tls-name: a server reached by its address, a tunnel's end or a
// socket, its certificate checked against the name given, which SNI sends; nowhere else.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { testPki } from '../helpers/certificates.js';
import { freshHome, runCli } from '../helpers/cli.js';
import { answerPlainly } from '../helpers/plain-responder.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

/** The TLS line of a verified handshake: checked against the name given (`as`, by --tls-name or the accounts file), or the host's own. */
const verified = (as?: string, givenBy = '--tls-name') =>
  new RegExp(`^TLS: TLSv1\\.3, \\S+; certificate verified${as === undefined ? '' : ` as ${as.replace(/[.[\]]/g, '\\$&')} \\(${givenBy}\\)`}$`, 'm');

/** STARTTLS with `cert`, each handshake's SNI kept in `names` (false: none sent). */
function tlsOptions(cert: { key: Buffer | string; cert: Buffer | string }, names: (string | false)[]): Partial<SMTPServerOptions> {
  return {
    disabledCommands: ['AUTH'],
    key: cert.key,
    cert: cert.cert,
    onSecure(socket, _session, callback) {
      names.push((socket as TLSSocket).servername ?? false);
      callback();
    },
  };
}

describe('--tls-name', () => {
  /** Its certificate is for mail.example.org alone, signed by the test CA; reached as 127.0.0.1. */
  let named: SmtpSink;
  /** Its certificate is for localhost, 127.0.0.1 and ::1. */
  let loopback: SmtpSink;
  const namedSni: (string | false)[] = [];
  const loopbackSni: (string | false)[] = [];
  before(async () => {
    named = await startSink(tlsOptions(testPki().wrongName, namedSni));
    loopback = await startSink(tlsOptions(testPki().good, loopbackSni));
  });
  after(async () => {
    await named.close();
    await loopback.close();
  });

  const send = (port: number, args: string[], home?: string) =>
    runCli(['--server', `127.0.0.1:${port}`, '--tls', 'required', '--ca', testPki().caFile, '--no-tls-resume', '-s', 'name', ...args, 'bob@example.org'], {
      input: 'x\n',
      ...(home === undefined ? {} : { home }),
    });

  it('checks the certificate against the name given, and sends it as SNI: a server reached by its address verifies', async () => {
    const without = await send(named.port, []);
    assert.equal(without.code, 75, without.stderr);
    assert.match(without.stderr, /the certificate of 127\.0\.0\.1 is NOT verified: name mismatch: the certificate is for DNS:mail\.example\.org/);
    const before = named.messages.length;
    // As typed by hand: in capitals, with the root's dot; SNI and the check have it in lower case, without the dot.
    namedSni.length = 0;
    const run = await send(named.port, ['--tls-name', 'Mail.Example.ORG.']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, verified('mail.example.org'));
    assert.equal(named.messages.length, before + 1);
    assert.equal(named.messages.at(-1)!.secure, true);
    // The root's dot as an ideographic full stop, as typed on a Japanese keyboard: the same name.
    const ideographic = await send(named.port, ['--tls-name', 'mail.example.org。']);
    assert.equal(ideographic.code, 0, ideographic.stderr);
    assert.deepEqual(namedSni, ['mail.example.org', 'mail.example.org']);
    // A load run's connections too: every message over a verified session.
    const load = await send(named.port, ['--tls-name', 'mail.example.org', '--count', '3', '--concurrency', '2', '--json']);
    assert.equal(load.code, 0, load.stderr);
    const summary = JSON.parse(load.stdout.split('\n').find((line) => line.startsWith('{"event":"load"'))!) as { accepted: number; tlsUnverified: number };
    assert.deepEqual([summary.accepted, summary.tlsUnverified], [3, 0], load.stdout);
    assert.equal(named.messages.length, before + 5);
  });

  it("another name than the certificate's fails, the name given said; the address's own name no longer counts", async () => {
    const run = await send(named.port, ['--tls-name', 'other.example.org']);
    assert.equal(run.code, 75, run.stderr);
    assert.match(run.stderr, /the certificate of other\.example\.org is NOT verified: name mismatch/);
    // A name in Unicode is checked in its A-labels.
    const unicode = await send(named.port, ['--tls-name', 'BÜCHER.example']);
    assert.equal(unicode.code, 75, unicode.stderr);
    assert.match(unicode.stderr, /the certificate of xn--bcher-kva\.example is NOT verified: name mismatch/);
    // The loopback certificate is for 127.0.0.1, but the name asked for is another.
    const loopbackRun = await send(loopback.port, ['--tls-name', 'mail.example.org']);
    assert.equal(loopbackRun.code, 75, loopbackRun.stderr);
    assert.match(loopbackRun.stderr, /the certificate of mail\.example\.org is NOT verified: name mismatch: the certificate is for DNS:localhost/);
  });

  it("an IP address is checked against the certificate's addresses, and no SNI goes (RFC 6066 §3)", async () => {
    loopbackSni.length = 0;
    const run = await runCli(
      [
        '--server',
        `localhost:${loopback.port}`,
        '-4',
        '--tls',
        'required',
        '--ca',
        testPki().caFile,
        '--no-tls-resume',
        '--tls-name',
        '[::1]',
        '-s',
        'ip',
        'bob@example.org',
      ],
      { input: 'x\n' },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, verified('::1'));
    assert.deepEqual(loopbackSni, [false]);
    const other = await send(loopback.port, ['--tls-name', '192.0.2.1']);
    assert.equal(other.code, 75, other.stderr);
    assert.match(other.stderr, /the certificate of 192\.0\.2\.1 is NOT verified: name mismatch/);
  });

  it('names a host only as RFC 9525 has it: in the subjectAltName, a wildcard as a whole label only', async () => {
    for (const [pair, verified] of [
      [testPki().wildcard, true],
      [testPki().commonNameOnly, false],
      [testPki().partialWildcard, false],
    ] as const) {
      const sink = await startSink(tlsOptions(pair, []));
      try {
        const run = await send(sink.port, ['--tls-name', 'mail.example.org']);
        assert.equal(run.code, verified ? 0 : 75, run.stderr);
        // Before: Node's check took the CN of a certificate without DNS names, and m*.example.org for mail.example.org.
        if (!verified) assert.match(run.stderr, /the certificate of mail\.example\.org is NOT verified: name mismatch/);
        if (pair !== testPki().partialWildcard) continue;
        // Under a client certificate, stopped at the handshake: the certificate described as it came, its wildcard too.
        const identity = join(freshHome(), 'client.pem');
        writeFileSync(identity, Buffer.concat([testPki().good.cert, Buffer.from('\n'), testPki().good.key]), { mode: 0o600 });
        const stopped = await send(sink.port, ['--tls-name', 'mail.example.org', '--tls-cert', identity]);
        assert.equal(stopped.code, 75, stopped.stderr);
        assert.match(stopped.stderr, /does not verify \(name mismatch: the certificate is for DNS:m\*\.example\.org, DNS:other\.example\.org\)/);
      } finally {
        await sink.close();
      }
    }
  });

  it('a login waits for the named server: on loopback too, whose exemption a name given lifts (a tunnel leads elsewhere)', async () => {
    const logins: string[] = [];
    // Reached on 127.0.0.1, with a certificate for localhost and 127.0.0.1, which a login there takes as it stands.
    const server = await startSink({
      ...tlsOptions(testPki().good, []),
      disabledCommands: [],
      authMethods: ['PLAIN'],
      authOptional: false,
      onAuth(auth, _session, callback) {
        logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
    });
    try {
      const login = (args: string[]) =>
        runCli(
          ['--server', `127.0.0.1:${server.port}`, '--ca', testPki().caFile, '--no-tls-resume', '--user', 'alice', '-s', 'x', ...args, 'bob@example.org'],
          {
            input: 'x\n',
            env: { MAILV_PASSWORD: 'Corr3ct-horse' },
          },
        );
      const asAddress = await login([]);
      assert.equal(asAddress.code, 0, asAddress.stderr);
      const named = await login(['--tls-name', 'mail.example.org']);
      assert.equal(named.code, 77, named.stderr);
      assert.match(named.stderr, /^mailv: not sending credentials to mail\.example\.org \[127\.0\.0\.1\]: its certificate is NOT verified \(name mismatch/m);
      assert.deepEqual(logins, ['alice'], 'the password went to the server whose certificate verified only');
      const insecure = await login(['--tls-name', 'mail.example.org', '--insecure']);
      assert.equal(insecure.code, 0, insecure.stderr);
    } finally {
      await server.close();
    }
  });

  it('over a unix-domain socket, whose path is no name a certificate carries', async () => {
    // A path whose last character is a dot, as a name's root dot: still no name to send.
    const path = join(freshHome(), 'smtp.');
    const names: (string | false)[] = [];
    const server = new SMTPServer({
      ...tlsOptions(testPki().wrongName, names),
      name: 'socket.test',
      authOptional: true,
      logger: false,
      disableReverseLookup: true,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const socketSend = (args: string[]) =>
        runCli(['--server', `unix:${path}`, '--tls', 'required', '--ca', testPki().caFile, '--no-tls-resume', '-s', 'unix', ...args, 'bob@example.org'], {
          input: 'x\n',
        });
      const without = await socketSend([]);
      assert.equal(without.code, 75, without.stderr);
      const run = await socketSend(['--tls-name', 'mail.example.org']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, verified('mail.example.org'));
      assert.deepEqual(names, [false, 'mail.example.org']);
    } finally {
      server.close();
    }
  });

  it("the accounts file's tls-name is its own server's: another server given is checked against its own name", async () => {
    const home = freshHome();
    const config = join(home, '.config', 'mailv');
    mkdirSync(config, { recursive: true });
    writeFileSync(
      join(config, 'config'),
      `[default]\nserver = 127.0.0.1:${named.port}\ntls = required\nca = ${testPki().caFile}\ntls-name = mail.example.org\n`,
    );
    chmodSync(join(config, 'config'), 0o600);
    const own = await runCli(['--no-tls-resume', '-s', 'account', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stdout, verified('mail.example.org', 'tls-name in the accounts file'));
    // The same server written otherwise is the file's own still.
    const sameServer = await runCli(['--server', `smtp://127.0.0.1:${named.port}`, '--no-tls-resume', '-s', 'account', 'bob@example.org'], {
      input: 'x\n',
      home,
    });
    assert.equal(sameServer.code, 0, sameServer.stderr);
    const elsewhere = await runCli(['--server', `localhost:${loopback.port}`, '--no-tls-resume', '-s', 'elsewhere', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(elsewhere.code, 0, `localhost is checked as localhost, not as mail.example.org: ${elsewhere.stderr}`);
    assert.match(elsewhere.stdout, verified());
    // [default]'s name is [default]'s server's: an account with a server of its own does not inherit it.
    writeFileSync(
      join(config, 'config'),
      `[default]\nserver = 127.0.0.1:${named.port}\ntls = required\nca = ${testPki().caFile}\ntls-name = mail.example.org\n[account loop]\nserver = localhost:${loopback.port}\n[account named]\nfrom = alice@example.org\n`,
    );
    const account = await runCli(['--account', 'loop', '--no-tls-resume', '-s', 'account', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(account.code, 0, account.stderr);
    assert.match(account.stdout, verified());
    const inherits = await runCli(['--account', 'named', '--no-tls-resume', '-s', 'account', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(inherits.code, 0, `an account that takes [default]'s server takes its name too: ${inherits.stderr}`);
    assert.match(inherits.stdout, verified('mail.example.org', 'tls-name in the accounts file'));
  });

  it("a mismatch that stops a client certificate is said in words of the run's language, with the advice that fits", async () => {
    const identity = join(freshHome(), 'client.pem');
    writeFileSync(identity, Buffer.concat([testPki().good.cert, Buffer.from('\n'), testPki().good.key]), { mode: 0o600 });
    const run = await runCli(
      [
        '--lang',
        'fr',
        '--server',
        `127.0.0.1:${named.port}`,
        '--ca',
        testPki().caFile,
        '--tls-cert',
        identity,
        '--tls-name',
        'other.example.org',
        '-s',
        'x',
        'bob@example.org',
      ],
      { input: 'x\n' },
    );
    assert.equal(run.code, 75, run.stderr);
    // Before: Node's English (`Hostname/IP does not match certificate's altnames: Host: other.example.org. …`) and --ca offered for it.
    assert.equal(
      run.stderr.split('\n')[0],
      'mailv: échec de la négociation TLS avec other.example.org : le certificat du serveur n’est pas vérifié (nom différent : le certificat est pour DNS:mail.example.org) : la négociation a été arrêtée, un certificat client n’étant destiné qu’à un serveur vérifié (--insecure accepte tout)',
    );
  });

  it('PIPECONNECT remembers an EHLO reply under TLS for the name SNI sent: another name served at the same address is asked anew', async () => {
    // One address, two names: the server answers EHLO for other.example.org without PIPECONNECT, for
    // any other name, or none, with it (as a server configured by SNI may).
    const early: (string | false)[] = [];
    const server = createTlsServer({ ...testPki().wildcard }, (secure) => {
      secure.on('error', () => {});
      const name = secure.servername || false;
      // An EHLO there before the greeting is written was sent early (read by answerPlainly then).
      setTimeout(() => {
        early.push(secure.readableLength > 0 ? name : `${name} (waited)`);
        answerPlainly(secure, name === 'other.example.org' ? ['other.example.org', 'PIPELINING'] : ['mail.example.org', 'PIPELINING', 'PIPECONNECT']);
        // Long enough that a busy host's stall of mailv does not pass for waiting: an early EHLO leaves right after the handshake.
      }, 400);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const home = freshHome();
    const send = (name: string) =>
      runCli(['-v', '--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '--no-tls-resume', '--tls-name', name, '-s', 'x', 'bob@example.org'], {
        home,
        input: 'x\n',
      });
    const entries = () =>
      (JSON.parse(readFileSync(join(home, '.cache', 'mailv', 'pipeconnect.json'), 'utf8')) as { entries: { tls: string; tlsName?: string }[] }).entries.map(
        ({ tls, tlsName }) => `${tls} ${tlsName}`,
      );
    try {
      for (const name of ['mail.example.org', 'other.example.org', 'mail.example.org', 'other.example.org']) {
        const run = await send(name);
        assert.equal(run.code, 0, run.stderr);
      }
      assert.deepEqual(early, ['mail.example.org (waited)', 'other.example.org (waited)', 'mail.example.org', 'other.example.org (waited)']);
      assert.deepEqual(entries(), ['implicit mail.example.org']);
      // An address given goes without SNI (RFC 6066 §3): its reply is kept as a server's without a
      // name, and used so (under --insecure: the certificate carries no address).
      for (const _ of [1, 2]) {
        const run = await runCli(
          ['--server', `smtps://127.0.0.1:${port}`, '--insecure', '--no-tls-resume', '--tls-name', '127.0.0.1', '-s', 'x', 'bob@example.org'],
          { home, input: 'x\n' },
        );
        assert.equal(run.code, 0, run.stderr);
      }
      assert.deepEqual(early.slice(4), [false + ' (waited)', false]);
      assert.deepEqual(entries(), ['implicit mail.example.org', 'implicit undefined']);
    } finally {
      server.close();
    }
  });

  it('refused before anything is read or sent: a name that is none (64), beside --direct, --mx or --demo (64), in the file (78)', async () => {
    for (const [name, shown] of [
      ['mail example.org', 'mail example.org'],
      ['*.example.org', '*.example.org'],
      ['-mail.example.org', '-mail.example.org'],
      ['[mail.example.org]', '[mail.example.org]'],
      ['', ''],
      [' mail.example.org', ' mail.example.org'],
      // Addresses in forms a URL's host takes, a name's all-digit last label: no name, and no address as given.
      ['127.1', '127.1'],
      ['0x7f.0.0.1', '0x7f.0.0.1'],
      ['2130706433', '2130706433'],
      ['１２７.０.０.１', '１２７.０.０.１'],
      // What a URL's host would make of them: another name (SNI evil.example), one decoded, one cut short.
      ['evil.example/mail.example.org', 'evil.example/mail.example.org'],
      ['mail%2Eexample.org', 'mail%2Eexample.org'],
      ['mail.example.org?x', 'mail.example.org?x'],
      ['mail.example.org\\x', 'mail.example.org\\\\x'],
      // What UTS #46 would drop or turn into labels IDNA2008 forbids: another name checked than the one typed.
      ['mail\u00ADexample.org', 'mail\u00ADexample.org'],
      ['mail.example.org\u2215evil.example', 'mail.example.org\u2215evil.example'],
      ['mail\u2010example.org', 'mail\u2010example.org'],
    ]) {
      const run = await runCli(['--server', `127.0.0.1:${named.port}`, '--tls-name', name!, '-s', 'x', 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 64, `${name}: ${run.stderr}`);
      assert.equal(
        run.stderr,
        `mailv: invalid --tls-name "${shown}": the server's name as its certificate carries it (a domain name, no wildcard) or an IP address\n`,
      );
    }
    const count = named.messages.length;
    for (const [flags, flag] of [
      [['--direct'], '--direct'],
      [['--mx', 'example.org'], '--mx'],
    ] as const) {
      const run = await runCli([...flags, '--tls-name', 'mail.example.org', 'bob@example.org'], { input: 'x\n' });
      assert.equal(run.code, 64, run.stderr);
      assert.equal(
        run.stderr,
        `mailv: --tls-name goes with a submission server (--server), not with ${flag}: each MX host's certificate is checked against that host's name\n`,
      );
    }
    const demo = await runCli(['--demo', '--tls-name', 'mail.example.org', 'bob@example.org'], { input: 'x\n' });
    assert.equal(demo.code, 64, demo.stderr);
    assert.match(demo.stderr, /^mailv: --tls-name goes with a server of yours \(--server\), not with --demo/);
    const home = freshHome();
    const config = join(home, 'bad.conf');
    writeFileSync(config, `[default]\nserver = 127.0.0.1:${named.port}\ntls-name = *.example.org\n`);
    const file = await runCli(['--config', config, '-s', 'x', 'bob@example.org'], { input: 'x\n', home });
    assert.equal(file.code, 78, file.stderr);
    assert.match(file.stderr, /bad\.conf:3: invalid tls-name: the server's name as its certificate carries it/);
    assert.equal(named.messages.length, count, 'nothing was sent');
  });
});
