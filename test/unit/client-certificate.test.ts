// What the dialogue may say of the client certificate: asked for or not (only a CertificateRequest
// names the server's signature algorithms), and whether the key can make one of them, by TLS 1.3's
// rules too (no PKCS#1 v1.5, an ECDSA scheme for its curve only). Checked on real keys.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { clientCertificateOutcome } from '../../dist/smtp/client-certificate.js';

/** A socket after its handshake, as far as the outcome reads it. */
function handshake(shared: string[] | null, protocol: string, key: KeyObject | undefined): TLSSocket {
  return {
    getSharedSigalgs: () => shared,
    getProtocol: () => protocol,
    getX509Certificate: () => (key === undefined ? undefined : { publicKey: key }),
  } as unknown as TLSSocket;
}

const keys = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
  rsaPss256: generateKeyPairSync('rsa-pss', { modulusLength: 1024, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }).publicKey,
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
  ed25519: generateKeyPairSync('ed25519').publicKey,
  ed448: generateKeyPairSync('ed448').publicKey,
};

describe('the client certificate after a handshake', () => {
  it('asked for or not: none given and none asked is nothing to say; a closed socket (null) is no request', () => {
    assert.equal(clientCertificateOutcome(handshake([], 'TLSv1.3', undefined), false), undefined);
    assert.equal(clientCertificateOutcome(handshake(null, 'TLSv1.3', undefined), false), undefined);
    assert.equal(clientCertificateOutcome(handshake([], 'TLSv1.3', keys.p256), true), 'not-asked');
    assert.equal(clientCertificateOutcome(handshake(['ECDSA+SHA256'], 'TLSv1.3', undefined), false), 'none');
  });

  it('offered only when the key can make a signature the server named, by the version’s rules', () => {
    const cases: [string[], string, KeyObject, 'offered' | 'unsuitable'][] = [
      [['ECDSA+SHA256'], 'TLSv1.3', keys.p256, 'offered'],
      [['RSA+SHA256', 'RSA-PSS+SHA256'], 'TLSv1.3', keys.p256, 'unsuitable'],
      // TLS 1.3: PKCS#1 v1.5 signs no handshake; TLS 1.2 takes it.
      [['RSA+SHA256'], 'TLSv1.3', keys.rsa, 'unsuitable'],
      [['RSA+SHA256'], 'TLSv1.2', keys.rsa, 'offered'],
      [['RSA-PSS+SHA256'], 'TLSv1.3', keys.rsa, 'offered'],
      // TLS 1.3 ties ECDSA+SHA256 to P-256: a P-384 key cannot; TLS 1.2 does not tie them.
      [['ECDSA+SHA256'], 'TLSv1.3', keys.p384, 'unsuitable'],
      [['ECDSA+SHA256'], 'TLSv1.2', keys.p384, 'offered'],
      [['ECDSA+SHA384'], 'TLSv1.3', keys.p384, 'offered'],
      // An RSA-PSS key held to SHA-256 signs with nothing else.
      [['RSA-PSS+SHA384'], 'TLSv1.3', keys.rsaPss256, 'unsuitable'],
      [['RSA-PSS+SHA256'], 'TLSv1.3', keys.rsaPss256, 'offered'],
      [['RSA+SHA256'], 'TLSv1.2', keys.rsaPss256, 'unsuitable'],
      [['Ed25519+UNDEF'], 'TLSv1.3', keys.ed448, 'unsuitable'],
      [['Ed25519+UNDEF', 'Ed448+UNDEF'], 'TLSv1.3', keys.ed448, 'offered'],
      [['Ed25519+UNDEF'], 'TLSv1.3', keys.ed25519, 'offered'],
    ];
    for (const [shared, protocol, key, outcome] of cases)
      assert.equal(clientCertificateOutcome(handshake(shared, protocol, key), true), outcome, `${key.asymmetricKeyType} ${protocol} ${shared.join(':')}`);
  });
});
