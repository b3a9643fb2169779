// The message text from a pipe or a file, where every byte is content. Large input from a pipe is
// spooled to a private temporary file, unlinked as soon as it is open, and a large file is sent
// from itself: neither is ever held whole in memory.
import { fstatSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InterruptedError, LocalIoError } from '../errors.js';
import type { BodyInput } from '../message/compose.js';
import { bufferSource, descriptorSource, fileSource, readAtPosition, type ByteSource } from '../message/source.js';
import { TextStatsCollector } from '../message/text-stats.js';
import type { SpoolRefusal } from './facts.js';
import { systemProblem } from './system-problem.js';
import type { InterruptSignal } from '../interruption.js';

/** Input above this size goes to a temporary file (mode 0600) instead of memory. */
export const SPOOL_THRESHOLD = 4 * 1024 * 1024;

/** When no temporary directory takes the spool, input is held in memory up to this size. */
export const MEMORY_LIMIT = 64 * 1024 * 1024;

export interface ReadInput extends BodyInput {
  /** Closes the spool, if any: the last reference to it. */
  cleanup(): Promise<void>;
}

const READ_SIZE = 256 * 1024;

/**
 * Standard input redirected from a file (`< message.eml`): read once for its statistics, then
 * sent from the file itself, so a large message is neither held in memory nor copied to a spool.
 * Small input is kept in memory as from a pipe. The file must not change until mailv is done with
 * it; one that does is refused, never sent in part. Throws LocalIoError or InterruptedError.
 */
export async function readRegularFile(fd: number, options: { spoolThreshold?: number; signal?: InterruptSignal } = {}): Promise<ReadInput> {
  const { spoolThreshold = SPOOL_THRESHOLD, signal } = options;
  const interrupted = () => new InterruptedError(signal!.reason as NodeJS.Signals, 'input');
  try {
    const before = fstatSync(fd);
    // A file that does not tell its size (those of /proc and /sys say 0) is read as a pipe is.
    if (before.size === 0) {
      const read = await readStream(chunksOfFile(fd), options);
      if (!read.unfinished) return read;
      await read.cleanup();
      throw read.unfinished; // the file still holds the message
    }
    const stats = new TextStatsCollector();
    // A small file is kept as a pipe's input would be. A large one is only read through, in one
    // reused buffer: touching fresh memory costs more than reading the file.
    let held: Buffer[] | undefined = before.size <= spoolThreshold ? [] : undefined;
    let scratch: Buffer | undefined;
    let opening: Buffer | undefined; // the first octets, to find the message's start again
    let size = 0;
    let turn = Date.now();
    for (;;) {
      if (!held) scratch ??= Buffer.allocUnsafe(READ_SIZE);
      const buffer = held ? Buffer.allocUnsafe(READ_SIZE) : scratch!;
      // A synchronous read of a file is quicker than a thread-pool round trip; the event loop
      // still gets a turn every 50 ms, so a signal is heard.
      const count = readSync(fd, buffer, 0, buffer.length, null);
      if (count === 0) break;
      const chunk = buffer.subarray(0, count);
      opening ??= Buffer.from(chunk.subarray(0, OPENING_SIZE));
      stats.push(chunk);
      size += count;
      held?.push(chunk);
      if (size > spoolThreshold) held = undefined; // it grew while being read
      if (Date.now() - turn >= 50) {
        await new Promise(setImmediate);
        turn = Date.now();
      }
      if (signal?.aborted) throw interrupted();
    }
    await new Promise(setImmediate);
    if (signal?.aborted) throw interrupted();
    if (held) return { source: bufferSource(Buffer.concat(held, size)), stats: stats.result(), cleanup: async () => {} };
    // Reading to the end left the offset at the file's end; the message is the `size` octets before
    // it (input may start past 0, as in `{ read line; mailv -t; } < file`). The file must be as it
    // was: same size, same modification time, and what was read first found there again.
    const after = fstatSync(fd);
    const start = after.size - size;
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || start < 0 || !(opening && (await startsWith(fd, start, opening)))) {
      throw new LocalIoError({ code: 'MAILV_STDIN_CHANGED' }, 'input');
    }
    return { source: descriptorSource(fd, { kind: 'standard-input' }, start, size, after), stats: stats.result(), cleanup: async () => {} };
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof LocalIoError) throw error;
    throw new LocalIoError({ code: 'MAILV_STDIN_UNREADABLE', ...systemProblem(error) }, 'input');
  }
}

const OPENING_SIZE = 4096;

/** A file read to its end in fresh buffers, for one whose size is not known beforehand. */
async function* chunksOfFile(fd: number): AsyncIterable<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const count = readSync(fd, buffer, 0, buffer.length, null);
    if (count === 0) return;
    yield buffer.subarray(0, count);
  }
}

async function startsWith(fd: number, position: number, expected: Buffer): Promise<boolean> {
  const found = Buffer.allocUnsafe(expected.length);
  const count = await readAtPosition(fd, found, found.length, position);
  return count === expected.length && found.equals(expected);
}

/** What a pipe gave: the whole message, or what was read of it before reading had to stop. */
export interface StreamInput extends ReadInput {
  /**
   * Why reading stopped before the end, if it did: a signal (InterruptedError), a read error, or a
   * message too large for memory with no temporary directory to spool it to (LocalIoError). The
   * source then holds what was read until then, so that it can be kept in dead.letter.
   */
  readonly unfinished: InterruptedError | LocalIoError | undefined;
}

/** An open spool file: already unlinked, it lives only as long as its descriptor. */
interface Spool {
  readonly directory: string;
  readonly handle: FileHandle;
  /** Octets written, all at known positions: the file is read back by position, never by offset. */
  size: number;
}

