// Postfix's XCLIENT (postfix.org/XCLIENT_README.html): a test client authorised by
// smtpd_authorized_xclient_hosts claims another client's address, name or HELO; the server answers
// with a new greeting (220) and the session starts again from EHLO.

/** One attribute as sent: NAME in capitals, the value as the user gave it (xtext-encoded on the wire). */
export interface XclientAttribute {
  readonly name: string;
  readonly value: string;
}

/** The attributes Postfix knows (XCLIENT_README, "XCLIENT Command syntax"); others it refuses with 501. */
export const XCLIENT_NAMES = ['ADDR', 'PORT', 'NAME', 'REVERSE_NAME', 'HELO', 'PROTO', 'LOGIN', 'DESTADDR', 'DESTPORT'] as const;

/**
 * RFC 3461 §4 xtext, which XCLIENT values use: `+`, `=`, controls, space and anything beyond
 * ASCII as `+HH` of each UTF-8 octet.
 */
export function xtext(value: string): string {
  let encoded = '';
  for (const octet of Buffer.from(value, 'utf8')) {
    encoded +=
      octet >= 0x21 && octet <= 0x7e && octet !== 0x2b && octet !== 0x3d ? String.fromCharCode(octet) : `+${octet.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** `XCLIENT NAME=value …`, without CRLF. */
export function xclientLine(attributes: readonly XclientAttribute[]): string {
  return ['XCLIENT', ...attributes.map(({ name, value }) => `${name}=${xtext(value)}`)].join(' ');
}
