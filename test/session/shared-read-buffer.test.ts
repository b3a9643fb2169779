// Every socket SmtpConnection.open() makes reads into one buffer: what a read brought must be taken
// before another connection's read overwrites it. Over real loopback sockets, since that buffer is
// Node's `onread` on a socket.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { SmtpConnection } from '../../dist/smtp/connection.js';

/** Waits until `connection` has read `octets` octets in all. */
async function untilRead(connection: SmtpConnection, octets: number): Promise<void> {
  for (let tries = 0; connection.bytesReceived < octets; tries++) {
    assert.ok(tries < 500, `read ${connection.bytesReceived} of ${octets} octets`);
    await delay(2);
  }
}

describe('connections reading into one buffer', () => {
  it('keeps the unfinished line of one connection whole while another connection reads', async () => {
    const sides: Socket[] = [];
    const server = createServer((socket: Socket) => sides.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const first = await SmtpConnection.open('127.0.0.1', port, 5000);
    const second = await SmtpConnection.open('127.0.0.1', port, 5000);
    try {
      while (sides.length < 2) await delay(2);
      const [firstSide, secondSide] = sides as [Socket, Socket];
      const cut = '220-first.test begins a line';
      const pending = first.readReply('greeting', 5000);
      firstSide.write(cut);
      await untilRead(first, cut.length);
      // Longer than what the first connection holds, different in every octet it covers.
      const other = `220 ${'Z'.repeat(200)}\r\n`;
      secondSide.write(other);
      assert.deepEqual((await second.readReply('greeting', 5000)).raw, [`220 ${'Z'.repeat(200)}`]);
      firstSide.write(' the server cut\r\n220 first.test ends it\r\n');
      assert.deepEqual((await pending).raw, ['220-first.test begins a line the server cut', '220 first.test ends it']);
    } finally {
      first.close();
      second.close();
      server.close();
    }
  });
});
