// mailv replay FILE: a record made with --record shown again through the same output as a live
// run (transcript, --explain, --timing, --json, --step, and any other sink), each event at its
// recorded time; no network, no DNS, no message read. It ends as the recorded run ended: its
// one-line failure, if it said one, and its exit status.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { systemProblem } from '../cli/system-problem.js';
import { InputError } from '../errors.js';
import { Explainer, catalogueFor } from '../explain/explainer.js';
import { ExitCode } from '../exit-codes.js';
import type { ReplayPlan } from '../plan.js';
import { decodeRecord, type KnownCodes } from '../record/decode.js';
import type { RecordedFailure, Recording } from '../record/format.js';
import type { MxPlan } from '../dns/mx.js';
import { jsonLine } from '../render/json-lines.js';
import { fitLines } from '../render/annotation.js';
import { formatMxLookupEnd } from '../render/mx-plan.js';
import { plainStyle } from '../render/style.js';
import { TimingRecorder } from '../render/timing.js';
import { TranscriptRenderer } from '../render/transcript.js';
import type { SessionEvent } from '../events.js';
import type { Command, PendingWrite } from '../smtp/command.js';
import { sanitize } from '../text/sanitize.js';
import { describeFact, describeNote, wordsFor } from '../words/describe.js';
import { en } from '../words/en/index.js';
import { openDiagram } from './diagram-sink.js';
import { openEvents, type ShownPlan } from './events-out.js';
import { mxLookupVerbosity } from './mx-lookup.js';
import { showRecordedAddresses } from './preview.js';
import type { Run } from './run.js';

const KNOWN: KnownCodes = {
  isNote: (code) => Object.hasOwn(en.notes, code),
  isError: (code) => Object.hasOwn(en.errors, code),
};

export async function replay(run: Run, plan: ReplayPlan): Promise<number> {
  const recording = decodeRecord(await readRecord(run, plan.file), plan.file, KNOWN);
  assertShowable(recording, plan.file);
  run.language = plan.language ?? recording.header.language;
  run.json = plan.json;
  const { mxLookup } = recording.header;
  const shown: ShownPlan = {
    verbosity: mxLookup === undefined ? plan.verbosity : mxLookupVerbosity(plan.verbosity),
    color: plan.color,
    step: plan.step,
    output: { json: plan.json, timing: plan.timing, explain: plan.explain ? run.language : undefined },
    replay: true,
  };
  const emit = await openEvents(run, shown);
  if (plan.diagram) run.sinks.push(await openDiagram(run, { language: run.language, explain: plan.explain, timing: plan.timing }, plan.diagram, plan.file));
  const stopWatching = run.io.signals.watch((signal) => run.stop(signal));
  const stepper = plan.step ? await run.io.openStepper(run.interrupt.signal, run.language, true) : undefined;
  try {
    const writes = new WriteStarts();
    // q at --step ended the live run with a QUIT it did not ask about: nor does the replay.
    const unasked = recording.end.failure?.fact.code === 'MAILV_STEP_STOPPED' ? lastQuit(recording.entries) : undefined;
    for (const [index, entry] of recording.entries.entries()) {
      if (entry.kind === 'note' || entry.kind === 'failure') {
        run.replayedAt = entry.at;
        if (entry.kind === 'note') run.note(entry.note);
        else tell(run, entry.failure);
        continue;
      }
      const { event } = entry;
      // --step waits where a live run waited: before each write.
      const write = writes.starts(event);
      if (stepper && write && index !== unasked && (await stepper.ask(pendingWrite(recording.entries, index))) === 'quit') return ExitCode.OK;
      run.replayedAt = entry.at;
      if (event.kind === 'addresses') await showRecordedAddresses(run, shown, event.addresses);
      emit(event);
    }
  } finally {
    stepper?.close();
    stopWatching();
  }
  run.replayedAt = recording.end.at;
  const { failure } = recording.end;
  // --mx ended on the plan's advice, said after the exchange rather than recorded as an event.
  const mx = mxLookup === undefined || plan.json ? undefined : lastMxPlan(recording.entries);
  if (mx !== undefined) {
    const shown = { transcript: plan.verbosity > 0, explain: plan.explain };
    run.output.out(`${fitLines(formatMxLookupEnd(mx, mxLookup!.port, shown, run.words), run.io.stdout.terminal?.columns).join('\n')}\n`);
  }
  // The failure the run ended with, for --json's result.
  if (failure !== undefined) run.recordFact(failure.fact, failure.stage);
  return recording.end.status;
}

/** Where the record's last QUIT is written, if it has one. */
function lastQuit(entries: Recording['entries']): number | undefined {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (entry.kind === 'event' && entry.event.kind === 'send' && entry.event.command.verb === 'QUIT') return index;
  }
  return undefined;
}

/** The plan a record of --mx ends with, if its lookup made one. */
function lastMxPlan(entries: Recording['entries']): MxPlan | undefined {
  let plan: MxPlan | undefined;
  for (const entry of entries) if (entry.kind === 'event' && entry.event.kind === 'mx-plan') plan = entry.event.plan;
  return plan;
}

/**
 * Which recorded events begin a write, where the live session paused: a flight (its commands are
 * one write), a command outside a flight, and the message after DATA's 354, whose -vv lines come
 * before the dot (and QUIT) that end the same write. The octets after BDAT belong to its write.
 */
class WriteStarts {
  /** The commands of the current flight not yet seen. */
  private inFlight = 0;
  /** The message's lines are being shown: its write goes on until the dot. */
  private inMessage = false;
  private previous: SessionEvent['kind'] | undefined;

