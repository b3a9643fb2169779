// Line-ending normalisation: bare CR, bare LF and CRLF all become CRLF, so no `<LF>.<LF>`-style
// smuggling sequence can ever reach the wire (RFC 5321 §2.3.8). Pure and chunk-safe; each chunk
// in gives one buffer out, so large bodies cost a copy, not a buffer per line.

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

export class LineEndingNormalizer {
  private pendingCr = false;

  push(chunk: Buffer): Buffer {
    if (!this.pendingCr && chunk.indexOf(CR) === -1) return lfToCrlf(chunk);
    return this.slowPath(chunk);
  }

  /** Flushes a CR that ended the input. */
  end(): Buffer {
    if (!this.pendingCr) return EMPTY;
    this.pendingCr = false;
    return Buffer.from('\r\n');
  }

  private slowPath(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let at = 0;
    let index = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      out[at++] = CR;
      out[at++] = LF;
      if (chunk[0] === LF) index = 1;
    }
    for (let i = index; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === LF) {
        out[at++] = CR;
        out[at++] = LF;
      } else if (byte === CR) {
        if (i + 1 === chunk.length) {
          this.pendingCr = true; // the LF may start the next chunk
        } else {
          out[at++] = CR;
          out[at++] = LF;
          if (chunk[i + 1] === LF) i++;
        }
      } else {
        out[at++] = byte;
      }
    }
    return out.subarray(0, at);
  }
}

/** Unix text, the common case: every LF becomes CRLF, one memcpy per line. */
function lfToCrlf(chunk: Buffer): Buffer {
  let count = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) count++;
  if (count === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + count);
  let at = 0;
  let start = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
    at += chunk.copy(out, at, start, lf);
    out[at++] = CR;
    out[at++] = LF;
    start = lf + 1;
  }
  chunk.copy(out, at, start);
  return out;
}

/** Normalises a whole buffer at once. */
export function normalizeLineEndings(data: Buffer): Buffer {
  const normalizer = new LineEndingNormalizer();
  return Buffer.concat([normalizer.push(data), normalizer.end()]);
}
