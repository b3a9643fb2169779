// What config/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/config.ts and src/words/fr/config.ts.

/** Failures raised in config/. */
export type ConfigErrorFact = never;

/** Notes emitted from config/ (facts worth showing that are not failures). */
export type ConfigNote = never;
