// What decides a body's transfer encoding (RFC 2045 §2.7-2.8, RFC 6152): is it ASCII, does any line
// pass 998 octets, is there a NUL, and how many octets it takes on the wire once CRLF-normalised;
// and which charset a text attachment, or the body, declares (RFC 2046 §4.1.2).
import { isAscii, isUtf8 } from 'node:buffer';
import { LineEndingNormalizer } from './line-endings.js';

export interface TextStats {
  /** Octets once every line ends in CRLF, a missing final line break included. */
  readonly wireOctets: number;
  readonly ascii: boolean;
  /** Valid UTF-8 (ASCII included): what the body's charset may say it is. */
  readonly utf8: boolean;
  /** Longest line in octets, CRLF excluded. */
  readonly longestLine: number;
  /** Breaks the lines past MAX_LINE_OCTETS take to be carried (see long-lines.ts). */
  readonly overlongBreaks: number;
  readonly hasNul: boolean;
}

/** RFC 5321 §4.5.3.1.6: 1000 octets with CRLF. */
export const MAX_LINE_OCTETS = 998;

/** How many breaks a line of `octets` takes: after 998, then every 997 and the space that starts the next. */
export function overlongBreaksFor(octets: number): number {
  return octets > MAX_LINE_OCTETS ? Math.ceil((octets - MAX_LINE_OCTETS) / (MAX_LINE_OCTETS - 1)) : 0;
}

export class TextStatsCollector {
  private readonly normalizer = new LineEndingNormalizer();
  private readonly charset = new CharsetDetector({ nulIsBinary: false });
  private octets = 0;
  private ascii = true;
  private hasNul = false;
  private longestLine = 0;
  private overlongBreaks = 0;
  private currentLine = 0;
  private endsWithLineBreak = true;

  push(chunk: Buffer): void {
    if (this.ascii && !isAscii(chunk)) this.ascii = false;
    if (!this.ascii) this.charset.push(chunk);
    if (!this.hasNul && chunk.indexOf(0) !== -1) this.hasNul = true;
    // Text without CR is counted as it stands; only CR needs the normaliser's copy to count.
    if (!this.normalizer.holdsCr && chunk.indexOf(0x0d) === -1) this.countUnixText(chunk);
    else this.count(this.normalizer.push(chunk));
  }

  result(): TextStats {
    this.count(this.normalizer.end());
    const missingBreak = this.endsWithLineBreak ? 0 : 2;
    return {
      wireOctets: this.octets + missingBreak,
      ascii: this.ascii,
      // unknown-8bit is what the detector says of octets that are no UTF-8.
      utf8: this.ascii || this.charset.result() !== 'unknown-8bit',
      longestLine: Math.max(this.longestLine, this.currentLine),
      overlongBreaks: this.overlongBreaks + overlongBreaksFor(this.currentLine),
      hasNul: this.hasNul,
    };
  }

  /** A chunk whose line breaks are all bare LF, each to become CRLF. */
  private countUnixText(chunk: Buffer): void {
    if (chunk.length === 0) return;
    let breaks = 0;
    let start = 0;
    for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, start)) {
      breaks++;
      const lineBytes = this.currentLine + (lf - start);
      if (lineBytes > this.longestLine) this.longestLine = lineBytes;
      if (lineBytes > MAX_LINE_OCTETS) this.overlongBreaks += overlongBreaksFor(lineBytes);
      this.currentLine = 0;
      start = lf + 1;
    }
    this.octets += chunk.length + breaks;
    this.currentLine += chunk.length - start;
    this.endsWithLineBreak = chunk[chunk.length - 1] === 0x0a;
  }

  private count(piece: Buffer): void {
    if (piece.length === 0) return;
    this.octets += piece.length;
    let start = 0;
    for (;;) {
      const lf = piece.indexOf(0x0a, start);
      if (lf === -1) break;
      // Normalised: every LF is preceded by CR, possibly at the end of the previous piece.
      const lineBytes = this.currentLine + (lf - start) - 1;
      this.longestLine = Math.max(this.longestLine, lineBytes);
      this.overlongBreaks += overlongBreaksFor(lineBytes);
      this.currentLine = 0;
      start = lf + 1;
    }
    this.currentLine += piece.length - start;
    this.endsWithLineBreak = piece[piece.length - 1] === 0x0a;
  }
}

/** Collects stats over a whole source. */
export async function statsOf(chunks: AsyncIterable<Buffer>): Promise<TextStats> {
  const collector = new TextStatsCollector();
  for await (const chunk of chunks) collector.push(chunk);
  return collector.result();
}

/**
 * The charset of text: every octet below 0x80, valid UTF-8, octets that are neither (RFC 1428's
 * unknown-8bit, which claims nothing untrue, as a body that is neither is labelled), or undefined
 * for binary (a NUL).
 */
export type TextCharset = 'us-ascii' | 'utf-8' | 'unknown-8bit' | undefined;

const EMPTY = Buffer.alloc(0);

/**
 * Finds the charset of text given in chunks cut anywhere, a character split between two chunks
 * included. A NUL octet makes it binary, no charset, unless `nulIsBinary` is false (a body: its
 * NUL is carried by quoted-printable, its charset still what the rest of it is).
 */
export class CharsetDetector {
  constructor(private readonly options: { readonly nulIsBinary: boolean } = { nulIsBinary: true }) {}

  private ascii = true;
  private utf8 = true;
  private binary = false;
  /** The first octets of a character whose rest is in the next chunk. */
  private carry: Buffer = EMPTY;

  /** The result is known whatever follows (binary): reading on is pointless. Text that is not UTF-8 may still hold a NUL. */
  get settled(): boolean {
    return this.binary;
  }

  push(chunk: Buffer): void {
    if (this.binary || chunk.length === 0) return;
    if (this.options.nulIsBinary && chunk.indexOf(0) !== -1) {
      this.utf8 = false;
      this.binary = true;
      return;
    }
    if (!this.utf8) return;
    if (this.carry.length === 0 && isAscii(chunk)) return;
    this.ascii = false;
    let start = 0;
    if (this.carry.length > 0) {
      const needed = sequenceLength(this.carry[0]!) - this.carry.length;
      if (chunk.length < needed) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      this.utf8 = isUtf8(Buffer.concat([this.carry, chunk.subarray(0, needed)]));
      this.carry = EMPTY;
      start = needed;
    }
    const end = completeCharactersEnd(chunk, start);
    this.utf8 &&= isUtf8(chunk.subarray(start, end));
    if (this.utf8 && end < chunk.length) this.carry = Buffer.from(chunk.subarray(end));
  }

  result(): TextCharset {
    if (this.binary) return undefined;
    if (!this.utf8 || this.carry.length > 0) return 'unknown-8bit';
    return this.ascii ? 'us-ascii' : 'utf-8';
  }
}

/** Reads only as far as it takes to know the charset. */
export async function charsetOf(chunks: AsyncIterable<Buffer>): Promise<TextCharset> {
  const detector = new CharsetDetector();
  for await (const chunk of chunks) {
    detector.push(chunk);
    if (detector.settled) break;
  }
  return detector.result();
}

/** Octets of the UTF-8 sequence a lead octet begins (invalid leads are left to isUtf8). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** Where the last whole character of `chunk` ends: before a sequence the chunk cuts short. */
function completeCharactersEnd(chunk: Buffer, start: number): number {
  for (let at = chunk.length - 1; at >= Math.max(start, chunk.length - 3); at--) {
    const byte = chunk[at]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation octet: its lead is further back
    return at + sequenceLength(byte) > chunk.length ? at : chunk.length;
  }
  return chunk.length;
}
