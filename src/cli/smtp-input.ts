// mailv-sendmail -bs reads an SMTP client from standard input: command lines, each of bounded
// length, and after DATA the message's lines up to the lone dot, un-stuffed (RFC 5321 §4.5.2),
// handed on in pieces as they come so that a large message is spooled, never held whole here.
// Lines may end in LF alone, but from a client that ended its DATA with CR LF only <CRLF>.<CRLF>
// ends the message (RFC 5321 §4.1.1.4), as Postfix's smtpd_forbid_bare_newline = normalize has it:
// a `<LF>.<LF>` inside, which content it passes on may hold, is text, never the end of one message
// and the start of another it did not mean to send (SMTP smuggling). A client that ends every line
// with LF alone (a script's printf) ends its message with `<LF>.<LF>`, as it always could.

import { isUtf8 } from 'node:buffer';
import { withinLimit } from './within-limit.js';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const LINE_THEN_DOT = Buffer.from('\n.');
/** What the message is handed on in: large enough for few writes, small enough to stay light. */
const GATHER_OCTETS = 64 * 1024;

/** The longest command line taken, its line break left out (Postfix's line_length_limit). */
export const MAX_COMMAND_LINE = 2048;

/** A command line, or what stood in its place. */
export type CommandLine =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'too-long' }
  | { readonly kind: 'not-utf8' }
  | { readonly kind: 'end' };

export class SmtpInput {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  /** The client sent nothing for `idleMs`: reading stopped there, as at the end of its input. */
  idled = false;

  /** `idleMs`: how long a wait for the client's next octets may last (a command's, or its message's). */
  constructor(
    input: AsyncIterable<Buffer>,
    private readonly idleMs?: number,
  ) {
    this.chunks = input[Symbol.asyncIterator]();
  }

  /** The last command line ended with CR LF: then only CR LF, dot, CR LF ends the message after it. */
  private lastLineCrLf = true;

  /** The next command line, CR LF or LF ended (the CR left out); `end` when the client is gone. */
  async line(): Promise<CommandLine> {
    let skipping = false;
    for (;;) {
      const end = this.pending.indexOf(LF);
      if (end !== -1) {
        this.lastLineCrLf = end > 0 && this.pending[end - 1] === CR;
        const line = this.pending.subarray(0, this.lastLineCrLf ? end - 1 : end);
        this.pending = this.pending.subarray(end + 1);
        if (skipping || line.length > MAX_COMMAND_LINE) return { kind: 'too-long' };
        // Read as UTF-8 only when it is: a Latin-1 address would become U+FFFD and go out so.
        if (!isUtf8(line)) return { kind: 'not-utf8' };
        return { kind: 'line', text: line.toString('utf8') };
      }
      // A line past the limit is dropped as it comes, so that it cannot fill memory.
      if (this.pending.length > MAX_COMMAND_LINE + 1) {
        skipping = true;
        this.pending = Buffer.alloc(0);
      }
      if (!(await this.fill())) return { kind: 'end' };
    }
  }

  /** The message being read is at the start of a line, where a dot means something. */
  private atLineStart = true;
  /** …and that line began after CR LF (or is the first): only there can a lone dot end the message. */
  private afterCrLf = true;
  /** The client ended DATA with LF alone: a lone dot ends its message after a bare LF too, and may end in one. */
  private bareLfClient = false;
  /** The last octet taken was a CR: a LF that comes next, at the head of a piece, ends a CR LF. */
  private lastWasCr = false;
  private messageComplete = false;

  /**
   * The message after a 354: its octets as they come, a leading dot taken off each line that has
   * one, until the line holding only a dot, which is consumed. `complete()` then says whether that
   * line came, or the client went away before it. `resume`: go on with the message already begun
   * (to skip what is left of it after reading had to stop).
   */
  async *message(resume = false): AsyncGenerator<Buffer> {
    if (!resume) {
      this.messageComplete = false;
      this.atLineStart = true;
      this.afterCrLf = true;
      this.lastWasCr = false;
      this.bareLfClient = !this.lastLineCrLf;
    }
    // What a reader that stopped left gathered is no part of what comes next.
    this.gathered = [];
    this.gatheredOctets = 0;
    for (;;) {
      // What is gathered goes before any wait for more, and before the end.
      if (this.pending.length === 0) {
        if (this.gatheredOctets > 0) yield this.takeGathered();
        if (!(await this.fill())) return;
      }
      if (this.atLineStart && this.pending[0] === DOT) {
        // Whether this is the end needs the octets after the dot: ".\n", ".\r\n", or anything else.
        while (this.pending.length < 2 || (this.pending[1] === CR && this.pending.length < 3)) {
          if (this.gatheredOctets > 0) yield this.takeGathered();
          if (!(await this.fill())) return;
        }
        const crLfDot = this.pending[1] === CR && this.pending[2] === LF;
        if (this.bareLfClient ? crLfDot || this.pending[1] === LF : this.afterCrLf && crLfDot) {
          this.pending = this.pending.subarray(crLfDot ? 3 : 2);
          if (this.gatheredOctets > 0) yield this.takeGathered();
          this.messageComplete = true;
          return;
        }
        // A stuffed dot, or a lone dot that ends nothing (after or before a bare LF): taken off, as
        // Postfix takes it, the rest of the line kept.
        this.pending = this.pending.subarray(1);
        this.lastWasCr = false;
      }
      // Up to the next line that begins with a dot, else all that is here: only such a line needs a
      // look. Pieces are handed on gathered (a piece a line would make a spooled message a write a
      // line, and hold a Buffer a line in memory until then).
      const dotLine = this.pending.indexOf(LINE_THEN_DOT);
      const piece = dotLine === -1 ? this.pending : this.pending.subarray(0, dotLine + 1);
      this.pending = this.pending.subarray(piece.length);
      const last = piece.length - 1;
      this.atLineStart = piece[last] === LF;
      this.afterCrLf = this.atLineStart && (last > 0 ? piece[last - 1] === CR : this.lastWasCr);
      this.lastWasCr = piece[last] === CR;
      this.gathered.push(piece);
      this.gatheredOctets += piece.length;
      if (this.gatheredOctets >= GATHER_OCTETS) yield this.takeGathered();
    }
  }

  private gathered: Buffer[] = [];
  private gatheredOctets = 0;

  /** The pieces gathered so far, as one Buffer (a copy: the input's chunks are let go). */
  private takeGathered(): Buffer {
    const whole = Buffer.concat(this.gathered, this.gatheredOctets);
    this.gathered = [];
    this.gatheredOctets = 0;
    return whole;
  }

  /** The message last read ended with its lone dot. */
  complete(): boolean {
    return this.messageComplete;
  }

  /** Reads more into `pending`; false once the input has ended. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.nextChunk();
    if (next === undefined || next.done) {
      this.ended = true;
      return false;
    }
    const chunk = next.value;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }

  /** The input's next chunk; undefined when none came within `idleMs` (the input is given up: see withinLimit). */
  private async nextChunk(): Promise<IteratorResult<Buffer> | undefined> {
    const reading = this.chunks.next();
    if (this.idleMs === undefined) return reading;
    const bounded = await withinLimit(reading, this.idleMs);
    if (bounded.done) return bounded.value;
    this.idled = true;
    return undefined;
  }
}
