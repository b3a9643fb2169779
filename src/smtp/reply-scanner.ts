// Reply boundaries in octets, for a reader that needs only each reply's code and enhanced code (the
// load mode's express lane): the grammar ReplyReader holds replies to, checked on the octets, with
// no string, no object a reply. Whatever ReplyReader would refuse is a fault here too; a reply found
// here is one ReplyReader reads the same, with the same code and enhanced code.
import { HYPHEN, isCodeStart, isDigit, LF, MAX_REPLY_LINE, MAX_REPLY_LINES, SPACE, startsWithEnhanced } from './reply.js';

const CR = 0x0d;
/** Octets past what was read that a search for LF may go through rather than make a view. */
const VIEW_BEYOND = 4096;

/** What next() found: a complete reply (see the scanner's fields), the need for more octets, or a break of the grammar. */
export type Scanned = 'reply' | 'more' | 'fault';

export class ReplyScanner {
  /** The reply found last: octets `[start, end)`, its LF included. */
  start = 0;
  end = 0;
  code = 0;
  /** Where the reply found last's first line ends, its CR LF left out. */
  private firstLineEnd = 0;
  private lineStart = 0;
  /** Where the search for the next LF goes on: every LF before it has been taken. */
  private scanned = 0;
  private lines = 0;

  /**
   * The next complete reply in octets `[0, length)` of `bytes`, every octet read so far, in which
   * this scanner found the replies before (one buffer, grown but never moved on).
   */
  next(bytes: Buffer, length: number): Scanned {
    // indexOf() has no end: a buffer much larger than what was read is searched through a view of it.
    const read = bytes.length - length > VIEW_BEYOND ? bytes.subarray(0, length) : bytes;
    for (let lf = read.indexOf(LF, this.scanned); lf !== -1 && lf < length; lf = read.indexOf(LF, lf + 1)) {
      const line = this.lineStart;
      const lineEnd = lf > line && bytes[lf - 1] === CR ? lf - 1 : lf;
      this.lineStart = lf + 1;
      this.scanned = lf + 1;
      const size = lineEnd - line;
      if (size > MAX_REPLY_LINE || size < 3 || !isCodeStart(bytes[line]!) || !isDigit(bytes[line + 1]!) || !isDigit(bytes[line + 2]!)) return 'fault';
      // A line of the code alone ends its reply.
      const separator = size > 3 ? bytes[line + 3] : SPACE;
      if (separator !== SPACE && separator !== HYPHEN) return 'fault';
      if (this.lines === 0) {
        this.start = line;
        this.firstLineEnd = lineEnd;
      } else if (bytes[line] !== bytes[this.start] || bytes[line + 1] !== bytes[this.start + 1] || bytes[line + 2] !== bytes[this.start + 2]) return 'fault';
      this.lines++;
      if (separator === HYPHEN) {
        if (this.lines >= MAX_REPLY_LINES) return 'fault';
        continue;
      }
      this.lines = 0;
      this.end = lf + 1;
      this.code = (bytes[this.start]! - 0x30) * 100 + (bytes[this.start + 1]! - 0x30) * 10 + (bytes[this.start + 2]! - 0x30);
      return 'reply';
    }
    this.scanned = Math.max(this.scanned, length);
    // The line's CR may come without its LF: it is not part of the line's length.
    return length - this.lineStart > MAX_REPLY_LINE + 1 ? 'fault' : 'more';
  }

  /** Whether the reply found last comes with the enhanced status code `expected` (undefined: with none), as ReplyReader reads it. */
  enhancedIs(bytes: Buffer, expected: string | undefined): boolean {
    // The text after the code and its separator; none after a code alone.
    const textStart = Math.min(this.start + 4, this.firstLineEnd);
    return startsWithEnhanced(bytes, textStart, this.firstLineEnd, Math.floor(this.code / 100), expected);
  }
}
