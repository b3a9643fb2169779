// Text read from the network as UTF-8, octets that are not kept rather than turned into U+FFFD:
// each stands as a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which sanitize()
// shows as `\xNN` and JSON as `\udcNN`, so that a server's Latin-1 or broken bytes read as what
// they were.
import { isUtf8 } from 'node:buffer';

/** `bytes[start, end)` as UTF-8, each octet of no UTF-8 sequence as U+DC00 + its value. */
export function decodeOctets(bytes: Buffer, start: number, end: number): string {
  if (isUtf8(bytes.subarray(start, end))) return bytes.toString('utf8', start, end);
  let text = '';
  for (let at = start; at < end; ) {
    const length = sequenceLength(bytes[at]!);
    if (length > 0 && at + length <= end && isUtf8(bytes.subarray(at, at + length))) {
      text += bytes.toString('utf8', at, at + length);
      at += length;
    } else {
      text += String.fromCharCode(0xdc00 + bytes[at]!);
      at++;
    }
  }
  return text;
}

/** The length a UTF-8 sequence that starts with `lead` has; 0 for an octet no sequence starts with. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
