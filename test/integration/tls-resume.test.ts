// TLS sessions resumed across runs against real Postfix submission (127.0.0.1:587): the second
// run to the same server with the same trust resumes and says so, with the same commands on the
// wire; a session never stands in for a verification under another trust; a damaged cache is
// ignored; --no-tls-resume and --insecure neither use nor keep sessions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshHome, lines, runCli, type CliResult } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, deliveredMessage } from '../helpers/postfix.js';
import { SUBMISSION, SUBMISSION_PASSWORD, SUBMISSION_USER, TEST_CA, submissionSkipReason } from '../helpers/submission.js';

const starttls = `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`;
const cacheFile = (home: string) => join(home, '.cache', 'mailv', 'tls-sessions');

function submit(home: string, extra: string[]): Promise<CliResult & { id: string }> {
  const id = `<${randomBytes(8).toString('hex')}.resume@example.org>`;
  return runCli(
    [
      '--server',
      starttls,
      '--user',
      SUBMISSION_USER,
      '--auth',
      'plain',
      '-H',
      `Message-ID: ${id}`,
      '-r',
      'alice@example.org',
      '-s',
      'resume',
      ...extra,
      LOCAL_RECIPIENT,
    ],
    { home, input: 'sent over a resumed TLS session\n', env: { MAILV_PASSWORD: SUBMISSION_PASSWORD } },
  ).then((run) => ({ ...run, id }));
}

/** The client's lines, with the queue id of Postfix's replies left out. */
const commands = (run: CliResult) => lines(run.stdout).filter((line) => line.startsWith('>>> '));

describe('TLS session resumption against real Postfix submission', { skip: await submissionSkipReason() }, () => {
  it('resumes on the second run to the same server with the same --ca, says so, and sends the same commands', async () => {
    const home = freshHome();
    const first = await submit(home, ['--tls', 'required', '--ca', TEST_CA]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^TLS: TLSv1\.3, \S+; certificate verified$/m);
    assert.equal(statSync(cacheFile(home)).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.cache', 'mailv')).mode & 0o777, 0o700);
    const entry = JSON.parse(readFileSync(cacheFile(home), 'utf8')).entries[0];
    assert.deepEqual([entry.server, entry.address, entry.port], ['127.0.0.1', '127.0.0.1', 587]);
    assert.ok(entry.expires > Date.now() && entry.expires <= Date.now() + 7 * 24 * 3600 * 1000, 'expires with the ticket');
    assert.ok(!readFileSync(cacheFile(home), 'latin1').includes(SUBMISSION_PASSWORD), 'no secret in the cache');

    const second = await submit(home, ['--tls', 'required', '--ca', TEST_CA]);
    assert.equal(second.code, 0, second.stderr);
    const shown = lines(second.stdout);
    const tlsAt = shown.findIndex((line) => line.startsWith('TLS: '));
    assert.match(shown[tlsAt]!, /^TLS: TLSv1\.3, \S+; certificate verified when the session was made, resumed here$/);
    assert.match(
      shown[tlsAt + 1]!,
      /^TLS: subject O=mailv tests, CN=localhost; issuer .*; valid .+ to .+$/,
      'the certificate verified when the session was made',
    );
    assert.deepEqual(
      commands(second).map((line) => line.replace(second.id, 'ID')),
      commands(first).map((line) => line.replace(first.id, 'ID')),
    );
    assert.match((await deliveredMessage(second.id)).toString('latin1'), /sent over a resumed TLS session/);
    // Explained as what it is: no certificate came in this handshake, it was checked when the session was made.
    const explained = await submit(home, ['--tls', 'required', '--ca', TEST_CA, '-e']);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /↳ Session resumed: no certificate in this handshake; it was checked when the session was made \(RFC 8446 §2\.2\)/);
    assert.doesNotMatch(explained.stdout, /↳ Certificate verified: signed by a trusted authority/);
  });

  it('never resumes under another trust: without --ca, --tls required still fails on the certificate', async () => {
    const home = freshHome();
    const first = await submit(home, ['--tls', 'required', '--ca', TEST_CA]);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(existsSync(cacheFile(home)));
    const second = await submit(home, ['--tls', 'required']);
    assert.equal(second.code, 75, second.stdout);
    assert.match(second.stdout, /^TLS: TLSv1\.3, \S+; certificate NOT verified: unknown CA$/m);
    assert.doesNotMatch(second.stdout, /resumed here/);
    assert.doesNotMatch(second.stdout, /^>>> AUTH/m, 'no credentials to an unverified server');
  });

  it('keeps no session from a handshake whose certificate did not verify', async () => {
    const home = freshHome();
    const unverified = await submit(home, ['--tls', 'required']);
    assert.equal(unverified.code, 75, unverified.stdout);
    assert.match(unverified.stdout, /^TLS: TLSv1\.3, \S+; certificate NOT verified: unknown CA$/m);
    assert.ok(!existsSync(cacheFile(home)), 'a session kept from an unverified handshake');
  });

  it('ignores a damaged cache file, makes a full handshake, and writes a good file', async () => {
    const home = freshHome();
    assert.equal((await submit(home, ['--tls', 'required', '--ca', TEST_CA])).code, 0);
    const kept = readFileSync(cacheFile(home), 'utf8');
    writeFileSync(cacheFile(home), kept.replace(/"session":"[^"]{40}/, '"session":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    const tampered = await submit(home, ['--tls', 'required', '--ca', TEST_CA]);
    assert.equal(tampered.code, 0, tampered.stderr);
    assert.match(tampered.stdout, /^TLS: TLSv1\.3, \S+; certificate verified$/m, 'a session that does not parse is not resumed');
    writeFileSync(cacheFile(home), '{"version":1,"entries":[{"serv');
    const damaged = await submit(home, ['--tls', 'required', '--ca', TEST_CA]);
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.equal(damaged.stderr, '');
    assert.match(damaged.stdout, /^TLS: TLSv1\.3, \S+; certificate verified$/m);
    assert.equal(JSON.parse(readFileSync(cacheFile(home), 'utf8')).version, 1, 'rewritten whole');
  });

  it('--no-tls-resume and --insecure neither keep nor use a session', async () => {
    const home = freshHome();
    for (const options of [['--no-tls-resume'], ['--insecure']]) {
      const run = await submit(home, ['--tls', 'required', '--ca', TEST_CA, ...options]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!existsSync(cacheFile(home)), `${options[0]} kept a session`);
    }
    assert.equal((await submit(home, ['--tls', 'required', '--ca', TEST_CA])).code, 0);
    const withInsecure = await submit(home, ['--tls', 'required', '--insecure']);
    assert.equal(withInsecure.code, 0, withInsecure.stderr);
    assert.match(withInsecure.stdout, /^TLS: TLSv1\.3, \S+; certificate NOT verified: unknown CA$/m, 'a full handshake: the certificate came');
    const optedOut = await submit(home, ['--tls', 'required', '--ca', TEST_CA, '--no-tls-resume']);
    assert.equal(optedOut.code, 0, optedOut.stderr);
    assert.match(optedOut.stdout, /^TLS: TLSv1\.3, \S+; certificate verified$/m);
  });
});
