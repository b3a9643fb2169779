// Building drafts for composer tests: fixed date and Message-ID so output is byte-exact.
import { bufferSource } from '../../dist/message/source.js';
import { statsOf } from '../../dist/message/text-stats.js';
import type { AttachmentInput, BodyInput, Draft } from '../../dist/message/compose.js';

export const FIXED_DATE = new Date(Date.UTC(2026, 10, 27, 20, 29, 31));
export const FIXED_ID = '<fixed.0001@example.org>';

export async function bodyOf(text: string | Buffer): Promise<BodyInput> {
  const source = bufferSource(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
  return { source, stats: await statsOf(source.chunks()) };
}

export function attachment(fileName: string, data: Buffer): AttachmentInput {
  return { fileName, source: bufferSource(data) };
}

export async function draft(overrides: Partial<Draft> & { text?: string | Buffer } = {}): Promise<Draft> {
  const { text = 'Hello Bob.\n', ...rest } = overrides;
  return {
    from: { name: undefined, address: 'alice@example.org' },
    to: [{ name: 'Bob', address: 'bob@example.org' }],
    cc: [],
    subject: 'Test',
    headers: [],
    body: await bodyOf(text),
    attachments: [],
    date: FIXED_DATE,
    messageId: FIXED_ID,
    ...rest,
  };
}

export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const chunk of chunks) pieces.push(chunk);
  return Buffer.concat(pieces);
}
