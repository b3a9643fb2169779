// PEM files as mailv reads them: a file's octets up to a limit, and whether a certificate's block is
// one whole DER structure, told without node:crypto.
import { readSync } from 'node:fs';

/** Whether a PEM block holds base64 that decodes to one DER SEQUENCE whose length is the whole of it. */
export function wholeDer(block: string): boolean {
  const match = /^-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----$/.exec(block);
  return match !== null && sequenceOf(match[1]!)?.beyond === 0;
}

/**
 * The DER a certificate's base64 (blanks aside) holds, without octets after its structure (which
 * OpenSSL's reading of a certificate lets be, and its reading with trust settings, addCACert's,
 * would take for those); undefined when it is no whole DER structure.
 */
export function certificateDer(base64: string): Buffer | undefined {
  return sequenceOf(base64)?.der;
}

/** The outer DER SEQUENCE `base64` decodes to, and how many octets follow it; undefined when there is none whole. */
function sequenceOf(base64: string): { der: Buffer; beyond: number } | undefined {
  const body = base64.replace(/\s+/g, '');
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const der = Buffer.from(body, 'base64');
  if (der.length < 2 || der[0] !== 0x30) return undefined;
  const first = der[1]!;
  const octets = first < 0x80 ? 0 : first & 0x7f;
  if (first >= 0x80 && (octets === 0 || octets > 4 || der.length < 2 + octets)) return undefined;
  const size = 2 + octets + (octets === 0 ? first : der.readUIntBE(2, octets));
  return size > der.length ? undefined : { der: der.subarray(0, size), beyond: der.length - size };
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
