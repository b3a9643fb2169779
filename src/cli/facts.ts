// What cli/ reports, as data: the codes of its failures and of its notes, with their parameters.
// The words for each are in src/words/en/cli.ts and src/words/fr/cli.ts; here, unlike in the
// protocol folders, a fact may name a flag, since flags are what cli/ reads.
import type { ErrorFact } from '../errors.js';
import type { NumberingProblem } from '../load/numbered-recipients.js';

/** A flag that cannot go with -t, whose message brings its own headers. */
export type HeaderFlag = '-s' | '-c' | '-a' | '-H' | '--content-type';

/** A flag that --json contradicts: JSON lines carry every event and its time. */
export type JsonClashFlag = '-q' | '--explain' | '--timing' | '--step' | '--dry-run';

/** Where the local user's name came from: $USER, else $LOGNAME, else the password file's account. */
export type UserNameOrigin = 'USER' | 'LOGNAME' | 'account';

/** The flags that choose a route; one at a time. */
export type RouteFlag = '--direct' | '--demo' | '--server';

/** The flags that say where the secret of a login comes from, and --auth. */
export type SecretFlag = '--password-file' | '--password-cmd' | '--oauth2-token-file' | '--oauth2-token-cmd';

/**
 * Where a password or token comes from, so that the words can name the flag, the variable, the key
 * of the accounts file or the terminal.
 */
export type SecretOrigin =
  | 'password-file-option'
  | 'password-cmd-option'
  | 'oauth2-token-file-option'
  | 'oauth2-token-cmd-option'
  | 'password-variable'
  | 'config-password'
  | 'config-password-file'
  | 'config-password-cmd'
  | 'terminal';

/** A system error, as Node gives it: its code (ENOENT, EACCES…) when it has one, and its own account. */
export interface SystemProblem {
  readonly errno: string | undefined;
  readonly detail: string;
}

/** A temporary directory that did not take the spool of a large message, and why. */
export interface SpoolRefusal extends SystemProblem {
  readonly directory: string;
}

/** The commands of mailv besides sending, each named as argv[0]. */
export type MailvSubcommand = 'replay' | 'completion';

/** Failures raised in cli/ (and the user's own stops, wherever they land). */
export type CliErrorFact =
  /** A bug of mailv's: anything thrown that is not a MailvError (70). */
  | { readonly code: 'MAILV_INTERNAL'; readonly detail: string }
  /** `notSentTo`: see StepStop. */
  | { readonly code: 'MAILV_STEP_STOPPED'; readonly notSentTo?: readonly string[] }
  /** The run stopped before its end, nothing left that could end it: a fault of mailv's (70). */
  | { readonly code: 'MAILV_STALLED' }
  | { readonly code: 'MAILV_INTERRUPTED'; readonly signal: NodeJS.Signals }
  | CommandLineFact
  | OptionsFact
  | SecretFact
  | TerminalFact
  | InputFact;

/**
 * What commander refused on the command line (64), from its error code: `option` as commander
 * writes the flags (`--tls <mode>`), `value` as it was typed.
 */
