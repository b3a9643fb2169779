// English words for what dns/ reports (src/dns/facts.ts).
import type { DnsErrorFact, DnsNote } from '../../dns/facts.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<DnsErrorFact> = {};

export const notes: WordsOf<DnsNote> = {};
