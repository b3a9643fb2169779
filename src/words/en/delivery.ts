// English words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<DeliveryErrorFact> = {};

export const notes: WordsOf<DeliveryNote> = {};
