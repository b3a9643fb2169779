// The French words, reached through a function so that a run in English need not make them:
// bin/build.mjs makes this module a require() of the catalogue's own bundle (70 KB, french.cjs)
// at the first call, so that a run in English neither reads nor makes it. Here, as the tests
// import it, it is a plain import.
import type { Words } from './catalogue.js';
import { fr } from './fr/index.js';

export function frenchWords(): Words {
  return fr;
}
