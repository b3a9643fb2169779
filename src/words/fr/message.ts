// French words for what message/ reports (src/message/facts.ts).
import type { MessageErrorFact, MessageNote } from '../../message/facts.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<MessageErrorFact> = {};

export const notes: WordsOf<MessageNote> = {};
