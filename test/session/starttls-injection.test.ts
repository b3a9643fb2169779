// What a server sends after its 220 to STARTTLS, in the clear, is a response injection
// (CVE-2011-0411): seen also when it comes while the TLS context is still being made.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../dist/errors.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';

describe('STARTTLS and what follows its 220 in the clear', () => {
  it('refuses part of a line that came while the TLS context was made, after the 220 was read', async () => {
    let serverSide: Socket | undefined;
    const server = createServer((socket: Socket) => {
      serverSide = socket;
      socket.write('220 injection.test ESMTP\r\n');
      socket.once('data', () => socket.write('220 2.0.0 Ready to start TLS\r\n'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const connection = await SmtpConnection.open('127.0.0.1', (server.address() as AddressInfo).port, 5000);
    try {
      assert.equal((await connection.readReply('greeting', 5000)).code, 220);
      await connection.write('STARTTLS\r\n', 1, 'starttls', 5000);
      assert.equal((await connection.readReply('starttls', 5000)).code, 220);
      // The context takes a while to make (a large --ca, a slow disk): the server speaks meanwhile.
      const prepare = connection.prepareTls.bind(connection);
      connection.prepareTls = async (trust) => {
        serverSide!.write('250 inj');
        await delay(100);
        return prepare(trust);
      };
      await assert.rejects(connection.startTls('injection.test', 500), (error: unknown) => {
        assert.ok(error instanceof ProtocolError, String(error));
        assert.equal(error.fact.code, 'MAILV_STARTTLS_INJECTION');
        return true;
      });
    } finally {
      connection.close();
      server.close();
    }
  });
});
