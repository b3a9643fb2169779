// The rule that decides whether a secret may leave: verified TLS or this machine, else a flag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialRefusal } from '../../dist/auth/credential-gate.js';
import { AuthError } from '../../dist/errors.js';
import { isLoopbackAddress } from '../../dist/ip-address.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';

/** The refusal as the user reads it, in English and in French. */
function refusalWords(...args: Parameters<typeof credentialRefusal>): [string, string] | undefined {
  const refusal = credentialRefusal(...args);
  if (refusal === undefined) return undefined;
  const error = new AuthError(refusal, 'auth');
  return [describeError(error, wordsFor('en')), describeError(error, wordsFor('fr'))];
}

const NO_OVERRIDES = { insecure: false, allowPlaintextAuth: false };
const verified = { verified: true, problem: undefined };
const selfSigned = { verified: false, problem: { kind: 'self-signed' as const } };

describe('loopback addresses', () => {
  it('knows 127.0.0.0/8, ::1 and their IPv4-mapped forms', () => {
    for (const address of ['127.0.0.1', '127.9.8.7', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(address), address);
    for (const address of ['198.18.0.2', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'localhost', '', '127.0.0.256']) {
      assert.ok(!isLoopbackAddress(address), address);
    }
  });
});

describe('the credential gate', () => {
  it('lets secrets go to this machine over anything', () => {
    assert.equal(credentialRefusal('localhost', { remoteAddress: '127.0.0.1', tls: undefined }, NO_OVERRIDES), undefined);
    assert.equal(credentialRefusal('localhost', { remoteAddress: '::1', tls: selfSigned }, NO_OVERRIDES), undefined);
    assert.equal(credentialRefusal('/run/smtp.sock', { remoteAddress: '/run/smtp.sock', tls: undefined, unixSocket: true }, NO_OVERRIDES), undefined);
    assert.notEqual(credentialRefusal('/run/smtp.sock', { remoteAddress: '/run/smtp.sock', tls: undefined }, NO_OVERRIDES), undefined);
  });

  it('lets secrets go elsewhere over TLS with a verified certificate only', () => {
    assert.equal(credentialRefusal('mx', { remoteAddress: '198.18.0.2', tls: verified }, NO_OVERRIDES), undefined);
    assert.deepEqual(credentialRefusal('mail.example.org', { remoteAddress: '198.18.0.2', tls: undefined }, NO_OVERRIDES), {
      code: 'MAILV_AUTH_PLAINTEXT_WITHHELD',
      host: 'mail.example.org',
      address: '198.18.0.2',
    });
    assert.deepEqual(refusalWords('mail.example.org', { remoteAddress: '198.18.0.2', tls: undefined }, NO_OVERRIDES), [
      'not sending credentials to mail.example.org [198.18.0.2] without TLS: anyone on the path could read them (--allow-plaintext-auth to send them anyway)',
      'identifiants non envoyés à mail.example.org [198.18.0.2] sans TLS : n’importe qui sur le chemin pourrait les lire (--allow-plaintext-auth pour les envoyer malgré tout)',
    ]);
    assert.deepEqual(refusalWords('198.18.0.2', { remoteAddress: '198.18.0.2', tls: selfSigned }, NO_OVERRIDES), [
      'not sending credentials to 198.18.0.2: its certificate is NOT verified (self-signed), so it may not be 198.18.0.2 (--ca <file> to trust its CA, or --insecure)',
      'identifiants non envoyés à 198.18.0.2 : son certificat n’est PAS vérifié (autosigné), ce n’est donc peut-être pas 198.18.0.2 (--ca <fichier> pour faire confiance à son autorité de certification, ou --insecure)',
    ]);
  });

  it('--insecure lifts only the certificate refusal; --allow-plaintext-auth lifts both', () => {
    const plaintext = { remoteAddress: '198.18.0.2', tls: undefined };
    const unverified = { remoteAddress: '198.18.0.2', tls: selfSigned };
    assert.equal(credentialRefusal('h', plaintext, { insecure: false, allowPlaintextAuth: true }), undefined);
    assert.notEqual(credentialRefusal('h', plaintext, { insecure: true, allowPlaintextAuth: false }), undefined);
    assert.equal(credentialRefusal('h', unverified, { insecure: true, allowPlaintextAuth: false }), undefined);
    assert.equal(credentialRefusal('h', unverified, { insecure: false, allowPlaintextAuth: true }), undefined);
  });
});
