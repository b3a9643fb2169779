// What cli/ reports, as data: the codes of its failures and of its notes, with their parameters.
// The words for each are in src/words/en/cli.ts and src/words/fr/cli.ts.

/** Failures raised in cli/ (and the user's own stops, wherever they land). */
export type CliErrorFact =
  /** A bug of mailv's: anything thrown that is not a MailvError (70). */
  | { readonly code: 'MAILV_INTERNAL'; readonly detail: string }
  | { readonly code: 'MAILV_STEP_STOPPED' }
  | { readonly code: 'MAILV_INTERRUPTED'; readonly signal: NodeJS.Signals };

/** Notes emitted from cli/. */
export type CliNote = never;
