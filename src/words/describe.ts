// Facts into words: the one place that picks a language's words for an error or a note.
import { MailvError } from '../errors.js';
import { describeFact } from './fact-sentence.js';
import type { Language } from './language.js';
import type { Words } from './catalogue.js';
import { en } from './en/index.js';
import { frenchWords } from './french.js';
import { internalFailure } from '../internal-failure.js';

export { describeFact, describeLoadFailure, describeNote } from './fact-sentence.js';

export function wordsFor(language: Language): Words {
  return language === 'fr' ? frenchWords() : en;
}

/** The sentence for a failure, without the `mailv: ` prefix; anything not a MailvError is a bug of mailv's. */
export function describeError(error: unknown, words: Words): string {
  if (!(error instanceof MailvError)) return words.errors.MAILV_INTERNAL(internalFailure(error), words);
  return describeFact(error.fact, words);
}
