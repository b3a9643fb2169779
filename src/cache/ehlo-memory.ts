// What mailv remembers of servers that offer PIPECONNECT: their EHLO replies, in one small file
// under $XDG_CACHE_HOME/mailv (~/.cache/mailv), so that the next session with the same server may
// send EHLO before the greeting; and the servers that refused an early EHLO all the same (a
// pregreet test in front of the server), so that they are not tried early every other session.
// A cache and nothing more: a file that is missing, unreadable, damaged or not the user's own is
// ignored, and one that cannot be written is left as it is.
import { join } from 'node:path';
import type { EhloOffer, Extension } from '../smtp/capabilities.js';
import { keyOf, offersPipeconnect, rememberable, sameKey, type EhloKey, type EhloTlsState, type RememberedEhlo } from '../smtp/remembered.js';
import { isRecord, readPrivateEntries, withFileLock, writePrivateEntries } from './private-file.js';

/**
 * How long a remembered reply allows an early EHLO, and how long a refusal keeps it from being
 * tried again. A server's extensions change with its configuration, rarely; a day bounds how long
 * a server that stopped taking early talkers costs a second connection (once), and how long one
 * that takes them again goes without, while every session corrects the memory from the reply it
 * actually gets.
 */
export const EHLO_MEMORY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Enough for every server one person talks to; the oldest go first. */
const MAX_ENTRIES = 100;

/**
 * Far above what MAX_ENTRIES replies take, each at most MAX_REMEMBERED_OFFER_OCTETS (with room for
 * its key): a larger file is not mailv's, and one server's huge reply cannot make the whole file
 * too large to be read, every other server forgotten with it.
 */
const MAX_FILE_OCTETS = 1024 * 1024;

const FILE_NAME = 'pipeconnect.json';

const TLS_STATES: readonly EhloTlsState[] = ['clear', 'starttls', 'implicit'];

interface Entry extends EhloKey {
  /** The reply; undefined for a server that refused an early EHLO. */
  readonly offer: EhloOffer | undefined;
  /** Milliseconds since the epoch when the reply was received, or the early EHLO refused. */
  readonly learned: number;
}

/** An entry to write, or a key to drop; in the order they happened. */
type Change = { readonly entry: Entry; readonly forgotten?: undefined } | { readonly entry?: undefined; readonly forgotten: EhloKey };

export class EhloMemory {
  private readonly changes: Change[] = [];

  private constructor(
    private readonly directory: string,
    private entries: Entry[],
  ) {}

  /** What the directory's file holds, or nothing when it cannot be trusted. */
  static async open(directory: string): Promise<EhloMemory> {
    return new EhloMemory(directory, readEntries(join(directory, FILE_NAME)));
  }

  /** Every reply remembered for `helo`, each said fresh or not at `now`; the session picks its server's. */
  remembered(helo: string, now: number): RememberedEhlo[] {
    return this.entries.flatMap(({ learned, offer, ...key }) =>
      key.helo === helo && offer !== undefined ? [{ ...key, offer, fresh: isFresh(learned, now), ...(learned > now ? { future: true } : {}) }] : [],
    );
  }

  /**
   * A 250 to EHLO: remembered when it offers PIPECONNECT, else whatever was remembered is
   * forgotten. A server that refused an early EHLO less than a day ago stays so: its EHLO offers
   * PIPECONNECT all the same.
   */
  learn(key: EhloKey, offer: EhloOffer, now: number): void {
    const keyOnly = keyOf(key);
    if (this.refusesEarly(keyOnly, now)) return;
    const current = this.current(keyOnly);
    // Too large a reply is not kept (see rememberable()): its server is as one without PIPECONNECT.
    const kept = rememberable(offer);
    // A server that offers no PIPECONNECT and was never remembered leaves the file as it is: most
    // servers do not offer it, and a file written after every send would cost every send.
    if (!kept && current === undefined) return;
    this.changes.push(kept ? { entry: { ...keyOnly, offer, learned: now } } : { forgotten: keyOnly });
  }

  /**
   * Whether the server of `key` learns nothing from its replies for now: it refused an early EHLO
   * less than a day ago, or the early EHLO was refused or forgotten in this very run (the message
   * went again the usual way, whatever the clock says).
   */
  refusesEarly(key: EhloKey, now: number): boolean {
    if (this.changes.some((change) => change.entry?.offer === undefined && sameKey(change.entry ?? change.forgotten!, key))) return true;
    const current = this.current(key);
    return current !== undefined && current.offer === undefined && isFresh(current.learned, now);
  }

