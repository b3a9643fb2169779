// The message text from a pipe or a file, where every byte is content. Large input is spooled to a
// private temporary file so it is never held whole in memory.
import { read, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InterruptedError, LocalIoError } from '../errors.js';
import type { BodyInput } from '../message/compose.js';
import { bufferSource, fileSource } from '../message/source.js';
import { TextStatsCollector } from '../message/text-stats.js';

/** Input above this size goes to a temporary file (mode 0600) instead of memory. */
export const SPOOL_THRESHOLD = 4 * 1024 * 1024;

export interface ReadInput extends BodyInput {
  /** Removes the spool file, if any. */
  cleanup(): Promise<void>;
}

/** The rest of an open file, from where it stands, in large reads. Throws LocalIoError. */
export async function* readFd(fd: number): AsyncIterable<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const bytesRead = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, 0, READ_SIZE, null, (error, count) => (error ? reject(error) : resolve(count))),
    );
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
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
  const source = spool ? fileSource(spool.file, 'the spooled message', 0, size) : bufferSource(Buffer.concat(held));
  return { source, stats: stats.result(), cleanup };
}
