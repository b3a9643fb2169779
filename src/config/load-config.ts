// Reading the accounts file. A file that holds a password and that group or others may read is
// refused, as ssh refuses such keys: the password may already have been read by someone else. A
// file someone else may write is refused whatever it holds: it can run commands (password-cmd)
// and choose the server the password goes to.
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { parseConfig, type ConfigFile } from './config-file.js';

/**
 * Reads and parses the file at `path`. A missing file is no configuration (undefined) unless it
 * was named explicitly (--config). Throws ConfigError.
 */
export async function loadConfig(path: string, explicit: boolean, home: string): Promise<ConfigFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a file where a directory of the default path would be; there is no config there either.
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new ConfigError(`${path}: ${reasonOf(error)}`);
  }
  let bytes: Buffer;
  let mode: number;
  try {
    // The mode comes from the open handle, so that the file checked is the file read.
    const info = await handle.stat();
    if (info.isDirectory()) throw new ConfigError(`${path}: is a directory`);
    mode = info.mode;
    if (info.isFile()) assertOnlyOwnerWrites(path, info.mode, info.uid);
    bytes = await handle.readFile();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${path}: ${reasonOf(error)}`);
  } finally {
    await handle.close().catch(() => {});
  }
  const config = parseConfig(decodeUtf8(bytes, path), path, home);
  if (config.holdsPassword && (mode & 0o044) !== 0) {
    const octal = (mode & 0o7777).toString(8).padStart(4, '0');
    throw new ConfigError(`${path}: holds a password but its mode ${octal} lets group or others read it: chmod 600 ${path}`);
  }
  return config;
}

function assertOnlyOwnerWrites(path: string, mode: number, owner: number): void {
  const me = process.getuid?.();
  if (me !== undefined && owner !== me && owner !== 0) {
    throw new ConfigError(`${path}: belongs to user ${owner}, not to you: another user could run commands as you with it`);
  }
  if ((mode & 0o022) !== 0) {
    const octal = (mode & 0o7777).toString(8).padStart(4, '0');
    throw new ConfigError(`${path}: its mode ${octal} lets group or others change it, and so run commands as you: chmod go-w ${path}`);
  }
}

/** Text of the file; bytes that are not UTF-8 would silently change a password, so they are refused. */
function decodeUtf8(bytes: Buffer, path: string): string {
  // Line by line, to name the line at fault; a byte 0x0a is never part of a multi-byte sequence.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lines: string[] = [];
  for (let start = 0; start <= bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      lines.push(decoder.decode(bytes.subarray(start, end)));
    } catch {
      throw new ConfigError(`${path}:${lines.length + 1}: not UTF-8 text`);
    }
    start = end + 1;
  }
  return lines.join('\n');
}

function reasonOf(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}
