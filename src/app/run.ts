// One run of mailv: what it keeps from start to finish (its outputs, its language, why it failed,
// the spinner and the timing of its transcript), created for each run and never shared, and how
// it ends: the one line that says what went wrong, then --json's result or --timing's summary.
import type { Stepper } from '../cli/step-prompt.js';
import type { WaitingSpinner } from '../cli/spinner.js';
import { CommandLineError } from '../cli/program.js';
import { InterruptedError, MailvError, exitCodeOf, type ErrorFact, type Stage } from '../errors.js';
import type { EmitEvent, Note, SessionEvent } from '../events.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan } from '../plan.js';
import { fitLines } from '../render/annotation.js';
import { jsonLine, jsonResult, type RunFailure } from '../render/json-lines.js';
import type { TimingRecorder } from '../render/timing.js';
import { Redactor, secretForms, type SecretKind } from '../smtp/redact.js';
import { sanitize } from '../text/sanitize.js';
import type { Words } from '../words/catalogue.js';
import { describeError, describeFact, describeNote, wordsFor } from '../words/describe.js';
import { chooseLanguage, type Language } from '../words/language.js';
import type { AppIo } from './io.js';
import type { StopSignal } from '../exit-codes.js';
import { Output } from './output.js';
import { internalFailure } from '../internal-failure.js';
import { FAULTED, Interrupter, WRITE_FAILED } from '../interruption.js';

/** A consumer of the run's events besides the transcript: it gets each with its time, and is closed once. */
export interface EventSink {
  /** `at`: milliseconds since the run started. */
  event(event: SessionEvent, at: number): void;
  /** The run is over with `status`: write what is kept; a failure is a MailvError. */
  close(status: number): Promise<void>;
  /** A note said on standard error besides the events, with its time. */
  note?(note: Note, at: number): void;
  /** The one line that says what went wrong was said, with its time. */
  failed?(failure: FailureFact, at: number): void;
  /** A secret the run holds (a password, a token): a sink that keeps anything must never keep it. */
  hide?(secret: string): void;
}

/** Why the run did not end with 0, as a fact (for --record). */
export interface FailureFact {
  readonly fact: ErrorFact;
  /** Undefined for a failure of mailv's own (MAILV_INTERNAL). */
  readonly stage: Stage | undefined;
}

/** The fields of a fact that hold what a server said: a reply's lines, a text, a challenge, a message quoted back. */
const SERVER_TEXT = new Set(['lines', 'raw', 'text', 'challenge', 'message']);

export class Run {
  readonly started: number;
  readonly output: Output;
  /** Aborted by a stop signal or a failed write: whatever is under way ends, as any failure does. */
  readonly interrupt = new Interrupter();
  /** The language of every line: the locale's (or a --lang seen in the arguments) until the plan is made. */
  language: Language;
  plan: Plan | undefined;
  /** --json's result line is written: the plan asks for it, or the arguments did before they failed. */
  json = false;
  /** Why the run did not end with 0, for --json's result line. */
  failure: RunFailure | undefined;
  /** The same as a fact. */
  failureFact: FailureFact | undefined;
  /** mailv replay: the recorded time of the event being shown, which the run's clock then reads. */
  replayedAt: number | undefined;
  /** Where events go once the transcript (or the JSON lines) is set up. */
  emitter: EmitEvent | undefined;
  spinner: WaitingSpinner | undefined;
  timing: TimingRecorder | undefined;
  /** --step: the terminal that paces the session. */
  stepper: Stepper | undefined;
  /** Where every event also goes, with its time (--record, --diagram); each is closed when the run ends. */
  readonly sinks: EventSink[] = [];
  /** The run's secrets (see hide()), masked on standard error whatever --show-secrets says. */
  private readonly secrets = new Redactor();
  /** The message came from a file on standard input: if dead.letter fails, that file still holds it. */
  stdinIsFile = false;
  /** A stop signal ended the wait for dead.letter's lock (the entry then written): the run ends by it. */
  stoppedWhileKeeping: StopSignal | undefined;
  /** The first exception nothing caught: once it came, it is the run's failure. */
  private fault: { readonly error: unknown } | undefined;
  /** The fault has been said: nothing recorded after it takes its place. */
  private faultSaid = false;

  constructor(readonly io: AppIo) {
    this.started = io.clock.now();
    this.language = chooseLanguage(languageFlag(io.argv), io.env);
    // A failed write stops the run: the reason only ends what is under way, and the failure
    // reported is the write's (see finish).
    this.output = new Output(io, () => this.interrupt.abort(WRITE_FAILED), this.interrupt.signal);
  }