export type CommandLineFact =
  /** commander.unknownOption; `suggestions`: mailv's own long options closest to it, if any. */
  | { readonly code: 'MAILV_OPTION_UNKNOWN'; readonly option: string; readonly suggestions: readonly string[] }
  /** commander.optionMissingArgument. */
  | { readonly code: 'MAILV_OPTION_VALUE_MISSING'; readonly option: string }
  /** commander.invalidArgument: a value not among the `choices`. */
  | { readonly code: 'MAILV_OPTION_VALUE_INVALID'; readonly option: string; readonly value: string; readonly choices: readonly string[] }
  /** commander.missingArgument: the operand `argument` (as the help names it: `file`) was not given. */
  | { readonly code: 'MAILV_ARGUMENT_MISSING'; readonly argument: string; readonly choices: readonly string[] }
  /** commander.invalidArgument for an operand: a value not among the `choices`. */
  | { readonly code: 'MAILV_ARGUMENT_INVALID'; readonly argument: string; readonly value: string; readonly choices: readonly string[] }
  /**
   * `replay` or `completion` as the first recipient, after options and before any `--`: the
   * command put after an option (`mailv --lang fr replay x.jsonl`), which would otherwise send mail
   * to a local user of that name.
   */
  | { readonly code: 'MAILV_COMMAND_NOT_FIRST'; readonly command: MailvSubcommand }
  /** commander.excessArguments: `given` operands where the command takes `expected`. */
  | { readonly code: 'MAILV_ARGUMENTS_EXCESS'; readonly expected: number; readonly given: number }
  /** A sendmail mode other than -bm (deliver): -bp lists the queue, -bs speaks SMTP, -bd runs a daemon…; mailv-sendmail only sends. */
  | { readonly code: 'MAILV_SENDMAIL_MODE'; readonly mode: string }
  /** A file name given with `option` holds octets that are not UTF-8: it cannot be opened as typed. */
  | { readonly code: 'MAILV_PATH_NOT_UTF8'; readonly option: string; readonly path: string }
  /** -q (-q30m, -qI…): run the queue, which mailv-sendmail does not keep. */
  | { readonly code: 'MAILV_SENDMAIL_QUEUE_RUN'; readonly argument: string }
  /**
   * -C given to mailv-sendmail by a user other than root: the options a program passes on may come
   * from elsewhere (CVE-2016-10033), and a configuration file names a server and a password command.
   */
  | { readonly code: 'MAILV_SENDMAIL_CONFIG_NOT_SUPERUSER' }
  /** A recipient after the options that begins with a dash: an option put after them, as Postfix refuses it (allow_min_user). */
  | { readonly code: 'MAILV_SENDMAIL_DASH_RECIPIENT'; readonly recipient: string }
  /** -bs with what the SMTP dialogue gives instead: recipients as arguments, or -t. */
  | { readonly code: 'MAILV_SENDMAIL_SMTP_ARGUMENTS'; readonly given: 'recipients' | '-t' }
  /** Any other refusal of commander's (`commanderCode`), in its own words (`detail`). */
  | { readonly code: 'MAILV_COMMAND_LINE'; readonly commanderCode: string; readonly detail: string };

