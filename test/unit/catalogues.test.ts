// The English and French catalogues gather their errors and notes from one file per folder. The
// merge is made at first use, not when the catalogue is made: a run that shows no error does not
// pay for it (a dry run then allocates under the young generation's first size, no scavenge).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Words } from '../../dist/words/catalogue.js';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';

type Folder = { readonly errors: object; readonly notes?: object };

/** The folders whose errors and notes a catalogue gathers. */
const FOLDERS = ['app', 'auth', 'cli', 'config', 'delivery', 'dns', 'message', 'record', 'smtp'];

// Imported after the catalogues: a folder's file, imported first, would reach its catalogue through
// the renderers' imports before its own words are made.
const foldersOf = (language: string) => Promise.all(FOLDERS.map((folder) => import(`../../dist/words/${language}/${folder}.js`) as Promise<Folder>));
const LANGUAGES: readonly (readonly [string, Words, readonly Folder[]])[] = [
  ['en', en, await foldersOf('en')],
  ['fr', fr, await foldersOf('fr')],
];

for (const [name, words, folders] of LANGUAGES) {
  describe(`the ${name} catalogue`, () => {
    for (const part of ['errors', 'notes'] as const) {
      it(`makes its ${part} at first use, once: a getter, the same object each time`, () => {
        const descriptor = Object.getOwnPropertyDescriptor(words, part);
        assert.equal(typeof descriptor?.get, 'function', `${part} is not made with the catalogue`);
        assert.equal(words[part], words[part]);
      });

      it(`holds every folder's ${part}, each formatter the folder's own`, () => {
        const merged = words[part] as Record<string, unknown>;
        const expected = folders.flatMap((folder) => Object.entries(folder[part] ?? {}));
        assert.ok(expected.length > 10, `${part} come from the folders`);
        for (const [code, format] of expected) assert.equal(merged[code], format, code);
        assert.equal(Object.keys(merged).length, new Set(expected.map(([code]) => code)).size);
      });
    }
  });
}
