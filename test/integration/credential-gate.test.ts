// The credential gate against a server that is not this machine: an SMTP server in a network
// namespace of its own at 198.18.0.2, reached over a veth pair. It must never see the password
// unless the connection is verified TLS or the user lifted the gate with a flag.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.js';
import { GATE, GATE_ACCOUNT, gateSkipReason, secretTraces, startServerInNamespace, type NamespacedServer } from '../helpers/netns.js';

const skip = await gateSkipReason();

function send(server: NamespacedServer, extra: string[]): Promise<CliResult> {
  return runCli(['--server', `${server.address}:${server.port}`, '--user', GATE_ACCOUNT.user, '-s', 'gate', ...extra, 'bob@example.org'], {
    input: 'through the gate\n',
    env: { MAILV_PASSWORD: GATE_ACCOUNT.password },
  });
}

async function assertNothingLeaked(server: NamespacedServer, run: CliResult): Promise<void> {
  assert.deepEqual(await server.authAttempts(), []);
  const received = await server.received();
  assert.doesNotMatch(received, /^AUTH/m, 'no AUTH command reached the server');
  assert.deepEqual(secretTraces(received, GATE_ACCOUNT.password), []);
  assert.deepEqual(secretTraces(run.stdout + run.stderr, GATE_ACCOUNT.password), []);
}

describe('credentials to a server that is not loopback', { skip }, () => {
  let plain: NamespacedServer;
  let tls: NamespacedServer;
  before(async () => {
    plain = await startServerInNamespace({ port: 0, tls: false, authMechanisms: ['PLAIN', 'LOGIN'] });
    tls = await startServerInNamespace({ port: 0, tls: true, authMechanisms: ['PLAIN', 'LOGIN'] });
  });
  after(async () => {
    await plain?.close();
    await tls?.close();
  });

  it('without TLS: 77 before a secret byte is written, QUIT sent, the message kept', async () => {
    const run = await send(plain, []);
    assert.equal(run.code, 77);
    assert.equal(
      run.stderr.split('\n')[0],
      `mailv: not sending credentials to ${GATE.serverAddress} without TLS: anyone on the path could read them (--allow-plaintext-auth to send them anyway)`,
    );
    assert.match(run.stdout, /^>>> QUIT$/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
    await assertNothingLeaked(plain, run);
  });

  it('over TLS with an unverified certificate: 77, naming --insecure, and --ca where trusting a CA may help', async () => {
    const run = await send(tls, []);
    assert.equal(run.code, 77);
    assert.match(run.stdout, /^TLS: TLSv1\.[23], \S+; certificate NOT verified: /m, 'the session was encrypted');
    assert.match(
      run.stderr,
      /^mailv: not sending credentials to 198\.18\.0\.2: its certificate is NOT verified \(.+\), so it may not be 198\.18\.0\.2 \((--ca <file> to trust its CA, or )?--insecure\)$/m,
    );
    await assertNothingLeaked(tls, run);
  });

  it('--tls off to the same server: refused as plaintext', async () => {
    const run = await send(tls, ['--tls', 'off']);
    assert.equal(run.code, 77);
    assert.match(run.stderr, /without TLS/);
    await assertNothingLeaked(tls, run);
  });

  it('--insecure lets the login through over unverified TLS, and only there', async () => {
    const run = await send(tls, ['--insecure']);
    assert.equal(run.code, 0, run.stderr);
    const attempts = await tls.authAttempts();
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.accepted, true);
    assert.equal(attempts[0]!.secure, true, 'sent over TLS');
    const plaintext = await send(plain, ['--insecure']);
    assert.equal(plaintext.code, 77, '--insecure does not allow plaintext');
  });

  it('--allow-plaintext-auth sends the login in plaintext, as asked', async () => {
    const run = await send(plain, ['--allow-plaintext-auth']);
    assert.equal(run.code, 0, run.stderr);
    const attempts = await plain.authAttempts();
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.secure, false);
    assert.deepEqual(secretTraces(run.stdout + run.stderr, GATE_ACCOUNT.password), [], 'still redacted in the transcript');
  });
});
