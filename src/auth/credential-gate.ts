// Whether a secret may go to this server: over TLS with a verified certificate, or to this very
// machine; anything else only when the user said so (--insecure, --allow-plaintext-auth).
import { isLoopbackAddress } from '../ip-address.js';

export interface ConnectionSecurity {
  /** The address actually connected to, not the name asked for. */
  readonly remoteAddress: string;
  /** undefined: no TLS on this connection. */
  readonly tls: { readonly verified: boolean; readonly problem: string | undefined } | undefined;
}

export interface GateOverrides {
  readonly insecure: boolean;
  readonly allowPlaintextAuth: boolean;
}

/** undefined when the secret may be sent; else why not, with the flag that would allow it. */
export function credentialRefusal(host: string, security: ConnectionSecurity, overrides: GateOverrides): string | undefined {
  if (isLoopbackAddress(security.remoteAddress)) return undefined;
  const where = host === security.remoteAddress ? host : `${host} [${security.remoteAddress}]`;
  if (security.tls === undefined) {
    if (overrides.allowPlaintextAuth) return undefined;
    return `not sending credentials to ${where} without TLS: anyone on the path could read them (--allow-plaintext-auth to send them anyway)`;
  }
  // Encryption without authentication is still no worse than the plaintext the user allowed.
  if (security.tls.verified || overrides.insecure || overrides.allowPlaintextAuth) return undefined;
  return `not sending credentials to ${where}: its certificate is NOT verified (${security.tls.problem ?? 'unknown reason'}), so it may not be ${host} (--ca <file> to trust its CA, or --insecure)`;
}