  /** The server refused an EHLO sent before its greeting with a 5xx: none goes early to it for a day. */
  refused(key: EhloKey, now: number): void {
    this.changes.push({ entry: { ...keyOf(key), offer: undefined, learned: now } });
  }

  /** The server hung up on an early EHLO, or answered it with a 4xx: it may pass, so it is only forgotten. */
  forget(key: EhloKey): void {
    this.changes.push({ forgotten: keyOf(key) });
  }

  /** The entry for `key` after this run's changes so far: the last change, else the file's. */
  private current(key: EhloKey): Entry | undefined {
    for (let index = this.changes.length - 1; index >= 0; index--) {
      const { entry, forgotten } = this.changes[index]!;
      if (entry && sameKey(entry, key)) return entry;
      if (forgotten && sameKey(forgotten, key)) return undefined;
    }
    return this.entries.find((entry) => sameKey(entry, key));
  }

  /**
   * Writes the changes over what the file holds now (another mailv may have written since it was
   * read): a temporary file, then renamed over it. Nothing is thrown.
   */
  async save(): Promise<void> {
    if (this.changes.length === 0) return;
    const path = join(this.directory, FILE_NAME);
    // Read, merged and written under the lock: another run ending now would write over these changes.
    withFileLock(path, () => this.merge(path));
  }

  private merge(path: string): void {
    let entries = readEntries(path);
    for (const { entry, forgotten } of this.changes) {
      const key = entry ?? forgotten!;
      // Another run may have written a refusal since this one read the file, after this offer was
      // learned or before it: an offer learned here does not undo it within its day.
      const found = entries.find((kept) => sameKey(kept, key));
      if (entry?.offer !== undefined && found !== undefined && found.offer === undefined && withinADay(found.learned, entry.learned)) continue;
      entries = entries.filter((kept) => !sameKey(kept, key));
      if (entry) entries.push(entry);
    }
    entries = entries.sort((a, b) => a.learned - b.learned).slice(-MAX_ENTRIES);
    // A refusal is written as such, without an offer: the file says what it holds.
    if (
      !writePrivateEntries(
        path,
        entries.map(({ offer, ...entry }) => (offer === undefined ? { ...entry, refused: true } : { ...entry, offer })),
      )
    )
      return;
    this.entries = entries;
    this.changes.length = 0;
  }
}

function isFresh(learned: number, now: number): boolean {
  return learned <= now && now - learned < EHLO_MEMORY_LIFETIME_MS;
}

/** Whether two moments are less than a day apart, in either order. */
function withinADay(a: number, b: number): boolean {
  return Math.abs(a - b) < EHLO_MEMORY_LIFETIME_MS;
}

/** The entries of the file at `path`; none when it is missing, not the user's, too large or not what mailv writes. */
function readEntries(path: string): Entry[] {
  return readPrivateEntries(path, { maxOctets: MAX_FILE_OCTETS }).flatMap((entry) => {
    const valid = asEntry(entry);
    return valid ? [valid] : [];
  });
}

function asEntry(value: unknown): Entry | undefined {
  if (!isRecord(value)) return undefined;
  const { host, address, port, tls, helo, tlsName, learned, offer, refused } = value;
  if (typeof host !== 'string' || typeof address !== 'string' || typeof helo !== 'string') return undefined;
  if (tlsName !== undefined && (typeof tlsName !== 'string' || tls === 'clear')) return undefined;
  const named = tlsName === undefined ? {} : { tlsName };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  if (typeof learned !== 'number' || !Number.isFinite(learned)) return undefined;
  if (!TLS_STATES.includes(tls as EhloTlsState)) return undefined;
  // A refusal wins over an offer found beside it in a damaged entry: the safe reading.
  if (refused === true) return { host, address, port, tls: tls as EhloTlsState, helo, ...named, learned, offer: undefined };
  if (!isRecord(offer) || typeof offer['domain'] !== 'string' || !Array.isArray(offer['extensions'])) return undefined;
  const extensions: Extension[] = [];
  for (const extension of offer['extensions'] as unknown[]) {
    if (!isRecord(extension) || typeof extension['keyword'] !== 'string' || !Array.isArray(extension['params'])) return undefined;
    if (!extension['params'].every((param: unknown) => typeof param === 'string')) return undefined;
    extensions.push({ keyword: extension['keyword'], params: extension['params'] as string[] });
  }
  const kept = { domain: offer['domain'], extensions };
  // mailv writes only replies that offer PIPECONNECT: any other is not its own, and would send EHLO early to a server that never offered it.
  if (!offersPipeconnect(kept)) return undefined;
  return { host, address, port, tls: tls as EhloTlsState, helo, ...named, learned, offer: kept };
}
