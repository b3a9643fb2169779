// --mx: the DNS exchange and the delivery plan of a domain, in the run's language; nothing is
// read or sent. The transcript shows the hosts as the plan is made (the mx-plan event); with -q
// they are printed here, after it.
import type { MxPlan } from '../dns/mx.js';
import { randomSource } from '../dns/seeded-random.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan, Verbosity } from '../plan.js';
import { fitLines } from '../render/annotation.js';
import { formatMxLookupEnd } from '../render/mx-plan.js';
import { openDiagram } from './diagram-sink.js';
import { openEvents } from './events-out.js';
import { makeResolver } from './resolver.js';
import type { Run } from './run.js';

export async function showMx(run: Run, plan: Plan, domain: string): Promise<number> {
  const emit = await openEvents(run, plan, mxLookupVerbosity(plan.verbosity));
  // The DNS exchange drawn as its queries and answers, as a replay of this lookup draws it.
  if (plan.diagram)
    run.sinks.push(await openDiagram(run, { language: plan.language, explain: plan.output.explain !== undefined, timing: plan.output.timing }, plan.diagram));
  // A stop signal ends the lookup as it ends a send: said in one line, 128 + its number.
  const stopWatching = run.io.signals.watch((stop) => run.stop(stop));
  let mx: MxPlan;
  try {
    const resolver = await makeResolver(plan, emit, run.interrupt.signal);
    const { planMx } = await import('../dns/mx.js');
    mx = await planMx(domain, resolver, randomSource(plan.seed), emit, plan.origin.family);
  } finally {
    stopWatching();
  }
  // --json wrote the plan as the mx-plan event.
  if (!plan.output.json) {
    const shown = { transcript: plan.verbosity > 0, explain: plan.output.explain !== undefined };
    run.output.out(`${fitLines(formatMxLookupEnd(mx, plan.mxPort, shown, run.words), run.io.stdout.terminal?.columns).join('\n')}\n`);
  }
  return ExitCode.OK;
}

/** The DNS exchange is what --mx is about: shown at the default verbosity as -v shows it. */
export function mxLookupVerbosity(asked: Verbosity): Verbosity {
  return asked === 0 ? 0 : (Math.max(asked, 2) as Verbosity);
}