  get words(): Words {
    return wordsFor(this.language);
  }

  /**
   * Milliseconds since the run started, to the microsecond a record keeps: the io's clock, or,
   * during a replay, the recorded time; from finish() on, the moment the run ended. So a record's
   * entry, its --json line and its --timing stamp are made from one number, the end is one total
   * for all three, and a replay, reading the numbers back, shows the same to the last digit.
   */
  elapsed(): number {
    if (this.endedAt !== undefined) return this.endedAt;
    const ms = this.replayedAt ?? this.io.clock.now() - this.started;
    return Math.round(Math.max(0, ms) * 1000) / 1000;
  }

  private endedAt: number | undefined;

  /** A stop signal: the run ends as any failure does; a hangup leaves nobody to write to. */
  stop(signal: StopSignal): void {
    if (signal === 'SIGHUP') this.output.hangUp();
    if (!this.interrupt.signal.aborted) this.interrupt.abort(signal);
  }

  /** Passes an event on: to the transcript or JSON lines once set up, else (JSON) written as it is. */
  emit(event: SessionEvent): void {
    if (this.emitter) {
      this.emitter(event);
      return;
    }
    const at = this.elapsed();
    this.toSinks(event, at);
    if (this.json) this.output.out(`${jsonLine(event, at)}\n`);
  }

  /** Passes an event to every sink, stamped with the milliseconds since the run started. */
  toSinks(event: SessionEvent, at = this.elapsed()): void {
    for (const sink of this.sinks) sink.event(event, at);
  }

  /**
   * A secret of the run's, for the sinks to keep out of what they keep, and masked in every line
   * on standard error and in the words of the run's failure, --show-secrets or not: only the
   * dialogue on standard output shows it, and only when asked.
   */
  hide(secret: string, kind: SecretKind = 'typed'): void {
    this.secrets.hide(secret, kind);
    for (const form of secretForms(secret)) this.secrets.hide(form);
    for (const sink of this.sinks) sink.hide?.(secret);
  }

