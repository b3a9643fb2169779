// The mailv-gate network namespace (test/services/netns.sh) and the recording SMTP server run in
// it: reachable at 198.18.0.2, not loopback, and it keeps every byte a client sends, TLS or not.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { GATE, GATE_ACCOUNT, gateSkipReason, secretTraces, startServerInNamespace } from '../helpers/netns.js';

/** Reads SMTP replies off a socket, one whole (possibly multiline) reply at a time. */
function replyReader(socket: Socket | TLSSocket): () => Promise<string> {
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => {
    buffered += text;
    waiting?.();
  });
  return async () => {
    for (;;) {
      const end = /^\d{3} .*\r\n/m.exec(buffered);
      if (end) {
        const reply = buffered.slice(0, end.index + end[0].length);
        buffered = buffered.slice(reply.length);
        return reply;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no complete reply after 5 s; have: ${JSON.stringify(buffered)}`)), 5000);
        waiting = () => {
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        };
      });
    }
  };
}

function connectTo(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: Socket | TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('the mailv-gate network namespace', { skip: await gateSkipReason() }, () => {
  it('serves SMTP from 198.18.0.2, not loopback, and records what the client sent', async () => {
    const server = await startServerInNamespace({ port: 2525, tls: false, authMechanisms: ['PLAIN', 'LOGIN'] });
    try {
      assert.equal(server.port, 2525);
      const socket = await connectTo(GATE.serverAddress, server.port);
      assert.equal(socket.remoteAddress, GATE.serverAddress);
      assert.equal(socket.localAddress, GATE.hostAddress);
      const reply = replyReader(socket);
      assert.match(await reply(), /^220 gate\.test /);
      socket.write('EHLO client.test\r\n');
      const ehlo = await reply();
      assert.match(ehlo, /^250[- ]AUTH PLAIN LOGIN\r$/m);
      assert.doesNotMatch(ehlo, /STARTTLS/);
      socket.write('QUIT\r\n');
      assert.match(await reply(), /^221 /);
      await closed(socket);

      const received = await server.received();
      assert.equal(received, 'EHLO client.test\r\nQUIT\r\n');
      assert.deepEqual(await server.authAttempts(), []);
      assert.deepEqual(secretTraces(received, GATE_ACCOUNT.password), []);
    } finally {
      await server.close();
    }
  });

  it('records the decrypted bytes after STARTTLS, and the AUTH exchange', async () => {
    const server = await startServerInNamespace({ port: 0, tls: true, authMechanisms: ['PLAIN'] });
    try {
      assert.ok(server.port > 0);
      const plain = await connectTo(GATE.serverAddress, server.port);
      let reply = replyReader(plain);
      assert.match(await reply(), /^220 /);
      plain.write('EHLO client.test\r\n');
      const ehlo = await reply();
      assert.match(ehlo, /^250[- ]STARTTLS\r$/m);
      assert.match(ehlo, /^250[- ]AUTH PLAIN\r$/m);
      plain.write('STARTTLS\r\n');
      assert.match(await reply(), /^220 /);
      plain.removeAllListeners('data');
      const secure = await new Promise<TLSSocket>((resolve, reject) => {
        const socket = tlsConnect({ socket: plain, servername: 'gate.test', rejectUnauthorized: false }, () => resolve(socket));
        socket.once('error', reject);
      });
      // smtp-server's own test certificate: the connection is encrypted but not verified.
      assert.equal(secure.authorized, false);
      reply = replyReader(secure);
      secure.write('EHLO client.test\r\n');
      assert.match(await reply(), /^250-gate\.test/);
      const token = Buffer.from(`\0${GATE_ACCOUNT.user}\0${GATE_ACCOUNT.password}`).toString('base64');
      secure.write(`AUTH PLAIN ${token}\r\n`);
      assert.match(await reply(), /^235 /);
      secure.write('QUIT\r\n');
      assert.match(await reply(), /^221 /);
      await closed(secure);

      const received = await server.received();
      assert.equal(received, `EHLO client.test\r\nSTARTTLS\r\nEHLO client.test\r\nAUTH PLAIN ${token}\r\nQUIT\r\n`);
      assert.notDeepEqual(secretTraces(received, GATE_ACCOUNT.password), []);
      assert.deepEqual(await server.authAttempts(), [
        { method: 'PLAIN', username: GATE_ACCOUNT.user, secret: GATE_ACCOUNT.password, accepted: true, secure: true },
      ]);
      assert.equal((await server.state()).connections, 1);
    } finally {
      await server.close();
    }
  });

  it('has no route out of the namespace', async () => {
    // A route lookup only: no packet is sent.
    const lookup = await new Promise<{ ok: boolean; stderr: string }>((resolve) => {
      execFile('ip', ['netns', 'exec', GATE.namespace, 'ip', '-o', 'route', 'get', '192.0.2.1'], (error, _stdout, stderr) => resolve({ ok: !error, stderr }));
    });
    assert.equal(lookup.ok, false);
    assert.match(lookup.stderr, /unreachable/i);
  });
});