/** Flags that contradict each other or lack a companion, and values that cannot be used (64). */
export type OptionsFact =
  | { readonly code: 'MAILV_NO_RECIPIENT' }
  | { readonly code: 'MAILV_HEADER_FLAG_WITH_T'; readonly flag: HeaderFlag }
  | { readonly code: 'MAILV_QUIET_VERBOSE' }
  | { readonly code: 'MAILV_JSON_CLASH'; readonly flag: JsonClashFlag }
  /** --quit-after connects; --dry-run and --mx do not. */
  | { readonly code: 'MAILV_QUIT_AFTER_CLASH'; readonly flag: '--dry-run' | '--mx' }
  | { readonly code: 'MAILV_DRY_RUN_MX' }
  | { readonly code: 'MAILV_ROUTE_CLASH'; readonly first: RouteFlag; readonly second: RouteFlag }
  | { readonly code: 'MAILV_PORT_WITHOUT_MX' }
  | { readonly code: 'MAILV_DNS_WITHOUT_MX' }
  | { readonly code: 'MAILV_SMTPS_TLS_OFF' }
  /** --diagram names a file whose extension is neither .html nor .svg. */
  | { readonly code: 'MAILV_DIAGRAM_FORMAT'; readonly path: string }
  /** --user or --auth with --direct, where MX hosts take mail without a login. */
  | { readonly code: 'MAILV_USER_WITH_DIRECT' }
  /** --tls-name where no one server is talked to by a name of the user's: MX hosts are checked against their own names, the demo's is its own. */
  | { readonly code: 'MAILV_TLS_NAME_ROUTE'; readonly flag: '--direct' | '--mx' | '--demo' }
  | { readonly code: 'MAILV_SECRET_WITHOUT_USER'; readonly flag: SecretFlag | '--auth' }
  | { readonly code: 'MAILV_USER_INVALID'; readonly user: string }
  /** No sender given, and none to make: $USER and $LOGNAME unset, and no password-file entry for the process's uid. */
  | { readonly code: 'MAILV_LOCAL_USER_UNKNOWN'; readonly uid: number | undefined }
  /**
   * No sender given, and the one made from the local user's name is no address: `error` says why;
   * `authorOnly`: it was for From: alone, the envelope's sender being null (-r '<>').
   */
  | {
      readonly code: 'MAILV_SENDER_FROM_USER';
      readonly user: string;
      readonly variable: UserNameOrigin;
      readonly authorOnly: boolean;
      readonly error: ErrorFact;
    }
  | { readonly code: 'MAILV_SECRET_SOURCES'; readonly first: SecretFlag; readonly second: SecretFlag }
  /** --auth (or the accounts file's auth) names no mechanism of `known`; `mechanism` as given. */
  | { readonly code: 'MAILV_AUTH_UNKNOWN'; readonly mechanism: string; readonly known: readonly string[] }
  /** A token was given, and --auth names a mechanism that takes a password. */
  | { readonly code: 'MAILV_AUTH_NOT_FOR_TOKEN'; readonly mechanism: string }
  | { readonly code: 'MAILV_MX_INVALID'; readonly text: string }
  | { readonly code: 'MAILV_PORT_INVALID'; readonly text: string }
  | { readonly code: 'MAILV_TIMEOUT_INVALID'; readonly text: string }
  /** --tls-key (or tls-key) without a certificate to go with it. */
  | { readonly code: 'MAILV_TLS_KEY_ALONE' }
  /** --content-type that is no text/* type. */
  | { readonly code: 'MAILV_CONTENT_TYPE_INVALID'; readonly text: string }
  | { readonly code: 'MAILV_LOAD_NUMBER_INVALID'; readonly flag: '--count' | '--concurrency' | '--per-connection'; readonly text: string }
  /** An option a load run cannot honour; `showsDialogue`: one that shows the dialogue, which a load run does not. */
  | { readonly code: 'MAILV_LOAD_CLASH'; readonly flag: string; readonly showsDialogue: boolean }
  /** -v and --json in a load run: -v's witness is shown in the transcript, which --json replaces. */
  | { readonly code: 'MAILV_LOAD_VERBOSE_JSON' }
  /** --vary-recipients would send a path SMTP cannot carry, or two recipients as one (see numberingProblem). */
  | { readonly code: 'MAILV_LOAD_NUMBERING'; readonly problem: NumberingProblem }
  /** An option of the load run given without --count. */
  | { readonly code: 'MAILV_LOAD_ONLY'; readonly flag: string }
  | { readonly code: 'MAILV_LOAD_RATE_INVALID'; readonly text: string }
  /** --direct in a load run: the recipients are not all in one domain (a load run measures one server). */
  | { readonly code: 'MAILV_LOAD_DIRECT_DOMAINS'; readonly domains: readonly string[] }
  /** --concurrency needs more open files than the process may have (RLIMIT_NOFILE); `most`: what fits. */
  | { readonly code: 'MAILV_LOAD_TOO_MANY_CONNECTIONS'; readonly connections: number; readonly limit: number; readonly most: number }
  /** More -a files than the open-file limit leaves room for beside the connection and dead.letter. */
  | { readonly code: 'MAILV_TOO_MANY_ATTACHMENTS'; readonly attachments: number; readonly limit: number; readonly most: number }
  /** --notify: not `never` alone nor a list of success, failure, delay (RFC 3461 §4.1). */
  | { readonly code: 'MAILV_NOTIFY_INVALID'; readonly option: NotifyOption; readonly text: string }
  /** --envid: empty, longer than `limit`, or not printable ASCII (RFC 3461 §4.4). */
  | { readonly code: 'MAILV_ENVID_INVALID'; readonly option: EnvidOption; readonly text: string; readonly limit: number }
  /** --xclient that is not NAME=value. */
  | { readonly code: 'MAILV_XCLIENT_INVALID'; readonly text: string }
  /** --proxy without --proxy-source, or the other way round: `missing` is the one not given. */
  | { readonly code: 'MAILV_PROXY_INCOMPLETE'; readonly missing: '--proxy' | '--proxy-source' }
  | { readonly code: 'MAILV_PROXY_SOURCE_INVALID'; readonly text: string }
  /** --body bdat to an LMTP server: over LMTP the message always goes with DATA. */
  | { readonly code: 'MAILV_BDAT_OVER_LMTP' }
  /** --proxy to a server on a unix-domain socket: the header's destination would have no address or port. */
  | { readonly code: 'MAILV_PROXY_UNIX_SOCKET'; readonly path: string }
  | { readonly code: 'MAILV_SOURCE_ADDRESS_INVALID'; readonly text: string }
  /** Two flags that ask for different address families (-4 and -6, -4 and an IPv6 --source-address…). */
  | { readonly code: 'MAILV_FAMILY_CLASH'; readonly first: FamilyFlag; readonly second: FamilyFlag }
  /** --direct to an address literal of the other family than -4/-6 asks. */
  | { readonly code: 'MAILV_FAMILY_LITERAL'; readonly flag: FamilyFlag; readonly literal: string };

