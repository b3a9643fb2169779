// What config/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/config.ts and src/words/fr/config.ts.
// Nothing here quotes a value of the accounts file back: a line may hold a password.
export {};
