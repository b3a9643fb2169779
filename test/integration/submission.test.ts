// Real Postfix submission with Dovecot SASL on loopback: STARTTLS on 587 and implicit TLS on 465,
// the certificate from a CA made by test/services/submission.sh, each mechanism Postfix offers,
// and the message read back from the Maildir.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lines, runCli, type CliResult, LOCAL_HOST } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, deliveredMessage } from '../helpers/postfix.js';
import { SUBMISSION, SUBMISSION_PASSWORD, SUBMISSION_USER, TEST_CA, submissionSkipReason } from '../helpers/submission.js';

const starttls = `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`;
const smtps = `smtps://${SUBMISSION.host}:${SUBMISSION.smtpsPort}`;

function submit(server: string, extra: string[], password = SUBMISSION_PASSWORD): Promise<CliResult & { id: string }> {
  const id = `<${randomBytes(8).toString('hex')}.submission@example.org>`;
  return runCli(
    ['--server', server, '--user', SUBMISSION_USER, '-H', `Message-ID: ${id}`, '-r', 'alice@example.org', '-s', 'submission', ...extra, LOCAL_RECIPIENT],
    {
      input: 'sent through the submission port\n',
      env: { MAILV_PASSWORD: password },
    },
  ).then((run) => ({ ...run, id }));
}

function assertNoPassword(run: CliResult, password = SUBMISSION_PASSWORD): void {
  const deadLetter = join(run.home, 'dead.letter');
  const text = run.stdout + run.stderr + (existsSync(deadLetter) ? readFileSync(deadLetter, 'latin1') : '');
  for (const form of [password, Buffer.from(password).toString('base64'), Buffer.from(`\0${SUBMISSION_USER}\0${password}`).toString('base64')]) {
    assert.ok(!text.includes(form), `the password shows as ${form}`);
  }
}

describe('real Postfix submission (Dovecot SASL)', { skip: await submissionSkipReason() }, () => {
  for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    it(`587, STARTTLS verified with --ca, AUTH ${mechanism}: delivered`, async () => {
      const run = await submit(starttls, ['--tls', 'required', '--ca', TEST_CA, '--auth', mechanism]);
      assert.equal(run.code, 0, run.stderr);
      const shown = lines(run.stdout);
      const tlsAt = shown.findIndex((line) => line.startsWith('TLS: '));
      assert.match(shown[tlsAt]!, /^TLS: TLSv1\.3, \S+; certificate verified$/);
      assert.match(shown[tlsAt + 1]!, /^TLS: subject O=mailv tests, CN=localhost; issuer .*; valid .+ to .+$/);
      assert.equal(shown[tlsAt + 2], `>>> EHLO ${LOCAL_HOST}`, 'EHLO again after STARTTLS');
      assert.ok(shown.indexOf('250-STARTTLS') < tlsAt && !shown.slice(tlsAt).includes('250-STARTTLS'), 'capabilities learned anew');
      assert.ok(shown.indexOf('250-AUTH PLAIN LOGIN CRAM-MD5') > tlsAt, 'AUTH offered only after STARTTLS');
      assert.match(run.stdout, new RegExp(`^>>> AUTH ${mechanism}( \\*{8})?$`, 'm'));
      assert.match(run.stdout, /^235 2\.7\.0 Authentication successful$/m);
      const delivered = (await deliveredMessage(run.id)).toString('latin1');
      assert.match(delivered, /with ESMTPSA/);
      assert.match(delivered, /sent through the submission port/);
      assertNoPassword(run);
    });
  }

  it('465, implicit TLS: the strongest mechanism Postfix offers (CRAM-MD5), delivered', async () => {
    const run = await submit(smtps, ['--ca', TEST_CA]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(lines(run.stdout)[1]!, /^TLS: TLSv1\.3, \S+; certificate verified$/);
    assert.match(run.stdout, /^>>> AUTH CRAM-MD5$/m);
    assert.match((await deliveredMessage(run.id)).toString('latin1'), /with ESMTPSA/);
    assertNoPassword(run);
  });

  it("a wrong password: 77 with Postfix's words, the message in dead.letter", async () => {
    const run = await submit(starttls, ['--ca', TEST_CA, '--auth', 'PLAIN'], 'not-the-password');
    assert.equal(run.code, 77);
    assert.match(run.stderr, /^mailv: authentication of mailtest with PLAIN failed: 535 5\.7\.8 Error: authentication failed/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
    assertNoPassword(run, 'not-the-password');
  });

  it('without --ca: --tls required stops (unknown CA); auto still logs in, because 127.0.0.1 is this machine', async () => {
    const required = await submit(starttls, ['--tls', 'required']);
    assert.equal(required.code, 75);
    assert.match(required.stderr, /^mailv: the certificate of 127\.0\.0\.1 is NOT verified: unknown CA \(--tls required; /m);
    const auto = await submit(starttls, []);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stdout, /certificate NOT verified: unknown CA/);
  });

  it('--tls off: Postfix offers no AUTH in plaintext, so 77 with the hint', async () => {
    const run = await submit(starttls, ['--tls', 'off']);
    assert.equal(run.code, 77);
    assert.match(run.stderr, /^mailv: the server offers no AUTH, so mailtest cannot log in \(--user\); some servers offer it only after STARTTLS \(--tls\)$/m);
  });
});
