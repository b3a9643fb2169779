// Where the events of a run go: JSON lines (--json), or the transcript with its --explain
// annotations, --timing stamps and the spinner between lines; a recipient that did not get the
// message is also said on standard error, in either case.
import { waitingSpinner } from '../cli/spinner.js';
import { decideColourLevel } from '../cli/terminal.js';
import type { EmitEvent, SessionEvent } from '../events.js';
import type { Plan, Verbosity } from '../plan.js';
import { jsonLine } from '../render/json-lines.js';
import { colourStyle, plainStyle, type Style } from '../render/style.js';
import { STAMP_WIDTH, TimingRecorder } from '../render/timing.js';
import { annotationLines } from '../render/annotation.js';
import { TranscriptRenderer } from '../render/transcript.js';
import type { Language } from '../words/language.js';
import type { Run } from './run.js';

/** What the output of events depends on: a send's plan, or a replay's. */
export type ShownPlan = Pick<Plan, 'verbosity' | 'color' | 'output' | 'step'> & {
  /** A replay: its record keeps no secret, which no option can show. */
  readonly replay?: true;
};

/** Sets up the run's output of events (once) and returns it. */
export async function openEvents(run: Run, plan: ShownPlan, verbosity: Verbosity = plan.verbosity): Promise<EmitEvent> {
  if (run.emitter) return run.emitter;
  const reportRefusal = (event: SessionEvent) => {
    // Said with the failures, on standard error: the transcript may be what failed (a full disk).
    if (event.kind === 'note' && event.note.code === 'interrupted-unconfirmed') run.note(event.note);
    if (event.kind === 'recipient' && event.outcome !== 'sent' && event.reply && event.next === undefined) {
      run.note({ code: 'recipient-not-delivered', recipient: event.recipient, reply: event.reply });
    }
  };
  if (plan.output.json) {
    run.emitter = (event) => {
      // One reading of the clock for the line and the record: a replay gives the same milliseconds.
      const at = run.elapsed();
      run.toSinks(event, at);
      run.output.out(`${jsonLine(event, at)}\n`);
      reportRefusal(event);
    };
    return run.emitter;
  }
  const style = await styleFor(run, plan);
  // --explain teaches the DNS step too: its exchange and plan are shown without -v.
  const renderer = new TranscriptRenderer(verbosity, style, run.words, verbosity >= 2 || (plan.output.explain !== undefined && verbosity > 0));
  const explaining = plan.output.explain !== undefined && verbosity > 0 ? plan.output.explain : undefined;
  // At a terminal, explanations are cut to its width, less the stamp --timing puts before each line.
  const columns = explaining === undefined ? undefined : run.io.stdout.terminal?.columns;
  const width = columns === undefined ? undefined : columns - (plan.output.timing ? STAMP_WIDTH : 0);
  const explain = explaining === undefined ? undefined : await explainer(explaining, style, plan.replay !== true, width);
  if (plan.output.timing && verbosity > 0) run.timing ??= new TimingRecorder(0);
  const timing = run.timing;
  // --step waits for the user, not the server: no spinner there.
  const spinner = verbosity > 0 && !plan.step ? spinnerFor(run, plan) : undefined;
  run.spinner = spinner;
  run.emitter = (event) => {
    const at = run.elapsed();
    run.toSinks(event, at);
    spinner?.clear();
    timing?.record(event, at);
    let lines = renderer.lines(event);
    if (explain) lines = explain(event, lines);
    if (timing && lines.length > 0)
      lines = lines.map((line, index) => (index === 0 ? timing.stamp(at, run.words.timing) : timing.blank(run.words.timing)) + line);
    if (lines.length > 0) run.output.out(`${lines.join('\n')}\n`);
    reportRefusal(event);
    spinner?.after(event);
  };
  return run.emitter;
}

/** The spinner on standard error, coloured as the transcript would be there. */
function spinnerFor(run: Run, plan: ShownPlan) {
  const terminal = run.io.stderr.terminal;
  return waitingSpinner(run.output.listened('stderr'), terminal, run.words.output.spinner, colourLevel(run, plan, terminal) > 0);
}

/** The colours an output takes, `terminal` being what it is (undefined: no terminal), as cli/terminal.ts decides. */
function colourLevel(run: Run, plan: ShownPlan, terminal: { readonly colorDepth: number } | undefined) {
  return decideColourLevel(plan.color, { isTTY: terminal !== undefined, colorDepth: terminal?.colorDepth ?? 1, env: run.io.env });
}

/** How the transcript looks on standard output: colours as decided in cli/terminal.ts. */
export async function styleFor(run: Run, plan: ShownPlan): Promise<Style> {
  if (plan.verbosity === 0) return plainStyle; // -q writes no transcript: stdout is not even opened
  const level = colourLevel(run, plan, run.io.stdout.terminal);
  if (level === 0) return plainStyle;
  const { Chalk } = await import('chalk');
  return colourStyle(new Chalk({ level }));
}

/**
 * --explain: each shown line with its annotations, indented and dimmed. Every event goes through
 * the explainer, so that it keeps the context (the command a reply answers); only the annotations
 * of lines actually shown are printed.
 */
async function explainer(
  language: Language,
  style: Style,
  secretsShowable: boolean,
  width: number | undefined,
): Promise<(event: SessionEvent, lines: string[]) => string[]> {
  const { Explainer, catalogueFor } = await import('../explain/explainer.js');
  const explainer = new Explainer(catalogueFor(language), secretsShowable);
  const annotate = (text: string) => annotationLines(text, width).map((line) => style.note(line));
  return (event, lines) => {
    const { before, after, standalone } = explainer.annotate(event);
    if (lines.length === 0 && standalone !== true) return lines;
    return [...before.flatMap(annotate), ...lines, ...after.flatMap(annotate)];
  };
}
