// Delivery status notifications (RFC 3461): the parameters a DSN request adds to MAIL (RET=,
// ENVID=) and to each RCPT (NOTIFY=, ORCPT=), encoded as the RFC says. Sent only to a server
// that offers DSN; the session says so when it does not.

/** What the sender asks for; the same shape as the plan's DsnRequest. */
export interface DsnParameters {
  readonly notify: readonly ('never' | 'success' | 'failure' | 'delay')[] | undefined;
  readonly ret: 'full' | 'hdrs' | undefined;
  readonly envid: string | undefined;
}

/** RFC 3461 §4.4: an ENVID is at most 100 characters once decoded. */
export const ENVID_MAX = 100;

/**
 * xtext (RFC 3461 §4): `+`, `=`, and every octet outside `!`..`~` become `+` and two upper-case
 * hex digits; UTF-8 text is encoded octet by octet.
 */
export function xtext(text: string): string {
  const octets = Buffer.from(text, 'utf8');
  // The runs left as they are, taken whole: a string grown an octet at a time costs a value of
  // megabytes (a replayed XCLIENT's) seconds of garbage.
  const parts: string[] = [];
  let from = 0;
  octets.forEach((octet, index) => {
    if (octet >= 0x21 && octet <= 0x7e && octet !== 0x2b && octet !== 0x3d) return;
    parts.push(octets.toString('latin1', from, index), `+${hex(octet)}`);
    from = index + 1;
  });
  parts.push(octets.toString('latin1', from));
  return parts.join('');
}

/**
 * utf-8-addr-xtext (RFC 6533 §3), for an ORCPT address that is not ASCII: characters outside
 * the printable ASCII, and `+`, `=`, `\`, become `\x{HEX}` with the code point.
 */
export function utf8AddrXtext(text: string): string {
  let out = '';
  for (const char of text) {
    const point = char.codePointAt(0)!;
    const plain = point >= 0x21 && point <= 0x7e && point !== 0x2b && point !== 0x3d && point !== 0x5c;
    out += plain ? char : `\\x{${point.toString(16).toUpperCase()}}`;
  }
  return out;
}

/** MAIL's DSN parameters: `RET=FULL|HDRS`, `ENVID=xtext`. */
export function mailDsnParams(dsn: DsnParameters): string[] {
  const params: string[] = [];
  if (dsn.ret !== undefined) params.push(`RET=${dsn.ret.toUpperCase()}`);
  if (dsn.envid !== undefined) params.push(`ENVID=${xtext(dsn.envid)}`);
  return params;
}

/**
 * One RCPT's DSN parameters: `NOTIFY=` when asked, and always `ORCPT=`, the recipient as given
 * (RFC 3461 §4.2), so a notification names it even after aliases rewrote it.
 */
export function rcptDsnParams(dsn: DsnParameters, recipient: string): string[] {
  const params: string[] = [];
  if (dsn.notify !== undefined && dsn.notify.length > 0) params.push(`NOTIFY=${dsn.notify.map((kind) => kind.toUpperCase()).join(',')}`);
  // RFC 6533: a UTF-8 address travels with the utf-8 address type; an ASCII one as rfc822.
  params.push(/^[\x00-\x7f]*$/.test(recipient) ? `ORCPT=rfc822;${xtext(recipient)}` : `ORCPT=utf-8;${utf8AddrXtext(recipient)}`);
  return params;
}

function hex(octet: number): string {
  return octet.toString(16).toUpperCase().padStart(2, '0');
}
