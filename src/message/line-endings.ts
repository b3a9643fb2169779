// Line-ending normalisation: bare CR, bare LF and CRLF all become CRLF, so no `<LF>.<LF>`-style
// smuggling sequence can ever reach the wire (RFC 5321 §2.3.8). Chunk-safe; each chunk in gives
// one buffer out (the chunk itself when already CRLF), never a buffer per line.

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

export class LineEndingNormalizer {
  private pendingCr = false;
  private scratch = EMPTY;

  /**
   * `reuseOutput`: every push writes into the same memory, so each result is valid only until the
   * next push; for a caller that copies it at once, this spares touching fresh memory per chunk.
   */
  constructor(private readonly options: { reuseOutput?: boolean } = {}) {}

  /** True while a CR ended the last chunk and its LF may start the next. */
  get holdsCr(): boolean {
    return this.pendingCr;
  }

  /** The chunk in CRLF form: the chunk itself when it is already, else a copy. */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY; // a held CR still waits for what follows
    if (this.pendingCr) return this.slowPath(chunk);
    if (chunk.indexOf(CR) === -1) return lfToCrlf(chunk, this.allocate);
    if (isCrlfText(chunk)) return chunk;
    return this.slowPath(chunk);
  }

  private readonly allocate = (size: number): Buffer => {
    if (!this.options.reuseOutput) return Buffer.allocUnsafe(size);
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(size);
    return this.scratch.subarray(0, size);
  };

  /** Flushes a CR that ended the input. */
  end(): Buffer {
    if (!this.pendingCr) return EMPTY;
    this.pendingCr = false;
    return Buffer.from('\r\n');
  }

  private slowPath(chunk: Buffer): Buffer {
    const out = this.allocate(chunk.length * 2 + 2);
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

/**
 * Unix text, the common case: every LF becomes CRLF. The chunk is copied once to the end of the
 * output, then each line is moved down in place with copyWithin: no per-line Buffer objects or
 * Buffer.copy calls, which cost more than the bytes they move when lines are short.
 */
function lfToCrlf(chunk: Buffer, allocate: (size: number) => Buffer): Buffer {
  const count = findLineFeeds(chunk);
  if (count === 0) return chunk;
  const breaks = lineFeeds;
  const out = allocate(chunk.length + count);
  out.set(chunk, count);
  let at = 0;
  let from = count;
  for (let index = 0; index < count; index++) {
    const lf = breaks[index]! + count;
    out.copyWithin(at, from, lf);
    at += lf - from;
    out[at++] = CR;
    out[at++] = LF;
    from = lf + 1;
  }
  out.copyWithin(at, from, out.length);
  return out;
}

/**
 * Text already in CRLF form, as most -t messages from mail software are: every CR is followed by
 * LF and every LF preceded by CR, and the chunk neither ends in CR nor starts with LF. Two native
 * scans, no copy.
 */
function isCrlfText(chunk: Buffer): boolean {
  if (chunk[chunk.length - 1] === CR) return false; // its LF may start the next chunk
  for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 2)) {
    if (chunk[cr + 1] !== LF) return false;
  }
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if (lf === 0 || chunk[lf - 1] !== CR) return false;
  }
  return true;
}

/** Offsets found by the last findLineFeeds; reused, so a large body makes no garbage per line. */
let lineFeeds = new Int32Array(4096);

/** Finds every LF in `chunk` with the native indexOf; their offsets are lineFeeds[0 … count). */
function findLineFeeds(chunk: Buffer): number {
  let count = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if (count === lineFeeds.length) {
      const grown = new Int32Array(count * 2);
      grown.set(lineFeeds);
      lineFeeds = grown;
    }
    lineFeeds[count++] = lf;
  }
  return count;
}

/** Normalises a whole buffer at once. */
export function normalizeLineEndings(data: Buffer): Buffer {
  const normalizer = new LineEndingNormalizer();
  return Buffer.concat([normalizer.push(data), normalizer.end()]);
}
