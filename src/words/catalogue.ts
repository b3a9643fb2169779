// The shape every language's words must have: one formatter per error code and per note code.
// A code without words in a language is a compile error, not an English line in a French run.
import type { ErrorFact } from '../errors.js';
import type { Note, SessionEvent } from '../events.js';
import type { CliWords } from './cli-words.js';
import type { DiagramWords } from './diagram-words.js';
import type { DnsWords } from './dns-words.js';
import type { HelpWords } from './help-words.js';
import type { LoadWords } from './load-words.js';
import type { OutputWords } from './output-words.js';

/** One formatter per code of the fact union F, each taking exactly that fact. */
export type WordsOf<F extends { readonly code: string }> = {
  readonly [C in F['code']]: (fact: Extract<F, { code: C }>, words: Words) => string;
};

export interface Words {
  readonly errors: WordsOf<ErrorFact>;
  readonly notes: WordsOf<Note>;
  /** DNS words outside errors and notes: no-answer reasons, MX hosts without address, the MX plan. */
  readonly dns: DnsWords;
  /** What mailv writes at the terminal itself (the password and --step prompts), and commander's suggestion line. */
  readonly cli: CliWords;
  /** What the application prints around the events: dry run, demo, spinner. */
  readonly output: OutputWords;
  /** The two -v lines of a TLS handshake: protocol and verdict, then the certificate. */
  readonly tls: TlsWords;
  /** mailv's own lines of the transcript (the sendmail-form lines stay as sendmail prints them). */
  readonly transcript: TranscriptWords;
  /** The --timing summary: round trips and octets, the greeting's delay, the time of each step. */
  readonly timing: TimingWords;
  /** The sequence diagram of --diagram: lanes, TLS band, flights, legend. */
  readonly diagram: DiagramWords;
  /** The summary of a load run (--count). */
  readonly load: LoadWords;
  /** --help: the descriptions of the commands and their options, the examples, commander's headings. */
  readonly help: HelpWords;
}

export interface TimingWords {
  /** The time since the start before a transcript line, its figure already padded: `[   12.3 ms] `. */
  stamp(ms: string): string;
  /** A time in ms as the language writes its figure (`37.9 ms`, `37,9 ms`): the diagram's time axis. */
  ms(figure: string): string;
  total(roundTrips: number, sent: number, received: number, ms: string): string;
  /**
   * `afterTls`: timed from the end of an smtps:// handshake, not from the TCP connection;
   * `connections`: how many were made (the greeting is the last one's).
   */
  greeting(ms: string, afterTls: boolean, connections: number): string;
  /** Each step's time, summed over the `connections` made. */
  steps(steps: readonly (readonly [step: string, ms: string])[], connections: number): string;
}

export interface TranscriptWords {
  /** The prefix of a warning note, with its separator: `Warning: `. */
  readonly warning: string;
  connected(host: string, port: number): string;
  /** Before the `>>>` lines of one pipelined write (RFC 2920): how many, and that the replies follow. */
  flight(commands: number): string;
  /**
   * The `;;` lines of -v: a DNS question, its answer's summary, an additional record's mark. An
   * answer, or the lack of one, names the question it belongs to (`type` and absolute `name`).
   */
  /** `withoutEdns`: asked again without EDNS, the server having answered FORMERR to it. */
  dnsQuery(type: string, name: string, server: string, transport: string, withoutEdns: boolean): string;
  dnsAnswer(type: string, name: string, rcode: string, truncated: boolean, server: string, ms: number, answers: number): string;
  readonly additional: string;
  dnsNoAnswer(type: string, name: string, server: string, why: string): string;
}

export interface TlsWords {
  handshake(tls: Extract<SessionEvent, { kind: 'tls' }>): string;
  certificate(tls: Extract<SessionEvent, { kind: 'tls' }>): string;
  /** Whether the server asked for a client certificate and what went; undefined when none was given and none asked for. */
  clientCertificate(tls: Extract<SessionEvent, { kind: 'tls' }>): string | undefined;
  /** The certificate's SHA-256 fingerprint (-v); undefined when none is known (an older record). */
  fingerprint(tls: Extract<SessionEvent, { kind: 'tls' }>): string | undefined;
}
