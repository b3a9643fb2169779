import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, it } from 'node:test';
import { LineEndingNormalizer, normalizeLineEndings } from '../../dist/message/line-endings.js';
import { TextStatsCollector } from '../../dist/message/text-stats.js';
import { DotStuffer } from '../../dist/smtp/dot-stuff.js';
import { WriteBuffer } from '../../dist/smtp/write-buffer.js';

function normalizeSplit(input: Buffer, cut: number): Buffer {
  const normalizer = new LineEndingNormalizer();
  return Buffer.concat([normalizer.push(input.subarray(0, cut)), normalizer.push(input.subarray(cut)), normalizer.end()]);
}

function stuffSplit(input: Buffer, cut: number): Buffer {
  const stuffer = new DotStuffer();
  return Buffer.concat([stuffer.push(input.subarray(0, cut)), stuffer.push(input.subarray(cut)), stuffer.end()]);
}

/** The reverse of dot-stuffing, as a server does it (RFC 5321 §4.5.2). */
function unstuff(data: Buffer): Buffer {
  const text = data.toString('latin1');
  assert.ok(text.endsWith('\r\n.\r\n') || text === '.\r\n');
  const content = text === '.\r\n' ? '' : text.slice(0, -3);
  return Buffer.from(content.replace(/(^|\r\n)\./g, '$1'), 'latin1');
}

describe('line-ending normalisation', () => {
  it('turns bare LF, bare CR and CRLF into CRLF', () => {
    assert.equal(normalizeLineEndings(Buffer.from('a\nb\rc\r\nd')).toString(), 'a\r\nb\r\nc\r\nd');
    assert.equal(normalizeLineEndings(Buffer.from('\r\r\n\n')).toString(), '\r\n\r\n\r\n');
    assert.equal(normalizeLineEndings(Buffer.from('plain')).toString(), 'plain');
  });

  it('never leaves a bare CR or LF, whatever the split', () => {
    const input = Buffer.from('x\r\ny\rz\n\r.\n.\r\r\n\n\r');
    const whole = normalizeLineEndings(input);
    assert.equal(whole.toString(), 'x\r\ny\r\nz\r\n\r\n.\r\n.\r\n\r\n\r\n\r\n');
    for (let cut = 0; cut <= input.length; cut++) assert.deepEqual(normalizeSplit(input, cut), whole, `split at ${cut}`);
  });

  it('passes text already in CRLF form through uncopied, and only that', () => {
    const crlf = Buffer.from('a\r\n.b\r\n\r\nc');
    assert.equal(new LineEndingNormalizer().push(crlf), crlf);
    const noBreak = Buffer.from('no line break at all');
    assert.equal(new LineEndingNormalizer().push(noBreak), noBreak);
    for (const [input, wire] of [
      ['a\r\nb\n', 'a\r\nb\r\n'],
      ['\na\r\n', '\r\na\r\n'],
      ['a\r\nb\rc', 'a\r\nb\r\nc'],
      ['a\r\r\n', 'a\r\n\r\n'],
    ] as const) {
      const out = new LineEndingNormalizer().push(Buffer.from(input));
      assert.equal(out.toString(), wire, JSON.stringify(input));
    }
    // A CR at the end waits for the next chunk: it may be the first half of a CRLF.
    const split = new LineEndingNormalizer();
    assert.equal(split.push(Buffer.from('a\r\nb\r')).toString(), 'a\r\nb');
    assert.equal(split.holdsCr, true);
    assert.equal(split.push(Buffer.from('\nc\r\n')).toString(), '\r\nc\r\n');
  });

  it('gives the same bytes when it reuses its output, if each result is copied at once', () => {
    const input = Buffer.from('x\r\ny\rz\n\r.\n.\r\r\n\n\rlast\r\nline\n');
    const whole = normalizeLineEndings(input);
    for (let first = 0; first <= input.length; first++) {
      for (let second = first; second <= input.length; second++) {
        const normalizer = new LineEndingNormalizer({ reuseOutput: true });
        const copies = [input.subarray(0, first), input.subarray(first, second), input.subarray(second)].map((piece) => Buffer.from(normalizer.push(piece)));
        assert.deepEqual(Buffer.concat([...copies, normalizer.end()]), whole, `split at ${first} and ${second}`);
      }
    }
  });

  it('cannot produce an <LF>.<LF> smuggling sequence', () => {
    const hostile = Buffer.from('Hello\n.\nMAIL FROM:<evil@example.org>\r\n\r.\r\n');
    const wire = normalizeLineEndings(hostile).toString('latin1');
    assert.doesNotMatch(wire, /[^\r]\n|\r[^\n]/);
  });
});

