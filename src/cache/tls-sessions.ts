// TLS sessions kept across runs, so that the next STARTTLS to the same server resumes one instead
// of a full handshake. One file, $XDG_CACHE_HOME/mailv/tls-sessions (~/.cache/mailv without it),
// mode 0600 in a 0700 directory, replaced whole by a rename. A resumed session is not checked
// again by TLS (neither the CA nor the name: the server sends no certificate), so an entry is only
// used for the very server name, address, port and trust it was verified under, and only until
// its ticket expires or its certificate does. A server whose handshake failed when a kept session
// was offered gets none for a day (a refusal entry stands in its place). A file that is not the
// user's own, is open to others, or does not parse is ignored, never fatal: mailv then makes a
// full handshake.
import { createHash } from 'node:crypto';
import { thisNodeTrustsItsOwnList } from '../node-ca-store.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredTlsSession, TlsResumption, VerifiedCertificate } from '../smtp/connection.js';
import { isRecord, readPrivateEntries, withFileLock, writePrivateEntries } from './private-file.js';
import { MAX_TICKET_LIFETIME_SECONDS, ticketLifetimeSeconds } from './ticket-lifetime.js';

/** What a session is kept under: it resumes only for all of these alike. */
export interface TlsSessionKey {
  /** The name presented (SNI) and checked against the certificate. */
  readonly server: string;
  readonly address: string;
  readonly port: number;
  /** The trust the certificate was verified with: see trustOf(). */
  readonly trust: string;
}

interface SessionEntry extends TlsSessionKey {
  /** Milliseconds since the epoch. */
  readonly expires: number;
  /** base64 of the session. */
  readonly session: string;
  readonly certificate: VerifiedCertificate;
}

/** The server failed a handshake that offered a kept session: none is kept or offered until `expires`. */
interface RefusalEntry extends TlsSessionKey {
  readonly expires: number;
  readonly refused: true;
}

type Entry = SessionEntry | RefusalEntry;

/** Sessions of servers that do not say how long their tickets live. */
const DEFAULT_LIFETIME_SECONDS = 300;
/** How long a server that failed a resumed handshake is offered no session (as PIPECONNECT's refusals). */
const REFUSAL_MS = 24 * 3600 * 1000;
/** More entries than one user's servers; the ones expiring first go. */
const MAX_ENTRIES = 64;
/** A file larger than MAX_ENTRIES sessions could be is not read. */
const MAX_FILE_OCTETS = 1024 * 1024;

/** Changed whenever mailv matches certificate names differently: sessions verified before are dropped. */
const NAME_MATCHING = 'names: RFC 9525';

/**
 * The trust a certificate is verified with: Node's own CA list (its version), the file
 * NODE_EXTRA_CA_CERTS names, OpenSSL's store when Node is told to use it, and the --ca files by
 * content: a session verified under one never resumes under another, not even after a CA file was
 * changed in place to distrust a CA.
 */
export function trustOf(extraCa: readonly Buffer[] | undefined, env: NodeJS.ProcessEnv): string {
  const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('base64');
  const flags = `${process.execArgv.join(' ')} ${env['NODE_OPTIONS'] ?? ''}`;
  // Node verifies with its own list unless told to use OpenSSL's store, which alone reads
  // SSL_CERT_FILE and SSL_CERT_DIR (a list of directories, each file in each): a directory of
  // hundreds of files is looked at only then, not on every send.
  const openSslStore = !thisNodeTrustsItsOwnList(env['NODE_OPTIONS']);
  const settings = [
    // How a certificate's names are matched (server-identity.ts): a session verified by a laxer rule
    // (Node's own, which took a CN alone) never stands in for this one's check, which a resumption skips.
    NAME_MATCHING,
    process.version,
    process.versions.openssl,
    flags,
    fileIdentity(env['NODE_EXTRA_CA_CERTS']),
    ...(openSslStore ? [fileIdentity(env['SSL_CERT_FILE']), ...(env['SSL_CERT_DIR'] ?? '').split(':').flatMap(directoryIdentity)] : []),
  ];
  return sha256([...settings, ...(extraCa ?? []).map(sha256)].join('\0'));
}

/**
 * A file (or directory) as it is now, without reading it (a CA bundle is a few hundred KB, read on
 * every send): a change of content changes its size, its modification time or, since nobody can
 * set it back, its change time; a file put in its place changes its inode.
 */
