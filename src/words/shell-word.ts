// A path in a command the user is told to run, quoted so that it can be pasted as it is shown.

/** `text` as one word of sh: as it is when it holds only plain characters, else in single quotes. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
