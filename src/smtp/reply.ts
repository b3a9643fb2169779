// Incremental SMTP reply reader (RFC 5321 §4.2): bytes in, complete replies out, whatever way the
// stream is split. Keeps enhanced status codes (RFC 3463). Pure: no I/O.

/** One complete server reply. `lines` hold the text after the code; `raw` the lines as received. */
export interface Reply {
  readonly code: number;
  /** Enhanced status code such as `2.1.5`, when the reply carries one of its own class. */
  readonly enhanced: string | undefined;
  readonly lines: readonly string[];
  readonly raw: readonly string[];
}

import type { ReplyFault } from './facts.js';
import { decodeOctets } from '../text/octets.js';

/**
 * The reply stream broke the grammar, or a limit that keeps memory bounded; `fault` says how.
 * `before`: the replies the same bytes completed ahead of the fault, good ones, owed to the
 * commands they answer: a fault in the reply to DATA does not unsay the 250s to MAIL and RCPT.
 */
export class ReplySyntaxError extends Error {
  constructor(
    readonly fault: ReplyFault,
    readonly before: readonly Reply[] = [],
    /** The lines of the reply that broke, as received (secrets masked): shown before the failure. */
    readonly received: readonly string[] = [],
  ) {
    super(fault.fault);
  }
}

/** RFC 5321 §4.5.3.1.5 allows 512 octets; real servers send more, hostile ones send megabytes. */
export const MAX_REPLY_LINE = 8192;
export const MAX_REPLY_LINES = 512;

export const LF = 0x0a;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

export class ReplyReader {
  /** `redact` masks what must never be shown (a secret the server echoes) in each line's text and in errors. */
  constructor(private readonly redact: (text: string) => string = (text) => text) {}

  private partial: Buffer[] = [];
  private partialLength = 0;
  private pending: string[] = [];

  /**
   * Feeds bytes; returns the replies they complete. Throws ReplySyntaxError on malformed input,
   * with the replies completed before it; the reader is of no further use.
   */
  push(chunk: Buffer): Reply[] {
    const replies: Reply[] = [];
    try {
      this.read(chunk, replies);
    } catch (error) {
      if (error instanceof ReplySyntaxError) throw new ReplySyntaxError(error.fault, replies, error.received);
      throw error;
    }
    return replies;
  }

