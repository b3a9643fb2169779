// A server that completes the TLS handshake and hangs up at once: a lost connection (75), said in
// one line, for a single send and for each connection of a load run, never an internal error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { testPki } from '../helpers/certificates.js';
import { runCli } from '../helpers/cli.js';
import { answerPlainly } from '../helpers/plain-responder.js';

/** An smtps server: every `hangUpEvery`th connection is closed once its handshake is done; the others take any message. */
async function startHangingUp(hangUpEvery: number): Promise<{ server: Server; port: number }> {
  let connections = 0;
  const server = createServer({ ...testPki().good }, (socket: TLSSocket) => {
    socket.on('error', () => {});
    if (++connections % hangUpEvery === 0) {
      socket.destroy();
      return;
    }
    answerPlainly(socket, ['hangup.test', 'PIPELINING']);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('a server that hangs up right after the TLS handshake', () => {
  it('a single send: the connection lost (75), one line, the message kept', async () => {
    const { server, port } = await startHangingUp(1);
    try {
      const run = await runCli(['--server', `smtps://127.0.0.1:${port}`, '--ca', testPki().caFile, '-s', 'x', 'bob@example.org'], { input: 'body\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error|TypeError|\n {4}at /);
      assert.match(run.stderr, /^mailv: .*connection closed by the server/m);
      assert.ok(existsSync(join(run.home, 'dead.letter')));
    } finally {
      server.close();
    }
  });

  it('a load run: each such connection counted as failed, the others carry their messages, the summary said', async () => {
    const { server, port } = await startHangingUp(3);
    try {
      const run = await runCli(
        [
          '--server',
          `smtps://127.0.0.1:${port}`,
          '--ca',
          testPki().caFile,
          '--count',
          '12',
          '--concurrency',
          '3',
          '--per-connection',
          '2',
          '--json',
          '-s',
          'x',
          'bob@example.org',
        ],
        { input: 'body\n' },
      );
      assert.equal(run.code, 75, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error|TypeError/);
      const load = JSON.parse(run.stdout.split('\n')[0]!) as { accepted: number; failed: number; count: number };
      assert.equal(load.count, 12);
      assert.equal(load.accepted + load.failed, 12);
      assert.ok(load.failed > 0 && load.accepted > 0, run.stdout);
    } finally {
      server.close();
    }
  });
});
