// Byte sources a message is built from: a buffer in memory or a range of an open file, read in
// large chunks so nothing big is ever held whole. Files are read through a handle opened before
// the session starts, so one deleted or renamed meanwhile is still sent whole.
import { fstat, read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { LocalIoError } from '../errors.js';
import type { SourceName } from './facts.js';

export interface ByteSource {
  readonly size: number;
  chunks(): AsyncIterable<Buffer>;
  /**
   * The same chunks, but each is valid only until the next is asked for: the source may read the
   * next into the same memory. For a caller that copies anyway, it spares touching fresh memory.
   */
  lentChunks(): AsyncIterable<Buffer>;
  /** The bytes from `start` to the end. */
  slice(start: number): ByteSource;
}

/** Read size for files: large enough that a 1 GiB attachment is a few thousand reads. */
const READ_CHUNK = 256 * 1024;

export function bufferSource(data: Buffer): ByteSource {
  return {
    size: data.length,
    async *chunks() {
      if (data.length > 0) yield data;
    },
    async *lentChunks() {
      if (data.length > 0) yield data;
    },
    slice: (start) => bufferSource(data.subarray(start)),
  };
}

/** Reads up to `length` octets at `position` into `buffer`; resolves to the count read. */
type ReadAt = (buffer: Buffer, length: number, position: number) => Promise<number>;

/** ReadAt over a bare descriptor, leaving its offset where it is. */
export function readAtPosition(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, length, position, (error, count) => (error ? reject(error) : resolve(count))));
}

/** A file's size and modification time when its size was taken. */
export interface FileState {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Bytes `start` (inclusive) to `start + size` (exclusive) of an open file, which errors call
 * `name`. Throws LocalIoError when reading fails or the file has shrunk below the size announced;
 * with `asRead`, also when the file was changed in any way by the time its last octet was read
 * (see unchangedSince).
 */
export function fileSource(handle: FileHandle, name: SourceName, start: number, size: number, asRead?: FileState): ByteSource {
  const readAt: ReadAt = async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead;
  return rangeSource(readAt, name, start, size, asRead && unchangedSince(asRead, name, () => handle.stat()));
}

/** The same over a bare descriptor, such as standard input redirected from a file, checked as fileSource() checks with `asRead`. */
export function descriptorSource(fd: number, name: SourceName, start: number, size: number, asRead: FileState): ByteSource {
  const readAt: ReadAt = (buffer, length, position) => readAtPosition(fd, buffer, length, position);
  const stat = () => new Promise<FileState>((resolve, reject) => fstat(fd, (error, now) => (error ? reject(error) : resolve(now))));
  return rangeSource(readAt, name, start, size, unchangedSince(asRead, name, stat));
}

/**
 * A check run after a file's last octet is read: its size and modification time are still those of
 * `asRead`, so a file changed meanwhile fails before the message is complete on the wire, instead
 * of going out as neither version.
 */
function unchangedSince(asRead: FileState, name: SourceName, stat: () => Promise<FileState>): () => Promise<void> {
  return async () => {
    const now = await stat().catch((error: Error) => {
      throw new LocalIoError({ code: 'MAILV_SOURCE_UNREADABLE', source: name, errno: (error as NodeJS.ErrnoException).code, detail: error.message }, 'body');
    });
    if (now.size !== asRead.size || now.mtimeMs !== asRead.mtimeMs) throw new LocalIoError({ code: 'MAILV_SOURCE_CHANGED', source: name }, 'body');
  };
}

function rangeSource(readAt: ReadAt, name: SourceName, start: number, size: number, checkUnchanged?: () => Promise<void>): ByteSource {
  // `lend`: two buffers take turns, one being read into while the caller has the other.
  async function* chunks(lend: boolean): AsyncIterable<Buffer> {
    const end = start + size;
    const pair = lend ? [Buffer.allocUnsafe(Math.min(READ_CHUNK, size)), Buffer.allocUnsafe(Math.min(READ_CHUNK, size))] : [];
    let turn = 0;
    const readChunk = async (position: number, length: number): Promise<Buffer> => {
      const buffer = lend ? pair[turn++ % 2]! : Buffer.allocUnsafe(length);
      let bytesRead: number;
      try {
        bytesRead = await readAt(buffer, length, position);
      } catch (error) {
        throw new LocalIoError(
          { code: 'MAILV_SOURCE_UNREADABLE', source: name, errno: (error as NodeJS.ErrnoException).code, detail: (error as Error).message },
          'body',
        );
      }
      if (bytesRead === 0) throw new LocalIoError({ code: 'MAILV_SOURCE_SHORTER', source: name }, 'body');
      return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    };
    // One read ahead: the disk works while the caller encodes and sends the chunk before.
    let requested = start;
    const ask = () => {
      if (requested >= end) return undefined;
      const length = Math.min(READ_CHUNK, end - requested);
      const pending = readChunk(requested, length);
      pending.catch(() => {}); // reported where it is awaited, not as an unhandled rejection
      requested += length;
      return { pending, length };
    };
    for (let next = ask(); next; ) {
      const chunk = await next.pending;
      requested -= next.length - chunk.length; // a short read goes on from where it stopped
      next = ask();
      yield chunk;
    }
    await checkUnchanged?.();
  }
  return {
    size,
    chunks: () => chunks(false),
    lentChunks: () => chunks(true),
    slice: (from) => rangeSource(readAt, name, start + Math.min(from, size), Math.max(0, size - from), checkUnchanged),
  };
}

/** Applies a stateful chunk transformer (with a final flush) to a source's chunks. */
export async function* transformChunks(
  chunks: AsyncIterable<Buffer>,
  push: (chunk: Buffer) => Buffer | Buffer[],
  end: () => Buffer | Buffer[],
): AsyncIterable<Buffer> {
  for await (const chunk of chunks) yield* nonEmpty(push(chunk));
  yield* nonEmpty(end());
}

function nonEmpty(output: Buffer | Buffer[]): Buffer[] {
  return (Array.isArray(output) ? output : [output]).filter((piece) => piece.length > 0);
}
