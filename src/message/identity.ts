// The values that make each message unique: Date (RFC 5322 §3.3), Message-ID (§3.6.4) and the
// MIME boundary (RFC 2046 §5.1.1). Randomness comes from /dev/urandom rather than node:crypto,
// whose loading alone costs more than the rest of a dry run.
import { closeSync, openSync, readSync } from 'node:fs';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri, 27 Nov 2026 22:05:02 +0100`, in the machine's local offset. */
export function formatRfc5322Date(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${DAYS[date.getDay()]}, ${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset}`
  );
}

/** `Sat Nov  7 09:05:00 2026`: asctime(3) in local time, as an mbox From_ line has it. */
export function formatAsctime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${time} ${date.getFullYear()}`;
}

/** `<time.random@fqdn>`: unique without coordination. */
export function newMessageId(fqdn: string): string {
  return `<${Date.now().toString(36)}.${randomOctets(9).toString('base64url')}@${fqdn}>`;
}

/**
 * A boundary derived from the message's generated Message-ID (not one -H gives), so that a message
 * composed twice (for a server with 8BITMIME and one without) keeps its boundary. `=_` cannot occur
 * in quoted-printable or base64 parts (RFC 2045 §6.7 and §6.8).
 */
export function boundaryFor(messageId: string): string {
  return `=_mailv_${fnv1a(messageId, 0x811c9dc5)}${fnv1a(messageId, 0x050c5d1f)}`;
}

function randomOctets(count: number): Buffer {
  const octets = Buffer.alloc(count);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      readSync(fd, octets, 0, count, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    for (let i = 0; i < count; i++) octets[i] = Math.floor(Math.random() * 256);
  }
  return octets;
}

/** 32-bit FNV-1a as 8 hex digits: a spread, not a secret. */
function fnv1a(text: string, seed: number): string {
  let hash = seed;
  for (const octet of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ octet, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
