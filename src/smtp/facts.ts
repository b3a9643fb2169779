// What smtp/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/smtp.ts and src/words/fr/smtp.ts.

/** Failures raised in smtp/. */
export type SmtpErrorFact = never;

/** Notes emitted from smtp/ (facts worth showing that are not failures). */
export type SmtpNote = never;
