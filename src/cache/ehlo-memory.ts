// What mailv remembers of servers that offer PIPECONNECT: their EHLO replies, in one small file
// under $XDG_CACHE_HOME/mailv (~/.cache/mailv), so that the next session with the same server may
// send EHLO before the greeting. A cache and nothing more: a file that is missing, unreadable,
// damaged or not the user's own is ignored, and one that cannot be written is left as it is.
import { join } from 'node:path';
import type { EhloOffer, Extension } from '../smtp/capabilities.js';
import { offersPipeconnect, sameKey, type EhloKey, type EhloTlsState, type RememberedEhlo } from '../smtp/remembered.js';
import { isRecord, readPrivateEntries, writePrivateEntries } from './private-file.js';

/**
 * How long a remembered reply allows an early EHLO. A server's extensions change with its
 * configuration, rarely; a day bounds how long a refusal of early talkers (the one change that
 * costs a second connection) can go on, while every session corrects the memory from the reply it
 * actually gets.
 */
export const EHLO_MEMORY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Enough for every server one person talks to; the oldest go first. */
const MAX_ENTRIES = 100;

/** Far above what MAX_ENTRIES replies take: a larger file is not mailv's. */
const MAX_FILE_OCTETS = 1024 * 1024;

const FILE_NAME = 'pipeconnect.json';

const TLS_STATES: readonly EhloTlsState[] = ['clear', 'starttls', 'implicit'];

interface Entry extends EhloKey {
  readonly offer: EhloOffer;
  /** Milliseconds since the epoch when the reply was received. */
  readonly learned: number;
}

export class EhloMemory {
  private readonly changes: { readonly learned?: Entry; readonly forgotten?: EhloKey }[] = [];

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
    return this.entries
      .filter((entry) => entry.helo === helo)
      .map(({ learned, ...entry }) => ({ ...entry, fresh: learned <= now && now - learned < EHLO_MEMORY_LIFETIME_MS }));
  }

  /** A 250 to EHLO: remembered when it offers PIPECONNECT, else whatever was remembered is forgotten. */
  learn(key: EhloKey, offer: EhloOffer, now: number): void {
    const keyOnly = keyOf(key);
    if (this.changes.some((change) => change.forgotten && sameKey(change.forgotten, keyOnly))) return; // refused in this very run
    // A server that offers no PIPECONNECT and was never remembered leaves the file as it is: most
    // servers do not offer it, and a file written after every send would cost every send.
    if (!offersPipeconnect(offer) && !this.holds(keyOnly)) return;
    this.changes.push(offersPipeconnect(offer) ? { learned: { ...keyOnly, offer, learned: now } } : { forgotten: keyOnly });
  }

  /** Remembered in the file as read, or learned in this run. */
  private holds(key: EhloKey): boolean {
    return this.entries.some((entry) => sameKey(entry, key)) || this.changes.some((change) => change.learned && sameKey(change.learned, key));
  }

  forget(key: EhloKey): void {
    this.changes.push({ forgotten: keyOf(key) });
  }

  /**
   * Writes the changes over what the file holds now (another mailv may have written since it was
   * read): a temporary file, then renamed over it. Nothing is thrown.
   */
  async save(): Promise<void> {
    if (this.changes.length === 0) return;
    const path = join(this.directory, FILE_NAME);
    let entries = readEntries(path);
    for (const { learned, forgotten } of this.changes) {
      const key = learned ?? forgotten!;
      entries = entries.filter((entry) => !sameKey(entry, key));
      if (learned) entries.push(learned);
    }
    entries = entries.sort((a, b) => a.learned - b.learned).slice(-MAX_ENTRIES);
    if (!writePrivateEntries(path, entries)) return;
    this.entries = entries;
    this.changes.length = 0;
  }
}

/** The key alone, without what an entry or a session's key carries besides. */
function keyOf(key: EhloKey): EhloKey {
  return { host: key.host, address: key.address, port: key.port, tls: key.tls, helo: key.helo };
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
  const { host, address, port, tls, helo, learned, offer } = value;
  if (typeof host !== 'string' || typeof address !== 'string' || typeof helo !== 'string') return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  if (typeof learned !== 'number' || !Number.isFinite(learned)) return undefined;
  if (!TLS_STATES.includes(tls as EhloTlsState)) return undefined;
  if (!isRecord(offer) || typeof offer['domain'] !== 'string' || !Array.isArray(offer['extensions'])) return undefined;
  const extensions: Extension[] = [];
  for (const extension of offer['extensions'] as unknown[]) {
    if (!isRecord(extension) || typeof extension['keyword'] !== 'string' || !Array.isArray(extension['params'])) return undefined;
    if (!extension['params'].every((param: unknown) => typeof param === 'string')) return undefined;
    extensions.push({ keyword: extension['keyword'], params: extension['params'] as string[] });
  }
  return { host, address, port, tls: tls as EhloTlsState, helo, learned, offer: { domain: offer['domain'], extensions } };
}
