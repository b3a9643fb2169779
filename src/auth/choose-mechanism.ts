// Which mechanism to use: the one forced with --auth, else the strongest the server offers that
// mailv knows; XOAUTH2 whenever the secret is a token.
import { CapabilityError } from '../errors.js';
import { cramMd5Mechanism } from './cram-md5.js';
import { PASSWORD_MECHANISMS } from './known-mechanisms.js';
import { loginMechanism } from './login.js';
import type { Credentials, SaslMechanism } from './mechanism.js';
import { plainMechanism } from './plain.js';
import { scramSha256Mechanism } from './scram-sha-256.js';
import { xoauth2Mechanism } from './xoauth2.js';

const FACTORIES: Readonly<Record<string, (credentials: Credentials) => SaslMechanism>> = {
  'SCRAM-SHA-256': (credentials) => scramSha256Mechanism(credentials),
  'CRAM-MD5': cramMd5Mechanism,
  PLAIN: plainMechanism,
  LOGIN: loginMechanism,
  XOAUTH2: xoauth2Mechanism,
};

export interface MechanismChoice {
  /** --auth: this one or nothing. */
  readonly forced: string | undefined;
  /** The secret is an OAuth 2.0 token: XOAUTH2 only. */
  readonly token: boolean;
}

/** Picks from what the server offers; throws CapabilityError (69) with what was wanted and offered. */
export function chooseMechanism(offered: readonly string[], choice: MechanismChoice, credentials: Credentials): SaslMechanism {
  const offers = new Set(offered.map((name) => name.toUpperCase()));
  const wanted = choice.forced !== undefined ? [choice.forced.toUpperCase()] : choice.token ? ['XOAUTH2'] : PASSWORD_MECHANISMS;
  const name = wanted.find((candidate) => offers.has(candidate));
  if (name === undefined) {
    throw new CapabilityError({ code: 'MAILV_AUTH_MECHANISM_NOT_OFFERED', wanted, forced: choice.forced !== undefined, offered }, 'auth');
  }
  return FACTORIES[name]!(credentials);
}
