// Dot-stuffing for DATA (RFC 5321 §4.5.2) over a CRLF-normalised stream, chunk by chunk, and the
// end-of-data marker. Pure; a chunk with no line starting with `.` passes through uncopied.

const DOT = 0x2e;
const LF = 0x0a;

export class DotStuffer {
  private atLineStart = true;

  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const dots: number[] = []; // offsets of line-initial dots
    if (this.atLineStart && chunk[0] === DOT) dots.push(0);
    for (let lf = chunk.indexOf(LF); lf !== -1 && lf + 1 < chunk.length; lf = chunk.indexOf(LF, lf + 1)) {
      if (chunk[lf + 1] === DOT) dots.push(lf + 1);
    }
    this.atLineStart = chunk[chunk.length - 1] === LF;
    if (dots.length === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + dots.length);
    let at = 0;
    let start = 0;
    for (const dot of dots) {
      at += chunk.copy(out, at, start, dot);
      out[at++] = DOT;
      start = dot;
    }
    chunk.copy(out, at, start);
    return out;
  }

  /** The end-of-data marker: `.` alone on a line, after a CRLF if the content lacked one. */
  end(): Buffer {
    return Buffer.from(this.atLineStart ? '.\r\n' : '\r\n.\r\n');
  }
}
