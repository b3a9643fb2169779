// What auth/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/auth.ts and src/words/fr/auth.ts. Failures
// of AUTH itself (smtp/authenticate.ts) are auth facts too.
import type { CertificateProblem } from '../smtp/facts.js';
import type { Reply } from '../smtp/reply.js';

/** Failures raised in auth/ and by AUTH. */
export type AuthErrorFact =
  /** The server lists no AUTH in its EHLO reply; `overTls`: the connection was already encrypted. */
  | { readonly code: 'MAILV_AUTH_NOT_OFFERED'; readonly user: string; readonly overTls: boolean }
  | CredentialRefusal
  /** None of the mechanisms wanted is offered; `forced`: the user named the one mechanism. */
  | {
      readonly code: 'MAILV_AUTH_MECHANISM_NOT_OFFERED';
      readonly wanted: readonly string[];
      readonly forced: boolean;
      readonly offered: readonly string[];
    }
  /** mailv cancelled the exchange (`*`): what the server sent did not hold up. */
  | { readonly code: 'MAILV_AUTH_CANCELLED'; readonly mechanism: string; readonly host: string; readonly problem: SaslProblem }
  /** The server said 235 without the proof the mechanism requires of it (SCRAM). */
  | { readonly code: 'MAILV_AUTH_SERVER_UNPROVEN'; readonly mechanism: string; readonly host: string; readonly problem: SaslProblem }
  /** The server refused the credentials: 5xx (77) or 4xx (75). */
  | { readonly code: 'MAILV_AUTH_REFUSED'; readonly user: string; readonly mechanism: string; readonly reply: Reply }
  /** A reply AUTH has no use for (neither 334, 235, 4xx nor 5xx). */
  | { readonly code: 'MAILV_AUTH_UNEXPECTED_REPLY'; readonly reply: Reply }
  | { readonly code: 'MAILV_AUTH_TOO_MANY_CHALLENGES'; readonly limit: number };

/**
 * Why the credential gate keeps the secret: no TLS, or TLS whose certificate was not verified
 * (`problem`, as the connection found it). `address` is where mailv connected, `host` the name.
 */
export type CredentialRefusal =
  | { readonly code: 'MAILV_AUTH_PLAINTEXT_WITHHELD'; readonly host: string; readonly address: string }
  | { readonly code: 'MAILV_AUTH_UNVERIFIED_WITHHELD'; readonly host: string; readonly address: string; readonly problem: CertificateProblem | undefined };

/** What was wrong with the server's side of a SASL exchange (see SaslFailure). */
export type SaslProblem =
  /** RFC 4954 §4: challenges are base64; `challenge` is the text received. */
  | { readonly kind: 'challenge-not-base64'; readonly challenge: string }
  /** CRAM-MD5 with an empty challenge: the answer would be the same every time (replayable). */
  | { readonly kind: 'cram-md5-empty-challenge' }
  /** RFC 5802 §5.1: an `m=` attribute, a mandatory extension mailv does not know. */
  | { readonly kind: 'scram-extension' }
  | { readonly kind: 'scram-nonce' }
  | { readonly kind: 'scram-no-salt' }
  /** `iterations` as the server wrote it (undefined: it gave none); 1 to `max` are accepted. */
  | { readonly kind: 'scram-iterations'; readonly iterations: string | undefined; readonly max: number }
  /** The server-final-message carried `e=`. */
  | { readonly kind: 'scram-server-error'; readonly error: string }
  | { readonly kind: 'scram-signature' }
  | { readonly kind: 'scram-unproven' }
  | { readonly kind: 'scram-malformed'; readonly message: string };

/** Notes emitted from auth/ (facts worth showing that are not failures). */
export type AuthNote =
  /** --show-secrets: what a SASL step carried, decoded from base64. */
  | { readonly code: 'sasl-decoded'; readonly direction: 'sent' | 'received'; readonly text: string }
  /**
   * Logging in over loopback although the certificate does not verify: allowed (the bytes stay on
   * this machine), but on a shared one another user may hold the port: worth a warning.
   */
  | { readonly code: 'auth-loopback-unverified'; readonly host: string; readonly problem: CertificateProblem | undefined };
