// The shape of the cli words outside errors and notes: what mailv writes at the terminal itself (the
// password prompt, the --step prompt) and commander's suggestion line. Each language gives all of them.

export interface CliWords {
  /** After an unknown option, on a line of its own: `(Did you mean --subject?)`. */
  readonly suggestion: (options: readonly string[]) => string;
  /** The prompt for a password at /dev/tty, echo off: `Password for alice at mail.example.org: `. */
  readonly passwordPrompt: (user: string, host: string) => string;
  /** --step, while mailv waits for a key before sending the next command. */
  readonly stepPrompt: string;
}
