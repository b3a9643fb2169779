// Whether a secret may go to this server: over TLS with a verified certificate, or to this very
// machine (loopback, a unix-domain socket) unless --tls-name names another; anything else only when
// the user said so (--insecure, --allow-plaintext-auth).
import { isLoopbackAddress } from '../ip-address.js';
import type { CertificateProblem } from '../smtp/facts.js';
import type { CredentialRefusal } from './facts.js';

export interface ConnectionSecurity {
  /** The address actually connected to, not the name asked for. */
  readonly remoteAddress: string;
  /** undefined: no TLS on this connection. */
  readonly tls: { readonly verified: boolean; readonly problem: CertificateProblem | undefined } | undefined;
  /** A unix-domain socket (then `remoteAddress` is its path): as private as loopback. */
  readonly unixSocket?: boolean;
  /**
   * The server was named (--tls-name): it is that server, wherever the connection leads (a tunnel's
   * end on loopback, a socket forwarded): no exemption for this machine, its certificate must verify.
   */
  readonly nameGiven?: boolean;
}

export interface GateOverrides {
  readonly insecure: boolean;
  readonly allowPlaintextAuth: boolean;
}

/** undefined when the secret may be sent; else why not, as a fact (the words name what would allow it). */
export function credentialRefusal(host: string, security: ConnectionSecurity, overrides: GateOverrides): CredentialRefusal | undefined {
  if (security.nameGiven !== true && (security.unixSocket === true || isLoopbackAddress(security.remoteAddress))) return undefined;
  const address = security.remoteAddress;
  if (security.tls === undefined) {
    if (overrides.allowPlaintextAuth) return undefined;
    return { code: 'MAILV_AUTH_PLAINTEXT_WITHHELD', host, address };
  }
  // Encryption without authentication is still no worse than the plaintext the user allowed.
  if (security.tls.verified || overrides.insecure || overrides.allowPlaintextAuth) return undefined;
  return { code: 'MAILV_AUTH_UNVERIFIED_WITHHELD', host, address, problem: security.tls.problem };
}
