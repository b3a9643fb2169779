// The shape of the cli words outside errors and notes: what mailv writes at the terminal itself (the
// password prompt, the --step prompt) and commander's suggestion line. Each language gives all of them.

export interface CliWords {
  /** After an unknown option, on a line of its own: `(Did you mean --subject?)`. */
  readonly suggestion: (options: readonly string[]) => string;
  /** The prompt for a password at /dev/tty, echo off: `Password for alice at mail.example.org: `. */
  readonly passwordPrompt: (user: string, host: string) => string;
  /** --step, while mailv waits for a key before the next write: what that write will send (`replaying`: show, nothing is sent). */
  readonly stepPrompt: (next: StepNext, replaying: boolean) => string;
  /** A message typed at the terminal, as mail(1) takes it. */
  readonly typing: TypingWords;
}

/** What mail(1) writes around a message typed at the terminal, each as a whole line but the prompt. */
export interface TypingWords {
  /** The subject's prompt, the cursor after it: `Subject: `. */
  readonly subject: string;
  /** In the body, continued after Control-Z: `(continue)`. */
  readonly continued: string;
  /** The message typed whole: `EOT`. */
  readonly end: string;
  /** Typing stopped by a signal or a hangup: `(Interrupt)`. */
  readonly interrupted: string;
}

/**
 * What --step says the next write carries: one command line (escaped, perhaps shortened), the
 * verbs of a pipelined flight, or the message's octets and the commands that follow it.
 */
export type StepNext =
  | { readonly kind: 'command'; readonly line: string }
  | { readonly kind: 'flight'; readonly verbs: readonly string[] }
  | { readonly kind: 'content'; readonly octets: number; readonly after: readonly string[] };
