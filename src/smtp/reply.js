// Incremental SMTP reply reader (RFC 5321 §4.2): bytes in, complete replies out, whatever way the
// stream is split. Keeps enhanced status codes (RFC 3463). Pure: no I/O.
/** The reply stream broke the grammar, or a limit that keeps memory bounded; `fault` says how. */
export class ReplySyntaxError extends Error {
  fault;
  constructor(fault) {
    super(fault.fault);
    this.fault = fault;
  }
}
/** RFC 5321 §4.5.3.1.5 allows 512 octets; real servers send more, hostile ones send megabytes. */
export const MAX_REPLY_LINE = 8192;
export const MAX_REPLY_LINES = 512;
const LF = 0x0a;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;
export class ReplyReader {
  redact;
  /** `redact` masks what must never be shown (a secret the server echoes) in each line's text and in errors. */
  constructor(redact = (text) => text) {
    this.redact = redact;
  }
  partial = [];
  partialLength = 0;
  pending = [];
  /** Feeds bytes; returns the replies they complete. Throws ReplySyntaxError on malformed input. */
  push(chunk) {
    const replies = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) break;
      const piece = chunk.subarray(start, end);
      const line = this.partialLength > 0 ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.partialLength = 0;
      const reply = this.acceptLine(line);
      if (reply) replies.push(reply);
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partialLength += rest.length;
      // The line's CR may come without its LF: it is not part of the line's length.
      if (this.partialLength > MAX_REPLY_LINE + 1) {
        throw new ReplySyntaxError({ fault: 'line-too-long', limit: MAX_REPLY_LINE });
      }
      this.partial.push(Buffer.from(rest));
    }
    return replies;
  }
  /** True when bytes of an unfinished reply are buffered (useful when the peer closes). */
  get hasPartial() {
    return this.partialLength > 0 || this.pending.length > 0;
  }
  acceptLine(bytes) {
    const withoutCr = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
    if (withoutCr.length > MAX_REPLY_LINE) {
      throw new ReplySyntaxError({ fault: 'line-too-long', limit: MAX_REPLY_LINE });
    }
    const line = withoutCr.toString('utf8');
    const match = /^([2-5]\d\d)([ -]|$)/.exec(line);
    if (!match) {
      throw new ReplySyntaxError({ fault: 'malformed', text: this.redact(line).slice(0, 60) });
    }
    const first = this.pending[0];
    if (first !== undefined && first.slice(0, 3) !== match[1]) {
      throw new ReplySyntaxError({ fault: 'mixed-codes', first: first.slice(0, 3), second: match[1] });
    }
    const text = line.slice(match[0].length);
    const shown = this.redact(text);
    this.pending.push(shown === text ? line : match[0] + shown);
    if (match[2] === '-') {
      if (this.pending.length >= MAX_REPLY_LINES) {
        throw new ReplySyntaxError({ fault: 'too-many-lines', limit: MAX_REPLY_LINES });
      }
      return undefined;
    }
    const raw = this.pending;
    this.pending = [];
    return makeReply(raw);
  }
}
/** Builds a Reply from its raw lines (code, separator, text). */
export function makeReply(raw) {
  const code = Number(raw[0].slice(0, 3));
  const lines = raw.map((line) => line.slice(4));
  const enhancedMatch = ENHANCED.exec(lines[0] ?? '');
  const enhanced =
    enhancedMatch && Number(enhancedMatch[1]) === Math.floor(code / 100) ? `${enhancedMatch[1]}.${enhancedMatch[2]}.${enhancedMatch[3]}` : undefined;
  return { code, enhanced, lines, raw };
}
/** The reply's text as one line. */
export function replyText(reply) {
  return reply.lines.join(' ').trim();
}
/**
 * The reply's last line, as sendmail quotes it in `Sent (...)`: without its enhanced status code
 * (RFC 3463) when the server announced ENHANCEDSTATUSCODES (RFC 2034), since its lines then
 * always start with one.
 */
export function verdictText(reply, enhancedCodes) {
  const last = reply.lines.at(-1) ?? '';
  const match = enhancedCodes ? ENHANCED.exec(last) : null;
  const own = match !== null && Number(match[1]) === Math.floor(reply.code / 100);
  return (own ? last.slice(match[0].length) : last).trim();
}