  private read(chunk: Buffer, replies: Reply[]): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) break;
      let reply: Reply | undefined;
      if (this.partialLength > 0) {
        const line = Buffer.concat([...this.partial, chunk.subarray(start, end)]);
        this.partial = [];
        this.partialLength = 0;
        reply = this.acceptLine(line, 0, line.length);
      } else reply = this.acceptLine(chunk, start, end);
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
  }

  /** True when bytes of an unfinished reply are buffered (useful when the peer closes). */
  get hasPartial(): boolean {
    return this.partialLength > 0 || this.pending.length > 0;
  }

  /** What arrived of a reply not finished, as received (secrets masked): its lines, and the start of the next. */
  unfinishedLines(): string[] {
    if (this.partialLength === 0) return [...this.pending];
    const bytes = Buffer.concat(this.partial);
    const end = bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    return [...this.pending, this.redact(decodeOctets(bytes, 0, end))];
  }

  /** The line in bytes[start, end), its LF left out; decoded in place, without a copy of its bytes. */
  private acceptLine(bytes: Buffer, start: number, end: number): Reply | undefined {
    const lineEnd = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    if (lineEnd - start > MAX_REPLY_LINE) {
      throw new ReplySyntaxError({ fault: 'line-too-long', limit: MAX_REPLY_LINE });
    }
    // Octets that are no UTF-8 are kept as such (shown `\xNN`), not made U+FFFD: a server's charset shows.
    const line = decodeOctets(bytes, start, lineEnd);
    // `[2-5]dd` then a space, a hyphen or nothing, read by character: a load run reads thousands a second.
    const separator = line.charCodeAt(3);
    const coded = isCodeStart(line.charCodeAt(0)) && isDigit(line.charCodeAt(1)) && isDigit(line.charCodeAt(2));
    if (!coded || (line.length > 3 && separator !== SPACE && separator !== HYPHEN)) {
      const shown = this.redact(line);
      throw new ReplySyntaxError({ fault: 'malformed', text: shown.slice(0, 60) }, [], [...this.pending, shown]);
    }
    const first = this.pending[0];
    if (first !== undefined && !first.startsWith(line.slice(0, 3))) {
      throw new ReplySyntaxError({ fault: 'mixed-codes', first: first.slice(0, 3), second: line.slice(0, 3) }, [], [...this.pending, this.redact(line)]);
    }
    const prefix = line.length > 3 ? 4 : 3;
    const text = line.slice(prefix);
    const shown = this.redact(text);
    this.pending.push(shown === text ? line : line.slice(0, prefix) + shown);
    if (separator === HYPHEN) {
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
export function makeReply(raw: readonly string[]): Reply {
  const code = Number(raw[0]!.slice(0, 3));
  const lines = raw.map((line) => line.slice(4));
  return { code, enhanced: enhancedCode(lines[0] ?? '', Math.floor(code / 100)), lines, raw };
}

export const SPACE = 0x20;
export const HYPHEN = 0x2d;
const PERIOD = 0x2e;

export function isDigit(char: number): boolean {
  return char >= 0x30 && char <= 0x39;
}

export function isCodeStart(char: number): boolean {
  return char >= 0x32 && char <= 0x35;
}

/** The enhanced status code (RFC 3463) that starts `text`, when it is of class `replyClass`. */
function enhancedCode(text: string, replyClass: number): string | undefined {
  const end = enhancedCodeEnd(text, 0, text.length, textCodeAt, replyClass);
  return end === -1 ? undefined : text.slice(0, end);
}

/**
 * Whether the text of a reply's first line, octets `[start, end)` of `bytes`, starts with the
 * enhanced status code `expected` (undefined: with none), as makeReply() would read it.
 */
export function startsWithEnhanced(bytes: Buffer, start: number, end: number, replyClass: number, expected: string | undefined): boolean {
  const codeEnd = enhancedCodeEnd(bytes, start, end - start, octetAt, replyClass);
  if (codeEnd === -1 || expected === undefined) return codeEnd === -1 && expected === undefined;
  if (codeEnd !== expected.length) return false;
  for (let at = 0; at < codeEnd; at++) if (bytes[start + at] !== expected.charCodeAt(at)) return false;
  return true;
}

/**
 * Where the enhanced status code of class `replyClass` that starts a text (`length` characters of
 * `subject` from `start`) ends, relative to `start`; -1 when there is none: what ENHANCED matches
 * (class, then two numbers of 1 to 3 digits, then a space or the end), read by character code since
 * every reply of a load run goes through here, as a string or as octets (`codeAt`, a function of
 * the module's: no closure made a reply).
 */
function enhancedCodeEnd<S>(subject: S, start: number, length: number, codeAt: CodeAt<S>, replyClass: number): number {
  if (replyClass === 3 || charCode(subject, start, length, codeAt, 0) !== 0x30 + replyClass || charCode(subject, start, length, codeAt, 1) !== PERIOD)
    return -1;
  let at = 2;
  for (let part = 0; part < 2; part++) {
    const from = at;
    while (at - from < 3 && isDigit(charCode(subject, start, length, codeAt, at))) at++;
    if (at === from) return -1;
    if (part === 0 && charCode(subject, start, length, codeAt, at++) !== PERIOD) return -1;
  }
  return at === length || charCode(subject, start, length, codeAt, at) === SPACE ? at : -1;
}

type CodeAt<S> = (subject: S, at: number) => number;

/** The code of character `at` of a text (`length` characters of `subject` from `start`); NaN past its end. */
function charCode<S>(subject: S, start: number, length: number, codeAt: CodeAt<S>, at: number): number {
  return at < length ? codeAt(subject, start + at) : Number.NaN;
}

const textCodeAt = (text: string, at: number): number => text.charCodeAt(at);
const octetAt = (bytes: Buffer, at: number): number => bytes[at]!;

/** Whether two replies' lines are the same, one for one. */
export function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, index) => line === b[index]);
}

/** The reply's text as one line. */
export function replyText(reply: Reply): string {
  return reply.lines.join(' ').trim();
}

/**
 * The reply's last line, as sendmail quotes it in `Sent (...)`: without its enhanced status code
 * (RFC 3463) when the server announced ENHANCEDSTATUSCODES (RFC 2034), since its lines then
 * always start with one.
 */
export function verdictText(reply: Reply, enhancedCodes: boolean): string {
  const last = reply.lines.at(-1) ?? '';
  const match = enhancedCodes ? ENHANCED.exec(last) : null;
  const own = match !== null && Number(match[1]) === Math.floor(reply.code / 100);
  return (own ? last.slice(match[0].length) : last).trim();
}
