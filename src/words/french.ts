// The French words, reached through a function so that a run in English need not make them:
// bin/build.mjs bundles this module as a require() of ./fr/index.ts made at the first call, and
// the bundler then makes that catalogue (70 KB) only when a run speaks French. Here, as the tests
// import it, it is a plain import.
import type { Words } from './catalogue.js';
import { fr } from './fr/index.js';

export function frenchWords(): Words {
  return fr;
}
