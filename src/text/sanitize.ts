// Text from the network or from the user's data is untrusted: characters that steer a terminal
// (controls, bidirectional overrides) are shown escaped, never written to the terminal raw.

// C0 controls but TAB, DEL, C1 controls (which include the 8-bit CSI), the line and paragraph
// separators (a line end to some viewers and logs: one line must stay one), and the bidirectional
// marks, embeddings, overrides and isolates that can make a line read differently from its bytes;
// and the octets that were no UTF-8 (lone surrogates U+DC80..U+DCFF, see octets.ts).
const ESCAPED = '\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\udc80-\\udcff';
// Those, and the backslashes right before an x, a u or one of those: doubled, so that an escape
// is one whose backslash follows an even number of them (`\\x1b` is a server's text `\x1b`,
// `\\\x1b` a backslash and an ESC), as in C; other backslashes (a path) stay as they are.
const CONTROL = new RegExp(`(?<!\\\\)\\\\+(?=[xu${ESCAPED}])|[${ESCAPED}]`, 'g');

/**
 * The text with every terminal control shown as an escape: `\xNN` for the ASCII ones (C0, DEL)
 * and for an octet that was no UTF-8, `\uNNNN` for the code points beyond (C1, the bidirectional
 * ones); the backslashes before an escape, or before an x or u, doubled.
 */
export function sanitize(text: string): string {
  return text.replace(CONTROL, (found: string, at: number) => {
    if (found.startsWith('\\')) return found + found;
    const code = found.charCodeAt(0);
    if (code >= 0xdc80 && code <= 0xdcff) {
      // The second half of a pair (a character beyond U+FFFF) is no lone octet.
      const before = text.charCodeAt(at - 1);
      return before >= 0xd800 && before <= 0xdbff ? found : `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`;
    }
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// The same characters, less those JSON.stringify already escapes (C0), plus the line separators
// JavaScript treats as line ends.
const JSON_UNESCAPED = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// An escaped lone surrogate of an octet that was no UTF-8 (JSON.stringify escapes only lone ones),
// after an even number of backslashes: an escape, not a server's text `\udce9`.
const LONE_OCTET = /(?<!\\)((?:\\\\)*)\\udc[89a-f][0-9a-f]/g;

/**
 * JSON text whose terminal controls are `\uNNNN` escapes: the same value, safe on a terminal; an
 * octet that was no UTF-8 is U+FFFD there (a lone surrogate makes some JSON parsers refuse the
 * line; the transcript shows the octet, a record keeps it).
 */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(LONE_OCTET, '$1\\ufffd');
}

/**
 * CRLF lines of octets as a terminal may show them: each line read as UTF-8 and escaped, ended by
 * LF. For a message shown on a terminal rather than written to a file or a pipe.
 */
export async function* terminalLines(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncIterable<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks) {
    carry = carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
    let start = 0;
    const shown: string[] = [];
    for (let end = carry.indexOf('\r\n', start); end !== -1; end = carry.indexOf('\r\n', start)) {
      shown.push(`${sanitize(carry.subarray(start, end).toString('utf8'))}\n`);
      start = end + 2;
    }
    carry = carry.subarray(start);
    if (shown.length > 0) yield Buffer.from(shown.join(''));
  }
  if (carry.length > 0) yield Buffer.from(`${sanitize(carry.toString('utf8'))}\n`);
}
