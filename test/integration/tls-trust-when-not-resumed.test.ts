// A handshake that offers a kept TLS 1.3 session starts with a context that trusts no CA, and
// makes it trust them (Node's list, --ca, NODE_EXTRA_CA_CERTS) only once the server's hello shows
// the session was not taken: these are the handshakes where that matters. A server that no longer
// takes the session (its ticket keys changed) is verified in the same connection as any other, its
// certificate judged against the whole trust; a server no longer trusted is not verified; one that
// now speaks TLS 1.2 alone gets the message over a second connection, as a failed resumption does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createServer as createTlsServer, rootCertificates, type Server } from 'node:tls';
import { testPki, type KeyPair } from '../helpers/certificates.js';
import { type CliOptions, type CliResult, freshHome, lines, runCli } from '../helpers/cli.js';
import { loadSummary } from '../helpers/load-summary.js';
import { answerPlainly } from '../helpers/plain-responder.js';

interface Smtps {
  readonly server: Server;
  readonly port: number;
  /** Handshakes that resumed a session, and full ones. */
  readonly handshakes: { resumed: number; full: number };
}

async function startSmtps(pair: KeyPair): Promise<Smtps> {
  const handshakes = { resumed: 0, full: 0 };
  const server = createTlsServer({ ...pair }, (secure) => {
    secure.on('error', () => {});
    if (secure.isSessionReused()) handshakes.resumed++;
    else handshakes.full++;
    answerPlainly(secure, ['trust.test', 'PIPELINING']);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, handshakes };
}

const TLS_LINE = /^TLS: (TLSv1\.[23]), \S+; (.*)$/;

/** The TLS lines' protocol and verdict, in order. */
function tlsVerdicts(stdout: string): string[] {
  return lines(stdout).flatMap((line) => {
    const match = TLS_LINE.exec(line);
    return match === null ? [] : [`${match[1]}: ${match[2]}`];
  });
}

const WITH_CA = ['--ca', testPki().caFile];

function sendTo(port: number, home: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['--server', `smtps://127.0.0.1:${port}`, '-r', 'alice@example.org', '-s', 'x', ...args, 'bob@example.org'], {
    home,
    input: 'body\n',
    ...options,
  });
}

/**
 * Sends to a new server (a session kept), lets `change` change it, and sends again: `after`, the
 * second run; `third`, one more to the server as it is then.
 */
async function afterChange(
  change: (server: Server) => void,
  args: readonly string[],
  options: CliOptions = {},
): Promise<{ after: CliResult; third: CliResult; home: string; handshakes: Smtps['handshakes'] }> {
  const smtps = await startSmtps(testPki().good);
  const home = freshHome();
  try {
    const first = await sendTo(smtps.port, home, args, options);
    assert.equal(first.code, 0, first.stderr);
    change(smtps.server);
    const after = await sendTo(smtps.port, home, args, options);
    const third = await sendTo(smtps.port, home, args, options);
    return { after, third, home, handshakes: { ...smtps.handshakes } };
  } finally {
    smtps.server.close();
  }
}

