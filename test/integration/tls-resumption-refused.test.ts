// A server that fails every resumed TLS handshake (OpenSSL asking for a client certificate with no
// session id context, a common setup): the session kept by the first run is offered by the second,
// whose handshake fails; the session is forgotten, the message goes again with a full handshake and
// arrives once (to a submission server, or to an MX host with --direct), and no later run offers one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSecureContext, createServer as createTlsServer, TLSSocket } from 'node:tls';
import { testPki } from '../helpers/certificates.js';
import { freshHome, lines, runCli } from '../helpers/cli.js';
import { a, mx, reply, startDns } from '../helpers/dns-server.js';
import { answerPlainly } from '../helpers/plain-responder.js';

interface Breaking {
  readonly server: Server;
  readonly port: number;
  /** Handshakes that ended in a secure connection, and those that failed. */
  readonly handshakes: { done: number; failed: number };
}

/**
 * An SMTP server whose TLS socket asks for a client certificate and has no session id context:
 * smtps, or with `starttls` a plain greeting and EHLO first, TLS after the 220 to STARTTLS.
 */
async function startBreakingResumption({ starttls = false, tls12 = false } = {}): Promise<Breaking> {
  const context = createSecureContext({ ...testPki().good, ...(tls12 ? { maxVersion: 'TLSv1.2' as const } : {}) });
  const handshakes = { done: 0, failed: 0 };
  const secure = (raw: Socket) => {
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false });
    tls.on('error', () => handshakes.failed++);
    tls.on('secure', () => {
      handshakes.done++;
      // After STARTTLS the client speaks first (EHLO): no second greeting.
      answerPlainly(tls, ['resume.test', 'PIPELINING'], { greet: !starttls });
    });
  };
  const server = createServer((raw) => {
    raw.on('error', () => {});
    if (!starttls) return secure(raw);
    raw.write('220 resume.test ESMTP\r\n');
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (/^EHLO /m.test(buffered) && !buffered.includes('STARTTLS')) {
        raw.write('250-resume.test\r\n250-STARTTLS\r\n250 PIPELINING\r\n');
        buffered = buffered.replace(/^EHLO [^\r]*\r\n/m, '');
      }
      if (buffered.includes('STARTTLS\r\n')) {
        // Wrapped at once, as the 220 leaves: the client's ClientHello is read by TLS alone.
        raw.off('data', onData);
        raw.write('220 2.0.0 go ahead\r\n');
        secure(raw);
      }
    };
    raw.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, handshakes };
}

