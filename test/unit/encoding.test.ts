import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Base64Encoder, QuotedPrintableEncoder, base64EncodedSize } from '../../dist/message/encoding.js';
import { decodeQuotedPrintable } from '../helpers/decode.js';

function qp(text: string | Buffer, cuts: number[] = []): string {
  const input = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const encoder = new QuotedPrintableEncoder();
  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    pieces.push(encoder.push(input.subarray(start, cut)));
    start = cut;
  }
  pieces.push(encoder.end());
  return Buffer.concat(pieces).toString('latin1');
}

describe('quoted-printable', () => {
  it('encodes byte for byte as RFC 2045 describes', () => {
    assert.equal(qp('café = 1\r\n'), 'caf=C3=A9 =3D 1\r\n');
    assert.equal(qp('trailing space \r\ntab\t\r\n'), 'trailing space=20\r\ntab=09\r\n');
    assert.equal(qp('a\0b\r\n'), 'a=00b\r\n');
    assert.equal(qp('ends in space '), 'ends in space=20');
  });

  it('keeps every line within 76 characters with soft breaks', () => {
    const long = `${'é'.repeat(100)} ${'x'.repeat(300)}\r\n`;
    const encoded = qp(long);
    for (const line of encoded.split('\r\n')) assert.ok(line.length <= 76, `line of ${line.length}`);
    assert.deepEqual(decodeQuotedPrintable(encoded), Buffer.from(long));
  });

  it('gives the same output however the input is split', () => {
    const text = Buffer.from(`Ligne accentuée ${'à'.repeat(40)} \r\nfin \r\n`);
    const whole = qp(text);
    for (let cut = 0; cut <= text.length; cut++) assert.equal(qp(text, [cut]), whole, `split at ${cut}`);
  });
});

describe('base64', () => {
  it('writes 76-character CRLF lines whose size is known in advance', () => {
    for (const size of [0, 1, 2, 3, 56, 57, 58, 114, 1000, 65536 + 7]) {
      const data = Buffer.alloc(size, 0xa5);
      const encoder = new Base64Encoder();
      const out = Buffer.concat([encoder.push(data.subarray(0, size >> 1)), encoder.push(data.subarray(size >> 1)), encoder.end()]);
      assert.equal(out.length, base64EncodedSize(size), `size for ${size} octets`);
      const lines = out.toString('latin1').split('\r\n');
      assert.equal(lines.pop(), '');
      assert.ok(lines.every((line) => line.length <= 76));
      assert.deepEqual(Buffer.from(lines.join(''), 'base64'), data);
    }
  });

  it('gives the same lines for any split, from lent input into reused output, past one encoding step', () => {
    const data = Buffer.from(Array.from({ length: 57 * 1024 * 2 + 100 }, (_, index) => (index * 131 + (index >> 8)) & 0xff));
    const whole = new Base64Encoder();
    const expected = Buffer.concat([whole.push(data), whole.end()]);
    assert.equal(
      expected.toString('latin1'),
      `${data
        .toString('base64')
        .match(/.{1,76}/g)!
        .join('\r\n')}\r\n`,
    );
    for (const cuts of [[1], [56, 57], [57 * 1024 - 1, 57 * 1024 + 30], [5000, 70000, 116000]]) {
      const encoder = new Base64Encoder({ reuseOutput: true });
      const lent = Buffer.alloc(data.length); // one input buffer, overwritten for every piece
      const out: Buffer[] = [];
      let previous = 0;
      for (const cut of [...cuts, data.length]) {
        const piece = lent.subarray(0, cut - previous);
        data.copy(piece, 0, previous, cut);
        out.push(Buffer.from(encoder.push(piece))); // copied at once, as the sender does
        previous = cut;
      }
      out.push(encoder.end());
      assert.deepEqual(Buffer.concat(out), expected, `cut at ${cuts.join(', ')}`);
    }
  });
});
