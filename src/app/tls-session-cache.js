// TLS sessions kept across runs, so that the next STARTTLS to the same server resumes one instead
// of a full handshake. One file, $XDG_CACHE_HOME/mailv/tls-sessions (~/.cache/mailv without it),
// mode 0600 in a 0700 directory, replaced whole by a rename. A resumed session is not checked
// again by TLS (neither the CA nor the name: the server sends no certificate), so an entry is only
// used for the very server name, address, port and trust it was verified under, and only until
// its ticket expires or its certificate does. A file that is not the user's own, is open to
// others, or does not parse is ignored, never fatal: mailv then makes a full handshake.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ticketLifetimeSeconds } from './tls-ticket-lifetime.js';
/** Sessions of servers that do not say how long their tickets live. */
const DEFAULT_LIFETIME_SECONDS = 300;
/** More entries than one user's servers; the ones expiring first go. */
const MAX_ENTRIES = 64;
/** A file larger than MAX_ENTRIES sessions could be is not read. */
const MAX_FILE_OCTETS = 1024 * 1024;
/** $XDG_CACHE_HOME/mailv when that is an absolute path (as the XDG spec asks), else ~/.cache/mailv. */
export function cacheDirectory(env, home) {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'mailv');
}
/**
 * The trust a certificate is verified with: Node's CA list, NODE_EXTRA_CA_CERTS and the --ca
 * files, by content: a session verified under one never resumes under another.
 */
export function trustOf(extraCa, env) {
  const sha256 = (data) => createHash('sha256').update(data).digest('base64');
  const settings = [process.versions.openssl, process.execArgv.join(' '), ...TRUST_VARIABLES.map((name) => env[name] ?? '')];
  return sha256([...settings, ...(extraCa ?? []).map(sha256)].join('\0'));
}
/** What changes the CA list Node verifies with besides --ca. */
const TRUST_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];
export class TlsSessionCache {
  directory;
  now;
  file;
  /** Keys whose session this run kept already: a load run makes thousands of handshakes. */
  kept = new Set();
  constructor(directory, now = Date.now) {
    this.directory = directory;
    this.now = now;
    this.file = join(directory, 'tls-sessions');
  }
  /** The resumption of one handshake: the session kept for `key`, and where a new one goes. */
  resumption(key) {
    return { stored: this.lookup(key), keep: (session) => this.keep(key, session) };
  }
  /** The session kept for exactly `key`, when it has not expired; undefined otherwise. */
  lookup(key) {
    const entry = this.read().find((candidate) => sameKey(candidate, key));
    return entry === undefined ? undefined : { session: Buffer.from(entry.session, 'base64'), certificate: entry.certificate };
  }
  /** Keeps `stored` for `key` (once per key and run), replacing what was kept for it. */
  keep(key, stored) {
    const id = JSON.stringify(keyOf(key));
    if (this.kept.has(id)) return;
    this.kept.add(id);
    const now = this.now();
    const lifetimeMs = (ticketLifetimeSeconds(stored.session) ?? DEFAULT_LIFETIME_SECONDS) * 1000;
    const certificateEnds = Date.parse(stored.certificate.validTo);
    const expires = Math.min(now + lifetimeMs, Number.isNaN(certificateEnds) ? now + lifetimeMs : certificateEnds);
    if (expires <= now) return;
    const entry = { ...keyOf(key), expires, session: stored.session.toString('base64'), certificate: certificateOf(stored.certificate) };
    const others = this.read().filter((candidate) => !sameKey(candidate, key));
    const entries = [entry, ...others].sort((a, b) => b.expires - a.expires).slice(0, MAX_ENTRIES);
    this.write(entries);
  }
  /** The entries of the file still valid; none when it is missing, not private, or damaged. */
  read() {
    let text;
    let fd;
    try {
      fd = openSync(this.file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      const info = fstatSync(fd);
      const ownUid = process.getuid?.();
      if (!info.isFile() || info.size > MAX_FILE_OCTETS || (info.mode & 0o077) !== 0 || (ownUid !== undefined && info.uid !== ownUid)) return [];
      text = readFileSync(fd, 'utf8');
    } catch {
      return [];
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [];
    }
    if (!isRecord(parsed) || parsed['version'] !== 1 || !Array.isArray(parsed['entries'])) return [];
    const now = this.now();
    return parsed['entries'].filter((entry) => isEntry(entry) && entry.expires > now);
  }
  /** Written beside the file, then renamed over it: a concurrent run reads the old or the new whole. */
  write(entries) {
    const temporary = `${this.file}.${process.pid}`;
    try {
      mkdirSync(this.directory, { recursive: true, mode: 0o700 });
      writeFileSync(temporary, `${JSON.stringify({ version: 1, entries })}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(temporary, this.file);
    } catch {
      // A read-only or full disk: the next run makes a full handshake, as without the cache.
      try {
        unlinkSync(temporary);
      } catch {
        // Never made.
      }
    }
  }
}
function keyOf(key) {
  return { server: key.server, address: key.address, port: key.port, trust: key.trust };
}
function sameKey(entry, key) {
  return entry.server === key.server && entry.address === key.address && entry.port === key.port && entry.trust === key.trust;
}
function certificateOf(certificate) {
  return { subject: certificate.subject, issuer: certificate.issuer, validFrom: certificate.validFrom, validTo: certificate.validTo };
}
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isEntry(value) {
  if (!isRecord(value)) return false;
  const { server, address, port, trust, expires, session, certificate } = value;
  return (
    typeof server === 'string' &&
    typeof address === 'string' &&
    typeof port === 'number' &&
    typeof trust === 'string' &&
    typeof expires === 'number' &&
    typeof session === 'string' &&
    /^[A-Za-z0-9+/]+=*$/.test(session) &&
    isRecord(certificate) &&
    ['subject', 'issuer', 'validFrom', 'validTo'].every((field) => typeof certificate[field] === 'string')
  );
}
