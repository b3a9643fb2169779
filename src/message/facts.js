// What message/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/message.ts and src/words/fr/message.ts.
export {};