/**
 * Reads a pipe or file to its end, spooling past SPOOL_THRESHOLD to the first temporary directory
 * that takes the spool ($TMPDIR, /tmp, /var/tmp), else holding it in memory up to MEMORY_LIMIT.
 * When `signal` aborts, reading fails, or the message outgrows every place, it stops and returns
 * what was read with `unfinished` set. Nothing read is ever dropped. `source`: the stream `input`
 * reads, when `input` is made from it (a generator cannot be destroyed; the stream under it can).
 */
export async function readStream(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: { spoolThreshold?: number; memoryLimit?: number; signal?: InterruptSignal; source?: Partial<Readable> } = {},
): Promise<StreamInput> {
  const { spoolThreshold = SPOOL_THRESHOLD, memoryLimit = MEMORY_LIMIT, signal, source } = options;
  const stats = new TextStatsCollector();
  /** Spools that filled up before the current one, in order. */
  const full: Spool[] = [];
  let spool: Spool | undefined;
  let held: Buffer[] = [];
  let heldSize = 0;
  const directories = spoolDirectories();
  /** Why each directory did not keep the spool, for the message if none does. */
  const refusals: SpoolRefusal[] = [];
  let unfinished: InterruptedError | LocalIoError | undefined;
  const cleanup = async () => {
    await Promise.all([...full, ...(spool ? [spool] : [])].map((each) => each.handle.close().catch(() => {})));
  };
  // Moves what is held in memory to a new spool, in the first directory that takes all of it.
  const spill = async () => {
    while (!spool && directories.length > 0) {
      const directory = directories.shift()!;
      let handle: FileHandle | undefined;
      try {
        handle = await openSpool(directory);
        const opened: Spool = { directory, handle, size: 0 };
        for (const buffer of held) await writeAll(opened, buffer);
        spool = opened;
        held = [];
        heldSize = 0;
      } catch (error) {
        await handle?.close().catch(() => {});
        refusals.push({ directory, ...systemProblem(error) });
      }
    }
  };
  // A pipe that never ends must not keep an interrupted run alive: its pending read is ended.
  const stop = () => (source ?? (input as Partial<Readable>)).destroy?.();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of input) {
      if (signal?.aborted) break;
      stats.push(chunk);
      if (spool) {
        const written = spool.size;
        try {
          await writeAll(spool, chunk);
        } catch (error) {
          // Its file system is full: the spool keeps what it holds, the rest goes on elsewhere.
          refusals.push({ directory: spool.directory, ...systemProblem(error) });
          held = [chunk.subarray(spool.size - written)];
          heldSize = held[0]!.length;
          full.push(spool);
          spool = undefined;
        }
      } else {
        held.push(chunk);
        heldSize += chunk.length;
      }
      if (!spool && heldSize > spoolThreshold) {
        await spill();
        if (!spool && heldSize > memoryLimit) {
          unfinished = new LocalIoError({ code: 'MAILV_SPOOL_FAILED', refusals, memoryLimit }, 'input');
          break;
        }
      }
    }
  } catch (error) {
    if (!signal?.aborted) unfinished = new LocalIoError({ code: 'MAILV_STDIN_UNREADABLE', ...systemProblem(error) }, 'input');
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (signal?.aborted) unfinished = new InterruptedError(signal.reason as NodeJS.Signals, 'input');
  const parts = [...full, ...(spool ? [spool] : [])].map((each) => fileSource(each.handle, { kind: 'spool' }, 0, each.size));
  if (heldSize > 0 || parts.length === 0) parts.push(bufferSource(Buffer.concat(held, heldSize)));
  return { source: joinSources(parts), stats: stats.result(), cleanup, unfinished };
}

/** Where a spool may go, in this order: $TMPDIR (as os.tmpdir() reads it), /tmp, /var/tmp. */
function spoolDirectories(): string[] {
  return [...new Set([tmpdir(), '/tmp', '/var/tmp'])];
}

/**
 * A new spool file (mode 0600) in `directory`, unlinked as soon as it is open: only the descriptor
 * holds it, so no end of the run, not even SIGKILL, leaves the message behind. A random name taken
 * with O_EXCL is never an existing file or a link planted there.
 */
async function openSpool(directory: string): Promise<FileHandle> {
  // Loaded only here: node:fs/promises brings readline and streams, costly at start-up.
  const [{ open, unlink }, { randomBytes }] = await Promise.all([import('node:fs/promises'), import('node:crypto')]);
  const path = join(directory, `mailv-${randomBytes(9).toString('base64url')}`);
  const handle = await open(path, 'wx+', 0o600);
  try {
    await unlink(path);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  return handle;
}

/** Appends `data` to the spool, counting each octet written even when a later write fails. */
async function writeAll(spool: Spool, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await spool.handle.write(data, offset, data.length - offset, spool.size);
    offset += bytesWritten;
    spool.size += bytesWritten;
  }
}

/** Sources read one after the other as one. */
function joinSources(parts: readonly ByteSource[]): ByteSource {
  if (parts.length === 1) return parts[0]!;
  return {
    size: parts.reduce((total, part) => total + part.size, 0),
    async *chunks() {
      for (const part of parts) yield* part.chunks();
    },
    async *lentChunks() {
      for (const part of parts) yield* part.lentChunks();
    },
    slice(start) {
      const rest: ByteSource[] = [];
      for (const part of parts) {
        if (start < part.size) rest.push(part.slice(Math.max(0, start)));
        start -= part.size;
      }
      return joinSources(rest.length > 0 ? rest : [bufferSource(Buffer.alloc(0))]);
    },
  };
}