function fileIdentity(path: string | undefined): string {
  if (path === undefined || path === '') return '';
  try {
    const info = statSync(path, { bigint: true });
    return `${path}\0${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return `${path}\0none`;
  }
}

/** A directory of CAs and each file in it, as fileIdentity() tells them; read only when SSL_CERT_DIR names it. */
function directoryIdentity(directory: string): string[] {
  if (directory === '') return [];
  try {
    return [
      fileIdentity(directory),
      ...readdirSync(directory)
        .sort()
        .map((name) => fileIdentity(join(directory, name))),
    ];
  } catch {
    return [fileIdentity(directory)];
  }
}

export class TlsSessionCache {
  /** Keys whose session this run kept already: a load run makes thousands of handshakes. */
  private readonly kept = new Set<string>();
  /** The file's entries as this run last read or wrote them. */
  private entries: Entry[] | undefined;

  private readonly file: string;

  constructor(
    directory: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(directory, 'tls-sessions');
  }

  /** The resumption of one handshake: the session kept for `key`, and where a new one goes. */
  resumption(key: TlsSessionKey): TlsResumption {
    return { stored: this.lookup(key), keep: (session) => this.keep(key, session), refused: (lasting) => this.refused(key, lasting) };
  }

  /** The session kept for exactly `key`, when it has not expired; undefined otherwise. */
  lookup(key: TlsSessionKey): StoredTlsSession | undefined {
    // Read once a run: a load run looks up a session for each of its connections.
    this.entries ??= this.read();
    const now = this.now();
    const entries = this.entries.filter((candidate) => sameKey(candidate, key) && candidate.expires > now);
    // A refusal wins over a session beside it (a file written by hand, or by two runs at once).
    if (entries.some(isRefusal)) return undefined;
    const entry = entries.find(isSession);
    return entry === undefined ? undefined : { session: Buffer.from(entry.session, 'base64'), certificate: entry.certificate };
  }

  /** Keeps `stored` for `key` (once per key and run), replacing what was kept for it. */
  keep(key: TlsSessionKey, stored: StoredTlsSession): void {
    if (this.kept.has(idOf(key))) return;
    this.kept.add(idOf(key));
    const now = this.now();
    const lifetimeMs = (ticketLifetimeSeconds(stored.session) ?? DEFAULT_LIFETIME_SECONDS) * 1000;
    const certificateEnds = Date.parse(stored.certificate.validTo);
    const expires = Math.min(now + lifetimeMs, Number.isNaN(certificateEnds) ? now + lifetimeMs : certificateEnds);
    if (expires <= now) return;
    const entry: Entry = { ...keyOf(key), expires, session: stored.session.toString('base64'), certificate: certificateOf(stored.certificate) };
    this.replace(key, entry, (current) => !current.some((candidate) => sameKey(candidate, key) && isRefusal(candidate)));
  }

  /**
   * The server failed a handshake that offered the session kept for `key`: that session is
   * forgotten; `lasting` (not a mere timeout), none is kept or offered for a day, by this run either.
   */
  refused(key: TlsSessionKey, lasting: boolean): void {
    const now = this.now();
    // A load run's connections that offered the same session at once: the first refusal is enough,
    // once nothing else is kept for the server.
    const forKey = (this.entries ?? []).filter((candidate) => sameKey(candidate, key) && candidate.expires > now);
    if (forKey.length > 0 && forKey.every(isRefusal)) return;
    const others = (this.entries ?? []).filter((candidate) => !sameKey(candidate, key));
    if (!lasting) {
      // Forgotten by this run even when the file cannot be written.
      this.entries = others;
      this.replace(key, undefined, (current) => current.some((candidate) => sameKey(candidate, key)));
      return;
    }
    const refusal: Entry = { ...keyOf(key), expires: now + REFUSAL_MS, refused: true };
    this.kept.add(idOf(key));
    this.entries = [refusal, ...others];
    this.replace(key, refusal, () => true);
  }

  /** Puts `entry` (or nothing) in the place of what the file keeps for `key`, when `wanted` of the file's entries; under the lock. */
  private replace(key: TlsSessionKey, entry: Entry | undefined, wanted: (current: readonly Entry[]) => boolean): void {
    // Read, merged and written under the lock: another run keeping its session now would write over this one.
    withFileLock(this.file, () => {
      const current = this.read();
      if (!wanted(current)) return;
      const others = current.filter((candidate) => !sameKey(candidate, key));
      const entries = [...(entry === undefined ? [] : [entry]), ...others].sort((a, b) => b.expires - a.expires).slice(0, MAX_ENTRIES);
      if (writePrivateEntries(this.file, entries)) this.entries = entries;
    });
  }

  /** The entries of the file still valid; none when it is missing, open to others, or damaged. */
  private read(): Entry[] {
    const now = this.now();
    // An expiry further off than mailv ever writes is damage (a hand-edited file): it would last for ever.
    const latest = (entry: Entry) => now + (isRefusal(entry) ? REFUSAL_MS : MAX_TICKET_LIFETIME_SECONDS * 1000);
    return readPrivateEntries(this.file, { maxOctets: MAX_FILE_OCTETS, ownerOnly: true }).filter(
      (entry): entry is Entry => isEntry(entry) && entry.expires > now && entry.expires <= latest(entry),
    );
  }
}

function keyOf(key: TlsSessionKey): TlsSessionKey {
  return { server: key.server, address: key.address, port: key.port, trust: key.trust };
}

/** What this run remembers it kept a session (or a refusal) for. */
function idOf(key: TlsSessionKey): string {
  return JSON.stringify(keyOf(key));
}

function isRefusal(entry: Entry): entry is RefusalEntry {
  return 'refused' in entry;
}

function isSession(entry: Entry): entry is SessionEntry {
  return !isRefusal(entry);
}

function sameKey(entry: TlsSessionKey, key: TlsSessionKey): boolean {
  return entry.server === key.server && entry.address === key.address && entry.port === key.port && entry.trust === key.trust;
}

function certificateOf(certificate: VerifiedCertificate): VerifiedCertificate {
  const { subject, issuer, validFrom, validTo, fingerprint } = certificate;
  return { subject, issuer, validFrom, validTo, ...(fingerprint === undefined ? {} : { fingerprint }) };
}

function isEntry(value: unknown): value is Entry {
  if (!isRecord(value)) return false;
  const { server, address, port, trust, expires, session, certificate, refused } = value;
  const keyed =
    typeof server === 'string' && typeof address === 'string' && typeof port === 'number' && typeof trust === 'string' && typeof expires === 'number';
  if (refused !== undefined) return keyed && refused === true && session === undefined;
  return (
    keyed &&
    typeof session === 'string' &&
    /^[A-Za-z0-9+/]+=*$/.test(session) &&
    isRecord(certificate) &&
    ['subject', 'issuer', 'validFrom', 'validTo'].every((field) => typeof certificate[field] === 'string') &&
    // Kept since the fingerprint was shown: an entry written before has none.
    (certificate['fingerprint'] === undefined || typeof certificate['fingerprint'] === 'string')
  );
}
