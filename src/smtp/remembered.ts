// PIPECONNECT (Exim; draft-harris-early-pipe): a client that remembers a server's EHLO reply may
// send EHLO without waiting for the greeting. What was remembered, as the session receives it; the
// app keeps it on disk. Pure.
import type { EhloOffer } from './capabilities.js';

/** Where in the session an EHLO was answered: in clear, after STARTTLS, or inside implicit TLS (smtps). */
export type EhloTlsState = 'clear' | 'starttls' | 'implicit';

/**
 * The server an EHLO reply belongs to: its name as given, the address and port, the TLS state, the
 * name presented; under TLS, the name sent in SNI when the user gave one (--tls-name, the accounts
 * file's tls-name: a server may answer EHLO differently for each name it serves).
 */
export interface EhloKey {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly tls: EhloTlsState;
  readonly helo: string;
  readonly tlsName?: string | undefined;
}

/** One EHLO reply remembered; `fresh` is false once it is too old to be trusted for an early EHLO. */
export interface RememberedEhlo extends EhloKey {
  readonly offer: EhloOffer;
  readonly fresh: boolean;
  /** Dated later than now (a clock set back since): not fresh either, for another reason. */
  readonly future?: boolean;
}

/** The key alone, without what an entry or a remembered reply carries besides. */
export function keyOf(key: EhloKey): EhloKey {
  const { host, address, port, tls, helo, tlsName } = key;
  return { host, address, port, tls, helo, ...(tlsName === undefined ? {} : { tlsName }) };
}

/**
 * The largest reply remembered, as written (a real one takes a few hundred octets): a hundred of
 * them stay well under what a cache file may hold, so that one server's huge reply cannot make
 * the whole file too large to read. A larger one is as a reply without PIPECONNECT.
 */
export const MAX_REMEMBERED_OFFER_OCTETS = 5 * 1024;

/** Whether `offer` may be remembered for an early EHLO: it offers PIPECONNECT, and is not too large to keep. */
export function rememberable(offer: EhloOffer): boolean {
  return offersPipeconnect(offer) && Buffer.byteLength(JSON.stringify(offer)) <= MAX_REMEMBERED_OFFER_OCTETS;
}

export function sameKey(a: EhloKey, b: EhloKey): boolean {
  return a.host === b.host && a.address === b.address && a.port === b.port && a.tls === b.tls && a.helo === b.helo && a.tlsName === b.tlsName;
}

/** The same keywords with the same parameters, in any order and any case; the greeting line aside. */
export function sameOffer(a: EhloOffer, b: EhloOffer): boolean {
  const canonical = (offer: EhloOffer) =>
    offer.extensions
      .map(({ keyword, params }) => [keyword.toUpperCase(), ...params].join(' '))
      .sort()
      .join('\n');
  return canonical(a) === canonical(b);
}

/** Whether `offer` has the extension `keyword` (given in capitals). */
export function offers(offer: EhloOffer, keyword: string): boolean {
  return offer.extensions.some((extension) => extension.keyword.toUpperCase() === keyword);
}

export function offersPipeconnect(offer: EhloOffer): boolean {
  return offers(offer, 'PIPECONNECT');
}
