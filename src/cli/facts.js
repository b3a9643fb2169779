// What cli/ reports, as data: the codes of its failures and of its notes, with their parameters.
// The words for each are in src/words/en/cli.ts and src/words/fr/cli.ts; here, unlike in the
// protocol folders, a fact may name a flag, since flags are what cli/ reads.
export {};
