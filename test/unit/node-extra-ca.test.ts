import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { describe, it } from 'node:test';
import { extraCertificates } from '../../dist/app/node-extra-ca.js';
import { nodeOptionsArguments, nodeTrustsItsOwnList } from '../../dist/node-ca-store.js';

/** A certificate of Node's list as a system bundle writes it: lines of `width`, ended by `eol`. */
function rewritten(pem: string, width = 64, eol = '\n', label = 'CERTIFICATE'): string {
  const base64 = pem.replace(/-----[A-Z ]+-----|\n/g, '');
  return [`-----BEGIN ${label}-----`, ...base64.match(new RegExp(`.{1,${width}}`, 'g'))!, `-----END ${label}-----`, ''].join(eol);
}

const nodes = rootCertificates;
/** Node's second certificate, standing for one the list (`others`, Node's first alone) lacks. */
const foreign = rewritten(nodes[1]!);
const others = [nodes[0]!];

describe('extraCertificates', () => {
  it("leaves out Node's own certificates whatever their line width, keeps the others in order", () => {
    const text = [rewritten(nodes[0]!), foreign, rewritten(nodes[0]!, 76), nodes[0]!, '\n', rewritten(nodes[2]!, 72, '\n', 'X509 CERTIFICATE')].join('');
    const { certificates, damaged } = extraCertificates(text, others);
    assert.equal(damaged, undefined);
    assert.deepEqual(
      certificates,
      [foreign.trimEnd(), rewritten(nodes[2]!).trimEnd()],
      'an X509 CERTIFICATE block read as a CERTIFICATE (written again, 64 columns)',
    );
    assert.deepEqual(extraCertificates(nodes.map((pem) => rewritten(pem)).join(''), nodes).certificates, []);
  });

  it('reads lines as OpenSSL does: a block begins at a line of its own, and ends at its own end line, nothing after it', () => {
    const commented = rewritten(nodes[3]!).replace(/^/gm, '# ').replace(/# $/, '');
    assert.deepEqual(
      extraCertificates(`${commented}\n${foreign}`, others),
      { certificates: [foreign.trimEnd()], damaged: undefined },
      'a commented-out certificate is no block',
    );
    const indented = rewritten(nodes[3]!).replace('-----BEGIN', ' -----BEGIN');
    assert.deepEqual(extraCertificates(`${indented}${foreign}`, others).certificates, [foreign.trimEnd()]);
    const junk = rewritten(nodes[3]!).replace('-----END CERTIFICATE-----', '-----END CERTIFICATE----- junk');
    assert.deepEqual(extraCertificates(`${junk}${foreign}`, others), { certificates: [], damaged: 1 }, 'a bad end line ends the reading');
    const spaced = rewritten(nodes[3]!).replace('-----END CERTIFICATE-----', '-----END CERTIFICATE-----  \r');
    assert.equal(extraCertificates(spaced, others).certificates.length, 1, 'trailing blanks and CR are no part of a line');
  });

  it('gets its lines as OpenSSL does: a BOM dropped, 254 octets at a time, cut at a NUL, a NUL first ending the file, high octets at the end dropped', () => {
    const read = (text: string) => extraCertificates(text, others);
    const taken = { certificates: [foreign.trimEnd()], damaged: undefined };
    assert.deepEqual(read(`\xef\xbb\xbf${foreign}`), taken, 'a byte order mark');
    assert.deepEqual(read(foreign.replace('-----\n', '-----\0junk\n')), taken, 'a NUL ends the BEGIN line');
    assert.deepEqual(read(foreign.replace(/-----\n$/, '-----\0junk\n')), taken, 'and the END line');
    assert.deepEqual(read(`\0\n${foreign}`), { certificates: [], damaged: undefined }, 'a line that begins with a NUL ends the file');
    assert.deepEqual(read(`${'x'.repeat(254)}${foreign}`), taken, 'a BEGIN at octet 255 of a line begins a line of its own');
    assert.deepEqual(read(`${'x'.repeat(253)}${foreign}`), { certificates: [], damaged: undefined });
    assert.deepEqual(read(foreign.replace('-----\n', '-----\xa0\x01\n')), taken, 'trailing octets from 0x80, and controls');
  });

  it('takes a certificate with octets after its DER as OpenSSL does, without them; ends at an empty block, a key that is no base64, a blank line between lines of data', () => {
    const base64 = foreign.replace(/-----[A-Z ]+-----|\n/g, '');
    const padded = Buffer.concat([Buffer.from(base64, 'base64'), Buffer.from([5, 0])]).toString('base64');
    const trailing = `-----BEGIN CERTIFICATE-----\n${padded.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    assert.deepEqual(extraCertificates(trailing, others), { certificates: [foreign.trimEnd()], damaged: undefined });
    assert.deepEqual(extraCertificates(`-----BEGIN FOO-----\n-----END FOO-----\n${foreign}`, others), { certificates: [], damaged: undefined });
    assert.deepEqual(extraCertificates(`-----BEGIN -----\n-----END -----\n${foreign}`, others), { certificates: [], damaged: undefined });
    const badKey = '-----BEGIN PRIVATE KEY-----\n!!!!notbase64\n-----END PRIVATE KEY-----\n';
    assert.deepEqual(extraCertificates(`${badKey}${foreign}`, others), { certificates: [], damaged: 1 });
    const encrypted = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    assert.deepEqual(extraCertificates(`${encrypted}${foreign}`, others).certificates, [foreign.trimEnd()], 'headers are no base64');
    const gap = foreign.replace(/\n(.{64}\n)/, '\n$1\n');
    assert.deepEqual(extraCertificates(gap, others), { certificates: [], damaged: 1 });
    assert.deepEqual(extraCertificates(foreign.replace('-----\n', '-----\n\n'), others).certificates, [foreign.trimEnd()], 'a blank line first: no headers');
  });

  it('skips what is no certificate (a TRUSTED CERTIFICATE, a key), and ends at the first damaged one, saying which', () => {
    const trusted = rewritten(nodes[3]!, 64, '\n', 'TRUSTED CERTIFICATE');
    assert.deepEqual(extraCertificates(`${trusted}${foreign}`, others), { certificates: [foreign.trimEnd()], damaged: undefined });
    const cut = `-----BEGIN CERTIFICATE-----\n${nodes[3]!.slice(28, 300)}\n`;
    assert.deepEqual(extraCertificates(`${foreign}${cut}${rewritten(nodes[4]!)}`, others), { certificates: [foreign.trimEnd()], damaged: 2 });
    const badBase64 = rewritten(nodes[4]!).replace(/\n.{10}/, '\n!!!!!!!!!!');
    assert.deepEqual(extraCertificates(`${rewritten(nodes[0]!)}${badBase64}${foreign}`, others), { certificates: [], damaged: 2 }, 'counted among all');
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
    // Split as Node splits NODE_OPTIONS: a quote opens and closes inside a word, a quoted space is
    // the word's, and a value after `=` still sets the flag (Node reads OpenSSL's store for each).
    assert.equal(nodeTrustsItsOwnList([], '--use-"openssl"-ca', false), false);
    assert.equal(nodeTrustsItsOwnList([], '--title="x --use-openssl-ca y"', false), true);
    assert.equal(nodeTrustsItsOwnList([], '--use-openssl-ca=false', false), false);
    assert.equal(nodeTrustsItsOwnList(['--use-openssl-ca=1'], undefined, false), false);
    assert.deepEqual(nodeOptionsArguments('  --a  "b c"d --e="f \\" g" \\h'), ['--a', 'b cd', '--e=f " g', '\\h']);
  });
});