/** An smtps server that resumes a kept session and hangs up at once; a full handshake is served (`ehlo`: its EHLO lines). */
async function startHangingUpOnResumption(ehlo: readonly string[]): Promise<{ server: Server; port: number; sessions: { resumed: number; full: number } }> {
  const sessions = { resumed: 0, full: 0 };
  const server = createTlsServer({ ...testPki().good }, (secure) => {
    secure.on('error', () => {});
    if (secure.isSessionReused()) {
      sessions.resumed++;
      secure.destroy();
      return;
    }
    sessions.full++;
    answerPlainly(secure, [...ehlo]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sessions };
}

describe('a server that fails a resumed TLS handshake', () => {
  it('the session is forgotten, the message goes again with a full handshake (0), and no later run offers one', async () => {
    const { server, port, handshakes } = await startBreakingResumption();
    const home = freshHome();
    const send = (extra: string[] = []) =>
      runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-r', 'alice@example.org', '-s', 'x', ...extra, 'bob@example.org'], {
        home,
        input: 'body\n',
      });
    try {
      const first = await send();
      assert.equal(first.code, 0, first.stderr);
      const cache = join(home, '.cache', 'mailv', 'tls-sessions');
      assert.ok(readFileSync(cache, 'utf8').includes('"session"'), 'the first run kept a session');
      assert.deepEqual(handshakes, { done: 1, failed: 0 });

      const second = await send();
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(handshakes, { done: 2, failed: 1 }, 'one failed handshake, then a full one');
      const shown = lines(second.stdout);
      const warning = shown.findIndex((line) => line.startsWith('Warning: the TLS handshake failed when it offered the session kept from an earlier run ('));
      assert.ok(warning > 0, second.stdout);
      assert.match(
        shown[warning]!,
        /: that session is forgotten, none is offered to this server for a day, and the message goes over a new connection with a full handshake$/,
      );
      assert.equal(shown.filter((line) => line.includes('Connecting to')).length, 2);
      assert.match(shown[warning + 1]!, /Connecting to/, 'the new connection follows the warning');
      assert.equal(shown.filter((line) => /^bob@example\.org\.\.\. Sent /.test(line)).length, 1, 'sent once');
      assert.ok(!existsSync(join(home, 'dead.letter')));
      const file = readFileSync(cache, 'utf8');
      assert.ok(file.includes('"refused":true') && !file.includes('"session"'), file);

      const third = await send(['-q']);
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual(handshakes, { done: 3, failed: 1 }, 'no session offered: a full handshake at once');
    } finally {
      server.close();
    }
  });

  it('--direct: with STARTTLS to an MX host, once more with a full handshake before any plain-text retry', async () => {
    const { server, port, handshakes } = await startBreakingResumption({ starttls: true });
    const dns = await startDns((query) => {
      const question = query.questions![0]!;
      if (question.type === 'MX') return [reply(query, { answers: [mx(question.name, 10, 'localhost')] })];
      if (question.type === 'A' && question.name === 'localhost') return [reply(query, { answers: [a('localhost', '127.0.0.1')] })];
      return [reply(query)];
    });
    const home = freshHome();
    const send = () =>
      runCli(['--direct', '--dns', `127.0.0.1:${dns.port}`, '--port', String(port), '--ca', testPki().caFile, '-s', 'x', 'bob@resume.test'], {
        home,
        input: 'body\n',
      });
    try {
      const first = await send();
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^TLS: .*certificate verified$/m);
      const second = await send();
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(handshakes, { done: 2, failed: 1 });
      assert.match(second.stdout, /^Warning: the TLS handshake failed when it offered the session kept from an earlier run /m);
      assert.doesNotMatch(second.stdout, /without TLS|in plain text/i, 'the retry kept TLS');
      assert.equal(lines(second.stdout).filter((line) => /^bob@resume\.test\.\.\. Sent /.test(line)).length, 1);
    } finally {
      server.close();
      await dns.close();
    }
  });

  it('under TLS 1.2 too (a session id, not a ticket)', async () => {
    const { server, port, handshakes } = await startBreakingResumption({ tls12: true });
    const home = freshHome();
    const send = () => runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x', 'bob@example.org'], { home, input: 'body\n' });
    try {
      const first = await send();
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^TLS: TLSv1\.2, /m);
      const second = await send();
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(handshakes, { done: 2, failed: 1 });
      assert.match(second.stdout, /^Warning: the TLS handshake failed when it offered the session kept from an earlier run /m);
    } finally {
      server.close();
    }
  });

  it('a load run: each connection that offered the stale session gives its message back, and every message arrives', async () => {
    const { server, port, handshakes } = await startBreakingResumption();
    const home = freshHome();
    const args = ['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x'];
    try {
      assert.equal((await runCli([...args, '-q', 'bob@example.org'], { home, input: 'body\n' })).code, 0);
      const run = await runCli([...args, '--count', '12', '--concurrency', '4', '--json', 'bob@example.org'], { home, input: 'body\n' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const load = JSON.parse(run.stdout.split('\n')[0]!) as { accepted: number; failed: number; resumptionsFailed: number };
      assert.deepEqual([load.accepted, load.failed], [12, 0]);
      assert.ok(handshakes.failed >= 1 && handshakes.failed <= 4, `${handshakes.failed} handshakes failed: at most one a first connection`);
      assert.equal(load.resumptionsFailed, handshakes.failed, 'each counted in the summary');
      const file = readFileSync(join(home, '.cache', 'mailv', 'tls-sessions'), 'utf8');
      assert.ok(file.includes('"refused":true'), file);
    } finally {
      server.close();
    }
  });

  it('a server that resumes the session, then hangs up before its greeting: the same, said so', async () => {
    const { server, port, sessions } = await startHangingUpOnResumption(['hangup.test', 'PIPELINING']);
    const home = freshHome();
    const send = () => runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x', 'bob@example.org'], { home, input: 'body\n' });
    try {
      assert.equal((await send()).code, 0);
      const second = await send();
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(sessions, { resumed: 1, full: 2 });
      assert.match(
        second.stdout,
        /^Warning: the server hung up right after resuming the TLS session kept from an earlier run: that session is forgotten, none is offered to this server for a day, and the message goes over a new connection with a full handshake$/m,
      );
      assert.equal((await send()).code, 0);
      assert.deepEqual(sessions, { resumed: 1, full: 3 }, 'no session offered to it since');
    } finally {
      server.close();
    }
  });

  it('the same to a server remembered for PIPECONNECT: the hang-up is put on the resumption, said so, and the server stays remembered', async () => {
    const { server, port, sessions } = await startHangingUpOnResumption(['early.test', 'PIPELINING', 'PIPECONNECT']);
    const home = freshHome();
    const send = () => runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x', 'bob@example.org'], { home, input: 'body\n' });
    const remembered = () => JSON.parse(readFileSync(join(home, '.cache', 'mailv', 'pipeconnect.json'), 'utf8')).entries.length as number;
    try {
      assert.equal((await send()).code, 0);
      assert.equal(remembered(), 1);
      const second = await send();
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(sessions, { resumed: 1, full: 2 });
      assert.match(second.stdout, /^Warning: the server hung up right after resuming the TLS session kept from an earlier run: /m);
      assert.doesNotMatch(second.stdout, /early EHLO/);
      assert.equal(remembered(), 1, 'the server is still remembered for PIPECONNECT');
    } finally {
      server.close();
    }
  });

  it('in French too, and --explain says what resumption is', async () => {
    const { server, port } = await startBreakingResumption();
    const home = freshHome();
    const send = (extra: string[]) =>
      runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x', ...extra, 'bob@example.org'], { home, input: 'body\n' });
    try {
      assert.equal((await send(['-q'])).code, 0);
      const run = await send(['--lang', 'fr', '--explain']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /la négociation TLS a échoué en proposant la session gardée d’une exécution précédente \(.+\) : cette session est oubliée/);
      assert.match(run.stdout, /Une session reprise évite le certificat ; sinon, le serveur devrait faire une négociation complète \(RFC 5077, RFC 8446\)/);
    } finally {
      server.close();
    }
  });
});
