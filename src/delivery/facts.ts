// What delivery/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/delivery.ts and src/words/fr/delivery.ts.
import type { NoAddress } from '../dns/facts.js';
import type { ErrorFact } from '../errors.js';

/** Failures raised in delivery/. */
export type DeliveryErrorFact = never;

/** Notes emitted from delivery/ (facts worth showing that are not failures). */
export type DeliveryNote =
  /** An MX host with no address is passed over; `problem` says why, as the MX plan recorded it. */
  | { readonly code: 'mx-host-skipped'; readonly recipients: readonly string[]; readonly host: string; readonly problem: NoAddress | undefined }
  /** Opportunistic TLS between MTAs broke: the same host is tried again in plaintext. */
  | { readonly code: 'tls-retry-plain'; readonly recipients: readonly string[]; readonly host: string; readonly error: ErrorFact };