describe('dot-stuffing', () => {
  it('doubles a dot that starts a line and ends with CRLF.CRLF', () => {
    const stuffer = new DotStuffer();
    const out = Buffer.concat([stuffer.push(Buffer.from('.a\r\nb.\r\n.\r\n..\r\n')), stuffer.end()]);
    assert.equal(out.toString(), '..a\r\nb.\r\n..\r\n...\r\n.\r\n');
  });

  it('adds the missing CRLF before the final dot', () => {
    const stuffer = new DotStuffer();
    assert.equal(Buffer.concat([stuffer.push(Buffer.from('no newline')), stuffer.end()]).toString(), 'no newline\r\n.\r\n');
    assert.equal(new DotStuffer().end().toString(), '.\r\n');
  });

  it('passes a chunk with no leading dot through uncopied', () => {
    const chunk = Buffer.from('a\r\nb\r\n');
    assert.equal(new DotStuffer().push(chunk), chunk);
  });

  it('is reversible and independent of the split', () => {
    const content = Buffer.from('.\r\n..\r\nx.\r\n.y\r\n\r\n.\r\nend\r\n');
    const whole = stuffSplit(content, 0);
    for (let cut = 0; cut <= content.length; cut++) assert.deepEqual(stuffSplit(content, cut), whole, `split at ${cut}`);
    assert.deepEqual(unstuff(whole), content);
  });
});

describe('text statistics', () => {
  /** What the statistics must say, from the normalised text itself. */
  function expected(input: Buffer) {
    const wire = normalizeLineEndings(input);
    const text = wire.toString('latin1');
    const lines = text.split('\r\n');
    return {
      wireOctets: wire.length + (wire.length === 0 || text.endsWith('\r\n') ? 0 : 2),
      ascii: !/[\x80-\xff]/.test(input.toString('latin1')),
      utf8: isUtf8(input),
      longestLine: Math.max(...lines.map((line) => line.length)),
      // After 998 octets, then every 997 (the space the break adds starts the next line).
      overlongBreaks: lines.reduce((sum, line) => sum + (line.length > 998 ? Math.ceil((line.length - 998) / 997) : 0), 0),
      hasNul: input.includes(0),
    };
  }

  it('count the same octets and lines whatever the split and whatever the line ends', () => {
    for (const input of [
      Buffer.from('unix\ntext\nonly\n'),
      Buffer.from('crlf\r\ntext\r\n'),
      Buffer.from('mixed\r\nline\nends\rhere\r'),
      Buffer.from('no final break\na longer second line'),
      Buffer.from('été\n\0nul\r\n'),
      // Latin-1 (not UTF-8), and a UTF-8 character a split may cut in two.
      Buffer.from('caf\xe9\n', 'latin1'),
      Buffer.from('na\u00efve \u2014 \u{1f4e7}\n'),
      Buffer.from([0xe2, 0x82, 0x0a]),
      Buffer.from(`${'w'.repeat(999)}\n${'w'.repeat(2000)}\r\n${'w'.repeat(1995)}`),
      // At the edges of a second and a third break: 998 + 997 and 998 + 2 × 997 octets, and one more.
      Buffer.from(`${'w'.repeat(1995)}\n${'w'.repeat(1996)}\n${'w'.repeat(2992)}\n${'w'.repeat(2993)}\n`),
    ]) {
      const want = expected(input);
      for (let cut = 0; cut <= input.length; cut++) {
        const collector = new TextStatsCollector();
        collector.push(input.subarray(0, cut));
        collector.push(input.subarray(cut));
        assert.deepEqual(collector.result(), want, `${JSON.stringify(input.toString())} split at ${cut}`);
      }
    }
  });
});

describe('write buffer', () => {
  it('copies what fits below the limit, and holds it until reset', () => {
    const buffer = new WriteBuffer(8);
    const data = Buffer.from('0123456789');
    assert.equal(buffer.fill(data, 0, 5), 5);
    assert.equal(buffer.fill(data, 5, 5), 0, 'nothing past the limit');
    assert.equal(buffer.fill(data, 5), 3, 'then up to the capacity');
    data.fill(0x2d); // the caller reuses its memory: the buffer kept its own copy
    assert.equal(buffer.contents().toString(), '01234567');
    buffer.reset();
    assert.equal(buffer.length, 0);
    assert.equal(buffer.fill(Buffer.from('ab'), 1), 1);
    assert.equal(buffer.contents().toString(), 'b');
  });
});
