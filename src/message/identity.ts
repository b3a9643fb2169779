// The values that make each message unique: Date (RFC 5322 §3.3), Message-ID (§3.6.4) and the
// MIME boundary (RFC 2046 §5.1.1).
import { createHash, randomBytes } from 'node:crypto';

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

/** `<time.random@fqdn>`: unique without coordination. */
export function newMessageId(fqdn: string): string {
  return `<${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${fqdn}>`;
}

/** A boundary derived from the Message-ID, so a message is reproducible from its headers. */
export function boundaryFor(messageId: string): string {
  return `=_mailv_${createHash('sha256').update(messageId).digest('base64url').slice(0, 24)}`;
}
