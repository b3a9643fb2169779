import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { describe, it } from 'node:test';
import { nodeTrustsItsOwnList, notInNodesList } from '../../dist/smtp/node-ca-list.js';

/** A certificate of Node's list as a system bundle writes it: lines of `width`, ended by `eol`. */
function rewritten(pem: string, width = 64, eol = '\n'): string {
  const base64 = pem.replace(/-----[A-Z ]+-----|\n/g, '');
  return ['-----BEGIN CERTIFICATE-----', ...base64.match(new RegExp(`.{1,${width}}`, 'g'))!, '-----END CERTIFICATE-----', ''].join(eol);
}

const nodes = rootCertificates;
// Not in Node's list: the first certificate's base64 with one character changed.
const foreign = nodes[0]!.replace(/(-----\n.{20})(.)/, (_, head: string, char: string) => `${head}${char === 'A' ? 'B' : 'A'}`);

describe('notInNodesList', () => {
  it("leaves out Node's own certificates whatever their line width or line ends, keeps the others in order", () => {
    const file = Buffer.from([rewritten(nodes[1]!), rewritten(foreign), rewritten(nodes[2]!, 76, '\r\n'), nodes[3]!, '\n'].join(''), 'latin1');
    const kept = notInNodesList([file], nodes);
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.toString('latin1'), rewritten(foreign).trimEnd());
    assert.deepEqual(notInNodesList([Buffer.from(nodes.map((pem) => rewritten(pem)).join(''))], nodes), []);
  });

  it('gives a file with anything besides whole certificates back whole', () => {
    for (const odd of ['-----BEGIN TRUSTED CERTIFICATE-----\nMIIB\n-----END TRUSTED CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\nMIIB\n']) {
      const file = Buffer.from(rewritten(nodes[1]!) + odd, 'latin1');
      assert.deepEqual(notInNodesList([file], nodes), [file]);
    }
  });

  it('nothing to add: no files', () => {
    assert.deepEqual(notInNodesList([], nodes), []);
  });
});

describe('nodeTrustsItsOwnList', () => {
  it('no: told to use OpenSSL’s store, on the command line or in NODE_OPTIONS, or built so; the last choice decides', () => {
    assert.equal(nodeTrustsItsOwnList([], undefined, false), true);
    assert.equal(nodeTrustsItsOwnList([], undefined, true), false);
    assert.equal(nodeTrustsItsOwnList(['--use-openssl-ca'], undefined, false), false);
    assert.equal(nodeTrustsItsOwnList([], ' --max-old-space-size=100 --use-openssl-ca', false), false);
    assert.equal(nodeTrustsItsOwnList(['--use-bundled-ca'], '--use-openssl-ca', false), true);
    assert.equal(nodeTrustsItsOwnList(['--use-bundled-ca'], undefined, true), true);
    // Spelt as Node takes them too.
    assert.equal(nodeTrustsItsOwnList([], '--use_openssl_ca', false), false);
    assert.equal(nodeTrustsItsOwnList([], '"--use-openssl-ca"', false), false);
    assert.equal(nodeTrustsItsOwnList(['--use_bundled_ca'], "'--use-openssl-ca'", false), true);
  });
});
