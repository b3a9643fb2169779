// What config/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/config.ts and src/words/fr/config.ts.
// Nothing here quotes a value of the accounts file back: a line may hold a password.

/** What is wrong with a server address (values.ts): its form, its scheme, or its port. */
export type ServerProblem = 'form' | 'scheme' | 'port' | 'user';

/** A section with a way to log in (auth, a password's source) and no user to log in as. */
export interface LoginWithoutUser {
  readonly path: string;
  /** The section holding `key`: undefined for [default]. */
  readonly account: string | undefined;
  readonly key: 'auth' | 'password' | 'password-file' | 'password-cmd';
}

/** A line of the accounts file, where a problem was found. */
interface AtLine {
  readonly path: string;
  /** From 1. */
  readonly line: number;
}

/** A section of the accounts file: [default] (account undefined) or [account NAME]. */
interface InSection {
  readonly account: string | undefined;
}

/** What a path is, when it is not a regular file. */
export type FileKind = 'directory' | 'fifo' | 'character-device' | 'block-device' | 'socket' | 'other';

/** A line of the accounts file that cannot be used (78). */
export type ConfigLineFact = AtLine &
  (
    | { readonly code: 'MAILV_CONFIG_SECTION_UNCLOSED' }
    /** A [default] header after keys that already formed [default], from `firstLine`. */
    | { readonly code: 'MAILV_CONFIG_DEFAULT_LATE'; readonly firstLine: number }
    | { readonly code: 'MAILV_CONFIG_ACCOUNT_EMPTY' }
    | { readonly code: 'MAILV_CONFIG_ACCOUNT_NAME'; readonly name: string }
    /** `section`: what was between the brackets. */
    | { readonly code: 'MAILV_CONFIG_SECTION_UNKNOWN'; readonly section: string }
    | ({ readonly code: 'MAILV_CONFIG_SECTION_TWICE'; readonly firstLine: number } & InSection)
    /** Neither `key = value`, a section header nor a comment; the line is not quoted back. */
    | { readonly code: 'MAILV_CONFIG_LINE_FORM' }
    | { readonly code: 'MAILV_CONFIG_KEY_UNKNOWN'; readonly key: string | undefined }
    | ({ readonly code: 'MAILV_CONFIG_KEY_TWICE'; readonly key: string; readonly firstLine: number } & InSection)
    /** Two keys of a section (`key`, and `other` at `otherLine`) say where the password comes from. */
    | { readonly code: 'MAILV_CONFIG_PASSWORD_SOURCES'; readonly key: string; readonly other: string; readonly otherLine: number }
    | { readonly code: 'MAILV_CONFIG_QUOTE_TRAILING' }
    | { readonly code: 'MAILV_CONFIG_QUOTE_ESCAPE' }
    | { readonly code: 'MAILV_CONFIG_QUOTE_UNCLOSED' }
    | { readonly code: 'MAILV_CONFIG_VALUE_EMPTY'; readonly key: string }
    /** `tls` is not one of `allowed`. */
    | { readonly code: 'MAILV_CONFIG_TLS'; readonly allowed: readonly string[] }
    /** `pipelining` is not one of `allowed`. */
    | { readonly code: 'MAILV_CONFIG_PIPELINING'; readonly allowed: readonly string[] }
    /** `insecure` is not one of the words for yes and no. */
    | { readonly code: 'MAILV_CONFIG_INSECURE'; readonly yes: readonly string[]; readonly no: readonly string[] }
    /** `auth` names no mechanism of `known`. */
    | { readonly code: 'MAILV_CONFIG_AUTH'; readonly known: readonly string[] }
    | { readonly code: 'MAILV_CONFIG_SERVER'; readonly problem: ServerProblem }
    | { readonly code: 'MAILV_CONFIG_HELO' }
    /** `tls-name` is neither a domain name nor an IP address. */
    | { readonly code: 'MAILV_CONFIG_TLS_NAME' }
    /** `timeout` is not a number of seconds above 0. */
    | { readonly code: 'MAILV_CONFIG_TIMEOUT' }
    /** `character`: the value holds one that does not show in its local part, or one that looks like @. */
    | { readonly code: 'MAILV_CONFIG_FROM'; readonly character?: { readonly kind: 'invisible' | 'at-lookalike'; readonly codePoint: number } }
    | { readonly code: 'MAILV_CONFIG_USER_CONTROL' }
    /** Bytes that are not UTF-8 on this line. */
    | { readonly code: 'MAILV_CONFIG_NOT_UTF8' }
  );

