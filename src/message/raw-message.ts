// Reading a complete message given with -t (as `sendmail -t`): its header block, split into fields,
// and where its body starts (RFC 5322 §2.1-2.2). Only the header block is held in memory.
import { InputError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { controlCharacterIn } from './header.js';
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
  /** The mbox `From ` lines dropped before it, or none (0 octets). */
  readonly leading: LeadingLine;
  /** A header block as RFC 5322 writes one: fields, then a blank line or the end of the input. */
  readonly complete: boolean;
}

/** Octets of the lines read before the header block and left out of the message. */
export interface LeadingLine {
  readonly inputOctets: number;
  readonly wireOctets: number;
}

/** No line before the header block. */
export const NO_LEADING_LINE: LeadingLine = { inputOctets: 0, wireOctets: 0 };

const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const LF = 0x0a;
const CR = 0x0d;
/** An mbox `From ` line (`>From `, forwarded), not a header field written `From : a@x` (obsolete syntax). */
const MBOX_FROM_LINE = /^>*From (?![ \t]*:)/;

/**
 * Reads the header block at the start of `source`, the mbox `From ` lines before it dropped (unless
 * not `mboxLines`: a message that came over SMTP). Throws InputError (65) when there is none, unless
 * `asSendmail`: then, as sendmail and Postfix read what programs pipe to them, input that does not
 * start with a header field is all body.
 */
export async function readHeaderBlock(source: ByteSource, asSendmail = false, mboxLines = true): Promise<HeaderBlock> {
  // Read only as far as the blank line: usually the first chunk, not a megabyte.
  const pieces: Buffer[] = [];
  let length = 0;
  let found: { lines: Buffer[]; ended: boolean; offset: number; blankOctets: number } = { lines: [], ended: false, offset: 0, blankOctets: 0 };
  let complete = true;
  for await (const chunk of source.chunks()) {
    pieces.push(chunk);
    length += chunk.length;
    const prefix = Buffer.concat(pieces, length).subarray(0, MAX_HEADER_BLOCK + 2);
    const lfSeen = prefix.includes(LF);
    found = headerLines(prefix, false, lfSeen);
    // A blank line found before any LF is one of a message whose lines end in CR alone, or one a
    // later LF shows to be two bare CRs inside a line: read on (see nextLine).
    if ((found.ended && lfSeen) || length >= MAX_HEADER_BLOCK + 2) {
      complete = false;
      break;
    }
  }
  const head = Buffer.concat(pieces, length);
  if (complete) found = headerLines(head, true);
  const lfAt = head.subarray(0, MAX_HEADER_BLOCK + 2).indexOf(LF);
  const lfLines = lfAt !== -1;
  // A header of lines ended by CR alone up to a blank line, then more text before an LF (or before
  // the first MiB's end, the input going on): a message of CR lines whose body holds an LF, or CRs
  // that text a program passed on put in a header of LF lines (a field injected, the header ended
  // early). Which it is cannot be told: refused, the message kept. CRs alone before the LF are one
  // line end (`To: a@b\r\r\r\n`), and text that starts with no header field is no header.
  const crRead = lfLines ? head.subarray(0, lfAt) : complete ? undefined : head.subarray(0, MAX_HEADER_BLOCK + 2);
  if (crRead?.includes(CR)) {
    const asCrLines = headerLines(crRead, true, false);
    const first = asCrLines.lines[0]?.toString('latin1');
    const textAfter = crRead.subarray(asCrLines.offset).some((octet) => octet !== CR);
    if (asCrLines.ended && textAfter && first !== undefined && (FIELD_START.test(first) || MBOX_FROM_LINE.test(first)))
      throw new InputError({ code: 'MAILV_MESSAGE_LINE_ENDS' }, ExitCode.DATAERR);
  }
  let leading: LeadingLine = NO_LEADING_LINE;
  // Every mbox `From ` line, and `>From ` (a forwarded one), before the header, as Postfix drops
  // them: a message saved from a mailbox (`mailv -t < saved.eml`) starts with one.
  for (
    let first = found.lines[0]?.toString('latin1');
    mboxLines && first !== undefined && MBOX_FROM_LINE.test(first);
    first = found.lines[0]?.toString('latin1')
  ) {
    leading = { inputOctets: nextLine(head, leading.inputOctets, lfLines).next, wireOctets: leading.wireOctets + normalisedLength(first) };
    found = { ...found, lines: found.lines.slice(1) };
  }
  if (asSendmail) {
    const start = found.lines[0]?.toString('latin1');
    if (start === undefined ? !found.ended : !FIELD_START.test(start)) return { fields: [], ...leading, leading, complete: false };
  }
  // sendmail mode: a header block that does not end within the limit (a log of lines that look
  // like fields, piped to `sendmail root`) ends at the last whole line before it, the rest being
  // body (a bound on what is held as fields; Postfix's sendmail reads it whole); mailv -t refuses it (below).
  const cutAtLimit = asSendmail && !found.ended && length > MAX_HEADER_BLOCK;
  if (cutAtLimit) found = { ...found, lines: found.lines.slice(0, -1) };
  const fields: string[] = [];
  // sendmail mode: where a line that is no header field ends the block, the body beginning there.
  let bodyAt: number | undefined;
  // The block's octets as the whole input's statistics count them (a CR alone as a line break), for
  // what they leave to the body.
  let normalisedOctets = 0;
  // latin1: the octets are kept as they are, whatever the charset. A CR alone inside a line is no
  // line break (RFC 5321 §2.3.8) and has no place in a header (RFC 5322 §2.2): a space, so that it
  // can neither start a field of its own nor end the header.
  for (const [index, read] of found.lines.map((bytes) => bytes.toString('latin1')).entries()) {
    const line = read.replace(/\r/g, ' ');
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      fields[fields.length - 1] += `${line}\r\n`;
      normalisedOctets += normalisedLength(read);
    } else if (FIELD_START.test(line)) {
      fields.push(`${line}\r\n`);
      normalisedOctets += normalisedLength(read);
    } else if (asSendmail) {
      bodyAt = index;
      break;
    } else {
      const text = Buffer.from(line.slice(0, 60), 'latin1').toString('utf8');
      throw new InputError({ code: 'MAILV_MESSAGE_HEADER_LINE', line: index + 1, text }, ExitCode.DATAERR);
    }
    // Read as UTF-8 (RFC 6532): one octet of a multi-byte character is no C1 control.
    const codePoint = controlCharacterIn(Buffer.from(line, 'latin1').toString('utf8'));
    if (codePoint !== undefined) {
      const field = fields[fields.length - 1]!;
      throw new InputError(
        { code: 'MAILV_MESSAGE_HEADER_CONTROL', line: index + 1, field: field.slice(0, field.indexOf(':')).trim(), codePoint },
        ExitCode.DATAERR,
      );
    }
  }
  if (bodyAt === undefined && cutAtLimit) bodyAt = found.lines.length;
  if (bodyAt !== undefined) {
    let offset = leading.inputOctets;
    for (let line = 0; line < bodyAt; line++) offset = nextLine(head, offset, lfLines).next;
    return { fields, inputOctets: offset, wireOctets: leading.wireOctets + normalisedOctets, leading, complete: false };
  }
  if (!found.ended && length > MAX_HEADER_BLOCK) {
    throw new InputError({ code: 'MAILV_MESSAGE_HEADER_UNENDED', limit: MAX_HEADER_BLOCK }, ExitCode.DATAERR);
  }
  return { fields, inputOctets: found.offset, wireOctets: leading.wireOctets + normalisedOctets + found.blankOctets, leading, complete: true };
}

