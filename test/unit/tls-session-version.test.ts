// A kept session's protocol version, read from OpenSSL's encoding of it: the sessions of real
// handshakes of TLS 1.2 and 1.3, and octets that are no such session.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { connect, createServer, type SecureVersion } from 'node:tls';
import { sessionProtocolVersion, TLS_1_3 } from '../../dist/smtp/tls-session-version.js';
import { testPki } from '../helpers/certificates.js';

/** The session a client is given by a handshake of `version`. */
async function sessionOf(version: SecureVersion): Promise<Buffer> {
  const server = createServer({ ...testPki().good, minVersion: version, maxVersion: version }, (socket) => {
    socket.on('error', () => {});
    socket.end('hi');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
      client.once('session', (session: Buffer) => {
        resolve(session);
        client.destroy();
      });
      client.on('error', reject);
      client.resume();
    });
  } finally {
    server.close();
  }
}

describe('sessionProtocolVersion', () => {
  it('reads the version of a session of TLS 1.3 and of TLS 1.2', async () => {
    assert.equal(sessionProtocolVersion(await sessionOf('TLSv1.3')), TLS_1_3);
    assert.equal(sessionProtocolVersion(await sessionOf('TLSv1.2')), 0x0303);
  });

  it('gives none for octets that do not begin as a session: cut short, another structure, another format', async () => {
    const session = await sessionOf('TLSv1.3');
    // Long form (30 82 …): its version is in octets 8 to 11.
    for (let length = 0; length < 11; length++) assert.equal(sessionProtocolVersion(session.subarray(0, length)), undefined, `${length} octets`);
    assert.equal(sessionProtocolVersion(session.subarray(0, 11)), TLS_1_3, 'the first eleven octets hold it');
    const otherFormat = Buffer.from(session);
    // The format's version, the first INTEGER's octet after the SEQUENCE's long-form length.
    otherFormat[2 + (otherFormat[1]! & 0x7f) + 2] = 2;
    assert.equal(sessionProtocolVersion(otherFormat), undefined);
    assert.equal(sessionProtocolVersion(Buffer.from('3003020101', 'hex')), undefined);
    // A certificate is a SEQUENCE too, whose first member is another SEQUENCE.
    assert.equal(sessionProtocolVersion(new X509Certificate(testPki().good.cert).raw), undefined);
    // Short form: a SEQUENCE of 8 octets holding version 1 and 0x0304.
    assert.equal(sessionProtocolVersion(Buffer.from('3008020101020203040000', 'hex')), TLS_1_3);
  });
});