/** Failures raised in config/. */
export type ConfigErrorFact =
  | ConfigLineFact
  /** The file could not be read: `errno` (ENOENT, EACCES…) and the system's `detail`. */
  | { readonly code: 'MAILV_CONFIG_UNREADABLE'; readonly path: string; readonly errno: string | undefined; readonly detail: string }
  | { readonly code: 'MAILV_CONFIG_NOT_REGULAR'; readonly path: string; readonly kind: FileKind }
  /** It holds a password and group or others may read it (`mode`, the permission bits). */
  | { readonly code: 'MAILV_CONFIG_READABLE'; readonly path: string; readonly mode: number }
  /** Group or others may change it, and so run commands (password-cmd) as the user. */
  | { readonly code: 'MAILV_CONFIG_WRITABLE'; readonly path: string; readonly mode: number }
  | { readonly code: 'MAILV_CONFIG_OWNER'; readonly path: string; readonly uid: number }
  | { readonly code: 'MAILV_CONFIG_LINK_OWNER'; readonly path: string; readonly uid: number }
  | { readonly code: 'MAILV_CONFIG_REPLACED'; readonly path: string }
  /** A directory above the file (`directory`) that another user owns, or may write to (`mode`). */
  | { readonly code: 'MAILV_CONFIG_DIRECTORY_OWNER'; readonly path: string; readonly directory: string; readonly uid: number }
  | { readonly code: 'MAILV_CONFIG_DIRECTORY_WRITABLE'; readonly path: string; readonly directory: string; readonly mode: number }
  /** Larger than `limit` octets. */
  | { readonly code: 'MAILV_CONFIG_TOO_LARGE'; readonly path: string; readonly limit: number }
  /** The section `account` ([default]: undefined), with [default] under it, has a tls-key but no tls-cert. */
  | { readonly code: 'MAILV_CONFIG_TLS_KEY_ALONE'; readonly path: string; readonly account: string | undefined }
  /** The account's server is smtps:// and its tls is off (in the section or under it). */
  | { readonly code: 'MAILV_CONFIG_SMTPS_TLS_OFF'; readonly path: string; readonly account: string | undefined }
  /** --account names an account the file does not define (`defined`: those it does). */
  | { readonly code: 'MAILV_CONFIG_NO_ACCOUNT'; readonly path: string; readonly account: string; readonly defined: readonly string[] }
  /** `sendmail`: run as mailv-sendmail, which takes no --user. */
  | ({ readonly code: 'MAILV_CONFIG_SECRET_WITHOUT_USER'; readonly sendmail?: true } & LoginWithoutUser)
  /** A server address given by a flag or $MAILV_SERVER (64); `text` is what was given. */
  /** `from`: the environment variable it was read from, when no flag gave it. */
  | { readonly code: 'MAILV_SERVER_INVALID'; readonly text: string; readonly problem: ServerProblem; readonly from?: 'MAILV_SERVER' }
  /** A name for EHLO given by --helo (64) that is not printable ASCII without a space (it could not be sent as typed). */
  | { readonly code: 'MAILV_HELO_INVALID'; readonly name: string }
  /** --tls-name that is neither a domain name nor an IP address; `name` as typed. */
  | { readonly code: 'MAILV_TLS_NAME_INVALID'; readonly name: string };

/** Notes emitted from config/ (facts worth showing that are not failures). */
export type ConfigNote = never;
