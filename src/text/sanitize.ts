// Text from the network or from the user's data is untrusted: characters that steer a terminal
// (controls, bidirectional overrides) are shown escaped, never written to the terminal raw.

// C0 controls but TAB, DEL, C1 controls (which include the 8-bit CSI), the line and paragraph
// separators (a line end to some viewers and logs: one line must stay one), and the bidirectional
// marks, embeddings, overrides and isolates that can make a line read differently from its bytes;
// the octets that were no UTF-8 (see octets.ts); and a backslash before x or u, so that a server
// that writes `\x1b` as text cannot pass it off as an escaped ESC.
const CONTROL = /\\(?=[xu])|[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|(?<![\ud800-\udbff])[\udc80-\udcff]/g;

/** The text with every terminal control shown as `\xNN` (or `\uNNNN` above U+00FF), an octet that was no UTF-8 as `\xNN`, and `\x` or `\u` as text as `\\x`, `\\u`. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === '\\') return '\\\\';
    const code = char.charCodeAt(0);
    if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// The same characters, less those JSON.stringify already escapes (C0), plus the line separators
// JavaScript treats as line ends.
const JSON_UNESCAPED = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text whose terminal controls are `\uNNNN` escapes: the same value, safe on a terminal. */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * CRLF lines of octets as a terminal may show them: each line read as UTF-8 and escaped, ended by
 * LF. For a message shown on a terminal rather than written to a file or a pipe.
 */
export async function* terminalLines(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
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