export type FamilyFlag = '-4' | '-6' | '--source-address' | '--proxy-source' | '--server';
/** --notify, or mailv-sendmail's -N. */
export type NotifyOption = '--notify' | '-N';
/** --envid, or mailv-sendmail's -V. */
export type EnvidOption = '--envid' | '-V';

/** Where the secret of a login could not be had. */
export type SecretFact =
  /** A password or token file that cannot be read (66). */
  | ({ readonly code: 'MAILV_SECRET_UNREADABLE'; readonly origin: SecretOrigin; readonly path: string } & SystemProblem)
  /** Neither a regular file nor a FIFO, and so refused unopened (66). */
  | { readonly code: 'MAILV_SECRET_NOT_FILE'; readonly origin: SecretOrigin; readonly path: string; readonly directory: boolean }
  /** A command that printed more than `limit` octets (78). */
  | { readonly code: 'MAILV_SECRET_TOO_LONG'; readonly origin: SecretOrigin; readonly limit: number }
  /** The command could not be started (78). */
  | ({ readonly code: 'MAILV_SECRET_COMMAND_UNRUNNABLE'; readonly origin: SecretOrigin } & SystemProblem)
  /** The command ended with `status`, or was killed by `signal` (78). */
  | { readonly code: 'MAILV_SECRET_COMMAND_FAILED'; readonly origin: SecretOrigin; readonly status: number | null; readonly signal: string | null }
  | { readonly code: 'MAILV_SECRET_EMPTY'; readonly origin: SecretOrigin }
  /** Octets that are not UTF-8 (65): read with U+FFFD in their place, they would be another secret. */
  | { readonly code: 'MAILV_SECRET_NOT_UTF8'; readonly origin: SecretOrigin }
  /** The terminal hung up at the password prompt (77). */
  | { readonly code: 'MAILV_PASSWORD_TERMINAL_CLOSED' }
  | ({ readonly code: 'MAILV_PASSWORD_TERMINAL_UNREADABLE' } & SystemProblem);

/** No terminal where one is needed (64): no password from anywhere and none to ask at, or --step. */
export type TerminalFact =
  /** `accountServer`: the account's own password was withheld from `server`, since it goes to that server only. */
  | { readonly code: 'MAILV_PASSWORD_NO_TERMINAL'; readonly accountServer?: string; readonly server?: string; readonly sendmail?: boolean }
  | { readonly code: 'MAILV_STEP_NO_TERMINAL' };

