// Independent decoders used by tests to check that what mailv encodes decodes back to the input.

/** RFC 2045 §6.7 quoted-printable decoding of CRLF text. */
export function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=') {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 decoding of B and Q encoded-words; whitespace between adjacent words is dropped. */
export function decodeEncodedWords(value: string): string {
  const unfolded = value.replace(/\r\n(?=[ \t])/g, '');
  const joined = unfolded.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, data: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
  );
}
