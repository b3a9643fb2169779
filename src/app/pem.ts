// PEM files as mailv reads them: a file's octets up to a limit, and whether a certificate's block is
// one whole DER structure, told without node:crypto.
import { readSync } from 'node:fs';

/**
 * Whether a PEM block holds base64 that decodes to one DER SEQUENCE whose length is the whole of it;
 * with `ignored`, octets after it are let be, as OpenSSL's reading of a certificate lets them be.
 */
export function wholeDer(block: string, trailingOctets: 'refused' | 'ignored' = 'refused'): boolean {
  const match = /^-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----$/.exec(block);
  const body = match?.[1]?.replace(/\s+/g, '');
  if (body === undefined || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return false;
  const der = Buffer.from(body, 'base64');
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1]!;
  const fits = (size: number) => (trailingOctets === 'ignored' ? size <= der.length : size === der.length);
  if (first < 0x80) return fits(2 + first);
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || der.length < 2 + octets) return false;
  return fits(2 + octets + der.readUIntBE(2, octets));
}

/** Read at a time: whole blocks, since some files take no other (/proc/self/pagemap, 8 octets a record). */
const READ_BLOCK = 64 * 1024;

/** The file's octets, read to its end or until there are more than `limit` (then the caller refuses it). */
export function readUpTo(fd: number, limit: number): Buffer {
  const buffer = Buffer.allocUnsafe(limit + READ_BLOCK);
  let length = 0;
  for (let read = -1; read !== 0 && length <= limit; length += read) read = readSync(fd, buffer, length, READ_BLOCK, null);
  // A copy of what was read: the buffer of the limit's size is not kept with the certificate.
  return Buffer.from(buffer.subarray(0, length));
}

/**
 * The DER a certificate's PEM block holds, without octets after its structure (which OpenSSL's
 * reading of a certificate lets be, and its reading with trust settings, addCACert's, would take
 * for those); undefined when it is no whole DER structure in base64.
 */
export function derOf(block: string): Buffer | undefined {
  if (!wholeDer(block, 'ignored')) return undefined;
  const der = Buffer.from(block.slice('-----BEGIN CERTIFICATE-----'.length, -'-----END CERTIFICATE-----'.length).replace(/\s+/g, ''), 'base64');
  const first = der[1]!;
  const size = first < 0x80 ? 2 + first : 2 + (first & 0x7f) + der.readUIntBE(2, first & 0x7f);
  return der.subarray(0, size);
}
