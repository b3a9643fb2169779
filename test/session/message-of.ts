// A composed message holding `text` as it is, for sessions over an in-memory pair.
import type { ComposedMessage } from '../../dist/message/compose.js';

export function messageOf(text: string): ComposedMessage {
  const data = Buffer.from(text);
  return {
    size: data.length,
    eightBit: false,
    async *chunks() {
      yield data;
    },
    async *lentChunks() {
      yield data;
    },
  };
}
