// English words for what cli/ reports (src/cli/facts.ts), and for sentences not yet coded.
import type { CliErrorFact, CliNote } from '../../cli/facts.js';
import type { UnwordedFact } from '../../errors.js';
import type { UnwordedNote } from '../../events.js';
import type { WordsOf } from '../catalogue.js';

export const errors: WordsOf<CliErrorFact | UnwordedFact> = {
  MAILV_INTERNAL: ({ detail }) => `internal error: ${detail}`,
  MAILV_STEP_STOPPED: () => 'stopped at your request (--step): the message was not sent',
  MAILV_INTERRUPTED: ({ signal }) => `interrupted by ${signal}`,
  MAILV_UNWORDED: ({ text }) => text,
};

export const notes: WordsOf<CliNote | UnwordedNote> = {
  unworded: ({ text }) => text,
};
