// STARTTLS with a submission server: --tls auto, required and off, against smtp-server's own
// (expired, self-signed) test certificate and a server that offers no STARTTLS.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lines, runCli, LOCAL_HOST } from '../helpers/cli.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

describe('STARTTLS with a submission server', () => {
  let withTls: SmtpSink;
  let withoutTls: SmtpSink;
  before(async () => {
    withTls = await startSink({ disabledCommands: ['AUTH'] });
    withoutTls = await startSink();
  });
  after(async () => {
    await withTls.close();
    await withoutTls.close();
  });

  it('auto (the default): upgrades when offered, says the certificate is not verified, still sends', async () => {
    const run = await runCli(['--server', `127.0.0.1:${withTls.port}`, '-s', 'tls', 'bob@example.org'], { input: 'over TLS\n' });
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    const at = shown.indexOf('>>> STARTTLS');
    assert.ok(at > 0, run.stdout);
    assert.match(shown[at + 1]!, /^220 2\.0\.0 Ready to start TLS/);
    assert.match(shown[at + 2]!, /^TLS: TLSv1\.3, \S+; certificate NOT verified: /);
    assert.equal(shown[at + 4], `>>> EHLO ${LOCAL_HOST}`);
    assert.ok(withTls.messages.some((message) => message.data.toString().includes('over TLS')));
  });

  it('required: an unverified certificate stops before MAIL, 75, the message kept', async () => {
    const before = withTls.messages.length;
    const run = await runCli(['--tls', 'required', '--server', `127.0.0.1:${withTls.port}`, '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 75);
    assert.match(
      run.stderr,
      /^mailv: the certificate of 127\.0\.0\.1 is NOT verified: .+ \(--tls required; (--ca <file> trusts its CA, )?--insecure accepts any\)$/m,
    );
    assert.doesNotMatch(run.stdout, />>> MAIL/);
    assert.match(run.stdout, /^>>> QUIT$/m);
    assert.equal(withTls.messages.length, before);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('required: a server without STARTTLS is refused, 75', async () => {
    const run = await runCli(['--tls', 'required', '--server', `127.0.0.1:${withoutTls.port}`, '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 75);
    assert.match(run.stderr, /^mailv: the server does not offer STARTTLS \(--tls required\)$/m);
  });

  it('off: never upgrades, even when offered', async () => {
    const run = await runCli(['--tls', 'off', '--server', `127.0.0.1:${withTls.port}`, '-s', 'x', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^250[- ]STARTTLS$/m, 'offered');
    assert.doesNotMatch(run.stdout, /^>>> STARTTLS$/m);
  });

  it('refuses an unknown mode, 64', async () => {
    const run = await runCli(['--tls', 'maybe', 'bob@example.org'], { input: 'x\n' });
    assert.equal(run.code, 64);
    assert.match(run.stderr, /--tls <mode>' argument 'maybe' is invalid/);
  });
});
