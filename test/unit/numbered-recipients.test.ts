import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberedRecipients } from '../../dist/load/numbered-recipients.js';

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
});
