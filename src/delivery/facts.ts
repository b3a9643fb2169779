// What delivery/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/delivery.ts and src/words/fr/delivery.ts.
import type { NoAddress } from '../dns/facts.js';
import type { ErrorFact } from '../errors.js';

/** What stands at the dead.letter path instead of a regular file. */
export type NotAFile = 'symbolic-link' | 'directory' | 'fifo' | 'character-device' | 'block-device' | 'socket' | 'other';

/** Failures raised in delivery/. */
export type DeliveryErrorFact =
  /** Every MX host of the domain was tried, or had no address, and none took the message. */
  | {
      readonly code: 'MAILV_NO_MX_TOOK';
      readonly domain: string;
      readonly tried: number;
      /** Hosts without any address. */
      readonly skipped: number;
      /** -4/-6: hosts whose addresses are all of the other family, never tried. */
      readonly otherFamily?: { readonly family: 4 | 6; readonly hosts: number } | undefined;
      /** The domain is an address literal: its one host is that address, no MX. */
      readonly literal?: true;
    }
  /**
   * The whole message was written, then the session failed before the server said whether it took
   * it: `host` may have it, so it is sent nowhere else. `error` is what broke.
   */
  | { readonly code: 'MAILV_UNCONFIRMED'; readonly host: string; readonly address: string; readonly error: ErrorFact }
  /**
   * The delivery failed for now (`error`, which alone means 75) after the server refused `refused`
   * for good at RCPT: trying again cannot help those, so the run ends 67.
   */
  | { readonly code: 'MAILV_REFUSED_THEN_FAILED'; readonly refused: readonly string[]; readonly error: ErrorFact }
  /** dead.letter is refused untouched: its path leads to something other than a regular file. */
  | { readonly code: 'MAILV_DEAD_LETTER_NOT_A_FILE'; readonly path: string; readonly found: NotAFile }
  /** The message could not be read again to be kept (its source changed, say): `error` says why. */
  | { readonly code: 'MAILV_DEAD_LETTER_MESSAGE_FAILED'; readonly path: string; readonly error: ErrorFact }
  /** The system refused to open or write dead.letter: `errno` (`ENOSPC`), and its own description. */
  | { readonly code: 'MAILV_DEAD_LETTER_IO'; readonly path: string; readonly errno: string | undefined; readonly detail: string };

/** Notes emitted from delivery/ (facts worth showing that are not failures). */
export type DeliveryNote =
  /** An MX host with no address is passed over; `problem` says why, as the MX plan recorded it. */
  | { readonly code: 'mx-host-skipped'; readonly recipients: readonly string[]; readonly host: string; readonly problem: NoAddress | undefined }
  /** Opportunistic TLS between MTAs broke: the same host is tried again in plaintext. */
  | { readonly code: 'tls-retry-plain'; readonly recipients: readonly string[]; readonly host: string; readonly error: ErrorFact }
  /**
   * The host's certificate does not verify, and the handshake that would have sent it the client
   * certificate was stopped: the same host is tried again with TLS, without the certificate.
   */
  | { readonly code: 'tls-retry-without-certificate'; readonly recipients: readonly string[]; readonly host: string; readonly error: ErrorFact }
  /** A signal stopped the run after the whole message was written, before the verdict: the server may have it. */
  | { readonly code: 'interrupted-unconfirmed'; readonly host: string; readonly address: string };
