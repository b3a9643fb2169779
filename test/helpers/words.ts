// Assertions on how mailv words a failure: the same fact, in English and in French.
import assert from 'node:assert/strict';
import { UsageError } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';

/** Asserts that `action` throws UsageError (64) worded so in English and in French. */
export function refused(action: () => unknown, english: string, french: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, 64);
    assert.equal(describeError(error, wordsFor('en')), english);
    assert.equal(describeError(error, wordsFor('fr')), french);
    return true;
  });
}
