// What a server said before it reset the connection, read after a write the kernel refused at
// once: over real loopback sockets, since only the kernel keeps such bytes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../dist/errors.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { SmtpSession } from '../../dist/smtp/session.js';
import { planOf } from './plan-of.js';

/**
 * Holds the event loop for a moment: what the server side wrote reaches the client's kernel, and
 * the client's Node reads none of it, as when a reply and a reset land while a client is busy.
 */
function holdTheLoop(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

/**
 * A connection that got the greeting and the EHLO reply and wrote `asked` (if any, left unanswered),
 * then `lastWords` written by the server, which resets the connection; then, before the client has
 * read anything, the client's `command` (refused at once by the kernel). Returns the connection,
 * and whether the write was said refused.
 */
async function resetUnderfoot(
  lastWords: string,
  command: string,
  asked?: string,
): Promise<{ connection: SmtpConnection; refused: boolean; close: () => void }> {
  let serverSide: Socket | undefined;
  const server = createServer((socket: Socket) => {
    serverSide = socket;
    socket.write('220 left-behind.test\r\n');
    socket.once('data', () => socket.write('250 left-behind.test\r\n'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const connection = await SmtpConnection.open('127.0.0.1', (server.address() as AddressInfo).port, 5000);
  const close = () => {
    connection.close();
    server.close();
  };
  try {
    assert.equal((await connection.readReply('greeting', 5000)).code, 220);
    await connection.write('EHLO client.test\r\n', 1, 'ehlo', 5000);
    assert.equal((await connection.readReply('ehlo', 5000)).code, 250);
    if (asked !== undefined) await connection.write(asked, 1, 'mail', 5000);
    serverSide!.write(lastWords);
    holdTheLoop();
    serverSide!.resetAndDestroy();
    holdTheLoop();
    void connection.write(command, 1, 'mail', 5000)?.catch(() => {});
    return { connection, refused: connection.lastWriteRefused, close };
  } catch (error) {
    close();
    throw error;
  }
}

describe('replies left behind by a reset', () => {
  it('a 421 that came before the reset is read, though the write after it was refused', async () => {
    // The 421 answers a MAIL written before it; the RCPT after it never reached the server.
    const { connection, refused, close } = await resetUnderfoot(
      '421 4.7.0 too many messages\r\n',
      'RCPT TO:<b@example.org>\r\n',
      'MAIL FROM:<a@example.org>\r\n',
    );
    try {
      assert.equal(refused, true);
      const reply = await connection.readReply('mail', 5000);
      assert.deepEqual(reply.raw, ['421 4.7.0 too many messages']);
      assert.equal(reply.enhanced, '4.7.0');
    } finally {
      close();
    }
  });

  it('a line the server sent unasked before its reset stays unasked: never the reply to the command the kernel refused', async () => {
    const { connection, refused, close } = await resetUnderfoot('554 5.7.1 go away\r\n', 'MAIL FROM:<a@example.org>\r\n');
    try {
      assert.equal(refused, true);
      // Unasked, it is a fault of the protocol (76), not the server's refusal of a MAIL it never read (69).
      await assert.rejects(connection.readReply('mail', 5000), ProtocolError);
    } finally {
      close();
    }
  });

  it('LMTP: the replies a dot owes (one a recipient) are not owed for a dot the kernel refused, so an unasked line stays unasked', async () => {
    let serverSide: Socket | undefined;
    const server = createServer((socket: Socket) => {
      serverSide = socket;
      socket.write('220 lmtp.test LMTP\r\n');
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (line.startsWith('LHLO')) socket.write('250-lmtp.test\r\n250 PIPELINING\r\n');
          else if (line === 'DATA') socket.write('354 go ahead\r\n');
          else if (/^(MAIL|RCPT)/.test(line)) socket.write('250 2.1.0 Ok\r\n');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const connection = await SmtpConnection.open('127.0.0.1', (server.address() as AddressInfo).port, 5000);
    // As the final dot is shown, just before it is written: the server says something unasked and resets.
    const emit = (event: { kind: string; command?: { verb: string } }) => {
      if (event.kind !== 'send' || event.command?.verb !== '.') return;
      serverSide!.write('554 5.7.1 go away\r\n');
      holdTheLoop();
      serverSide!.resetAndDestroy();
      holdTheLoop();
    };
    const plan = planOf('Subject: t\r\n\r\nhello\r\n', { lmtp: true, envelope: { from: 'a@client.test', recipients: ['b@mx.test', 'c@mx.test'] } });
    const session = new SmtpSession(connection, plan, emit);
    try {
      await assert.rejects(session.run(), ProtocolError);
      assert.equal(session.committed, false);
    } finally {
      connection.close();
      server.close();
    }
  });
});
