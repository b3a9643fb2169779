// The plan of one run, and the vocabulary it is written in: what the command line, the environment
// and the configuration file asked for, checked before any input is read or any connection made.
// cli/options.ts builds it; the application reads it. Types that other parts of mailv define for
// their own use (a server address, a TLS mode, a point to quit at) are named here once.
import type { NameServer } from './dns/resolv-conf.js';
import type { ConfigError, UsageError } from './errors.js';
import type { Mailbox } from './message/address.js';
import type { ServerAddress } from './delivery/submit.js';
import type { BodyMode, PipeliningMode, TlsMode } from './smtp/session.js';
import type { QuitPoint } from './smtp/quit-points.js';
import type { SecretSource } from './cli/secret-input.js';
import type { Language } from './words/language.js';
import type { ProxyEndpoint, ProxyVersion } from './smtp/proxy-header.js';
import type { XclientAttribute } from './smtp/xclient.js';

export type { BodyMode, Language, PipeliningMode, QuitPoint, ServerAddress, TlsMode };

/** 0: nothing (-q); 1: the dialogue; 2: plus connection notes (-v); 3: plus message lines (-vv). */
export type Verbosity = 0 | 1 | 2 | 3;

export interface Plan {
  /** -t: standard input is a whole message whose headers name the recipients. */
  readonly readRecipients: boolean;
  /** --content-type: the body's text type (text/html…); text/plain when undefined. */
  readonly bodyType?: string | undefined;
  /** -E, as mail(1)'s: a message read empty is not sent (cron's `cmd | mail -E -s report root`). */
  readonly skipEmpty?: boolean;
  /** The author, for From: when the message has none, and the envelope sender unless returnPath is null. */
  readonly from: Mailbox;
  /**
   * The envelope sender, for MAIL FROM: `from`'s address, or '' for the null reverse-path
   * (`-r '<>'`, sendmail's `-f '<>'`), as bounces and auto-replies use so that nothing bounces back
   * (RFC 5321 §4.5.5). From: still names the author.
   */
  readonly returnPath: string;
  /**
   * -r '<>' with a whole message (-t, mailv-sendmail) and a $USER that makes no address: `from` is
   * a stand-in, and a message without From: (or, resent, without Resent-From:) is refused with this
   * once it is read, and kept; one with its own goes.
   */
  readonly authorRefused?: UsageError | undefined;
  /** Where the sender came from: -r, the configuration file, or $USER at this host. */
  readonly fromOrigin: 'option' | 'config-file' | 'user';
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly subject: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
  readonly attachments: readonly string[];
  readonly server: ServerAddress;
  readonly helo: string;
  readonly timeoutMs: number | undefined;
  readonly verbosity: Verbosity;
  readonly dryRun: boolean;
  readonly demo: boolean;
  /** true/false from --color/--no-color; undefined: decide from the terminal and environment. */
  readonly color: boolean | undefined;
  readonly fqdn: string;
  /** What a bare local name gets (`root` → `root@…`): /etc/mailname, as Debian's MTAs read it, else fqdn. */
  readonly mailDomain: string;
  /** Deliver to MX hosts (--direct). */
  readonly direct: boolean;
  /** Only show the MX plan of this domain (--mx), in A-labels. */
  readonly mxLookup: string | undefined;
  /** --dns servers; empty: /etc/resolv.conf. */
  readonly dnsServers: readonly NameServer[];
  /** Port of MX hosts (--port). */
  readonly mxPort: number;
  /** MAILV_SEED: a repeatable order for MX hosts of equal preference. */
  readonly seed: string | undefined;
  readonly tls: TlsMode;
  readonly body: BodyMode;
  /** --pipelining (or the account's `pipelining`); off under --step unless asked: lock-step, QUIT after the verdict. */
  readonly pipelining: PipeliningMode;
  /** PIPECONNECT: EHLO before the greeting to a server remembered to offer it; off with --no-pipeconnect. */
  readonly pipeconnect: boolean;
  /** --ca: a PEM file of CA certificates trusted besides the system's. */
  readonly ca: string | undefined;
  /** The --ca file is the accounts file's `ca`: its errors name that key. */
  readonly caFromConfig?: boolean;
  /**
   * --tls-cert and --tls-key (`key` undefined: in the certificate's file): presented when the server
   * asks; `…FromConfig`: the accounts file's `tls-cert` or `tls-key`, which its errors name.
   */
  readonly clientCert?:
    | { readonly cert: string; readonly key: string | undefined; readonly certFromConfig?: boolean; readonly keyFromConfig?: boolean }
    | undefined;
  /** --tls-name (or the account's `tls-name`, for its own server): the name the certificate is checked against and SNI sends; undefined: the server's host. */
  readonly tlsName?: string | undefined;
  /** `tlsName` is the accounts file's, not --tls-name's: named so where it is shown. */
  readonly tlsNameFromConfig?: boolean;
  readonly insecure: boolean;
  /** TLS sessions kept across runs under $XDG_CACHE_HOME/mailv and resumed (--no-tls-resume: never). */
  readonly tlsResume: boolean;
  /** --user (or an account's user): log in before sending. */
  readonly auth: AuthRequest | undefined;
  readonly quitAfter: QuitPoint | undefined;
  /** The language of every line mailv prints: --lang, else the locale. */
  readonly language: Language;
  /** How the run is shown: the transcript (with --explain, --timing), or JSON lines. */
  readonly output: OutputMode;
  /** --step: wait for Enter before every write. */
  readonly step: boolean;
  /** --notify, --ret, --envid (sendmail's -N, -R, -V): delivery status notifications (RFC 3461). */
  readonly dsn: DsnRequest | undefined;
  /** --diagram: the session drawn as a sequence diagram in this file. */
  readonly diagram: DiagramRequest | undefined;
  /** --record: the file the run's events are kept in, for mailv replay. */
  readonly record: string | undefined;
  /** --config (sendmail's -C): the accounts file named, where the default one is not read. */
  readonly configFile?: string | undefined;
  /** Run as sendmail (mailv-sendmail): standard input is always a whole message. */
  readonly sendmail?: SendmailInput;
  /** -4/-6, --source-address, --proxy, --xclient: where the session says it comes from. */
  readonly origin: ConnectionOrigin;
  /** --count and its companions: send many messages to test a server, and print a summary. */
  readonly load?: LoadRequest;
}

