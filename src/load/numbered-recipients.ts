// --vary-recipients: a running number before each envelope recipient's local part, as Postfix's
// smtp-source -N puts one, so that every recipient of a load run is new to the server: its address
// rewriting and resolving caches, recipient verification and per-recipient limits work as they do
// under real mail, not on one address seen a thousand times. The message's header is left as it is.

/**
 * The envelope recipients of message `sequence` (from 1): with R recipients, message 1 goes to
 * 1…R, message 2 to R+1…2R (`1bob@x`, `2carol@x`, then `3bob@x`, `4carol@x`), the same for a
 * message sent again. A quoted local part gets its number inside the quotes.
 */
export function numberedRecipients(recipients: readonly string[], sequence: number): string[] {
  const first = (sequence - 1) * recipients.length + 1;
  return recipients.map((address, index) => numbered(address, first + index));
}

function numbered(address: string, number: number): string {
  return address.startsWith('"') ? `"${number}${address.slice(1)}` : `${number}${address}`;
}

/** What numbering would break: a path too long for SMTP, or two recipients made one. */
export type NumberingProblem =
  /** `example`: the longest numbered address (RFC 5321 §4.5.3.1.3 allows `limit` octets). */
  | { readonly kind: 'too-long'; readonly example: string; readonly octets: number; readonly limit: number }
  /** `longer` is `shorter` with digits before it: `shorter` numbered may come out as `longer` numbered. */
  | { readonly kind: 'may-meet'; readonly shorter: string; readonly longer: string };

/** A path holds 256 octets, its angle brackets included (RFC 5321 §4.5.3.1.3). */
const MAX_PATH_OCTETS = 254;

/**
 * Whether numbering `recipients` for `count` messages would send a path longer than SMTP carries,
 * or could send two numbered recipients as one (`bob@x` and `1bob@x`: 21bob@x is both); checked
 * before anything is sent, as an address given too long is.
 */
export function numberingProblem(recipients: readonly string[], count: number): NumberingProblem | undefined {
  const last = count * recipients.length;
  for (const address of recipients) {
    const example = numbered(address, last);
    const octets = Buffer.byteLength(example);
    if (octets > MAX_PATH_OCTETS) return { kind: 'too-long', example, octets, limit: MAX_PATH_OCTETS };
  }
  for (const shorter of recipients) {
    for (const longer of recipients) {
      if (longer !== shorter && digitsBefore(longer, shorter)) return { kind: 'may-meet', shorter, longer };
    }
  }
  return undefined;
}

/** `longer` is `shorter` with one digit or more before it, both quoted (inside the quotes) or neither. */
function digitsBefore(longer: string, shorter: string): boolean {
  const quoted = shorter.startsWith('"');
  if (quoted !== longer.startsWith('"')) return false;
  const [l, s] = quoted ? [longer.slice(1), shorter.slice(1)] : [longer, shorter];
  return l.length > s.length && l.endsWith(s) && /^\d+$/.test(l.slice(0, l.length - s.length));
}
