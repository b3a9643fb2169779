// Facts into words: the one place that picks a language's words for an error or a note.
import { MailvError, type ErrorFact } from '../errors.js';
import type { Note } from '../events.js';
import type { LoadFailure } from '../load/facts.js';
import type { Language } from './language.js';
import type { Words } from './catalogue.js';
import { en } from './en/index.js';
import { frenchWords } from './french.js';

export function wordsFor(language: Language): Words {
  return language === 'fr' ? frenchWords() : en;
}

/** The sentence for a failure, without the `mailv: ` prefix; anything not a MailvError is a bug of mailv's. */
export function describeError(error: unknown, words: Words): string {
  if (!(error instanceof MailvError)) return words.errors.MAILV_INTERNAL({ code: 'MAILV_INTERNAL', detail: (error as Error)?.stack ?? String(error) }, words);
  return describeFact(error.fact, words);
}

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
  if (failure.kind === 'error') return describeFact(failure.error, words);
  return words.load.recipient(failure.recipient, failure.outcome, failure.reply.raw.join(' '));
}
