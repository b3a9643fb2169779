import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineEndingNormalizer, normalizeLineEndings } from '../../dist/message/line-endings.js';
import { DotStuffer } from '../../dist/smtp/dot-stuff.js';

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
