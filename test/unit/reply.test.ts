import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REPLY_LINE, MAX_REPLY_LINES, ReplyReader, ReplySyntaxError, replyText, type Reply } from '../../dist/smtp/reply.js';

const EHLO = '250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n';
const STREAM = `220 mx.example.org ESMTP ready\r\n${EHLO}250 2.1.0 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n`;

function readAll(chunks: Buffer[]): Reply[] {
  const reader = new ReplyReader();
  return chunks.flatMap((chunk) => reader.push(chunk));
}

describe('ReplyReader', () => {
  it('parses single and multi-line replies with their raw lines', () => {
    const replies = readAll([Buffer.from(STREAM)]);
    assert.deepEqual(
      replies.map((reply) => reply.code),
      [220, 250, 250, 354],
    );
    assert.deepEqual(replies[1]!.raw, ['250-mx.example.org', '250-PIPELINING', '250-SIZE 10240000', '250 8BITMIME']);
    assert.deepEqual(replies[1]!.lines, ['mx.example.org', 'PIPELINING', 'SIZE 10240000', '8BITMIME']);
  });

  it('gives the same replies however the stream is split', () => {
    const whole = readAll([Buffer.from(STREAM)]);
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(readAll([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `split at ${cut}`);
    }
    assert.deepEqual(readAll([...bytes].map((byte) => Buffer.from([byte]))), whole, 'one byte per read');
  });

  it('keeps enhanced status codes of the reply class only', () => {
    const [ok, bad, none] = readAll([Buffer.from('250 2.1.5 Ok\r\n550 2.1.5 odd\r\n250 Ok\r\n')]);
    assert.equal(ok!.enhanced, '2.1.5');
    assert.equal(bad!.enhanced, undefined);
    assert.equal(none!.enhanced, undefined);
  });

  it('reads an enhanced code as RFC 3463 writes it: class, two numbers of 1 to 3 digits, then a space or the end', () => {
    const cases: [string, string | undefined][] = [
      ['250 2.1.5 Ok', '2.1.5'],
      ['250 2.1.5', '2.1.5'],
      ['250 2.01.005 padded', '2.01.005'],
      ['250 2.123.456 widest', '2.123.456'],
      ['250 2.1234.5 too wide', undefined],
      ['250 2.1.5678 too wide', undefined],
      ['250 2.1.5x glued', undefined],
      ['250 2.1.5\ttab', undefined],
      ['250 2..5 empty', undefined],
      ['250 2.1. empty', undefined],
      ['250 2.1 short', undefined],
      ['250  2.1.5 indented', undefined],
      ['451 4.3.0 Try later', '4.3.0'],
      ['550 5.7.1 Refused', '5.7.1'],
      ['354 3.0.0 no such class', undefined],
      ['451 2.1.5 wrong class', undefined],
    ];
    for (const [line, enhanced] of cases) assert.equal(readAll([Buffer.from(`${line}\r\n`)])[0]!.enhanced, enhanced, line);
  });

  it('accepts a bare LF line end and a code with no text', () => {
    const [reply] = readAll([Buffer.from('250\n')]);
    assert.equal(reply!.code, 250);
    assert.deepEqual(reply!.lines, ['']);
  });

  it('rejects malformed replies', () => {
    assert.throws(() => readAll([Buffer.from('HTTP/1.1 400 Bad Request\r\n')]), ReplySyntaxError);
    assert.throws(() => readAll([Buffer.from('25 short\r\n')]), ReplySyntaxError);
    assert.throws(() => readAll([Buffer.from('650 no such class\r\n')]), ReplySyntaxError);
    assert.throws(() => readAll([Buffer.from('250x\r\n')]), ReplySyntaxError);
  });

  it('hands over, with a fault, the good replies the same bytes completed before it', () => {
    const reader = new ReplyReader();
    assert.throws(
      () => reader.push(Buffer.from('250 2.1.0 Ok\r\n250-first\r\n250 second\r\nhello there\r\n250 never read\r\n')),
      (error: unknown) => {
        assert.ok(error instanceof ReplySyntaxError);
        assert.deepEqual(error.fault, { fault: 'malformed', text: 'hello there' });
        assert.deepEqual(
          error.before.map((reply) => reply.raw),
          [['250 2.1.0 Ok'], ['250-first', '250 second']],
        );
        return true;
      },
    );
    // A line too long, left unfinished at the end of the bytes: the replies before it all the same.
    const long = new ReplyReader();
    assert.throws(
      () => long.push(Buffer.from(`221 Bye\r\n250 ${'x'.repeat(9000)}`)),
      (error: unknown) =>
        error instanceof ReplySyntaxError && error.fault.fault === 'line-too-long' && error.before.length === 1 && error.before[0]!.code === 221,
    );
  });

  it('rejects a multi-line reply whose codes differ', () => {
    assert.throws(() => readAll([Buffer.from('250-first\r\n251 second\r\n')]), { fault: { fault: 'mixed-codes', first: '250', second: '251' } });
  });

  it('keeps the lines of the reply that broke, as received and masked, for the transcript to show', () => {
    const masking = () => new ReplyReader((text) => text.replaceAll('s3cret', '*'.repeat(6)));
    assert.throws(
      () => masking().push(Buffer.from('220 ok\r\n250-first s3cret\r\n251 second\r\n')),
      (error: unknown) => error instanceof ReplySyntaxError && error.before.length === 1 && deepEqual(error.received, ['250-first ******', '251 second']),
    );
    assert.throws(
      () => masking().push(Buffer.from('250-a\r\n250\tb s3cret\r\n')),
      (error: unknown) => error instanceof ReplySyntaxError && error.fault.fault === 'malformed' && deepEqual(error.received, ['250-a', '250\tb ******']),
    );
    // Cut short: the lines of a reply not finished, and the start of the next, its CR left out.
    const cut = masking();
    assert.deepEqual(cut.push(Buffer.from('220 ok\r\n250-first\r\n250-sec s3cret\r')), [makeOk()]);
    assert.deepEqual(cut.unfinishedLines(), ['250-first', '250-sec ******']);
    assert.deepEqual(new ReplyReader().unfinishedLines(), []);
  });

  it('bounds a line without end and a reply without end', () => {
    const reader = new ReplyReader();
    const chunk = Buffer.alloc(4096, 0x41);
    assert.throws(
      () => {
        for (let i = 0; i < 10; i++) reader.push(chunk);
      },
      { fault: { fault: 'line-too-long', limit: MAX_REPLY_LINE } },
    );
    const many = Buffer.from('250-x\r\n'.repeat(MAX_REPLY_LINES + 1));
    assert.throws(() => new ReplyReader().push(many), { fault: { fault: 'too-many-lines', limit: 512 } });
  });

  it('takes a line of the longest length wherever the stream is cut, even between its CR and LF', () => {
    const line = `250 ${'x'.repeat(MAX_REPLY_LINE - 4)}`;
    const bytes = Buffer.from(`${line}\r\n`);
    for (const cut of [MAX_REPLY_LINE - 1, MAX_REPLY_LINE, MAX_REPLY_LINE + 1]) {
      const [reply] = readAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(reply?.raw, [line], `cut at ${cut}`);
    }
    const over = Buffer.from(`250 ${'x'.repeat(MAX_REPLY_LINE - 3)}\r\n`);
    assert.throws(() => readAll([over.subarray(0, MAX_REPLY_LINE + 1), over.subarray(MAX_REPLY_LINE + 1)]), {
      fault: { fault: 'line-too-long', limit: MAX_REPLY_LINE },
    });
  });

  it('masks what it is told to in the text of each line and in the quote of a malformed one, never in the code', () => {
    const mask = (text: string) => text.split('s3cret').join('********');
    const reader = new ReplyReader(mask);
    const [reply] = reader.push(Buffer.from('550-5.1.1 you said s3cret\r\n550 s3cret again\r\n'));
    assert.deepEqual(reply!.raw, ['550-5.1.1 you said ********', '550 ******** again']);
    assert.deepEqual(reply!.lines, ['5.1.1 you said ********', '******** again']);
    assert.equal(reply!.enhanced, '5.1.1');
    assert.throws(() => new ReplyReader(mask).push(Buffer.from('s3cret\r\n')), { fault: { fault: 'malformed', text: '********' } });
    const plain = readAll([Buffer.from('250 Ok\r\n')]);
    assert.equal(new ReplyReader(mask).push(Buffer.from('250 Ok\r\n'))[0]!.raw[0], plain[0]!.raw[0]);
  });

  it('joins the text of a reply as sendmail quotes it', () => {
    const [reply] = readAll([Buffer.from('250 2.0.0 Ok: queued as 4Xy\r\n')]);
    assert.equal(replyText(reply!), '2.0.0 Ok: queued as 4Xy');
  });
});

function deepEqual(actual: unknown, expected: unknown): boolean {
  assert.deepEqual(actual, expected);
  return true;
}

function makeOk(): Reply {
  return { code: 220, enhanced: undefined, lines: ['ok'], raw: ['220 ok'] };
}
