// Text read from the network as UTF-8, octets that are not kept rather than turned into U+FFFD:
// each stands as a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which sanitize()
// shows as `\xNN`; a record keeps it, --json gives U+FFFD. So a server's Latin-1 or broken bytes
// read as what they were.
import { isUtf8 } from 'node:buffer';

/** `bytes[start, end)` as UTF-8, each octet of no UTF-8 sequence (RFC 3629 §4) as U+DC00 + its value. */
export function decodeOctets(bytes: Buffer, start: number, end: number): string {
  // Replies are ASCII but for a rare few: read so, they need neither a view of their bytes nor a
  // UTF-8 decoder (a load run reads a dozen lines a connection).
  let at = start;
  while (at < end && bytes[at]! < 0x80) at++;
  if (at === end) return bytes.toString('latin1', start, end);
  if (isUtf8(bytes.subarray(start, end))) return bytes.toString('utf8', start, end);
  // One pass: the valid runs decoded whole, each stray octet on its own (a hostile server's
  // 4 MB of Latin-1 costs a scan, not a call per octet).
  const parts: string[] = [];
  let run = start;
  for (let at = start; at < end; ) {
    const length = sequenceAt(bytes, at, end);
    if (length > 0) {
      at += length;
      continue;
    }
    if (run < at) parts.push(bytes.toString('utf8', run, at));
    parts.push(String.fromCharCode(0xdc00 + bytes[at]!));
    at++;
    run = at;
  }
  if (run < end) parts.push(bytes.toString('utf8', run, end));
  return parts.join('');
}

/** The length of the well-formed UTF-8 sequence at `at` (RFC 3629 §4), 0 when there is none. */
function sequenceAt(bytes: Buffer, at: number, end: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const continuation = (offset: number, low = 0x80, high = 0xbf) => {
    const octet = at + offset < end ? bytes[at + offset]! : -1;
    return octet >= low && octet <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    // E0 needs A0..BF (no overlong form); ED needs 80..9F (no surrogate).
    const ok = continuation(1, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf) && continuation(2);
    return ok ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    // F0 needs 90..BF (no overlong form); F4 needs 80..8F (nothing past U+10FFFF).
    const ok = continuation(1, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf) && continuation(2) && continuation(3);
    return ok ? 4 : 0;
  }
  return 0;
}
