// A stored message back to what the client sent: the header fields the server put before it
// (Received, Return-Path, Delivered-To, …) taken off, and its line ends made CRLF again, so that
// it compares byte for byte with what mailv wrote.

/**
 * The stored message from `firstHeader` on, once the leading fields named in `prepended` (lower
 * case) are skipped; throws when anything else stands before `firstHeader`, so that a field the
 * server added unannounced fails the comparison instead of being cut away with the rest.
 */
export function withoutPrependedFields(stored: Buffer, firstHeader: string, prepended: readonly string[], server: string): Buffer {
  const text = stored.toString('latin1');
  let at = 0;
  while (prepended.includes(text.slice(at, text.indexOf(':', at)).toLowerCase())) {
    // The field ends at the first line that does not continue it (one not starting with blank).
    let end = text.indexOf('\n', at);
    while (end !== -1 && (text[end + 1] === ' ' || text[end + 1] === '\t')) end = text.indexOf('\n', end + 1);
    if (end === -1) throw new Error(`the stored message ends inside the header fields ${server} prepended`);
    at = end + 1;
  }
  if (!text.startsWith(firstHeader, at)) {
    throw new Error(`after the fields ${server} prepended comes ${JSON.stringify(text.slice(at, at + 40))}, not ${firstHeader}`);
  }
  return stored.subarray(at);
}

/** The message with CRLF line ends, as on the wire (servers store LF). */
export function withCrlf(message: Buffer): Buffer {
  return Buffer.from(message.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
