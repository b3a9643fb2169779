// Byte sources a message is built from: a buffer in memory or a range of an open file, read in
// large chunks so nothing big is ever held whole. Files are read through a handle opened before
// the session starts, so one deleted or renamed meanwhile is still sent whole.
import type { FileHandle } from 'node:fs/promises';
import { LocalIoError } from '../errors.js';

export interface ByteSource {
  readonly size: number;
  chunks(): AsyncIterable<Buffer>;
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
    slice: (start) => bufferSource(data.subarray(start)),
  };
}

/**
 * Bytes `start` (inclusive) to `start + size` (exclusive) of an open file called `name`. Throws
 * LocalIoError when reading fails or the file has shrunk below the size announced.
 */
export function fileSource(handle: FileHandle, name: string, start: number, size: number): ByteSource {
  return {
    size,
    async *chunks() {
      const end = start + size;
      for (let position = start; position < end; ) {
        const length = Math.min(READ_CHUNK, end - position);
        const buffer = Buffer.allocUnsafe(length);
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(buffer, 0, length, position));
        } catch (error) {
          throw new LocalIoError(`cannot read ${name}: ${(error as Error).message}`, 'body');
        }
        if (bytesRead === 0) throw new LocalIoError(`${name} became shorter while it was being sent`, 'body');
        position += bytesRead;
        yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      }
    },
    slice: (from) => fileSource(handle, name, start + Math.min(from, size), Math.max(0, size - from)),
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
