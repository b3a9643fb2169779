// What a TLS handshake did with the client certificate, as far as the client can know: whether the
// server asked for one (a client learns the server's signature algorithms only from its
// CertificateRequest, in TLS 1.2 and 1.3), and whether the key given can make one of the
// signatures the server accepts. OpenSSL sends the certificate only then, and Node does not say
// what it chose: a key that can is said to be offered; one that cannot, to have gone nowhere.
import type { KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/**
 * `offered`: asked for, and the key can make a signature the server named (Node names
 * rsa_pss_rsae and rsa_pss_pss alike, so it may still not go); `unsuitable`: asked for, and the key
 * can make none of them, so none went; `none`: asked for, none given; `withheld`: asked for, one
 * given and withheld from a server whose certificate did not verify; `not-asked`: one given, and
 * no CertificateRequest named a signature the client can make.
 */
export type ClientCertificateOutcome = 'offered' | 'unsuitable' | 'none' | 'withheld' | 'not-asked';

/** Undefined when none was given and none asked for: nothing to say. */
export function clientCertificateOutcome(secure: TLSSocket, identityGiven: boolean, withheld = false): ClientCertificateOutcome | undefined {
  // null, not a throw, from a socket already closed.
  const shared = (secure.getSharedSigalgs() as string[] | null) ?? [];
  if (shared.length === 0) return identityGiven ? 'not-asked' : undefined;
  if (!identityGiven) return withheld ? 'withheld' : 'none';
  const key = secure.getX509Certificate()?.publicKey;
  if (key === undefined) return 'offered';
  const tls13 = secure.getProtocol() === 'TLSv1.3';
  return shared.some((algorithm) => canSign(key, algorithm, tls13)) ? 'offered' : 'unsuitable';
}

/** TLS 1.3 ties each ECDSA scheme to one curve (RFC 8446 §4.2.3). */
const CURVE_HASH: Readonly<Record<string, string>> = { prime256v1: 'SHA256', secp384r1: 'SHA384', secp521r1: 'SHA512' };

/** Whether `key` can make the signature OpenSSL names `algorithm` (`ECDSA+SHA256`, `RSA-PSS+SHA384`, `Ed25519+UNDEF`). */
function canSign(key: KeyObject, algorithm: string, tls13: boolean): boolean {
  const [scheme, hash] = algorithm.split('+');
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      // PKCS#1 v1.5 signs no TLS 1.3 handshake (RFC 8446 §4.2.3).
      return scheme === 'RSA-PSS' || (scheme === 'RSA' && !tls13);
    case 'rsa-pss':
      return scheme === 'RSA-PSS' && (details?.hashAlgorithm === undefined || details.hashAlgorithm.toUpperCase().replace('-', '') === hash);
    case 'ec': {
      if (scheme !== 'ECDSA') return false;
      const bound = details?.namedCurve === undefined ? undefined : CURVE_HASH[details.namedCurve];
      return !tls13 || bound === undefined || bound === hash;
    }
    case 'ed25519':
      return scheme === 'Ed25519';
    case 'ed448':
      return scheme === 'Ed448';
    case 'dsa':
      return scheme === 'DSA' && !tls13;
    default:
      // A key type not known here is not judged.
      return true;
  }
}
