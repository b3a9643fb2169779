// The message cut into BDAT chunks (RFC 3030 §2): sizes from the exact message size, octets as
// they are (no dot-stuffing), the last chunk marked LAST. Pure but for reading the message.
import type { ComposedMessage } from '../message/compose.js';
import { endedShort, grewPastSize } from './announced-size.js';
import { WriteBuffer } from './write-buffer.js';

/** BDAT chunk size: large enough for few round trips, small enough to hold in memory. */
export const BDAT_CHUNK = 1024 * 1024;

/** One BDAT chunk: its octets are valid only until the next chunk is asked for. */
export interface BdatChunk {
  readonly data: Buffer;
  readonly last: boolean;
}

/** How many chunks chunksOf() cuts a message of `size` octets into: one at least (`BDAT 0 LAST`). */
export function chunkCount(size: number, chunkSize = BDAT_CHUNK): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/**
 * The chunks of `message`, `chunkSize` octets each but the last. The last is given only once the
 * message has ended, so a source that turns out longer or shorter than its announced size fails
 * (LocalIoError) before `BDAT n LAST` can commit a wrong message.
 */
export async function* chunksOf(message: ComposedMessage, chunkSize = BDAT_CHUNK): AsyncIterable<BdatChunk> {
  let unsent = message.size;
  const staged = new WriteBuffer(Math.max(1, Math.min(chunkSize, unsent)));
  for await (const piece of message.lentChunks()) {
    for (let from = 0; from < piece.length; ) {
      const size = Math.min(chunkSize, unsent);
      if (staged.length === size) throw grewPastSize(message.size);
      from += staged.fill(piece, from, size);
      if (staged.length === size && size < unsent) {
        unsent -= size;
        yield { data: staged.contents(), last: false };
        staged.reset();
      }
    }
  }
  if (staged.length < unsent) throw endedShort(unsent - staged.length);
  yield { data: staged.contents(), last: true };
}
