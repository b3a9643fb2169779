// A reply of mailv-sendmail -bs as it goes on the wire (RFC 5321 §4.2): the code on every line,
// a hyphen after it on all but the last, CRLF. Each line is printable ASCII, as §4.2 asks (a
// failure's words may quote a server or an address in UTF-8), and no longer than a reply line may
// be (§4.5.3.1.5: 512 octets with its code and CRLF), so no client misreads or refuses it.
import { sanitize } from '../text/sanitize.js';

const MAX_TEXT = 512 - 6;

export function formatServerReply(code: number, lines: readonly string[]): string {
  return lines.map((line, index) => `${code}${index === lines.length - 1 ? ' ' : '-'}${replyText(line)}\r\n`).join('');
}

/**
 * Controls escaped, the words' section sign and typographic quotes in ASCII (`RFC 5321 section
 * 4.1.3`), anything else beyond ASCII as `?`, cut to fit with `...`.
 */
function replyText(text: string): string {
  const ascii = sanitize(text)
    .replace(/\u00a7/g, 'section ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_TEXT ? ascii : `${ascii.slice(0, MAX_TEXT - 3)}...`;
}
