import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplyScanner } from '../../dist/smtp/reply-scanner.js';
import { MAX_REPLY_LINE, MAX_REPLY_LINES, ReplyReader, ReplySyntaxError, type Reply } from '../../dist/smtp/reply.js';

/** What the scanner finds in `chunks`, read one after another into one buffer as the express lane reads them. */
function scan(chunks: readonly Buffer[]): { replies: { code: number; octets: string }[]; fault: boolean } {
  const all = Buffer.concat(chunks);
  const scanner = new ReplyScanner();
  const replies: { code: number; octets: string }[] = [];
  let length = 0;
  for (const chunk of chunks) {
    length += chunk.length;
    for (let found = scanner.next(all, length); found !== 'more'; found = scanner.next(all, length)) {
      if (found === 'fault') return { replies, fault: true };
      replies.push({ code: scanner.code, octets: all.subarray(scanner.start, scanner.end).toString('latin1') });
    }
  }
  return { replies, fault: false };
}

/** What ReplyReader makes of the same chunks: its replies, and whether it found a fault. */
function read(chunks: readonly Buffer[]): { replies: Reply[]; fault: boolean } {
  const reader = new ReplyReader();
  const replies: Reply[] = [];
  for (const chunk of chunks) {
    try {
      replies.push(...reader.push(chunk));
    } catch (error) {
      assert.ok(error instanceof ReplySyntaxError);
      return { replies: [...replies, ...error.before], fault: true };
    }
  }
  return { replies, fault: false };
}

/** The scanner agrees with ReplyReader on `text`, whole and split at every octet: the same replies, codes and enhanced codes, and a fault where it finds one. */
function agrees(text: string | Buffer): void {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  const splits: Buffer[][] = [[bytes]];
  if (bytes.length < 400) for (let cut = 1; cut < bytes.length; cut++) splits.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  for (const chunks of splits) {
    const expected = read(chunks);
    const found = new ReplyScanner();
    const all = Buffer.concat(chunks);
    let length = 0;
    let index = 0;
    let fault = false;
    for (const chunk of chunks) {
      length += chunk.length;
      for (let scanned = found.next(all, length); scanned !== 'more' && !fault; scanned = found.next(all, length)) {
        if (scanned === 'fault') {
          fault = true;
          break;
        }
        const reply = expected.replies[index++];
        const where = `${JSON.stringify(bytes.toString('latin1'))} split ${chunks.map((chunk) => chunk.length).join('+')}`;
        assert.ok(reply !== undefined, `a reply ReplyReader did not find: ${where}`);
        assert.equal(found.code, reply.code, where);
        assert.ok(found.enhancedIs(all, reply.enhanced), `enhanced ${reply.enhanced}: ${where}`);
        assert.ok(!found.enhancedIs(all, reply.enhanced === undefined ? '2.0.0' : undefined), `enhanced, the other way: ${where}`);
        assert.ok(!found.enhancedIs(all, `${reply.enhanced ?? '2.0.0'}0`), `a longer enhanced code: ${where}`);
      }
      if (fault) break;
    }
    assert.equal(index, expected.replies.length, `replies found: ${JSON.stringify(bytes.toString('latin1'))}`);
    assert.equal(fault, expected.fault, `fault: ${JSON.stringify(bytes.toString('latin1'))}`);
  }
}

describe('ReplyScanner', () => {
  it('finds the replies of a dialogue, their codes and where their octets are', () => {
    const { replies, fault } = scan([
      Buffer.from('220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n250 2.1.0 Ok\r\n354 Go on\r\n250 2.0.0 Ok: queued as 4Xy\r\n221 2.0.0 Bye\r\n'),
    ]);
    assert.equal(fault, false);
    assert.deepEqual(
      replies.map(({ code }) => code),
      [220, 250, 250, 354, 250, 221],
    );
    assert.deepEqual(
      replies.map(({ octets }) => octets),
      [
        '220 mx ESMTP\r\n',
        '250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n',
        '250 2.1.0 Ok\r\n',
        '354 Go on\r\n',
        '250 2.0.0 Ok: queued as 4Xy\r\n',
        '221 2.0.0 Bye\r\n',
      ],
    );
  });

  it('reads every reply as ReplyReader does, however the octets are split', () => {
    for (const text of [
      '220 mx.example.org ESMTP\r\n',
      '250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n',
      '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n',
      '250 2.0.0\r\n',
      '250 2.0.0Ok\r\n',
      '250 2.0.00 Ok\r\n',
      '250 2.1234.0 Ok\r\n',
      '250 2.123.456 Ok\r\n',
      '250 2..0 Ok\r\n',
      '250 2.0. Ok\r\n',
      '550 2.0.0 class of another reply\r\n',
      '354 3.0.0 no enhanced code for 3yz\r\n',
      '451 4.7.1 Try later\r\n',
      '250\r\n',
      '250\n',
      '250 Ok\n221 Bye\n',
      '250-first 2.0.0\r\n250 2.0.0 last\r\n',
      '250-2.1.0 first\r\n250 second\r\n',
      '250 \r\n',
      '250-\r\n250 \r\n',
      '250 Ok\r\r\n',
      '250 caf\xe9 \xff\r\n',
      '250 2.0.0\xa0Ok\r\n',
      '250-a\r\n251 b\r\n',
      '250-a\r\n350 b\r\n',
      '250-a\r\n25\r\n',
      '25\r\n',
      '\r\n',
      '250+Ok\r\n',
      '150 Ok\r\n',
      '650 Ok\r\n',
      '2x0 Ok\r\n',
      'hello\r\n',
      '250 Ok\r\n250 Ok',
      '250-unfinished',
    ])
      agrees(text);
  });

  it('finds a fault where ReplyReader does at its limits, and none below them', () => {
    agrees(`250 ${'x'.repeat(MAX_REPLY_LINE - 4)}\r\n`);
    agrees(`250 ${'x'.repeat(MAX_REPLY_LINE - 3)}\r\n`);
    agrees(`250 ${'x'.repeat(MAX_REPLY_LINE - 3)}\n`);
    agrees(`250 ${'x'.repeat(MAX_REPLY_LINE)}`);
    agrees(`250 ${'x'.repeat(MAX_REPLY_LINE - 3)}\r`);
    agrees(`${'250-x\r\n'.repeat(MAX_REPLY_LINES - 1)}250 x\r\n`);
    agrees(`${'250-x\r\n'.repeat(MAX_REPLY_LINES)}250 x\r\n`);
  });

  it('scans only what was read: octets past the length given are not there yet', () => {
    const all = Buffer.from('250 Ok\r\n221 Bye\r\n');
    const scanner = new ReplyScanner();
    assert.equal(scanner.next(all, 5), 'more');
    assert.equal(scanner.next(all, 8), 'reply');
    assert.equal(scanner.code, 250);
    assert.equal(scanner.next(all, 8), 'more');
    assert.equal(scanner.next(all, all.length), 'reply');
    assert.deepEqual([scanner.code, scanner.start, scanner.end], [221, 8, all.length]);
  });
});
