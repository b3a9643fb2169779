// The shape of the words the application prints around the events: what a dry run and the demo
// print around the message, and what the spinner says while mailv waits. Each language gives all
// of them.

export interface OutputWords {
  readonly dryRun: {
    /** The heading of the envelope a dry run shows. */
    readonly envelope: string;
    /** After a recipient that only the envelope names. */
    readonly bccOnly: string;
    /** The heading of the message: its size, and whether it is 8-bit. */
    readonly message: (octets: number, eightBit: boolean) => string;
  };
  readonly demo: {
    /** Before what the demo server received; the addresses arrive escaped, in angle brackets. */
    readonly received: (octets: number, from: string, recipients: string) => string;
    readonly end: string;
  };
  /** While mailv waits; host names, commands and names arrive escaped. */
  readonly spinner: {
    readonly connecting: (host: string, port: number) => string;
    readonly greeting: (host: string) => string;
    readonly reply: (command: string) => string;
    /** The message's end is written: its verdict is the reply awaited. */
    readonly verdict: string;
    readonly dnsQuery: (server: string, type: string, name: string) => string;
  };
  /** mailv-sendmail -bs: the last line standard error takes, once it has taken all it may. */
  readonly errorsWithheld: string;
}
