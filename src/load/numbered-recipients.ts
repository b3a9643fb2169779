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
