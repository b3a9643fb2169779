// smtp/ and delivery/ raise facts, never sentences: a failure or a note made from a string would
// reach a French run in English, and --json without its code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const SOURCES = ['smtp', 'delivery'].flatMap((folder) =>
  readdirSync(new URL(`../../src/${folder}/`, import.meta.url))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name}`),
);

/**
 * A failure built from a sentence (`new SomeError('no such …')`, with a template too), or a note
 * still in words. A code in quotes (`new NotAFileError('fifo')`) has no space and is no sentence.
 */
const FROM_TEXT = /new \w+Error\(\s*(?:'[^'\n]* |"[^"\n]* |`[^`\n]* )|code: 'unworded'|MAILV_UNWORDED/g;

describe('failures and notes of the session and of delivery', () => {
  it('are built from facts in every file of smtp/ and delivery/', () => {
    assert.ok(SOURCES.length > 15, `found only ${SOURCES.join(', ')}`);
    for (const source of SOURCES) {
      const text = readFileSync(new URL(`../../src/${source}`, import.meta.url), 'utf8');
      const found = [...text.matchAll(FROM_TEXT)].map((match) => text.slice(match.index, text.indexOf('\n', match.index)).trim());
      assert.deepEqual(found, [], `${source} raises a failure from text`);
    }
  });

  it('would catch one', () => {
    const sample = [
      'throw new TransportError(`timed out after the limit`, stage);',
      "throw new ProtocolError('the server sent more', 'starttls');",
      "emit({ kind: 'note', note: { code: 'unworded', text } });",
      "throw new TlsError({ code: 'MAILV_X' }, 'starttls');",
      "throw new NotAFileError('fifo');",
    ].join('\n');
    assert.equal([...sample.matchAll(FROM_TEXT)].length, 3);
  });
});
