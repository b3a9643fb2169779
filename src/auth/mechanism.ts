// The client side of one SASL mechanism (RFC 4422) as AUTH uses it (RFC 4954): an optional
// initial response, then one answer per server challenge. Octets in, octets out; base64 and the
// SMTP dialogue are the caller's.
import type { SaslProblem } from './facts.js';

export interface SaslMechanism {
  /** The name in `AUTH <name>`. */
  readonly name: string;
  /** The initial response sent with AUTH (RFC 4954 §4), or undefined when the server speaks first. */
  initialResponse(): Buffer | undefined;
  /** The answer to a challenge. Throws SaslFailure when the server's data is wrong or forged. */
  respond(challenge: Buffer): Buffer;
  /** Checks, on 235, that the server proved itself when the mechanism demands it (SCRAM); throws SaslFailure. */
  verifySuccess?(): void;
}

/**
 * The server's side of the exchange did not hold up: the exchange is cancelled with `*`. Its
 * `problem` is what the user is told; the message is only the problem's kind.
 */
export class SaslFailure extends Error {
  constructor(readonly problem: SaslProblem) {
    super(problem.kind);
    this.name = 'SaslFailure';
  }
}

/** What the user gave to prove who they are: a password, or an OAuth 2.0 bearer token. */
export interface Credentials {
  readonly user: string;
  readonly secret: string;
}
