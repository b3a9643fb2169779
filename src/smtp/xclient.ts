// Postfix's XCLIENT (postfix.org/XCLIENT_README.html): a test client authorised by
// smtpd_authorized_xclient_hosts claims another client's address, name or HELO; the server answers
// with a new greeting (220) and the session starts again from EHLO.
// Its values are in xtext, DSN's encoding (RFC 3461 §4).
import { xtext } from './dsn.js';

/** One attribute as sent: NAME in capitals, the value as the user gave it (xtext-encoded on the wire). */
export interface XclientAttribute {
  readonly name: string;
  readonly value: string;
}

/** `XCLIENT NAME=value …`, without CRLF. */
export function xclientLine(attributes: readonly XclientAttribute[]): string {
  return ['XCLIENT', ...attributes.map(({ name, value }) => `${name}=${xtext(value)}`)].join(' ');
}
