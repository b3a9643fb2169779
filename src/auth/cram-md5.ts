// CRAM-MD5 (RFC 2195): the password never crosses the wire, only HMAC-MD5 of the server's
// challenge keyed with it. Weak by today's measure (the server must keep the password), but
// still offered by many servers.
import { createHmac } from 'node:crypto';
import { SaslFailure, type Credentials, type SaslMechanism } from './mechanism.js';

export function cramMd5Mechanism({ user, secret }: Credentials): SaslMechanism {
  return {
    name: 'CRAM-MD5',
    initialResponse: () => undefined,
    respond(challenge) {
      // An empty challenge would make the answer the same every time: replayable.
      if (challenge.length === 0) throw new SaslFailure({ kind: 'cram-md5-empty-challenge' });
      return Buffer.from(`${user} ${createHmac('md5', secret).update(challenge).digest('hex')}`, 'utf8');
    },
  };
}
