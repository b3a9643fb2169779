// Keeping a message nobody received, as mail(1) does: appended in mbox form (From_ line, `>From `
// quoting, LF line ends) to $DEAD or ~/dead.letter, readable by its owner only. Only a regular file
// (or a new one) is written to, and a failed append takes back what it added, nothing more; one
// writer at a time (dead-letter-lock.ts).
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalIoError, MailvError } from '../errors.js';
import { homeDirectory } from '../home-directory.js';
import { formatAsctime } from '../message/identity.js';
import type { DeliveryErrorFact, NotAFile } from './facts.js';
import { withDeadLetterLock, type LockGuards } from './dead-letter-lock.js';

type Fs = typeof import('node:fs/promises');

/** Where the message goes: $DEAD, else ~/dead.letter. */
export function deadLetterPath(env: NodeJS.ProcessEnv): string {
  return env['DEAD'] || join(homeDirectory(env), 'dead.letter');
}

/**
 * Appends the message (CRLF lines) as one mbox entry. A path that is neither a regular file nor
 * free (a device, a FIFO, a directory, a symbolic link) is refused untouched. Throws LocalIoError,
 * whose fact says what was found at the path, which system error stopped the write, or why the
 * message could not be read.
 */
export async function saveDeadLetter(path: string, sender: string, chunks: AsyncIterable<Buffer>, date = new Date(), around: SaveGuards = {}): Promise<void> {
  try {
    await appendEntry(path, sender, chunks, date, around);
  } catch (error) {
    throw new LocalIoError(failure(path, error), 'input');
  }
}

/**
 * `hold`: runs the writing itself and the lock's release (once the lock is had), so that a stop
 * signal cannot cut an entry in half nor leave the lock behind; `stop`: ends the wait for the lock
 * (the entry is then written unlocked, or after the entry a live writer is at work on);
 * `waiting`: told of a wait that lasts.
 */
export type SaveGuards = Pick<LockGuards, 'hold' | 'stop' | 'waiting'>;

/** The fact of a failed save, from what was thrown. */
function failure(path: string, error: unknown): DeliveryErrorFact {
  if (error instanceof NotAFileError) return { code: 'MAILV_DEAD_LETTER_NOT_A_FILE', path, found: error.found };
  if (error instanceof MailvError) return { code: 'MAILV_DEAD_LETTER_MESSAGE_FAILED', path, error: error.fact };
  return { code: 'MAILV_DEAD_LETTER_IO', path, errno: (error as NodeJS.ErrnoException)?.code, detail: (error as Error)?.message ?? String(error) };
}

/** The path leads to something other than a regular file: refused before anything is written. */
class NotAFileError extends Error {
  constructor(readonly found: NotAFile) {
    super(found);
  }
}

async function appendEntry(path: string, sender: string, chunks: AsyncIterable<Buffer>, date: Date, guards: SaveGuards): Promise<void> {
  const fs = await import('node:fs/promises');
  await withDeadLetterLock(fs, path, () => appendLocked(fs, path, sender, chunks, date), guards);
}

async function appendLocked(fs: Fs, path: string, sender: string, chunks: AsyncIterable<Buffer>, date: Date): Promise<void> {
  let target: AppendTarget | undefined;
  let written = 0;
  const append = async (data: Buffer) => {
    // A write may take less than it was given (a disk nearly full): the rest follows, or fails.
    for (let offset = 0; offset < data.length; ) {
      const { bytesWritten } = await target!.file.write(data, offset);
      offset += bytesWritten;
      written += bytesWritten;
    }
  };
  try {
    target = await openForAppend(fs, path);
    // A From_ line starts a line (RFC 4155): a file that does not end with one gets it first, and
    // the empty line that ends an entry, so that the entry before keeps its end and this one is found.
    if (target.formerSize > 0) {
      const last = Buffer.alloc(1);
      await target.file.read(last, 0, 1, target.formerSize - 1);
      if (last[0] !== 0x0a) await append(Buffer.from('\n\n'));
    }
    await append(Buffer.from(`From ${sender || 'MAILER-DAEMON'} ${formatAsctime(date)}\n`));
    const converter = new MboxLines();
    for await (const chunk of chunks) {
      const text = converter.push(chunk);
      if (text.length > 0) await append(Buffer.from(text, 'latin1'));
    }
    await append(Buffer.from(converter.end() + '\n', 'latin1'));
  } catch (error) {
    if (target) await undoAppend(fs, path, target, written);
    throw error;
  } finally {
    await target?.file.close();
  }
}

interface AppendTarget {
  readonly file: FileHandle;
  /** mailv made the file for this entry: undoing the entry removes it. */
  readonly created: boolean;
  readonly formerSize: number;
}

// O_NOFOLLOW: a symbolic link (one planted in a shared directory such as /tmp, say) would lead the
// entry into whatever file it names, and its undo into truncating that file. O_NONBLOCK: a FIFO put
// in place after the look must not leave mailv waiting for a reader.
const APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Opens the regular file at `path` for appending, or makes it; anything else is refused unopened. */
async function openForAppend(fs: Fs, path: string): Promise<AppendTarget> {
  // Three looks at most: another process may make or remove the file between a look and the open.
  for (let attempt = 0; ; attempt++) {
    const before = await fs.lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (before && !before.isFile()) throw new NotAFileError(notRegular(before));
    let file: FileHandle;
    try {
      file = await fs.open(path, before ? APPEND : APPEND | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new NotAFileError('symbolic-link');
      const raced = before ? code === 'ENOENT' : code === 'EEXIST';
      if (raced && attempt < 2) continue;
      throw error;
    }
    const info = await file.stat();
    if (!info.isFile()) {
      await file.close();
      throw new NotAFileError(notRegular(info));
    }
    return { file, created: before === undefined, formerSize: info.size };
  }
}

/** What the path is instead of a regular file. */
function notRegular(info: Stats): NotAFile {
  if (info.isSymbolicLink()) return 'symbolic-link';
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'fifo';
  if (info.isCharacterDevice()) return 'character-device';
  if (info.isBlockDevice()) return 'block-device';
  if (info.isSocket()) return 'socket';
  return 'other';
}

/**
 * Half an entry would read as a whole, shorter message: what was appended is taken back (a file
 * made for this entry goes away, if the name still leads to it), unless someone else has appended
 * to the file meanwhile. What was there before is never touched.
 */
async function undoAppend(fs: Fs, path: string, target: AppendTarget, written: number): Promise<void> {
  const now = await target.file.stat().catch(() => undefined);
  if (now?.size !== target.formerSize + written) return;
  if (!target.created) {
    if (written > 0) await target.file.truncate(target.formerSize).catch(() => {});
    return;
  }
  const there = await fs.lstat(path).catch(() => undefined);
  if (there?.isFile() && there.dev === now.dev && there.ino === now.ino) await fs.unlink(path).catch(() => {});
}

/** CRLF lines → LF lines with `From ` at a line start quoted as `>From `. */
class MboxLines {
  private carry = '';

  push(chunk: Buffer): string {
    const lines = (this.carry + chunk.toString('latin1')).split('\r\n');
    this.carry = lines.pop()!;
    return lines.map((line) => quote(line) + '\n').join('');
  }

  end(): string {
    const last = this.carry;
    this.carry = '';
    return last === '' ? '' : quote(last) + '\n';
  }
}

function quote(line: string): string {
  return line.startsWith('From ') ? `>${line}` : line;
}
