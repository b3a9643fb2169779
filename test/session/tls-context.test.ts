// The TLS context a connection makes for --ca (or a client certificate) is made once for that trust
// and shared by every connection that has it: a load run over TLS made one a connection, each with
// a store of every root certificate, and grew by 40 MiB in 3,000 connections.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { testPki } from '../helpers/certificates.js';
import { memoryPair } from './memory-pair.js';

const connection = () => new SmtpConnection(memoryPair()[0], 'mx.test');

describe('the TLS context', () => {
  it('is made once for a trust and shared by every connection with it; another trust gets its own', async () => {
    const pki = testPki();
    const extraCa = [readFileSync(pki.caFile)];
    // As the session builds it: a new object each time, around the plan's own certificates.
    const [first, second] = await Promise.all([connection().prepareTls({ extraCa }), connection().prepareTls({ extraCa })]);
    assert.ok(first.secureContext !== undefined);
    assert.equal(second.secureContext, first.secureContext);
    const otherCa = await connection().prepareTls({ extraCa: [readFileSync(pki.caFile)] });
    assert.notEqual(otherCa.secureContext, first.secureContext);
    const identity = { cert: pki.good.cert, key: pki.good.key };
    const withIdentity = await connection().prepareTls({ extraCa, identity });
    assert.notEqual(withIdentity.secureContext, first.secureContext, 'a client certificate is another trust');
    assert.equal((await connection().prepareTls({ extraCa, identity })).secureContext, withIdentity.secureContext);
    // No --ca and no certificate: Node's trust alone, one context for all the same.
    const nodeTrust = await connection().prepareTls({});
    assert.ok(nodeTrust.secureContext !== undefined && nodeTrust.secureContext !== first.secureContext);
    assert.equal((await connection().prepareTls({ extraCa: [] })).secureContext, nodeTrust.secureContext);
  });
});
