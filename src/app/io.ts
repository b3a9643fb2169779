// Everything mailv takes from the world it runs in, handed to the application as one argument:
// the arguments, the environment, the three standard streams and what they are, a clock, the
// signals that stop a run, the terminal --step waits at, and the names of this machine and user.
// src/cli/run.ts builds it from the process; tests build it from memory.
import type { Readable, Writable } from 'node:stream';
import type { Stepper } from '../cli/step-prompt.js';
import type { TypedArguments } from '../cli/typed-paths.js';
import type { Language } from '../words/language.js';
import type { InterruptSignal } from '../interruption.js';
import type { StopSignal } from '../exit-codes.js';

/** What standard input is, which decides how the message is read. */
export type InputKind =
  /** A regular file (`< message.eml`): read through its descriptor, sent from the file itself. */
  | { readonly kind: 'file'; readonly fd: number }
  /** A pipe, a socket, or anything else read as a stream. */
  | { readonly kind: 'stream' }
  /** A terminal: the message is typed, as mail(1) takes it. */
  | { readonly kind: 'terminal' }
  | { readonly kind: 'directory' };

export interface StandardInput {
  /** Asked only when the message is to be read: a probe and --mx leave standard input alone. */
  kind(): InputKind;
  /** The stream of a pipe or a terminal, opened on first use. */
  readonly stream: Readable;
}

export interface StandardOutput {
  /** The stream, opened on first use: a quiet run never pays for it. */
  readonly stream: Writable;
  /** A terminal: its colour depth in bits and its width in columns; undefined when it is not one. */
  readonly terminal: { readonly colorDepth: number; readonly columns: number } | undefined;
  /**
   * A descriptor that a synchronous write never leaves waiting (a regular file, /dev/null): a
   * dry run writes the message there directly, without the stream machinery. Undefined otherwise.
   */
  readonly syncFd: number | undefined;
  /**
   * Nothing more need reach the reader: what it has left unread when the run ends is dropped, not
   * waited for (a -bs client given up for its silence reads nothing). True when standard error goes
   * to the same place (2>&1), given up with it. Sources that never wait need none.
   */
  abandon?(): boolean;
}

export interface AppIo {
  /** The arguments, without node and the script. */
  readonly argv: readonly string[];
  /** Run as `mailv-sendmail` or under the name `sendmail`: sendmail's command line. */
  readonly sendmail?: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** The file NODE_EXTRA_CA_CERTS names when Node did not load it at its start: the handshakes add it (bin/mailv.js). */
  readonly deferredExtraCa?: string | undefined;
  /** mailv's version, read only for --version. */
  version(): string;
  readonly stdin: StandardInput;
  readonly stdout: StandardOutput;
  readonly stderr: StandardOutput;
  readonly clock: {
    /** Milliseconds on a monotonic clock, for --timing and --json. */
    now(): number;
    /** The date a message is dated with. */
    date(): Date;
  };
  readonly signals: {
    /**
     * Calls `onSignal` for each stop signal until the returned function is called. A second signal
     * ends mailv at once: that is the source's to do.
     */
    watch(onSignal: (signal: StopSignal) => void): () => void;
    /**
     * Runs `work` (the dead.letter entry) so that a signal that would end mailv at once waits until
     * it is done: half an entry would read as a whole, shorter message.
     */
    whole<T>(work: () => Promise<T>): Promise<T>;
  };
  readonly faults: {
    /**
     * Calls `onFault` with each exception nothing caught (a fault of mailv's own, thrown where no
     * caller waits, as in an event handler) until the returned function is called; the source then
     * neither prints it nor ends mailv.
     */
    watch(onFault: (error: unknown) => void): () => void;
  };
  /** The terminal --step waits at, its prompt in `language`; throws UsageError when there is none. */
  /** `replaying`: a replay's, whose writes are only shown. */
  openStepper(signal: InterruptSignal, language: Language, replaying?: boolean): Promise<Stepper>;
  /**
   * This machine's host name and the user's account name, for HELO, From and bare addresses; and
   * whether the command line's octets were all UTF-8 (then a U+FFFD in an argument was typed, not
   * made of octets that were not UTF-8), false where that cannot be known; and how many files the
   * process may have open, undefined where unknown or unlimited.
   */
  readonly host: TypedArguments & {
    name(): string;
    mailName(): string | undefined;
    user(): string;
    openFilesLimit(): number | undefined;
    superUser(): boolean;
    /** Whether a TLS context made without `ca` trusts Node's own list (tls.rootCertificates), not OpenSSL's store. */
    nodeTrustsItsOwnList(): boolean;
  };
}
