// What delivery/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/delivery.ts and src/words/fr/delivery.ts.
import type { ErrorFact } from '../errors.js';

/** Failures raised in delivery/. */
export type DeliveryErrorFact =
  /** Every MX host of the domain was tried, or had no address, and none took the message. */
  | { readonly code: 'MAILV_NO_MX_TOOK'; readonly domain: string; readonly tried: number; readonly skipped: number }
  /**
   * The whole message was written, then the session failed before the server said whether it took
   * it: `host` may have it, so it is sent nowhere else. `error` is what broke.
   */
  | { readonly code: 'MAILV_UNCONFIRMED'; readonly host: string; readonly address: string; readonly error: ErrorFact };

/** Notes emitted from delivery/ (facts worth showing that are not failures). */
export type DeliveryNote =
  /** An MX host with no address is passed over; `problem` says why, as the MX plan recorded it. */
  | { readonly code: 'mx-host-skipped'; readonly recipients: readonly string[]; readonly host: string; readonly problem: string | undefined }
  /** Opportunistic TLS between MTAs broke: the same host is tried again in plaintext. */
  | { readonly code: 'tls-retry-plain'; readonly recipients: readonly string[]; readonly host: string; readonly error: ErrorFact };
