// French words for what smtp/ reports (src/smtp/facts.ts).
import type { SmtpErrorFact, SmtpNote } from '../../smtp/facts.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<SmtpErrorFact> = {};

export const notes: WordsOf<SmtpNote> = {};
