// --vary-recipients: a running number before each envelope recipient's local part, as Postfix's
// smtp-source -N puts one, so that every recipient of a load run is new to the server: its address
// rewriting and resolving caches, recipient verification and per-recipient limits work as they do
// under real mail, not on one address seen a thousand times. The message's header is left as it is.
import { MAX_ADDRESS_OCTETS } from '../message/address.js';

/**
 * The envelope recipients of message `sequence` (from 1): with R recipients, message 1 goes to
 * 1…R, message 2 to R+1…2R (`1bob@x`, `2carol@x`, then `3bob@x`, `4carol@x`), the same for a
 * message sent again. A quoted local part gets its number inside the quotes.
 */
export function numberedRecipients(recipients: readonly string[], sequence: number): string[] {
  const first = (sequence - 1) * recipients.length + 1;
  return recipients.map((address, index) => numbered(address, first + index));
}

/**
 * The address given of `recipient` numbered from `recipients` over `count` messages, or undefined
 * for none of them: the one it is with digits before it, at a number of its position within the
 * run (numberingProblem has made sure no two give the same there).
 */
export function unnumberedRecipient(recipients: readonly string[], count: number, recipient: string): string | undefined {
  return recipients.find((address, index) => {
    const quoted = address.startsWith('"');
    const rest = quoted ? address.slice(1) : address;
    const body = quoted ? recipient.slice(1) : recipient;
    if ((quoted && !recipient.startsWith('"')) || !body.endsWith(rest)) return false;
    const digits = body.slice(0, body.length - rest.length);
    if (!/^[1-9]\d*$/.test(digits)) return false;
    const offset = BigInt(digits) - BigInt(index + 1);
    const size = BigInt(recipients.length);
    return offset >= 0n && offset % size === 0n && offset / size < BigInt(count);
  });
}

function numbered(address: string, number: number): string {
  return address.startsWith('"') ? `"${number}${address.slice(1)}` : `${number}${address}`;
}

/** What numbering would break: a path too long for SMTP, or two recipients made one. */
export type NumberingProblem =
  /** `example`: the run's longest numbered path (RFC 5321 §4.5.3.1.3 allows `limit` octets). */
  | { readonly kind: 'too-long'; readonly example: string; readonly octets: number; readonly limit: number }
  /**
   * `longer` is `shorter` with digits before it, and numbered they meet: `shorter` in message
   * `message` is the same mailbox as `longer` in message 1 (`example`, as `shorter` numbered).
   */
  | { readonly kind: 'may-meet'; readonly shorter: string; readonly longer: string; readonly example: string; readonly message: number };

/**
 * Whether numbering `recipients` for `count` messages would send a path longer than SMTP carries,
 * or two numbered recipients as one mailbox (`bob@x` then `1bob@x`: from message 11, 21bob@x is
 * both); checked before anything is sent, as an address given too long is.
 */
export function numberingProblem(recipients: readonly string[], count: number): NumberingProblem | undefined {
  const size = recipients.length;
  for (const [index, address] of recipients.entries()) {
    // Its number in the last message: the largest it gets.
    const example = numbered(address, (count - 1) * size + index + 1);
    const octets = Buffer.byteLength(example);
    if (octets > MAX_ADDRESS_OCTETS) return { kind: 'too-long', example, octets, limit: MAX_ADDRESS_OCTETS };
  }
  for (const [shortIndex, shorter] of recipients.entries()) {
    for (const [longIndex, longer] of recipients.entries()) {
      const met = meeting(mailboxOf(shorter), shortIndex, mailboxOf(longer), longIndex, size, count);
      if (met !== undefined) return { kind: 'may-meet', shorter, longer, example: numbered(shorter, met.number), message: met.message };
    }
  }
  return undefined;
}

/** A numbered address's local part as a mailbox reads it (a quoted string's content: `"1bob"` is 1bob), and its domain. */
function mailboxOf(address: string): { readonly local: string; readonly domain: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  return { local: local.startsWith('"') ? local.slice(1, -1).replace(/\\(.)/gsu, '$1') : local, domain: address.slice(at + 1).toLowerCase() };
}

/**
 * Where `shorter` numbered (at position `shortIndex` of `size`) meets `longer` numbered: `longer`
 * is D + `shorter` (D digits), so N + shorter = M + longer when N = M·10^|D| + D. `longer`'s first
 * number, M = longIndex + 1, gives the smallest N; every later M adds a multiple of `size` to it,
 * so N's position is the same for all: it meets in some message or in none.
 */
function meeting(
  shorter: { local: string; domain: string },
  shortIndex: number,
  longer: { local: string; domain: string },
  longIndex: number,
  size: number,
  count: number,
): { number: number; message: number } | undefined {
  if (shorter.domain !== longer.domain || longer.local.length <= shorter.local.length || !longer.local.endsWith(shorter.local)) return undefined;
  const digits = longer.local.slice(0, longer.local.length - shorter.local.length);
  if (!/^\d+$/.test(digits)) return undefined;
  const number = BigInt(longIndex + 1) * 10n ** BigInt(digits.length) + BigInt(digits);
  const position = BigInt(shortIndex + 1);
  if (number < position || (number - position) % BigInt(size) !== 0n) return undefined;
  const message = (number - position) / BigInt(size) + 1n;
  return message <= BigInt(count) ? { number: Number(number), message: Number(message) } : undefined;
}
