// English words for what config/ reports (src/config/facts.ts).
import type { ConfigErrorFact, ConfigNote } from '../../config/facts.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<ConfigErrorFact> = {};

export const notes: WordsOf<ConfigNote> = {};