/** What the run reads, as cli/ reads and checks it: the message, attachments, --ca, the accounts file's place. */
export type InputFact =
  | ({ readonly code: 'MAILV_ATTACHMENT_UNREADABLE'; readonly path: string } & SystemProblem)
  | { readonly code: 'MAILV_ATTACHMENT_NOT_FILE'; readonly path: string }
  /** A file that says it is empty (/proc's) but holds more than `limit` octets, read into memory. */
  | { readonly code: 'MAILV_ATTACHMENT_UNSIZED_TOO_LARGE'; readonly path: string; readonly limit: number }
  /** -t: no To, Cc or Bcc in the message, and no recipient given either. */
  | { readonly code: 'MAILV_MESSAGE_NO_RECIPIENT' }
  /** A whole message (-t, mailv-sendmail) holding a NUL octet, which SMTP cannot carry (65). */
  | { readonly code: 'MAILV_MESSAGE_NUL' }
  /** mailv-sendmail -bs: the client's input ended before the lone dot that ends its message. */
  | { readonly code: 'MAILV_MESSAGE_UNENDED' }
  /** mailv-sendmail -bs: the client sent nothing for `seconds` inside its message (-O Timeout.command, 300 by default). */
  | { readonly code: 'MAILV_CLIENT_IDLE'; readonly seconds: number }
  /** -t: 8-bit content, and a server without 8BITMIME (69). */
  | { readonly code: 'MAILV_NO_8BITMIME' }
  | { readonly code: 'MAILV_STDIN_DIRECTORY' }
  | ({ readonly code: 'MAILV_STDIN_UNREADABLE' } & SystemProblem)
  /** A file on standard input that changed while it was read (74). */
  | { readonly code: 'MAILV_STDIN_CHANGED' }
  /** No temporary directory took the spool, and the message outgrew the `memoryLimit` octets held in memory (74). */
  | { readonly code: 'MAILV_SPOOL_FAILED'; readonly refusals: readonly SpoolRefusal[]; readonly memoryLimit: number }
  /** --account, and no configuration file at the default `path` (78). */
  | { readonly code: 'MAILV_CONFIG_FILE_MISSING'; readonly path: string; readonly account: string }
  /** The --ca file cannot be read (66); `detail` without the errno in front. */
  | ({ readonly code: 'MAILV_CA_UNREADABLE'; readonly path: string; readonly option?: PemOption } & SystemProblem)
  | { readonly code: 'MAILV_CA_NO_PEM'; readonly path: string; readonly option?: PemOption; readonly wanted?: 'private-key' }
  | { readonly code: 'MAILV_CA_NOT_FILE'; readonly path: string; readonly option?: PemOption }
  /** Certificate number `certificate` (from 1) of the file is no whole certificate: bad base64, cut short, no END line (65). */
  | { readonly code: 'MAILV_CA_DAMAGED'; readonly path: string; readonly option?: PemOption; readonly certificate: number }
  | { readonly code: 'MAILV_CA_TOO_LARGE'; readonly path: string; readonly limit: number; readonly option?: PemOption }
  /** --tls-cert and --tls-key that make no pair: `openssl` is OpenSSL's error code, for the curious. */
  | {
      readonly code: 'MAILV_CLIENT_CERT_UNUSABLE';
      readonly cert: string;
      readonly key: string;
      /** What named each file: the option, or the accounts file's key. */
      readonly certOption: '--tls-cert' | 'tls-cert';
      readonly keyOption: '--tls-cert' | '--tls-key' | 'tls-cert' | 'tls-key';
      /** `not-first`: the key is that of a later certificate of the file (a chain with the client's own certificate not first). */
      readonly reason: 'mismatch' | 'not-first' | 'encrypted' | 'unusable';
      readonly openssl: string | undefined;
    };

/**
 * What a PEM file was given with, when not --ca: an option, or the key of the accounts file that
 * named it (`tls-cert`, as a `password-file` from there is named).
 */
export type PemOption = '--tls-cert' | '--tls-key' | 'ca' | 'tls-cert' | 'tls-key';

/** Notes emitted from cli/. */
export type CliNote = never;
