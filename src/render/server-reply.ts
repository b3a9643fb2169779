// A reply of mailv-sendmail -bs as it goes on the wire (RFC 5321 §4.2): the code on every line,
// a hyphen after it on all but the last, CRLF. The text is one line each: a failure's words
// (which may quote a server) never break a reply into lines the client would misread.
import { sanitize } from '../text/sanitize.js';

export function formatServerReply(code: number, lines: readonly string[]): string {
  return lines.map((line, index) => `${code}${index === lines.length - 1 ? ' ' : '-'}${sanitize(line)}\r\n`).join('');
}
