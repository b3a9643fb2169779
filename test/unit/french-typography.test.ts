// French words use one apostrophe, the typographic ’ (« l’accueil »), in the catalogues of the
// transcript, the errors and the explanations alike: they share a projected screen in class.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../helpers/test-source.js';
import { de } from '../../dist/words/french-elision.js';

const SOURCES = fileURLToPath(new URL('../../src/', import.meta.url));
const FRENCH = [
  ...readdirSync(`${SOURCES}words/fr`)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `words/fr/${name}`),
  'explain/fr.ts',
];

/** An elision written with the straight quote: l'accueil, n'est, qu'il, aujourd'hui. */
const STRAIGHT_ELISION = /\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|aujourd)'(?=[\p{L}])/iu;

/** The text of every string and template piece of a source, with its line. */
function texts(source: string): { text: string; line: number }[] {
  return tokenize(source).flatMap((token) =>
    token.template ? [{ text: token.template.text, line: token.line }] : token.kind === 'string' ? [{ text: token.text, line: token.line }] : [],
  );
}

describe('French typography', () => {
  it('elides de before a name that starts with a vowel, in the words that name hosts and domains', () => {
    assert.deepEqual(['equal.test', 'aonly.test', 'Éco.fr', 'bücher.test', '127.0.0.1', 'hôte.test', 'yahoo.fr', 'yquem.fr'].map(de), [
      'd’equal.test',
      'd’aonly.test',
      'd’Éco.fr',
      'de bücher.test',
      'de 127.0.0.1',
      'de hôte.test',
      'de yahoo.fr',
      'd’yquem.fr',
    ]);
  });

  it('finds a straight elision in a string, and not the quotes around it', () => {
    assert.deepEqual(
      texts(['const a = "l\'accueil";', "const b = 'l’accueil';", "const c = `d'$" + '{x}`;'].join('\n')).filter(({ text }) => STRAIGHT_ELISION.test(text)),
      [{ text: "l'accueil", line: 1 }],
    );
  });

  for (const file of FRENCH) {
    it(`${file}: every elision with ’`, () => {
      const straight = texts(readFileSync(`${SOURCES}${file}`, 'utf8')).filter(({ text }) => STRAIGHT_ELISION.test(text));
      assert.deepEqual(
        straight.map(({ text, line }) => `${file}:${line}: ${text}`),
        [],
      );
    });
  }
});
