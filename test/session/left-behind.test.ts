// What a server said before it reset the connection, read after a write the kernel refused at
// once: over real loopback sockets, since only the kernel keeps such bytes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { SmtpConnection } from '../../dist/smtp/connection.js';

describe('replies left behind by a reset', () => {
  it('a 421 that came with the reset is read, though the write after it was refused', async () => {
    let connection: SmtpConnection | undefined;
    let refusedWrite: boolean | undefined;
    const server = createServer((socket: Socket) => {
      socket.write('220 left-behind.test\r\n');
      socket.once('data', () => {
        socket.write('421 4.7.0 too many messages\r\n', () => {
          // The 421 is in the client's kernel, then the reset: the client writes before it reads.
          socket.resetAndDestroy();
          void connection!.write('RCPT TO:<b@example.org>\r\n', 1, 'rcpt', 5000)?.catch(() => {});
          refusedWrite = connection!.lastWriteRefused;
        });
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      connection = await SmtpConnection.open('127.0.0.1', (server.address() as AddressInfo).port, 5000);
      assert.equal((await connection.readReply('greeting', 5000)).code, 220);
      await connection.write('MAIL FROM:<a@example.org>\r\n', 1, 'mail', 5000);
      const reply = await connection.readReply('mail', 5000);
      assert.equal(refusedWrite, true);
      assert.deepEqual(reply.raw, ['421 4.7.0 too many messages']);
      assert.equal(reply.enhanced, '4.7.0');
    } finally {
      connection?.close();
      server.close();
    }
  });
});
