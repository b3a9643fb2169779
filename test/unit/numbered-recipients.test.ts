import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberedRecipients, numberingProblem, unnumberedRecipient } from '../../dist/load/numbered-recipients.js';

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

  it('finds, before anything is sent, a numbered path past the 254 octets SMTP carries: each recipient at its own last number', () => {
    const local = (octets: number) => `${'w'.repeat(octets - '@discard.test'.length)}@discard.test`;
    // 9 messages: the last number has one digit; 10: two.
    assert.equal(numberingProblem([local(253)], 9), undefined);
    assert.deepEqual(numberingProblem([local(253)], 10), { kind: 'too-long', example: `10${local(253)}`, octets: 255, limit: 254 });
    // Two recipients: the second gets 2, 4, … 10 over 5 messages, the first 1, 3, … 9 only.
    assert.equal(numberingProblem(['bob@example.org', local(253)], 4), undefined);
    assert.deepEqual(numberingProblem(['bob@example.org', local(253)], 5), { kind: 'too-long', example: `10${local(253)}`, octets: 255, limit: 254 });
    assert.equal(numberingProblem([local(253), 'bob@example.org'], 5), undefined);
  });

  it('finds two recipients that numbering makes one mailbox in this run (bob then 1bob: 21bob in message 11), and no others', () => {
    assert.equal(numberingProblem(['bob@x.test', '1bob@x.test'], 10), undefined);
    assert.deepEqual(numberingProblem(['bob@x.test', '1bob@x.test'], 11), {
      kind: 'may-meet',
      shorter: 'bob@x.test',
      longer: '1bob@x.test',
      example: '21bob@x.test',
      message: 11,
    });
    // The other way round, bob's numbers are even and 1bob's make odd ones: never.
    assert.equal(numberingProblem(['1bob@x.test', 'bob@x.test'], 100_000), undefined);
    // A quoted string is its content (RFC 5322 §3.2.4): "21bob" and 21bob are one mailbox.
    assert.equal(numberingProblem(['bob@x.test', '"1bob"@x.test'], 11)?.kind, 'may-meet');
    assert.deepEqual(numberingProblem(['"12a b"@x.test', '"a b"@x.test'], 56), {
      kind: 'may-meet',
      shorter: '"a b"@x.test',
      longer: '"12a b"@x.test',
      example: '"112a b"@x.test',
      message: 56,
    });
    assert.equal(numberingProblem(['"12a b"@x.test', '"a b"@x.test'], 55), undefined);
    // Not digits before it, or another domain: never the same mailbox.
    assert.equal(numberingProblem(['bob@x.test', 'xbob@x.test', '1bob@y.test'], 1000), undefined);
  });

  it('finds the address given behind a numbered recipient, at a number of its own position only', () => {
    // bob and 1bob meet in message 11 (31bob): a run of 10 may have both.
    const given = ['bob@x.test', '"a b"@x.test', '1bob@x.test'];
    assert.equal(numberingProblem(given, 10), undefined);
    for (const sequence of [1, 2, 7, 10]) {
      const sent = numberedRecipients(given, sequence);
      assert.deepEqual(
        sent.map((recipient) => unnumberedRecipient(given, 10, recipient)),
        given,
      );
    }
    // 31bob is 1bob's in message 1, not bob's (message 11, past the run); bob is first of three:
    // 1, 4, 7 …, so 2bob is no number of its; 0 and 01 no number at all; 34bob past the run.
    assert.equal(unnumberedRecipient(given, 10, '31bob@x.test'), '1bob@x.test');
    for (const recipient of ['2bob@x.test', '0bob@x.test', '01bob@x.test', '34bob@x.test', 'bob@x.test', '"a b"@x.test', 'a b@x.test', 'carol@x.test'])
      assert.equal(unnumberedRecipient(given, 10, recipient), undefined, recipient);
  });
});
