// Byte sources a message is built from: a buffer in memory or a range of a file, read in large
// chunks so nothing big is ever held whole.
import { createReadStream } from 'node:fs';

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

/** Bytes `start` (inclusive) to `start + size` (exclusive) of a file. */
export function fileSource(path: string, start: number, size: number): ByteSource {
  return {
    size,
    async *chunks() {
      if (size === 0) return;
      yield* createReadStream(path, { start, end: start + size - 1, highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>;
    },
    slice: (from) => fileSource(path, start + Math.min(from, size), Math.max(0, size - from)),
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