  starts(event: SessionEvent): boolean {
    let write = false;
    if (event.kind === 'body') {
      write = !this.inMessage && this.previous !== 'send';
      this.inMessage ||= write;
    } else if (event.kind === 'flight') {
      write = !this.inMessage;
      this.inFlight = event.commands;
    } else if (event.kind === 'send') {
      write = !this.inMessage && this.inFlight === 0;
      if (this.inFlight > 0) this.inFlight--;
      this.inMessage = false;
    }
    this.previous = event.kind;
    return write;
  }
}

/**
 * What the write starting at `start` (the message, a flight, or one command) sent, as the live
 * prompt said it: its commands and, before the final dot, the message's size, which the
 * `committed` that follows the write gives.
 */
function pendingWrite(entries: Recording['entries'], start: number): PendingWrite {
  let count = 1;
  const commands: Command[] = [];
  let content: number | undefined;
  // Read in place: a copy of the rest for every write would make stepping through a record quadratic.
  for (let index = start; index < entries.length; index++) {
    const entry = entries[index]!;
    if (entry.kind !== 'event') continue;
    const { event } = entry;
    if (event.kind === 'flight' && commands.length === 0) count = event.commands;
    else if (event.kind === 'send' && commands.length < count) commands.push(event.command);
    else if (event.kind === 'committed' && event.verb === 'DATA' && commands[0]?.verb === '.') content = event.size;
    else if (event.kind === 'reply') break;
  }
  return { content, commands };
}

/** The one line the run said of a failure, where it said it. */
function tell(run: Run, failure: RecordedFailure): void {
  const message = run.recordFact(failure.fact, failure.stage);
  run.spinner?.clear();
  run.output.err(`mailv: ${sanitize(message)}\n`);
  const at = run.elapsed();
  for (const sink of run.sinks) sink.failed?.(failure, at);
}

/**
 * The most a record may hold: a session's record is its message and a few hundred lines, and the
 * whole text is held in memory (about four times over while it is read); a pipe without end
 * (`mailv replay - </dev/zero`) stops here rather than filling the memory.
 */
export const MAX_RECORD_OCTETS = 256 * 1024 * 1024;

/** The record's text, from a file, a pipe (`<(…)`), or standard input (`-`). Throws InputError (66, or 65 beyond MAX_RECORD_OCTETS). */
async function readRecord(run: Run, path: string): Promise<string> {
  if (path === '-') {
    // `< directory` opens it: read, it would say only that nothing came.
    if (run.io.stdin.kind().kind === 'directory') throw new InputError({ code: 'MAILV_RECORD_NOT_A_FILE', path, reading: true }, ExitCode.NOINPUT);
    return readAtMost(run.io.stdin.stream, path);
  }
  let stream: AsyncIterable<unknown>;
  try {
    // A device (/dev/zero) could feed it without end: files and pipes only.
    const info = await stat(path);
    if (!info.isFile() && !info.isFIFO()) throw new InputError({ code: 'MAILV_RECORD_NOT_A_FILE', path, reading: true }, ExitCode.NOINPUT);
    if (info.size > MAX_RECORD_OCTETS) throw tooLarge(path);
    stream = createReadStream(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError({ code: 'MAILV_RECORD_UNREADABLE', path, ...systemProblem(error) }, ExitCode.NOINPUT);
  }
  return readAtMost(stream, path);
}

/** Everything `stream` gives, refused (65) once it passes MAX_RECORD_OCTETS (a file may grow after its size was read). */
async function readAtMost(stream: AsyncIterable<unknown>, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const octets = Buffer.from(chunk as Buffer);
      length += octets.length;
      if (length > MAX_RECORD_OCTETS) throw tooLarge(path);
      chunks.push(octets);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError({ code: 'MAILV_RECORD_UNREADABLE', path, ...systemProblem(error) }, ExitCode.NOINPUT);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(path: string): InputError {
  return new InputError({ code: 'MAILV_RECORD_TOO_LARGE', path, limit: MAX_RECORD_OCTETS }, ExitCode.DATAERR);
}

/**
 * Every line shown once, in both languages and every mode, before anything is printed: a note or
 * failure whose fields do not fit its code would otherwise stop the replay halfway (65, naming its line).
 */
function assertShowable(recording: Recording, path: string): void {
  const fr = wordsFor('fr');
  const renderers = [en, fr].map((words) => new TranscriptRenderer(3, plainStyle, words));
  const explainers = [new Explainer(catalogueFor('en')), new Explainer(catalogueFor('fr'))];
  const timing = new TimingRecorder(0);
  let line = 1;
  try {
    for (const entry of recording.entries) {
      line = entry.line;
      if (entry.kind === 'note') {
        describeNote(entry.note, en);
        describeNote(entry.note, fr);
        continue;
      }
      if (entry.kind === 'failure') {
        describeFact(entry.failure.fact, en);
        describeFact(entry.failure.fact, fr);
        continue;
      }
      for (const renderer of renderers) renderer.lines(entry.event);
      for (const explainer of explainers) explainer.annotate(entry.event);
      timing.record(entry.event, entry.at);
      jsonLine(entry.event, entry.at);
    }
    line = recording.end.line;
    const { failure } = recording.end;
    if (failure !== undefined) {
      describeFact(failure.fact, en);
      describeFact(failure.fact, fr);
    }
  } catch {
    throw new InputError({ code: 'MAILV_RECORD_DAMAGED', path, line, problem: { kind: 'unshowable' } }, ExitCode.DATAERR);
  }
}