/**
 * The lines of `prefix` up to its first empty line; `ended` when there is one. Unless `complete`
 * (the input ends there), a CR that ends the prefix is left for later: its LF may follow.
 */
function headerLines(
  prefix: Buffer,
  complete: boolean,
  lfLines = prefix.includes(LF),
): { lines: Buffer[]; ended: boolean; offset: number; blankOctets: number } {
  const lines: Buffer[] = [];
  let offset = 0;
  while (offset < prefix.length) {
    const { line, next } = nextLine(prefix, offset, lfLines);
    if (!complete && next === prefix.length && prefix[prefix.length - 1] === CR) break;
    offset = next;
    // A line of nothing, or of CRs alone (`\r\r\n`), ends the header, as it always did.
    if (line.every((octet) => octet === CR)) return { lines, ended: true, offset, blankOctets: normalisedLength(line.toString('latin1')) };
    lines.push(line);
  }
  return { lines, ended: false, offset, blankOctets: 0 };
}

/** A line's octets, its line break included, as the input's statistics count them: CRLF for its end, and for each CR alone in it. */
function normalisedLength(line: string): number {
  let crs = 0;
  for (let at = line.indexOf('\r'); at !== -1; at = line.indexOf('\r', at + 1)) crs++;
  return line.length + crs + 2;
}

/** A field's name, in lower case. */
export function fieldName(field: string): string {
  return field.slice(0, field.indexOf(':')).trim().toLowerCase();
}

/**
 * Whether the message is being resent (RFC 5322 §3.6.6): any Resent- field. It then gets the resent
 * block's date, id and author where it lacks them, not its own (see compose.ts, passThroughMessage).
 */
export function beingResent(fields: readonly string[]): boolean {
  return fields.some((field) => isResentName(fieldName(field)));
}

/** Whether a field's name (in lower case) is one of a resent block's (RFC 5322 §3.6.6). */
export function isResentName(name: string): boolean {
  return name.startsWith('resent-');
}

/** The unfolded values of every field called `name`, read as UTF-8 (RFC 6532). */
export function fieldValues(fields: readonly string[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields
    .filter((field) => fieldName(field) === lower)
    .map((field) =>
      Buffer.from(field.slice(field.indexOf(':') + 1).replace(/\r\n/g, ''), 'latin1')
        .toString('utf8')
        .trim(),
    );
}

/**
 * The line at `offset`, its end left out, and where the next begins. Lines end in LF or CR LF when
 * the header holds any LF (`lfLines`): a CR alone is then inside a line, where text a program passed
 * on may have put it, never a line break that would start a field (a header injection). Only in
 * a message whose lines all end in CR alone does a CR end one.
 */
function nextLine(data: Buffer, offset: number, lfLines: boolean): { line: Buffer; next: number } {
  for (let i = offset; i < data.length; i++) {
    if (data[i] === LF) return { line: data.subarray(offset, i > offset && data[i - 1] === CR ? i - 1 : i), next: i + 1 };
    if (data[i] === CR && !lfLines) return { line: data.subarray(offset, i), next: data[i + 1] === LF ? i + 2 : i + 1 };
  }
  return { line: data.subarray(offset), next: data.length };
}
