// PLAIN (RFC 4616): authorization identity (empty: the same), user and password, NUL-separated,
// in the initial response. Readable by anyone on the path: the credential gate sees to TLS.
import type { Credentials, SaslMechanism } from './mechanism.js';

export function plainMechanism({ user, secret }: Credentials): SaslMechanism {
  return {
    name: 'PLAIN',
    initialResponse: () => Buffer.from(`\0${user}\0${secret}`, 'utf8'),
    respond: () => Buffer.alloc(0),
  };
}