describe('a kept TLS 1.3 session offered with a context that trusts no CA until it must', () => {
  it('resumed: verified when the session was made, and the session kept works again', async () => {
    const { after, third, handshakes } = await afterChange(() => {}, WITH_CA);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(handshakes, { resumed: 2, full: 1 });
  });

  it('not taken (new ticket keys): the whole trust, --ca with it, in the same connection', async () => {
    const { after, third, handshakes } = await afterChange((server) => server.setTicketKeys(randomBytes(48)), WITH_CA);
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(tlsVerdicts(after.stdout), ['TLSv1.3: certificate verified']);
    assert.equal(lines(after.stdout).filter((line) => line.includes('Connecting to')).length, 1, 'one connection');
    // The first two runs' handshakes were full; the session of the second was kept, and the third took it.
    assert.deepEqual(handshakes, { resumed: 1, full: 2 });
    assert.deepEqual(tlsVerdicts(third.stdout), ['TLSv1.3: certificate verified when the session was made, resumed here']);
  });

  it('not taken, run as installed: the CA of NODE_EXTRA_CA_CERTS is read within the handshake and trusted', async () => {
    const installed: CliOptions = { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: testPki().caFile } };
    const { after, handshakes } = await afterChange((server) => server.setTicketKeys(randomBytes(48)), [], installed);
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(tlsVerdicts(after.stdout), ['TLSv1.3: certificate verified']);
    assert.deepEqual(handshakes, { resumed: 1, full: 2 });
  });

  it('not taken, and the certificate now self-signed: not verified, the message kept (75)', async () => {
    const { after, home } = await afterChange((server) => server.setSecureContext({ ...testPki().selfSigned }), WITH_CA);
    assert.equal(after.code, 75, after.stderr);
    assert.match(after.stdout, /^TLS: TLSv1\.3, \S+; certificate NOT verified: self-signed$/m);
    assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^body$/m);
  });

  it('a server that speaks TLS 1.2 alone now: the message goes over a second connection, with a full handshake', async () => {
    const { after } = await afterChange((server) => server.setSecureContext({ ...testPki().good, maxVersion: 'TLSv1.2' }), WITH_CA);
    assert.equal(after.code, 0, after.stderr);
    const shown = lines(after.stdout);
    assert.ok(
      shown.some((line) => line.startsWith('Warning: the TLS handshake failed when it offered the session kept from an earlier run (')),
      after.stdout,
    );
    assert.deepEqual(tlsVerdicts(after.stdout), ['TLSv1.2: certificate verified']);
    assert.equal(shown.filter((line) => /^bob@example\.org\.\.\. Sent /.test(line)).length, 1, 'sent once');
  });

  it('run as installed, NODE_EXTRA_CA_CERTS is not read by a resumed handshake: its damaged block said only by the full ones', async () => {
    const bundle = join(freshHome(), 'bundle.pem');
    // The test CA, then a certificate cut short: read, the file says so (and trusts the CA before it).
    writeFileSync(bundle, `${readFileSync(testPki().caFile, 'latin1')}${rootCertificates[0]!.slice(0, 300)}\n`);
    const installed: CliOptions = { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: bundle } };
    const damaged = /NODE_EXTRA_CA_CERTS \(.*\): its block 2 is damaged/;
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    try {
      const first = await sendTo(smtps.port, home, [], installed);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, damaged, 'a full handshake reads the file');
      const resumed = await sendTo(smtps.port, home, [], installed);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(tlsVerdicts(resumed.stdout), ['TLSv1.3: certificate verified when the session was made, resumed here']);
      assert.doesNotMatch(resumed.stderr, damaged, 'a resumed one does not');
      smtps.server.setTicketKeys(randomBytes(48));
      const notTaken = await sendTo(smtps.port, home, [], installed);
      assert.equal(notTaken.code, 0, notTaken.stderr);
      assert.deepEqual(tlsVerdicts(notTaken.stdout), ['TLSv1.3: certificate verified']);
      assert.match(notTaken.stderr, damaged, 'nor one the server did not take, until then');
      assert.deepEqual(smtps.handshakes, { resumed: 1, full: 2 });
    } finally {
      smtps.server.close();
    }
  });

  it('not taken, after a HelloRetryRequest (the server wants another key share): verified', async () => {
    const { after, handshakes } = await afterChange((server) => {
      server.setSecureContext({ ...testPki().good, ecdhCurve: 'P-384' });
      server.setTicketKeys(randomBytes(48));
    }, WITH_CA);
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(tlsVerdicts(after.stdout), ['TLSv1.3: certificate verified']);
    assert.deepEqual(handshakes, { resumed: 1, full: 2 });
  });

  it('a load run: its connections share the context, trusting once one needed it, resumed or not', async () => {
    const { after, handshakes } = await afterChange(
      (server) => server.setTicketKeys(randomBytes(48)),
      [...WITH_CA, '--count', '6', '--concurrency', '3', '--per-connection', '1', '--json'],
    );
    assert.equal(after.code, 0, after.stderr);
    const summary = loadSummary(after.stdout);
    assert.deepEqual({ accepted: summary.accepted, failed: summary.failed }, { accepted: 6, failed: 0 }, after.stdout);
    // Those that offered the session of the run before were not taken; those after them took one of this run's.
    assert.ok(handshakes.full >= 2 && handshakes.resumed >= 1, JSON.stringify(handshakes));
  });
});
