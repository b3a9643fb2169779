// Whether a server's certificate names the host it was asked for, as RFC 9525 has it: Node's own
// check (tls.checkServerIdentity) still follows RFC 2818 and RFC 6125 in two ways RFC 9525 ends.
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';

type NodeIdentityCheck = (host: string, certificate: PeerCertificate) => Error | undefined;

/**
 * Node's check, but a certificate names a host only in its subjectAltName (RFC 9525 §6.3: its
 * subject's CN is no identifier, where Node falls back to it when the certificate has no DNS name),
 * and a wildcard only as the whole left-most label (§6.3: `*.example.org`; `m*.example.org`, which
 * Node matches, names nothing). A certificate left with no name is said as one for another name.
 */
export function rfc9525Identity(nodeCheck: NodeIdentityCheck): NodeIdentityCheck {
  return (host, certificate) => {
    const names = (certificate.subjectaltname ?? '').split(', ').filter((name) => name !== '');
    const kept = names.filter((name) => !name.startsWith('DNS:') || !name.includes('*') || /^DNS:\*\.[^*]+$/.test(name));
    if (!kept.some((name) => name.startsWith('DNS:')) && isIP(host) === 0) return mismatch(host, certificate);
    // Node's error carries the certificate it was given: the one the server sent is the one to describe.
    const error = nodeCheck(host, { ...certificate, subjectaltname: kept.join(', ') });
    return error === undefined ? undefined : Object.assign(error, { cert: certificate });
  };
}

/** Node's own error for a name the certificate does not carry: its code is what mailv reads (never shown). */
function mismatch(host: string, certificate: PeerCertificate): Error {
  return Object.assign(new Error('ERR_TLS_CERT_ALTNAME_INVALID'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', host, cert: certificate });
}