  /**
   * A fact with the run's secrets masked in what the server said in it (a reply's lines, a text
   * quoted back), never in mailv's own words: a password that reads "message" must not mask them.
   */
  private masked<T>(fact: T): T {
    const mask = (value: unknown, key: string | undefined): unknown => {
      if (typeof value === 'string') return key !== undefined && SERVER_TEXT.has(key) ? this.secrets.text(value) : value;
      if (Array.isArray(value)) return value.map((each) => mask(each, key));
      if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
        return Object.fromEntries(Object.entries(value).map(([field, each]) => [field, mask(each, field)]));
      }
      return value;
    };
    return mask(fact, undefined) as T;
  }

  /** A line on standard error that is not the failure itself. */
  note(note: Note): void {
    if (this.sinks.length > 0) {
      const at = this.elapsed();
      for (const sink of this.sinks) sink.note?.(note, at);
    }
    this.spinner?.clear();
    this.output.err(`mailv: ${sanitize(describeNote(this.masked(note), this.words))}\n`);
  }

  /**
   * An exception nothing caught, thrown where no caller waits (an event handler): a fault of
   * mailv's own. It is said at once, the run perhaps never reaching its end, and is the run's
   * failure from then on (70); what is under way ends as at a stop signal, so that the message is
   * kept in dead.letter as after any failure.
   */
  faulted(error: unknown): void {
    if (this.fault !== undefined) return;
    this.fault = { error };
    // What is under way ends first (a prompt pending at the terminal is cleared), then the fault is
    // said. No signal came: the reason only ends what is under way; what the run reports is the fault.
    this.interrupt.abort(FAULTED);
    try {
      this.report(error);
    } catch (telling) {
      // A thrown value that throws at every look cannot be told: what telling it threw is told instead.
      this.report(telling);
    }
    this.faultSaid = true;
  }

  /** Prints the one line that says what went wrong, keeps it for --json; returns the exit status. */
  fail(error: unknown): number {
    // What fails after a fault is its consequence: the fault is said, and is the run's failure.
    if (this.fault !== undefined) return ExitCode.SOFTWARE;
    return this.report(error);
  }

  private report(error: unknown): number {
    // A failure may come with no event after it: the spinner would stay, and keep the process alive.
    this.spinner?.clear();
    const message = this.record(error);
    // Escaped line by line: the only line breaks kept are those mailv put between its own lines.
    this.say(error instanceof CommandLineError ? error.linesIn(this.words) : [message]);
    return exitCodeOf(error);
  }

  /**
   * Prints the one line for a result that is no exception (a load run's failures), keeps it for
   * --json; returns `status`, which the result decided.
   */
  failWith(fact: ErrorFact, status: number): number {
    if (this.fault !== undefined) return ExitCode.SOFTWARE;
    this.spinner?.clear();
    this.say([this.recordFact(fact, undefined)]);
    return status;
  }

  /** The failure just recorded, to the sinks and on standard error. */
  private say(lines: readonly string[]): void {
    if (this.sinks.length > 0) {
      const at = this.elapsed();
      for (const sink of this.sinks) sink.failed?.(this.failureFact!, at);
    }
    this.output.err(`mailv: ${lines.map(sanitize).join('\n')}\n`);
  }

  /** Keeps what went wrong for --json without printing it (it was told already); returns its words. */
  record(error: unknown): string {
    if (this.faultSaid) return this.failure!.message;
    const message = error instanceof MailvError ? describeFact(this.masked(error.fact), this.words) : describeError(error, this.words);
    this.failure = error instanceof MailvError ? { code: error.code, stage: error.stage, message } : { code: 'MAILV_INTERNAL', stage: undefined, message };
    this.failureFact = error instanceof MailvError ? { fact: error.fact, stage: error.stage } : { fact: internalFailure(error), stage: undefined };
    return message;
  }

  /**
   * Keeps a result that is no exception (refused recipients, a replayed failure) for --json,
   * unsaid: the lines before said it. Returns its words.
   */
  recordFact(fact: ErrorFact, stage: Stage | undefined): string {
    if (this.faultSaid) return this.failure!.message;
    const message = describeFact(this.masked(fact), this.words);
    this.failure = { code: fact.code, stage, message };
    this.failureFact = { fact, stage };
    return message;
  }

  /**
   * Ends the run: --json's result line or --timing's summary, after everything else. A write that
   * failed on the way is what the run ends with (74), said on standard error unless that is what
   * failed.
   */
  async finish(status: number): Promise<number> {
    this.endedAt = this.elapsed();
    this.spinner?.clear();
    if (this.fault !== undefined) status = ExitCode.SOFTWARE;
    // As a signal anywhere else: said, and its status (128 + its number), the message kept all the
    // same; before the sinks close, so that a record ends as the run does.
    // Not said twice: a terminal's hangup ends the typed message, its SIGHUP coming a moment later.
    const stopped = this.stoppedWhileKeeping;
    const saidAlready = this.failureFact?.fact.code === 'MAILV_INTERRUPTED' && this.failureFact.fact.signal === stopped;
    if (stopped !== undefined && this.fault === undefined && !saidAlready) status = this.fail(new InterruptedError(stopped, 'run'));
    for (const sink of this.sinks.splice(0)) {
      try {
        await sink.close(status);
      } catch (error) {
        if (status === ExitCode.OK) status = this.fail(error);
        else this.fail(error);
      }
    }
    await this.output.settle();
    if (this.output.failure && this.failure?.code !== 'MAILV_OUTPUT_FAILED') status = this.fail(this.output.failure);
    if (this.json) this.output.out(`${jsonResult(status, status === ExitCode.OK ? undefined : this.failure, this.elapsed())}\n`);
    // The recorder exists only where the transcript is shown (see openEvents).
    else if (this.timing) this.output.out(`${fitLines(this.timing.summary(this.elapsed(), this.words.timing), this.io.stdout.terminal?.columns).join('\n')}\n`);
    await this.output.settle();
    // The last line itself could not be written.
    if (this.output.failure && this.failure?.code !== 'MAILV_OUTPUT_FAILED') status = this.fail(this.output.failure);
    await this.output.settle();
    return status;
  }
}

/**
 * The --lang of arguments that may not parse, so that even a usage error is told in the language
 * asked for; the parsed flag decides once there is a plan.
 */
function languageFlag(argv: readonly string[]): string | undefined {
  let flag: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') break;
    // A --lang whose value is missing (the last argument) leaves the one before it: the error is about that flag.
    if (arg === '--lang') flag = argv[++index] ?? flag;
    else if (arg.startsWith('--lang=')) flag = arg.slice('--lang='.length);
  }
  return flag;
}
