// English words for what auth/ reports (src/auth/facts.ts).
import type { AuthErrorFact, AuthNote } from '../../auth/facts.js';
import type { WordsOf } from '../catalogue.js';
import { quoteOctets } from '../quote.js';

export const errors: WordsOf<AuthErrorFact> = {};

export const notes: WordsOf<AuthNote> = {
  'sasl-decoded': ({ direction, text }) => `(${direction}, decoded: ${quoteOctets(text)})`,
};
