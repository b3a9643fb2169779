// What dns/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/dns.ts and src/words/fr/dns.ts.

/** Failures raised in dns/. */
export type DnsErrorFact = never;

/** Notes emitted from dns/ (facts worth showing that are not failures). */
export type DnsNote = never;
