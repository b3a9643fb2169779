import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, it } from 'node:test';
import { BREAK_OCTETS, LineBreaker, foldLongLines } from '../../dist/message/long-lines.js';
import { statsOf } from '../../dist/message/text-stats.js';

/** A small seeded generator: the same cases on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('lines past 998 octets, broken as Postfix breaks them', () => {
  it('in chunks cut anywhere: no line past 998, the text back when the breaks are taken out, as many breaks as the statistics count', async () => {
    const next = random(7);
    for (let round = 0; round < 50; round++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 6) }, () => 'a'.repeat(Math.floor(next() * 3500)));
      const text = Buffer.from(`${lines.join('\r\n')}\r\n`);
      const breaker = new LineBreaker();
      const out: Buffer[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(next() * 1500);
        out.push(Buffer.from(breaker.push(text.subarray(at, at + size))));
        at += size;
      }
      const broken = Buffer.concat(out).toString('latin1');
      assert.ok(
        broken.split('\r\n').every((line) => line.length <= 998),
        `round ${round}`,
      );
      assert.equal(broken.replace(/\r\n /g, ''), text.toString('latin1'), `round ${round}`);
      const { overlongBreaks } = await statsOf(
        (async function* () {
          yield text;
        })(),
      );
      assert.equal(broken.length - text.length, BREAK_OCTETS * overlongBreaks, `round ${round}`);
    }
  });

  it('a line of 998 octets is left as it is; one of 999 is broken once, its last octet after the space', () => {
    const exact = Buffer.from(`${'b'.repeat(998)}\r\n`);
    assert.equal(new LineBreaker().push(exact), exact);
    assert.equal(new LineBreaker().push(Buffer.from(`${'b'.repeat(999)}\r\n`)).toString(), `${'b'.repeat(998)}\r\n b\r\n`);
  });

  it('a header line is folded before its last space or tab within 998 octets, with CRLF and a space only when it has none', () => {
    const words = Array.from({ length: 120 }, (_, index) => `word${index}@example.org,`).join(' ');
    const folded = foldLongLines(`To: ${words}\r\n`);
    assert.ok(folded.split('\r\n').every((line) => line.length <= 998));
    assert.equal(folded.replace(/\r\n(?=[ \t])/g, ''), `To: ${words}\r\n`, 'unfolded, the field as written');
    const solid = `X-Token: ${'t'.repeat(1500)}\r\n`;
    // Folded at its only space, after the name; what is still too long gets CRLF and a space.
    assert.equal(foldLongLines(solid), `X-Token:\r\n ${'t'.repeat(997)}\r\n ${'t'.repeat(503)}\r\n`);
    const short = 'Subject: short\r\n';
    assert.equal(foldLongLines(short), short);
  });

  it('a header line of UTF-8 without spaces (Chinese) is folded between two characters, never inside one', () => {
    const subject = Buffer.from(`Subject: ${'中文主题'.repeat(120)}\r\n`).toString('latin1');
    const folded = foldLongLines(subject);
    assert.ok(folded.split('\r\n').every((line) => line.length <= 998));
    for (const line of folded.split('\r\n')) assert.ok(isUtf8(Buffer.from(line, 'latin1')), 'each line valid UTF-8');
    // Folded at its one space, after the name, then between characters: no octet lost or changed.
    assert.equal(Buffer.from(folded.replace(/[\r\n ]/g, ''), 'latin1').toString(), `Subject:${'中文主题'.repeat(120)}`);
  });

  it('a line long only by its trailing whitespace loses it, and no line of whitespace alone is made', () => {
    assert.equal(foldLongLines(`X-Pad: a${' '.repeat(1200)}\r\n`), 'X-Pad: a\r\n');
    const inner = `X-Gap: a${' '.repeat(1200)}b\r\n`;
    assert.ok(
      foldLongLines(inner)
        .split('\r\n')
        .every((line) => line.length <= 998 && (line === '' || line.trim() !== '')),
    );
  });
});
