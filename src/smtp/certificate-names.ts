// A certificate's subject and issuer read from its DER encoding (RFC 5280 §4.1), in the
// certificate's own order: Node's object of them groups the values of one attribute together and
// loses that order (CN=a, O=b, CN=c read as CN=a, CN=c, O=b), and splits a multi-valued RDN
// (O=a+OU=b). Written as one line, RDNs by `, ` and the values of one by `+`, each value escaped as
// RFC 4514 §2.4 says.
import { attributeValue } from './distinguished-name.js';

export interface CertificateNames {
  readonly subject: string;
  readonly issuer: string;
}

/** The names of the certificate `der`; undefined when it cannot be read as one. */
export function certificateNames(der: Buffer): CertificateNames | undefined {
  try {
    const certificate = element(der, 0, 0x30);
    const tbs = element(der, certificate.start, 0x30);
    let at = tbs.start;
    // [0] version, present from v2 on; then the serial number and the signature algorithm.
    if (der[at] === 0xa0) at = element(der, at).end;
    at = element(der, at, 0x02).end;
    at = element(der, at, 0x30).end;
    const issuer = element(der, at, 0x30);
    const validity = element(der, issuer.end, 0x30);
    const subject = element(der, validity.end, 0x30);
    return { subject: name(der, subject), issuer: name(der, issuer) };
  } catch {
    return undefined;
  }
}

/** The bytes are no certificate of the shape read here: caught, the names then come from Node. */
class MalformedDer extends Error {}

interface Element {
  readonly tag: number;
  /** Where the contents begin. */
  readonly start: number;
  /** Just past the contents. */
  readonly end: number;
  /** Where the element itself begins, its tag. */
  readonly from: number;
}

/** The DER element at `at`, of tag `tag` when one is given; throws when the bytes are no such element. */
function element(der: Buffer, at: number, tag?: number): Element {
  const found = der[at];
  if (found === undefined || (tag !== undefined && found !== tag)) throw new MalformedDer();
  let length = der[at + 1];
  let start = at + 2;
  if (length === undefined) throw new MalformedDer();
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new MalformedDer();
    length = 0;
    for (let index = 0; index < octets; index++) length = length * 256 + (der[start + index] ?? Number.NaN);
    start += octets;
  }
  const end = start + length;
  if (!Number.isInteger(end) || end > der.length) throw new MalformedDer();
  return { tag: found, start, end, from: at };
}

/** Every element inside `parent`, in order. */
function children(der: Buffer, parent: Element): Element[] {
  const found: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = element(der, at);
    if (child.end > parent.end) throw new MalformedDer();
    found.push(child);
    at = child.end;
  }
  return found;
}

/** A Name: RDNs by `, `, the values of one RDN by `+`. */
function name(der: Buffer, sequence: Element): string {
  return children(der, sequence)
    .map((rdn) => {
      if (rdn.tag !== 0x31) throw new MalformedDer();
      return children(der, rdn)
        .map((pair) => {
          const [type, value] = children(der, pair);
          if (type?.tag !== 0x06 || value === undefined) throw new MalformedDer();
          const oid = objectIdentifier(der.subarray(type.start, type.end));
          const text = stringValue(der, value);
          // RFC 4514 §2.4: a value of no string type, as `#` and the hex of its encoding.
          return `${SHORT_NAMES[oid] ?? oid}=${text === undefined ? `#${der.subarray(value.from, value.end).toString('hex')}` : attributeValue(text)}`;
        })
        .join('+');
    })
    .join(', ');
}

/** The value of a string type, decoded; undefined for any other type. */
function stringValue(der: Buffer, value: Element): string | undefined {
  const bytes = der.subarray(value.start, value.end);
  switch (value.tag) {
    case 0x0c: // UTF8String
      return bytes.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString, read as Latin-1 as OpenSSL shows it
      return bytes.toString('latin1');
    case 0x1e: // BMPString: UTF-16, big-endian
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x1c: {
      // UniversalString: UTF-32, big-endian
      let text = '';
      for (let index = 0; index + 3 < bytes.length; index += 4) text += String.fromCodePoint(bytes.readUInt32BE(index));
      return text;
    }
    default:
      return undefined;
  }
}

/** Dotted decimal, from the contents of an OBJECT IDENTIFIER. */
function objectIdentifier(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

/** The short names OpenSSL gives the attributes certificates hold (and Node's object uses). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};
