// The English and French catalogues gather their words from one file per folder. What a run may
// never show (errors, notes, the words of TLS, DNS, --timing, --diagram, the load mode) is made at
// first use, not when the catalogue is made: a run that shows none of it does not pay for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Words } from '../../dist/words/catalogue.js';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';

/** A folder's file: its errors made on demand, its notes (when it has any) a table. */
type Folder = { readonly errors: () => object; readonly notes?: object };

/** The folders whose errors and notes a catalogue gathers. */
const FOLDERS = ['app', 'auth', 'cli', 'config', 'delivery', 'dns', 'message', 'record', 'smtp'];

/** The parts of a catalogue made at first use. */
const ON_DEMAND = ['errors', 'notes', 'dns', 'cli', 'tls', 'timing', 'diagram', 'load'] as const;

// Imported after the catalogues: a folder's file, imported first, would reach its catalogue through
// the renderers' imports before its own words are made.
const foldersOf = (language: string) => Promise.all(FOLDERS.map((folder) => import(`../../dist/words/${language}/${folder}.js`) as Promise<Folder>));
const LANGUAGES: readonly (readonly [string, Words, readonly Folder[]])[] = [
  ['en', en, await foldersOf('en')],
  ['fr', fr, await foldersOf('fr')],
];

for (const [name, words, folders] of LANGUAGES) {
  describe(`the ${name} catalogue`, () => {
    for (const part of ON_DEMAND) {
      it(`makes its ${part} at first use, once: a getter, the same object each time`, () => {
        const descriptor = Object.getOwnPropertyDescriptor(words, part);
        assert.equal(typeof descriptor?.get, 'function', `${part} is made with the catalogue`);
        assert.equal(typeof words[part], 'object');
        assert.equal(words[part], words[part]);
      });
    }

    it("holds every folder's errors, each formatter the folder's own", () => {
      const merged = words.errors as Record<string, unknown>;
      const expected = folders.flatMap((folder) => Object.entries(folder.errors()));
      assert.ok(expected.length > 10, 'errors come from the folders');
      // Made anew by each call, a folder's formatter is known by its text.
      for (const [code, format] of expected) assert.equal(String(merged[code]), String(format), code);
      assert.equal(Object.keys(merged).length, new Set(expected.map(([code]) => code)).size);
    });

    it("holds every folder's notes, each the folder's own", () => {
      const merged = words.notes as Record<string, unknown>;
      const expected = folders.flatMap((folder) => Object.entries(folder.notes ?? {}));
      assert.ok(expected.length > 10, 'notes come from the folders');
      for (const [code, format] of expected) assert.equal(merged[code], format, code);
      assert.equal(Object.keys(merged).length, new Set(expected.map(([code]) => code)).size);
    });
  });
}
