// The context a handshake offering a kept TLS 1.3 session is made with: it trusts no CA until
// trustAll(), which makes it trust what the ordinary context does, once; one that failed part-way
// is not tried again (Node's addRootCerts() after an addCACert() would free the store under it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { connect, createServer, type SecureContext } from 'node:tls';
import type { NodeExtraCa, StoredTlsSession } from '../../dist/smtp/connection.js';
import { tlsSetupFor } from '../../dist/smtp/tls-setup.js';
import { testPki } from '../helpers/certificates.js';

/** A session of TLS 1.3 as a kept one holds it (the certificate is not read here). */
async function tls13Session(): Promise<StoredTlsSession> {
  const session = await new Promise<Buffer>((resolve, reject) => {
    const server = createServer({ ...testPki().good }, (socket) => socket.end('x'));
    server.listen(0, '127.0.0.1', () => {
      const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
      client.once('session', (kept: Buffer) => {
        resolve(kept);
        client.destroy();
        server.close();
      });
      client.on('error', reject);
      client.resume();
    });
  });
  return { session, certificate: { subject: '', issuer: '', validFrom: '', validTo: '' } };
}

/** Whether a handshake with `context` to a server of the test CA verifies its certificate. */
async function verifies(context: SecureContext): Promise<boolean> {
  const server = createServer({ ...testPki().good }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', secureContext: context, rejectUnauthorized: false });
      client.once('secureConnect', () => {
        resolve(client.authorized);
        client.destroy();
      });
      client.on('error', reject);
    });
  } finally {
    server.close();
  }
}

const testCa = () => readFileSync(testPki().caFile);

describe('tlsSetupFor', () => {
  it('a TLS 1.3 session: a context that trusts no CA, then the CA of --ca once trustAll() ran, run again harmlessly', async () => {
    const setup = await tlsSetupFor({ extraCa: [testCa()] }, await tls13Session());
    assert.ok(setup.trustAll, 'a context that waits');
    assert.equal(await verifies(setup.secureContext), false, 'no CA yet');
    setup.trustAll();
    setup.trustAll();
    assert.equal(await verifies(setup.secureContext), true);
  });

  it("NODE_EXTRA_CA_CERTS's CA too, read at once; none when it cannot be (a FIFO), nor with a client certificate", async () => {
    const reads: string[] = [];
    const nodeExtraCa = (readableNow: boolean): NodeExtraCa => ({
      read: async () => {
        reads.push('read');
        return [testCa()];
      },
      readableNow: () => readableNow,
      readNow: () => {
        reads.push('readNow');
        return [testCa()];
      },
    });
    const stored = await tls13Session();
    const waiting = await tlsSetupFor({ nodeExtraCa: nodeExtraCa(true) }, stored);
    assert.deepEqual(reads, [], 'not read while the context waits');
    waiting.trustAll!();
    assert.deepEqual(reads, ['readNow']);
    assert.equal(await verifies(waiting.secureContext), true);
    const fifo = await tlsSetupFor({ nodeExtraCa: nodeExtraCa(false) }, stored);
    assert.equal(fifo.trustAll, undefined);
    assert.deepEqual(reads, ['readNow', 'read']);
    const withIdentity = await tlsSetupFor({ identity: { ...testPki().good } }, stored);
    assert.equal(withIdentity.trustAll, undefined);
  });

  it('a trustAll() that failed part-way fails every time after, never half-trusting', async () => {
    const failing: NodeExtraCa = {
      read: async () => [],
      readableNow: () => true,
      readNow: () => {
        throw new Error('unreadable');
      },
    };
    const setup = await tlsSetupFor({ extraCa: [Buffer.from('x')], nodeExtraCa: failing }, await tls13Session());
    assert.throws(() => setup.trustAll!(), /unreadable/);
    assert.throws(() => setup.trustAll!(), /MAILV_TLS_TRUST_BROKEN/);
  });
});
