// Facts into words: the one place that picks a language's words for an error or a note.
import { MailvError } from '../errors.js';
import type { Note } from '../events.js';
import type { Language } from '../explain/language.js';
import type { Words } from './catalogue.js';
import { en } from './en/index.js';
import { fr } from './fr/index.js';

export function wordsFor(language: Language): Words {
  return language === 'fr' ? fr : en;
}

/** The sentence for a failure, without the `mailv: ` prefix; anything not a MailvError is a bug of mailv's. */
export function describeError(error: unknown, words: Words): string {
  if (!(error instanceof MailvError)) return words.errors.MAILV_UNWORDED({ code: 'MAILV_UNWORDED', text: `internal error: ${(error as Error)?.stack ?? String(error)}` });
  const format = words.errors[error.fact.code] as (fact: MailvError['fact']) => string;
  return format(error.fact);
}

export function describeNote(note: Note, words: Words): string {
  const format = words.notes[note.code] as (note: Note) => string;
  return format(note);
}
