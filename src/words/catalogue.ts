// The shape every language's words must have: one formatter per error code and per note code.
// A code without words in a language is a compile error, not an English line in a French run.
import type { ErrorFact } from '../errors.js';
import type { Note } from '../events.js';
import type { DnsWords } from './dns-words.js';
import type { OutputWords } from './output-words.js';

/** One formatter per code of the fact union F, each taking exactly that fact. */
export type WordsOf<F extends { readonly code: string }> = {
  readonly [C in F['code']]: (fact: Extract<F, { code: C }>, words: Words) => string;
};

export interface Words {
  readonly errors: WordsOf<ErrorFact>;
  readonly notes: WordsOf<Note>;
  /** DNS words outside errors and notes: no-answer reasons, MX hosts without address, the MX plan. */
  readonly dns: DnsWords;
  /** What the application prints around the events: dry run, demo, spinner, the warning prefix. */
  readonly output: OutputWords;
}
