// XOAUTH2 (Google's and Microsoft's SASL mechanism for OAuth 2.0 bearer tokens). On failure the
// server sends a JSON error as a challenge and waits for an empty answer before its 535.
import type { Credentials, SaslMechanism } from './mechanism.js';

export function xoauth2Mechanism({ user, secret }: Credentials): SaslMechanism {
  return {
    name: 'XOAUTH2',
    initialResponse: () => Buffer.from(`user=${user}\x01auth=Bearer ${secret}\x01\x01`, 'utf8'),
    respond: () => Buffer.alloc(0),
  };
}
