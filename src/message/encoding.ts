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
  private remainder: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    const data = this.remainder.length > 0 ? Buffer.concat([this.remainder, chunk]) : chunk;
    const whole = data.length - (data.length % BASE64_LINE_INPUT);
    this.remainder = Buffer.from(data.subarray(whole));
    return encodeLines(data.subarray(0, whole));
  }

  end(): Buffer {
    const last = encodeLines(this.remainder);
    this.remainder = Buffer.alloc(0);
    return last;
  }
}

/** The encoded size of `octets` input octets, CRLFs included. */
export function base64EncodedSize(octets: number): number {
  const characters = Math.ceil(octets / 3) * 4;
  return characters + Math.ceil(characters / BASE64_LINE) * 2;
}

function encodeLines(data: Buffer): Buffer {
  if (data.length === 0) return data;
  const text = Buffer.from(data.toString('base64'), 'latin1');
  const lines = Math.ceil(text.length / BASE64_LINE);
  const out = Buffer.allocUnsafe(text.length + lines * 2);
  let at = 0;
  for (let start = 0; start < text.length; start += BASE64_LINE) {
    at += text.copy(out, at, start, Math.min(start + BASE64_LINE, text.length));
    out[at++] = CR;
    out[at++] = LF;
  }
  return out;
}
