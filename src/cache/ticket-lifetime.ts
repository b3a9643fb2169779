// How long a TLS session may be resumed, read from the session as Node gives it: OpenSSL's DER
// encoding of SSL_SESSION, a SEQUENCE whose fields [9] (the ticket lifetime hint the server sent,
// RFC 8446 §4.6.1, RFC 5077 §3.3) and [2] (the session's timeout) are integers in seconds.

/** RFC 8446 §4.6.1: no ticket lives longer than seven days. */
export const MAX_TICKET_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The ticket's lifetime in seconds (at most seven days), or undefined when the encoding says none. */
export function ticketLifetimeSeconds(session: Buffer): number | undefined {
  const outer = element(session, 0);
  if (outer === undefined || session[0] !== 0x30) return undefined;
  let hint: number | undefined;
  let timeout: number | undefined;
  for (let at = outer.start; at < outer.end; ) {
    const field = element(session, at);
    if (field === undefined || field.end > outer.end) return undefined;
    const tag = session[at];
    if (tag === 0xa9) hint = integerIn(session, field.start, field.end);
    if (tag === 0xa2) timeout = integerIn(session, field.start, field.end);
    at = field.end;
  }
  const seconds = hint !== undefined && hint > 0 ? hint : timeout;
  return seconds === undefined || seconds <= 0 ? undefined : Math.min(seconds, MAX_TICKET_LIFETIME_SECONDS);
}

/** The content of the DER element at `at`: [start, end), or undefined when it runs past the buffer. */
function element(der: Buffer, at: number): { start: number; end: number } | undefined {
  const first = der[at + 1];
  if (first === undefined) return undefined;
  let length = first;
  let start = at + 2;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 4) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) {
      const octet = der[start + i];
      if (octet === undefined) return undefined;
      length = length * 256 + octet;
    }
    start += octets;
  }
  const end = start + length;
  return end > der.length ? undefined : { start, end };
}

/** The non-negative INTEGER inside an explicitly tagged field, if it fits in a double exactly. */
function integerIn(der: Buffer, start: number, end: number): number | undefined {
  if (der[start] !== 0x02) return undefined;
  const inner = element(der, start);
  if (inner === undefined || inner.end > end || inner.end - inner.start > 7) return undefined;
  let value = 0;
  for (let i = inner.start; i < inner.end; i++) value = value * 256 + der[i]!;
  return value;
}
