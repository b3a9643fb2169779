// A cache file of mailv's own: `{"version":1,"entries":[…]}`, read only when it is a regular file
// owned by the user, that nobody else may write, and of a sane size (never through a symbolic
// link), written whole to a fresh
// 0600 file beside it and renamed over it, so that a concurrent run reads the old or the new one;
// a run that reads, merges and writes holds the file's lock meanwhile (withFileLock).
// Its directory is used only when it is a real directory (not a link) of the user's that nobody
// else may write to: whoever may write there may replace or remove what mailv keeps.
// Plain synchronous calls: the files are small and local, and node:fs/promises (with readline and
// streams) would cost every send milliseconds of start-up. Nothing here throws.
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface PrivateFileRules {
  /** A larger file is not mailv's. */
  readonly maxOctets: number;
  /** Refused when others may read or write it (it holds what must stay private). */
  readonly ownerOnly?: boolean;
}

/** The file's entries, unchecked; none when it is missing, untrusted, damaged or not what mailv writes. */
export function readPrivateEntries(path: string, rules: PrivateFileRules): unknown[] {
  try {
    if (!ownDirectory(dirname(path))) return [];
    const file = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stat = fstatSync(file);
      const me = process.getuid?.();
      // Another user's file could steer mailv; a FIFO or a device is no cache.
      if (!stat.isFile() || (me !== undefined && stat.uid !== me) || stat.size > rules.maxOctets) return [];
      // One others may write could steer mailv as one of theirs would; one others may read, when it holds secrets.
      if ((stat.mode & (rules.ownerOnly ? 0o077 : 0o022)) !== 0) return [];
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isRecord(parsed) || parsed['version'] !== 1 || !Array.isArray(parsed['entries'])) return [];
      return parsed['entries'];
    } finally {
      closeSync(file);
    }
  } catch {
    return [];
  }
}

/**
 * Writes `entries` as the file at `path`; whether it was. Called inside withFileLock(), which has
 * made the directory (0700) and checked that it is the user's own.
 */
export function writePrivateEntries(path: string, entries: readonly unknown[]): boolean {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${Date.now()}`);
  try {
    const file = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeFileSync(file, `${JSON.stringify({ version: 1, entries })}\n`);
      // The umask may have taken the owner's own bits; by the open file, not by a name another could swap.
      fchmodSync(file, 0o600);
    } finally {
      closeSync(file);
    }
    renameSync(temporary, path);
    return true;
  } catch {
    // A read-only or full disk: the cache simply stays as it was.
    try {
      unlinkSync(temporary);
    } catch {
      // Never made, or already gone.
    }
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A directory itself (not a link to one), the user's, that neither group nor others may write to. */
function ownDirectory(directory: string): boolean {
  try {
    const stat = lstatSync(directory);
    const me = process.getuid?.();
    return stat.isDirectory() && (me === undefined || stat.uid === me) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** How long a lock may be held before another run takes it as left by a run that died. */
const STALE_LOCK_MS = 2000;
/** How long a run waits for another's lock, in steps: then the cache is left as it is. */
const LOCK_WAIT_MS = 500;
const LOCK_STEP_MS = 5;

/**
 * Runs `work` (a read, a merge and a write of the file at `path`) while holding `path.lock`, so that
 * two runs ending at once do not each write over the other's entries. Undefined when the lock
 * could not be had (its directory not the user's own, or held too long): a cache, it is then left
 * as it is.
 */
export function withFileLock<T>(path: string, work: () => T): T | undefined {
  const lock = `${path}.lock`;
  if (!makeDirectories(dirname(path)) || !ownDirectory(dirname(path))) return undefined;
  const waiting = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += LOCK_STEP_MS) {
    try {
      closeSync(openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    if (waited >= LOCK_WAIT_MS) return undefined;
    // A stale lock is removed and the lock tried again at once; one that cannot be removed (a
    // directory, a read-only disk) is waited out like a live one, within the same wait.
    if (isStale(lock) && removeQuietly(lock)) continue;
    // A few milliseconds: the other run only reads, merges and renames a small file.
    Atomics.wait(waiting, 0, 0, LOCK_STEP_MS);
  }
  try {
    return work();
  } finally {
    removeQuietly(lock);
  }
}

/**
 * `directory` and its missing parents made (0700), as `mkdir -p`; false when one cannot be. Not
 * Node's recursive mkdir: it loops for ever where mkdir says ENOENT under a parent that exists
 * (a cache directory named under /proc).
 */
function makeDirectories(directory: string): boolean {
  const missing: string[] = [];
  for (let at = directory; ; at = dirname(at)) {
    try {
      lstatSync(at);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) return false;
    }
    missing.push(at);
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
  }
  return true;
}

function isStale(lock: string): boolean {
  try {
    // Dated ahead (a run that died while the clock was ahead, or a clock set back since): as old as
    // can be, or it would stand for ever.
    const age = Date.now() - lstatSync(lock).mtimeMs;
    return age > STALE_LOCK_MS || age < -STALE_LOCK_MS;
  } catch {
    return false; // gone already: the next try takes it
  }
}

/** Whether `path` is gone now. */
function removeQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
