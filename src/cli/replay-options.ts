// The options of `mailv replay` → its plan, checked as a live run's output options are. Pure.
import { UsageError } from '../errors.js';
import type { ReplayPlan, Verbosity } from '../plan.js';
import type { JsonClashFlag } from './facts.js';
import { parseDiagram } from './options.js';
import type { ReplayOptions } from './program.js';

/** Throws UsageError for flags that contradict each other. */
export function buildReplayPlan(options: ReplayOptions, file: string): ReplayPlan {
  if (options.quiet && options.verbose > 0) throw new UsageError({ code: 'MAILV_QUIET_VERBOSE' });
  if (options.json && (options.quiet || options.explain || options.timing || options.step)) {
    const flag: JsonClashFlag = options.quiet ? '-q' : options.explain ? '--explain' : options.timing ? '--timing' : '--step';
    throw new UsageError({ code: 'MAILV_JSON_CLASH', flag });
  }
  return {
    file,
    language: options.lang,
    verbosity: options.quiet ? 0 : (Math.min(1 + options.verbose, 3) as Verbosity),
    color: options.color,
    json: options.json === true,
    timing: options.timing === true,
    explain: options.explain === true,
    step: options.step === true,
    diagram: options.diagram === undefined ? undefined : parseDiagram(options.diagram),
  };
}
