// French words for what cli/ reports (src/cli/facts.ts), and for sentences not yet coded.
import type { CliErrorFact, CliNote } from '../../cli/facts.js';
import type { UnwordedFact } from '../../errors.js';
import type { UnwordedNote } from '../../events.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<CliErrorFact | UnwordedFact> = {
  MAILV_INTERNAL: ({ detail }) => `erreur interne : ${detail}`,
  MAILV_STEP_STOPPED: () => "arrêté à votre demande (--step) : le message n'a pas été envoyé",
  MAILV_INTERRUPTED: ({ signal }) => `interrompu par ${signal}`,
  MAILV_UNWORDED: ({ text }) => text,
};

export const notes: WordsOf<CliNote | UnwordedNote> = {
  unworded: ({ text }) => text,
};
