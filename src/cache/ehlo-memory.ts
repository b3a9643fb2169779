// What mailv remembers of servers that offer PIPECONNECT: their EHLO replies, in one small file
// under $XDG_CACHE_HOME/mailv (~/.cache/mailv), so that the next session with the same server may
// send EHLO before the greeting. A cache and nothing more: a file that is missing, unreadable,
// damaged or not the user's own is ignored, and one that cannot be written is left as it is.
// Read and written with plain synchronous calls: the file is small and local, and node:fs/promises
// (readline and streams come with it) would cost every send milliseconds of start-up.
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EhloOffer, Extension } from '../smtp/capabilities.js';
import { offersPipeconnect, sameKey, type EhloKey, type EhloTlsState, type RememberedEhlo } from '../smtp/remembered.js';

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
    const keyOnly: EhloKey = { host: key.host, address: key.address, port: key.port, tls: key.tls, helo: key.helo };
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
    this.changes.push({ forgotten: { host: key.host, address: key.address, port: key.port, tls: key.tls, helo: key.helo } });
  }

  /**
   * Writes the changes over what the file holds now (another mailv may have written since it was
   * read): a temporary file, then renamed over it. Nothing is thrown.
   */
  async save(): Promise<void> {
    if (this.changes.length === 0) return;
    const path = join(this.directory, FILE_NAME);
    const temporary = join(this.directory, `.${FILE_NAME}.${process.pid}.${Date.now()}`);
    try {
      mkdirSync(this.directory, { recursive: true, mode: 0o700 });
      let entries = readEntries(path);
      for (const { learned, forgotten } of this.changes) {
        const key = learned ?? forgotten!;
        entries = entries.filter((entry) => !sameKey(entry, key));
        if (learned) entries.push(learned);
      }
      entries = entries.sort((a, b) => a.learned - b.learned).slice(-MAX_ENTRIES);
      const file = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeFileSync(file, `${JSON.stringify({ version: 1, entries })}\n`);
      } finally {
        closeSync(file);
      }
      chmodSync(temporary, 0o600);
      renameSync(temporary, path);
      this.entries = entries;
      this.changes.length = 0;
    } catch {
      try {
        unlinkSync(temporary);
      } catch {
        // Never made, or already gone.
      }
    }
  }
}

/** The entries of the file at `path`; none when it is missing, not the user's, too large or not what mailv writes. */
function readEntries(path: string): Entry[] {
  try {
    const file = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stat = fstatSync(file);
      const me = process.getuid?.();
      // Another user's file could steer mailv's early EHLO; a FIFO or device is no cache.
      if (!stat.isFile() || (me !== undefined && stat.uid !== me) || stat.size > MAX_FILE_OCTETS) return [];
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isRecord(parsed) || parsed['version'] !== 1 || !Array.isArray(parsed['entries'])) return [];
      return parsed['entries'].flatMap((entry: unknown) => {
        const valid = asEntry(entry);
        return valid ? [valid] : [];
      });
    } finally {
      closeSync(file);
    }
  } catch {
    return [];
  }
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
