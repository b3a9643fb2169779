// A handshake that offers a kept TLS 1.3 session starts with a context that trusts no CA, and
// makes it trust them (Node's list, --ca, NODE_EXTRA_CA_CERTS) only once the server's hello shows
// the session was not taken: these are the handshakes where that matters. A server that no longer
// takes the session (its ticket keys changed) is verified in the same connection as any other, its
// certificate judged against the whole trust; a server no longer trusted is not verified; one that
// now speaks TLS 1.2 alone gets the message over a second connection, as a failed resumption does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { testPki, type KeyPair } from '../helpers/certificates.js';
import { type CliOptions, freshHome, lines, runCli } from '../helpers/cli.js';
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

describe('a kept TLS 1.3 session offered with a context that trusts no CA until it must', () => {
  const sendTo = (port: number, home: string, args: string[] = [], options: CliOptions = {}) =>
    runCli(['--server', `smtps://127.0.0.1:${port}`, '-r', 'alice@example.org', '-s', 'x', ...args, 'bob@example.org'], {
      home,
      input: 'body\n',
      ...options,
    });

  it('resumed: verified when the session was made, and the session kept works again', async () => {
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    try {
      for (let run = 0; run < 3; run++) {
        const sent = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
        assert.equal(sent.code, 0, sent.stderr);
      }
      assert.deepEqual(smtps.handshakes, { resumed: 2, full: 1 });
    } finally {
      smtps.server.close();
    }
  });

  it('not taken (new ticket keys): the whole trust, --ca with it, in the same connection', async () => {
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    try {
      const first = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(first.code, 0, first.stderr);
      smtps.server.setTicketKeys(randomBytes(48));
      const second = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(tlsVerdicts(second.stdout), ['TLSv1.3: certificate verified']);
      assert.equal(lines(second.stdout).filter((line) => line.includes('Connecting to')).length, 1, 'one connection');
      assert.deepEqual(smtps.handshakes, { resumed: 0, full: 2 });
      // The session of that handshake was kept, and is taken by the next run.
      const third = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual(tlsVerdicts(third.stdout), ['TLSv1.3: certificate verified when the session was made, resumed here']);
    } finally {
      smtps.server.close();
    }
  });

  it('not taken, run as installed: the CA of NODE_EXTRA_CA_CERTS is read within the handshake and trusted', async () => {
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    const installed: CliOptions = { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: testPki().caFile } };
    try {
      const first = await sendTo(smtps.port, home, [], installed);
      assert.equal(first.code, 0, first.stderr);
      smtps.server.setTicketKeys(randomBytes(48));
      const second = await sendTo(smtps.port, home, [], installed);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(tlsVerdicts(second.stdout), ['TLSv1.3: certificate verified']);
      assert.deepEqual(smtps.handshakes, { resumed: 0, full: 2 });
    } finally {
      smtps.server.close();
    }
  });

  it('not taken, and the certificate now self-signed: not verified, the message kept (75)', async () => {
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    try {
      const first = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(first.code, 0, first.stderr);
      smtps.server.setSecureContext({ ...testPki().selfSigned });
      const second = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(second.code, 75, second.stderr);
      assert.match(second.stdout, /^TLS: TLSv1\.3, \S+; certificate NOT verified: self-signed$/m);
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^body$/m);
    } finally {
      smtps.server.close();
    }
  });

  it('a server that speaks TLS 1.2 alone now: the message goes over a second connection, with a full handshake', async () => {
    const smtps = await startSmtps(testPki().good);
    const home = freshHome();
    try {
      const first = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(first.code, 0, first.stderr);
      smtps.server.setSecureContext({ ...testPki().good, maxVersion: 'TLSv1.2' });
      const second = await sendTo(smtps.port, home, ['--ca', testPki().caFile]);
      assert.equal(second.code, 0, second.stderr);
      const shown = lines(second.stdout);
      assert.ok(
        shown.some((line) => line.startsWith('Warning: the TLS handshake failed when it offered the session kept from an earlier run (')),
        second.stdout,
      );
      assert.deepEqual(tlsVerdicts(second.stdout), ['TLSv1.2: certificate verified']);
      assert.equal(shown.filter((line) => /^bob@example\.org\.\.\. Sent /.test(line)).length, 1, 'sent once');
    } finally {
      smtps.server.close();
    }
  });
});
