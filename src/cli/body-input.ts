// The message text from a pipe or a file, where every byte is content. Large input from a pipe is
// spooled to a private temporary file, and a large file is sent from itself: neither is ever held
// whole in memory.
import { fstatSync, readSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InterruptedError, LocalIoError } from '../errors.js';
import type { BodyInput } from '../message/compose.js';
import { bufferSource, descriptorSource, fileSource, readAtPosition } from '../message/source.js';
import { TextStatsCollector } from '../message/text-stats.js';

/** Input above this size goes to a temporary file (mode 0600) instead of memory. */
export const SPOOL_THRESHOLD = 4 * 1024 * 1024;

export interface ReadInput extends BodyInput {
  /** Removes the spool file, if any. */
  cleanup(): Promise<void>;
}

const READ_SIZE = 256 * 1024;

/** Spool folders of this process, removed even when a signal ends it (see removeSpoolsNow). */
const liveSpools = new Set<string>();

/** Removes every spool folder at once; for signal handlers, which cannot wait. */
export function removeSpoolsNow(): void {
  for (const dir of liveSpools) rmSync(dir, { recursive: true, force: true });
  liveSpools.clear();
}

/**
 * Standard input redirected from a file (`< message.eml`): read once for its statistics, then
 * sent from the file itself, so a large message is neither held in memory nor copied to a spool.
 * Small input is kept in memory as from a pipe. The file must not change until mailv is done with
 * it; one that does is refused, never sent in part. Throws LocalIoError or InterruptedError.
 */
export async function readRegularFile(fd: number, options: { spoolThreshold?: number; signal?: AbortSignal } = {}): Promise<ReadInput> {
  const { spoolThreshold = SPOOL_THRESHOLD, signal } = options;
  const interrupted = () => new InterruptedError(signal!.reason as NodeJS.Signals, 'input');
  try {
    const before = fstatSync(fd);
    // A file that does not tell its size (those of /proc and /sys say 0) is read as a pipe is.
    if (before.size === 0) return await readStream(chunksOfFile(fd), options);
    const stats = new TextStatsCollector();
    // A small file is kept as a pipe's input would be. A large one is only read through, in one
    // reused buffer: touching fresh memory costs more than reading the file.
    let held: Buffer[] | undefined = before.size <= spoolThreshold ? [] : undefined;
    let scratch: Buffer | undefined;
    let opening: Buffer | undefined; // the first octets, to find the message's start again
    let size = 0;
    let turn = Date.now();
    for (;;) {
      const buffer = held ? Buffer.allocUnsafe(READ_SIZE) : (scratch ??= Buffer.allocUnsafe(READ_SIZE));
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
      throw new LocalIoError('standard input changed while it was being read: send it through a pipe to send a snapshot', 'input');
    }
    return { source: descriptorSource(fd, { kind: 'standard-input' }, start, size, after), stats: stats.result(), cleanup: async () => {} };
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof LocalIoError) throw error;
    throw new LocalIoError(`cannot read the message: ${(error as Error).message}`, 'input');
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

/**
 * Reads a pipe or file to its end, spooling past SPOOL_THRESHOLD. Stops early, with
 * InterruptedError, when `signal` aborts. Throws LocalIoError.
 */
export async function readStream(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: { spoolThreshold?: number; signal?: AbortSignal } = {},
): Promise<ReadInput> {
  const { spoolThreshold = SPOOL_THRESHOLD, signal } = options;
  const stats = new TextStatsCollector();
  const held: Buffer[] = [];
  let size = 0;
  let spool: { dir: string; file: FileHandle } | undefined;
  const cleanup = async () => {
    if (!spool) return;
    liveSpools.delete(spool.dir);
    await spool.file.close().catch(() => {});
    rmSync(spool.dir, { recursive: true, force: true });
  };
  // A pipe that never ends must not keep an interrupted run alive.
  const stop = () => (input as Partial<Readable>).destroy?.();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of input) {
      if (signal?.aborted) break;
      stats.push(chunk);
      size += chunk.length;
      if (spool) {
        await spool.file.write(chunk);
      } else {
        held.push(chunk);
        if (size > spoolThreshold) {
          // Loaded only here: node:fs/promises brings readline and streams, costly at start-up.
          const { mkdtemp, open } = await import('node:fs/promises');
          const dir = await mkdtemp(join(tmpdir(), 'mailv-'));
          liveSpools.add(dir);
          spool = { dir, file: await open(join(dir, 'message'), 'wx+', 0o600) };
          await spool.file.write(Buffer.concat(held));
          held.length = 0;
        }
      }
    }
  } catch (error) {
    await cleanup();
    if (signal?.aborted) throw new InterruptedError(signal.reason as NodeJS.Signals, 'input');
    throw new LocalIoError(`cannot read the message: ${(error as Error).message}`, 'input');
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (signal?.aborted) {
    await cleanup();
    throw new InterruptedError(signal.reason as NodeJS.Signals, 'input');
  }
  const source = spool ? fileSource(spool.file, { kind: 'spool' }, 0, size) : bufferSource(Buffer.concat(held));
  return { source, stats: stats.result(), cleanup };
}
