// Lines past the 998 octets SMTP carries (RFC 5321 §4.5.3.1.6) in a message passed through as it
// was written (-t, mailv-sendmail): PHP's one-line HTML, a To: of sixty addresses. Postfix's SMTP
// client breaks them by inserting CRLF and a space (smtp_line_length_limit), which spares MIME;
// mailv does the same, a header line at its last space or tab when it has one (else between two
// UTF-8 characters); the body's octet by octet, as Postfix does. Pure.
import { MAX_LINE_OCTETS } from './text-stats.js';

const CR = 0x0d;
const LF = 0x0a;
const BREAK = Buffer.from('\r\n ');

/** The octets each break adds: CR, LF and the space. */
export const BREAK_OCTETS = BREAK.length;

/**
 * Breaks the lines of CRLF text, given in chunks cut anywhere, past 998 octets: each chunk in gives
 * one buffer out, the chunk itself when no line in it is too long.
 */
export class LineBreaker {
  private line = 0;

  push(chunk: Buffer): Buffer {
    const pieces: Buffer[] = [];
    let start = 0;
    for (let index = 0; index < chunk.length; index++) {
      const octet = chunk[index]!;
      if (octet === LF) this.line = 0;
      // CRLF-normalised: a CR always starts the line break.
      else if (octet !== CR) {
        if (this.line === MAX_LINE_OCTETS) {
          pieces.push(chunk.subarray(start, index), BREAK);
          start = index;
          this.line = 1; // the space
        }
        this.line++;
      }
    }
    if (pieces.length === 0) return chunk;
    pieces.push(chunk.subarray(start));
    return Buffer.concat(pieces);
  }
}

/**
 * A header field (CRLF-ended lines, maybe folded already) with each line past 998 octets folded:
 * before its last space or tab that leaves at most 998 octets, else with CRLF and a space inserted.
 */
export function foldLongLines(field: string): string {
  return field
    .split('\r\n')
    .map((line) => {
      // Trailing whitespace says nothing, and folded it would make lines of whitespace alone.
      let rest = line.length > MAX_LINE_OCTETS ? line.replace(/[ \t]+$/, '') : line;
      let folded = '';
      while (rest.length > MAX_LINE_OCTETS) {
        const space = Math.max(rest.lastIndexOf(' ', MAX_LINE_OCTETS), rest.lastIndexOf('\t', MAX_LINE_OCTETS));
        // A fold before the line's first character, or its first whitespace, would leave an empty line.
        const at = space > 0 && rest.slice(0, space).trim() !== '' ? space : characterStart(rest, MAX_LINE_OCTETS);
        folded += `${rest.slice(0, at)}\r\n`;
        rest = at === space ? rest.slice(at) : ` ${rest.slice(at)}`;
      }
      return folded + rest;
    })
    .join('\r\n');
}

/**
 * `at`, or the start of the UTF-8 character it falls in: the text is read as latin1, and a break
 * between the octets of a character (continuation octets are 0x80 to 0xBF) would leave it invalid.
 */
function characterStart(text: string, at: number): number {
  let start = at;
  while (start > at - 3 && start > 1 && isContinuation(text.charCodeAt(start))) start--;
  return isContinuation(text.charCodeAt(start)) ? at : start;
}

function isContinuation(code: number): boolean {
  return code >= 0x80 && code <= 0xbf;
}
