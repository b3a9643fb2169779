// What delivery/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/delivery.ts and src/words/fr/delivery.ts.

/** Failures raised in delivery/. */
export type DeliveryErrorFact = never;

/** Notes emitted from delivery/ (facts worth showing that are not failures). */
export type DeliveryNote = never;
