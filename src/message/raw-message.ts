// Reading a complete message given with -t (as `sendmail -t`): its header block, split into fields,
// and where its body starts (RFC 5322 §2.1-2.2). Only the header block is held in memory.
import { InputError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { ByteSource } from './source.js';

/** A header block larger than this is not a header block. */
export const MAX_HEADER_BLOCK = 1024 * 1024;

export interface HeaderBlock {
  /** Each field with its folded continuation lines, CRLF-terminated, one char per octet (latin1). */
  readonly fields: string[];
  /** Octets of the block in the input, the blank line that ends it included. */
  readonly inputOctets: number;
  /** Octets of the block once CRLF-normalised, the blank line included. */
  readonly wireOctets: number;
}

const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/** Reads the header block at the start of `source`. Throws InputError (65) when there is none. */
export async function readHeaderBlock(source: ByteSource): Promise<HeaderBlock> {
  const prefix = await readPrefix(source, MAX_HEADER_BLOCK + 2);
  const lines: string[] = [];
  let offset = 0;
  let ended = false;
  while (offset < prefix.length) {
    const { line, next } = nextLine(prefix, offset);
    offset = next;
    if (line.length === 0) {
      ended = true;
      break;
    }
    lines.push(line.toString('latin1')); // octets kept as they are, whatever the charset
  }
  if (!ended && prefix.length > MAX_HEADER_BLOCK) {
    throw new InputError(`-t: no end of the header block in the first ${MAX_HEADER_BLOCK} octets`, ExitCode.DATAERR);
  }
  const fields: string[] = [];
  for (const [index, line] of lines.entries()) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      fields[fields.length - 1] += `${line}\r\n`;
    } else if (FIELD_START.test(line)) {
      fields.push(`${line}\r\n`);
    } else {
      const shown = Buffer.from(line.slice(0, 60), 'latin1').toString('utf8');
      throw new InputError(`-t: line ${index + 1} is not a header field: ${JSON.stringify(shown)}`, ExitCode.DATAERR);
    }
  }
  const fieldOctets = fields.reduce((total, field) => total + field.length, 0);
  return { fields, inputOctets: offset, wireOctets: fieldOctets + (ended ? 2 : 0) };
}

/** The unfolded values of every field called `name`, read as UTF-8 (RFC 6532). */
export function fieldValues(fields: readonly string[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields
    .filter((field) => field.slice(0, field.indexOf(':')).trim().toLowerCase() === lower)
    .map((field) => Buffer.from(field.slice(field.indexOf(':') + 1).replace(/\r\n/g, ''), 'latin1').toString('utf8').trim());
}

function nextLine(data: Buffer, offset: number): { line: Buffer; next: number } {
  for (let i = offset; i < data.length; i++) {
    if (data[i] === 0x0a) return { line: data.subarray(offset, i), next: i + 1 };
    if (data[i] === 0x0d) return { line: data.subarray(offset, i), next: data[i + 1] === 0x0a ? i + 2 : i + 1 };
  }
  return { line: data.subarray(offset), next: data.length };
}

async function readPrefix(source: ByteSource, limit: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let length = 0;
  for await (const chunk of source.chunks()) {
    pieces.push(chunk);
    length += chunk.length;
    if (length >= limit) break;
  }
  return Buffer.concat(pieces).subarray(0, limit);
}
