// What auth/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/auth.ts and src/words/fr/auth.ts.

/** Failures raised in auth/. */
export type AuthErrorFact = never;

/** Notes emitted from auth/ (facts worth showing that are not failures). */
export type AuthNote =
  /** --show-secrets: what a SASL step carried, decoded from base64. */
  { readonly code: 'sasl-decoded'; readonly direction: 'sent' | 'received'; readonly text: string };
