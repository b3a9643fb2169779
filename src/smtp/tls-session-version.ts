// The protocol version a kept TLS session was made under, read from the session itself: OpenSSL's
// DER encoding of it (SSL_SESSION_ASN1) begins with its own format's version, 1, then the
// protocol's (0x0304 for TLS 1.3), and Node gives no other way to ask a session that is not in use.

/** TLS 1.3's version number, as a session holds it. */
export const TLS_1_3 = 0x0304;

/** The session's protocol version, or undefined where the octets are not such a session's start. */
export function sessionProtocolVersion(der: Uint8Array): number | undefined {
  if (der[0] !== SEQUENCE || der.length < 2) return undefined;
  const lengthOctet = der[1]!;
  // The SEQUENCE's length, short or long form: what follows is its first two INTEGERs.
  let at = 2 + (lengthOctet & 0x80 ? lengthOctet & 0x7f : 0);
  if (der[at] !== INTEGER || der[at + 1] !== 1 || der[at + 2] !== SESSION_FORMAT) return undefined;
  at += 3;
  if (der[at] !== INTEGER || der[at + 1] !== 2 || der.length < at + 4) return undefined;
  return (der[at + 2]! << 8) | der[at + 3]!;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
/** SSL_SESSION_ASN1_VERSION. */
const SESSION_FORMAT = 1;
