// What decides a body's transfer encoding (RFC 2045 §2.7-2.8, RFC 6152): is it ASCII, does any line
// pass 998 octets, is there a NUL, and how many octets it takes on the wire once CRLF-normalised.
import { isAscii } from 'node:buffer';
import { LineEndingNormalizer } from './line-endings.js';

export interface TextStats {
  /** Octets once every line ends in CRLF, a missing final line break included. */
  readonly wireOctets: number;
  readonly ascii: boolean;
  /** Longest line in octets, CRLF excluded. */
  readonly longestLine: number;
  readonly hasNul: boolean;
}

/** RFC 5321 §4.5.3.1.6: 1000 octets with CRLF. */
export const MAX_LINE_OCTETS = 998;

export class TextStatsCollector {
  private readonly normalizer = new LineEndingNormalizer();
  private octets = 0;
  private ascii = true;
  private hasNul = false;
  private longestLine = 0;
  private currentLine = 0;
  private endsWithLineBreak = true;

  push(chunk: Buffer): void {
    if (this.ascii && !isAscii(chunk)) this.ascii = false;
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
      longestLine: Math.max(this.longestLine, this.currentLine),
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
