// The shape of the words of --help: each command's description, its options' descriptions (by the
// option's long name, camel-cased: --no-color is noColor), its examples, and commander's headings.
// The flags themselves are not words: they stay as typed, in every language.

/** The descriptions of mailv's options; `auth` is given the mechanisms mailv knows. */
export interface MailvOptionWords {
  readonly subject: string;
  readonly cc: string;
  readonly bcc: string;
  readonly from: string;
  readonly attach: string;
  readonly header: string;
  readonly readRecipients: string;
  readonly skipEmpty: string;
  readonly contentType: string;
  readonly server: string;
  readonly direct: string;
  readonly mx: string;
  readonly dns: string;
  readonly port: string;
  readonly tls: string;
  readonly ca: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly tlsName: string;
  readonly insecure: string;
  readonly noTlsResume: string;
  readonly user: string;
  readonly auth: (mechanisms: string) => string;
  readonly passwordFile: string;
  readonly passwordCmd: string;
  readonly oauth2TokenFile: string;
  readonly oauth2TokenCmd: string;
  readonly allowPlaintextAuth: string;
  readonly showSecrets: string;
  readonly account: string;
  readonly config: string;
  readonly body: string;
  readonly pipelining: string;
  readonly noPipeconnect: string;
  readonly quitAfter: string;
  readonly explain: string;
  readonly lang: string;
  readonly timing: string;
  readonly json: string;
  readonly step: string;
  readonly notify: string;
  readonly ret: string;
  readonly envid: string;
  readonly diagram: string;
  readonly record: string;
  readonly count: string;
  readonly concurrency: string;
  readonly perConnection: string;
  readonly vary: string;
  readonly varyRecipients: string;
  readonly rate: string;
  readonly stopOnError: string;
  readonly helo: string;
  readonly xclient: string;
  readonly proxy: string;
  readonly proxySource: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly sourceAddress: string;
  readonly timeout: string;
  readonly verbose: string;
  readonly quiet: string;
  readonly dryRun: string;
  readonly demo: string;
  readonly color: string;
  readonly noColor: string;
}

/** The descriptions of the options of `mailv replay`. */
export interface ReplayOptionWords {
  readonly explain: string;
  readonly lang: string;
  readonly timing: string;
  readonly json: string;
  readonly step: string;
  readonly diagram: string;
  readonly verbose: string;
  readonly quiet: string;
  readonly color: string;
  readonly noColor: string;
}

export interface HelpWords {
  /** commander's headings, by the English heading commander asks for (`Usage:`, `Options:`, …). */
  readonly titles: Readonly<Record<HelpTitle, string>>;
  /** -h, --help. */
  readonly help: string;
  /** After the description of an option that takes one of a few values: those values. */
  readonly choices: (values: readonly string[]) => string;
  /**
   * What an option's value or an argument is called (`text` in `-s, --subject <text>`,
   * `recipients`): a word, shown in this language; the flags around it stay as typed.
   */
  readonly placeholder: (name: string) => string;
  readonly mailv: {
    readonly description: string;
    readonly recipients: string;
    readonly options: MailvOptionWords;
    /** -V, --version. */
    readonly version: string;
    /** After the options: examples, then the commands. */
    readonly examples: string;
    /** After the examples: every exit status (a test holds them equal to the one table). */
    readonly exitStatus: string;
  };
  readonly replay: {
    readonly description: string;
    readonly file: string;
    readonly options: ReplayOptionWords;
    readonly examples: string;
  };
  readonly completion: {
    readonly description: string;
    readonly target: string;
    readonly config: string;
    readonly lang: string;
    readonly examples: string;
  };
}

/** The headings commander writes in a help text. */
export type HelpTitle = 'Usage:' | 'Arguments:' | 'Options:' | 'Commands:' | 'Global Options:';