/** --count and its companions: the load run (see src/app/load.ts). */
export interface LoadRequest {
  readonly count: number;
  readonly concurrency: number;
  /** Messages over each connection before it is closed and another opened. */
  readonly perConnection: number;
  /** --vary: a sequence number in each Subject and Message-ID. */
  readonly vary: boolean;
  /** --vary-recipients: each envelope recipient numbered (see src/load/numbered-recipients.ts). */
  readonly varyRecipients: boolean;
  /** --rate: at most this many messages started a second, over all connections; undefined: as fast as they go. */
  readonly rate: number | undefined;
  /** --stop-on-error: the first failure stops issuing messages. */
  readonly stopOnError: boolean;
}

/** How mailv-sendmail reads the message, as sendmail does. */
export interface SendmailInput {
  /** -t: the message's To, Cc and Bcc are recipients too; otherwise only the arguments are. */
  readonly recipientsFromHeaders: boolean;
  /** No -i: a line holding only `.` ends the message. */
  readonly endsAtDotLine: boolean;
  /**
   * -bs: the message came over SMTP, where it is all message: no mbox `From ` line before its
   * header is dropped, as one piped from a saved mailbox is.
   */
  readonly fromDialogue?: boolean;
  /**
   * The configuration file could not be used (78), or its name (-C) is not UTF-8 (64). A program
   * that pipes to sendmail (cron) has no other copy of its message: it is read and kept in
   * dead.letter, then this failure is said.
   */
  readonly configRefused?: ConfigError | UsageError | undefined;
}

/** How a test client presents itself: the local end of the connection, and the client it claims to be. */
export interface ConnectionOrigin {
  /** -4/-6, or the family --source-address or --proxy-source imply. */
  readonly family: 4 | 6 | undefined;
  readonly sourceAddress: string | undefined;
  /** --proxy/--proxy-source: a PROXY header before the greeting. */
  readonly proxy: { readonly version: ProxyVersion; readonly source: ProxyEndpoint } | undefined;
  /** --xclient: empty, none. */
  readonly xclient: readonly XclientAttribute[];
}

/** What DSN (RFC 3461) asks of the server: sent only where it offers DSN. */
export interface DsnRequest {
  /** NOTIFY= on each RCPT: `never` alone, or any of the others. */
  readonly notify: readonly ('never' | 'success' | 'failure' | 'delay')[] | undefined;
  /** RET= on MAIL: the whole message or its headers in a failure report. */
  readonly ret: 'full' | 'hdrs' | undefined;
  /** ENVID= on MAIL: the sender's own id for the transaction, echoed in reports. */
  readonly envid: string | undefined;
}

export interface DiagramRequest {
  readonly path: string;
  /** From the file name's extension. */
  readonly format: 'html' | 'svg';
}

/** mailv replay FILE: how a record is shown again, with the options of a live run's output. */
export interface ReplayPlan {
  /** `-`: standard input. */
  readonly file: string;
  /** --lang; undefined: the language the record was made in. */
  readonly language: Language | undefined;
  readonly verbosity: Verbosity;
  readonly color: boolean | undefined;
  readonly json: boolean;
  readonly timing: boolean;
  readonly explain: boolean;
  readonly step: boolean;
  /** --diagram: the recorded session drawn in this file. */
  readonly diagram: DiagramRequest | undefined;
}

export interface OutputMode {
  readonly json: boolean;
  readonly timing: boolean;
  /** --explain: the language of the annotations (the plan's language); undefined: none. */
  readonly explain: Language | undefined;
}

export interface AuthRequest {
  readonly user: string;
  readonly mechanism: string | undefined;
  readonly secret: SecretSource;
  /** The secret is an OAuth 2.0 token, for XOAUTH2. */
  readonly token: boolean;
  readonly allowPlaintextAuth: boolean;
  readonly showSecrets: boolean;
}
