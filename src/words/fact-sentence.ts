// A fact's sentence in the words given: what every catalogue's formatters may call, apart from the
// catalogues themselves, so that one language's words need not bring the other's along.
import type { ErrorFact } from '../errors.js';
import type { Note } from '../events.js';
import type { LoadFailure } from '../load/facts.js';
import type { Words } from './catalogue.js';

/** The sentence for an error's fact, as carried by an event (a host left for the next, say). */
export function describeFact(fact: ErrorFact, words: Words): string {
  const format = words.errors[fact.code] as (fact: ErrorFact, words: Words) => string;
  return format(fact, words);
}

export function describeNote(note: Note, words: Words): string {
  const format = words.notes[note.code] as (note: Note, words: Words) => string;
  return format(note, words);
}

/** Why one message of a load run did not get through: its error, or the recipient refused with the reply. */
export function describeLoadFailure(failure: LoadFailure, words: Words): string {
  if (failure.kind === 'error') return failure.numbered ? words.load.numbered(describeFact(failure.error, words)) : describeFact(failure.error, words);
  return words.load.recipient(failure.recipient, failure.outcome, failure.reply.raw.join(' '), failure.numbered === true);
}
