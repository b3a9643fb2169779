// Reading the accounts file. A file that holds a password and that group or others may read is
// refused, as ssh refuses such keys: the password may already have been read by someone else. A
// file someone else may write, or put in place, is refused whatever it holds: it can run commands
// (password-cmd) and choose the server the password goes to. So only a regular file is read, and
// the directories that hold it are checked as ssh checks those above a key.
import { constants, type Stats } from 'node:fs';
import { open, lstat, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseConfig, splitLines, type ConfigFile } from './config-file.js';
import type { FileKind } from './facts.js';

/** No accounts file is this large; one that is (or grows while read) must not fill memory. */
export const MAX_CONFIG_OCTETS = 256 * 1024;

// O_NONBLOCK: a FIFO put in place of the file after the look must not leave mailv waiting for a writer.
const READ = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Reads and parses the file at `path`. A missing file is no configuration (undefined) unless it
 * was named explicitly (--config); /dev/null is an empty one. Throws ConfigError.
 */
export async function loadConfig(path: string, explicit: boolean, home: string): Promise<ConfigFile | undefined> {
  let named: Stats;
  try {
    named = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a file where a directory of the default path would be; there is no config there either.
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw unreadable(path, error);
  }
  // `--config /dev/null` says "no settings", as `ssh -F /dev/null` does; nothing can come from it.
  if (named.isCharacterDevice() && named.rdev === (await stat('/dev/null').catch(() => undefined))?.rdev) return parseConfig('', path, home);
  // A device or a FIFO is not even opened: opening one may wait, or act (a tape rewinds).
  if (!named.isFile()) throw new ConfigError({ code: 'MAILV_CONFIG_NOT_REGULAR', path, kind: kindOf(named) });
  let handle: FileHandle;
  try {
    handle = await open(path, READ);
  } catch (error) {
    throw unreadable(path, error);
  }
  let bytes: Buffer;
  let mode: number;
  try {
    // The checks are made on the open handle, so that the file checked is the file read.
    const info = await handle.stat();
    if (!info.isFile()) throw new ConfigError({ code: 'MAILV_CONFIG_NOT_REGULAR', path, kind: kindOf(info) });
    mode = info.mode;
    assertOnlyOwnerWrites(path, info.mode, info.uid);
    await assertSafeDirectories(path, info, home);
    bytes = await readAtMost(handle, path, info.size);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(path, error);
  } finally {
    await handle.close().catch(() => {});
  }
  const config = parseConfig(decodeUtf8(bytes, path), path, home);
  if (config.holdsPassword && (mode & 0o044) !== 0) {
    throw new ConfigError({ code: 'MAILV_CONFIG_READABLE', path, mode: mode & 0o7777 });
  }
  return config;
}

function assertOnlyOwnerWrites(path: string, mode: number, owner: number): void {
  if (!mayBeTrusted(owner)) throw new ConfigError({ code: 'MAILV_CONFIG_OWNER', path, uid: owner });
  if ((mode & 0o022) !== 0) throw new ConfigError({ code: 'MAILV_CONFIG_WRITABLE', path, mode: mode & 0o7777 });
}

/** You and root may own what mailv trusts. */
function mayBeTrusted(owner: number): boolean {
  const me = process.getuid?.();
  return me === undefined || owner === me || owner === 0;
}

/**
 * Whoever may write to a directory above the file may put another file, or a link, in its place.
 * Each directory from the file's up to the home directory (or to /) must belong to you or root and
 * be closed to writing by group and others, unless it is sticky (/tmp), where they cannot rename or
 * remove what is not theirs. The directories where the file really is are checked, and those of the
 * name given when that is a link; a link must be yours or root's too.
 */
async function assertSafeDirectories(path: string, opened: Stats, home: string): Promise<void> {
  const real = await realpath(path);
  const there = await stat(real);
  if (there.dev !== opened.dev || there.ino !== opened.ino) throw new ConfigError({ code: 'MAILV_CONFIG_REPLACED', path });
  const link = await lstat(path);
  if (link.isSymbolicLink() && !mayBeTrusted(link.uid)) throw new ConfigError({ code: 'MAILV_CONFIG_LINK_OWNER', path, uid: link.uid });
  const top = await realpath(home).catch(() => resolve(home));
  const checked = new Set<string>();
  for (const start of [dirname(real), await realpath(dirname(resolve(path)))]) {
    for (let directory = start; !checked.has(directory); directory = dirname(directory)) {
      checked.add(directory);
      const info = await stat(directory);
      if (!mayBeTrusted(info.uid)) throw new ConfigError({ code: 'MAILV_CONFIG_DIRECTORY_OWNER', path, directory, uid: info.uid });
      if ((info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0) {
        throw new ConfigError({ code: 'MAILV_CONFIG_DIRECTORY_WRITABLE', path, directory, mode: info.mode & 0o7777 });
      }
      if (directory === top || directory === dirname(directory)) break;
    }
  }
}

/** The whole file, refused beyond MAX_CONFIG_OCTETS (a file may grow after its size was read). */
async function readAtMost(handle: FileHandle, path: string, size: number): Promise<Buffer> {
  const tooLarge = () => new ConfigError({ code: 'MAILV_CONFIG_TOO_LARGE', path, limit: MAX_CONFIG_OCTETS });
  if (size > MAX_CONFIG_OCTETS) throw tooLarge();
  const buffer = Buffer.alloc(MAX_CONFIG_OCTETS + 1);
  let length = 0;
  for (let read = -1; read !== 0 && length < buffer.length; length += read) {
    read = (await handle.read(buffer, length, buffer.length - length, null)).bytesRead;
  }
  if (length > MAX_CONFIG_OCTETS) throw tooLarge();
  return buffer.subarray(0, length);
}

/** Text of the file; bytes that are not UTF-8 would silently change a password, so they are refused. */
function decodeUtf8(bytes: Buffer, path: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // Named by line, counted as the parser counts them; CR and LF are never part of a multi-byte sequence.
    const lines = splitLines(bytes.toString('latin1'));
    const bad = lines.findIndex((line) => {
      try {
        decoder.decode(Buffer.from(line, 'latin1'));
        return false;
      } catch {
        return true;
      }
    });
    throw new ConfigError({ code: 'MAILV_CONFIG_NOT_UTF8', path, line: bad + 1 });
  }
}

/** What the path is instead of a regular file. */
function kindOf(info: Stats): FileKind {
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'fifo';
  if (info.isCharacterDevice()) return 'character-device';
  if (info.isBlockDevice()) return 'block-device';
  return info.isSocket() ? 'socket' : 'other';
}

/** The system's failure to read `path`: its code (ENOENT, EACCES…) for the words, its message otherwise. */
function unreadable(path: string, error: unknown): ConfigError {
  return new ConfigError({ code: 'MAILV_CONFIG_UNREADABLE', path, errno: (error as NodeJS.ErrnoException).code, detail: (error as Error).message });
}
