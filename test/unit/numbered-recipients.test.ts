import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberedRecipients, numberingProblem } from '../../dist/load/numbered-recipients.js';

describe('recipients numbered for a load run (--vary-recipients)', () => {
  it('gives message n of a run with R recipients the numbers (n − 1)R + 1 to nR, in the envelope order', () => {
    assert.deepEqual(numberedRecipients(['bob@example.org'], 1), ['1bob@example.org']);
    assert.deepEqual(numberedRecipients(['bob@example.org'], 250), ['250bob@example.org']);
    assert.deepEqual(numberedRecipients(['bob@example.org', 'carol@example.org'], 1), ['1bob@example.org', '2carol@example.org']);
    assert.deepEqual(numberedRecipients(['bob@example.org', 'carol@example.org'], 2), ['3bob@example.org', '4carol@example.org']);
  });

  it('numbers a quoted local part inside its quotes, and one in UTF-8 as any other', () => {
    assert.deepEqual(numberedRecipients(['"a b"@example.org', 'jörg@example.org'], 3), ['"5a b"@example.org', '6jörg@example.org']);
  });

  it('finds, before anything is sent, a numbered path past the 254 octets SMTP carries: the last number is the longest', () => {
    const local = (octets: number) => `${'w'.repeat(octets - '@discard.test'.length)}@discard.test`;
    // 9 messages: the last number has one digit; 10: two.
    assert.equal(numberingProblem([local(253)], 9), undefined);
    assert.deepEqual(numberingProblem([local(253)], 10), { kind: 'too-long', example: `10${local(253)}`, octets: 255, limit: 254 });
    // Two recipients, 5 messages: up to 10.
    assert.equal(numberingProblem(['bob@example.org', local(253)], 4), undefined);
    assert.equal(numberingProblem(['bob@example.org', local(253)], 5)?.kind, 'too-long');
  });

  it('finds two recipients that numbering could make one (bob and 1bob: 21bob is both), quoted or not, and no others', () => {
    assert.deepEqual(numberingProblem(['bob@x.test', '1bob@x.test'], 11), { kind: 'may-meet', shorter: 'bob@x.test', longer: '1bob@x.test' });
    assert.deepEqual(numberingProblem(['"12a b"@x.test', '"a b"@x.test'], 1), { kind: 'may-meet', shorter: '"a b"@x.test', longer: '"12a b"@x.test' });
    // Not digits before it, or one quoted and one not: never the same string once numbered.
    assert.equal(numberingProblem(['bob@x.test', 'xbob@x.test', '"1bob"@x.test', 'bob@y.test'], 100), undefined);
  });
});
