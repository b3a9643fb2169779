// The folders that check what the user gives (addresses, headers, the message, the accounts file,
// AUTH) raise facts, never sentences: a failure made from a string would reach a French run in
// English, and --json without its code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const SOURCES = [
  ...['auth', 'message', 'config'].flatMap((folder) =>
    readdirSync(new URL(`../../src/${folder}/`, import.meta.url))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${folder}/${name}`),
  ),
  'smtp/authenticate.ts',
  'smtp/redact.ts',
];

/** A failure built from text: `new SomeError('…')`, `new SomeError(\`…\`)`, `new SaslFailure("…")`. */
const FROM_TEXT = /new (?:\w+Error|SaslFailure)\(\s*['"`]/g;

describe('failures raised from what the user gives', () => {
  it('are built from facts in every file of auth/, message/, config/ and AUTH', () => {
    assert.ok(SOURCES.length > 20, `found only ${SOURCES.join(', ')}`);
    for (const source of SOURCES) {
      const text = readFileSync(new URL(`../../src/${source}`, import.meta.url), 'utf8');
      const found = [...text.matchAll(FROM_TEXT)].map((match) => text.slice(match.index, text.indexOf('\n', match.index)).trim());
      assert.deepEqual(found, [], `${source} raises a failure from text`);
    }
  });

  it('would catch one', () => {
    const sample = "throw new UsageError(`invalid ${what}`);\nthrow new AuthError('no', 'auth');\nthrow new SaslFailure('bad');\nthrow new UsageError({ code: 'MAILV_X' });";
    assert.equal([...sample.matchAll(FROM_TEXT)].length, 3);
  });
});
