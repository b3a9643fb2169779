// Streaming content-transfer-encodings (RFC 2045 §6.7 quoted-printable, §6.8 base64) producing
// CRLF lines of at most 76 characters. Chunk-safe and pure.

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const HEX = Buffer.from('0123456789ABCDEF');
/** Content characters per line before the soft break `=` (76 in all, RFC 2045 §6.7 rule 5). */
const QP_LINE = 75;

/** Quoted-printable over CRLF-normalised text: CRLF stays a hard break, long lines get soft breaks. */
export class QuotedPrintableEncoder {
  private lineLength = 0;
  private pendingWhitespace = -1;
  private out: Buffer = Buffer.alloc(0);
  private at = 0;

  push(chunk: Buffer): Buffer {
    // Worst case: every byte as =XX plus a soft break every 25 bytes.
    this.out = Buffer.allocUnsafe(chunk.length * 3 + Math.ceil(chunk.length / 25) * 3 + 8);
    this.at = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === CR) continue; // input is normalised: CR only ever precedes LF
      if (byte === LF) {
        this.flushWhitespace(true);
        this.out[this.at++] = CR;
        this.out[this.at++] = LF;
        this.lineLength = 0;
        continue;
      }
      this.flushWhitespace(false);
      if (byte === SPACE || byte === TAB) this.pendingWhitespace = byte;
      else if (byte >= 33 && byte <= 126 && byte !== EQUALS) this.literal(byte);
      else this.encoded(byte);
    }
    return this.out.subarray(0, this.at);
  }

  /** Whitespace that ends the input is encoded (RFC 2045 §6.7 rule 3). */
  end(): Buffer {
    this.out = Buffer.allocUnsafe(8);
    this.at = 0;
    this.flushWhitespace(true);
    return this.out.subarray(0, this.at);
  }

  private flushWhitespace(atLineEnd: boolean): void {
    if (this.pendingWhitespace === -1) return;
    const byte = this.pendingWhitespace;
    this.pendingWhitespace = -1;
    if (atLineEnd) this.encoded(byte);
    else this.literal(byte);
  }

  private room(width: number): void {
    if (this.lineLength + width > QP_LINE) {
      this.out[this.at++] = EQUALS;
      this.out[this.at++] = CR;
      this.out[this.at++] = LF;
      this.lineLength = 0;
    }
  }

  private literal(byte: number): void {
    this.room(1);
    this.out[this.at++] = byte;
    this.lineLength += 1;
  }

  private encoded(byte: number): void {
    this.room(3);
    this.out[this.at++] = EQUALS;
    this.out[this.at++] = HEX[byte >> 4]!;
    this.out[this.at++] = HEX[byte & 15]!;
    this.lineLength += 3;
  }
}

/** 57 input octets make one 76-character base64 line. */
const BASE64_LINE_INPUT = 57;
const BASE64_LINE = 76;

/** Base64 in CRLF-terminated lines of 76 characters. */
export class Base64Encoder {
  private remainder: Buffer = EMPTY;
  private scratch: Buffer = EMPTY;

  /**
   * `reuseOutput`: every push writes into the same memory, so each result is valid only until the
   * next push; for a caller that copies it at once. The input is never kept: it may be lent.
   */
  constructor(private readonly options: { reuseOutput?: boolean } = {}) {}

  push(chunk: Buffer): Buffer {
    let head = EMPTY;
    let from = 0;
    if (this.remainder.length > 0) {
      // The line begun by the last chunk is completed first: a copy of at most 57 octets.
      from = Math.min(BASE64_LINE_INPUT - this.remainder.length, chunk.length);
      const joined = Buffer.concat([this.remainder, chunk.subarray(0, from)]);
      if (joined.length < BASE64_LINE_INPUT) {
        this.remainder = joined;
        return EMPTY;
      }
      head = joined;
    }
    const rest = chunk.subarray(from);
    const whole = rest.length - (rest.length % BASE64_LINE_INPUT);
    this.remainder = Buffer.from(rest.subarray(whole));
    const out = this.allocate(base64EncodedSize(head.length) + base64EncodedSize(whole));
    const at = encodeLinesInto(out, 0, head);
    encodeLinesInto(out, at, rest.subarray(0, whole));
    return out;
  }

  end(): Buffer {
    const last = Buffer.allocUnsafe(base64EncodedSize(this.remainder.length));
    encodeLinesInto(last, 0, this.remainder);
    this.remainder = EMPTY;
    return last;
  }

  private allocate(size: number): Buffer {
    if (!this.options.reuseOutput) return Buffer.allocUnsafe(size);
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(size);
    return this.scratch.subarray(0, size);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Octets encoded per step: whole lines, and a base64 string small enough for V8's young
 * generation, whose memory is reused, unlike a large string's fresh pages.
 */
const BASE64_STEP = BASE64_LINE_INPUT * 1024;

/**
 * Writes `data` as base64 lines into `out` from `at`; returns where it ended. Each step's text is
 * written at the end of its room, then its lines are moved down in place to make way for the
 * CRLFs: no buffer per line, no copy call per line.
 */
function encodeLinesInto(out: Buffer, at: number, data: Buffer): number {
  for (let start = 0; start < data.length; start += BASE64_STEP) {
    const text = data.toString('base64', start, Math.min(start + BASE64_STEP, data.length));
    const lines = Math.ceil(text.length / BASE64_LINE);
    let from = at + lines * 2;
    const end = from + text.length;
    out.write(text, from, 'latin1');
    for (; from < end; ) {
      const next = Math.min(from + BASE64_LINE, end);
      out.copyWithin(at, from, next);
      at += next - from;
      out[at++] = CR;
      out[at++] = LF;
      from = next;
    }
  }
  return at;
}

/** The encoded size of `octets` input octets, CRLFs included. */
export function base64EncodedSize(octets: number): number {
  const characters = Math.ceil(octets / 3) * 4;
  return characters + Math.ceil(characters / BASE64_LINE) * 2;
}
