// --mx: the DNS exchange (with -v) and the delivery plan of a domain, in the run's language;
// nothing is read or sent.
import type { MxPlan } from '../dns/mx.js';
import { randomSource } from '../dns/seeded-random.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan, Verbosity } from '../plan.js';
import { jsonMxPlan } from '../render/json-lines.js';
import { formatMxPlan } from '../render/mx-plan.js';
import { openEvents } from './events-out.js';
import { makeResolver } from './resolver.js';
import type { Run } from './run.js';

export async function showMx(run: Run, plan: Plan, domain: string): Promise<number> {
  // The DNS exchange is what --mx is about: shown at the default verbosity as -v shows it.
  const emit = await openEvents(run, plan, (plan.verbosity === 0 ? 0 : Math.max(plan.verbosity, 2)) as Verbosity);
  // A stop signal ends the lookup as it ends a send: said in one line, 128 + its number.
  const stopWatching = run.io.signals.watch((stop) => run.stop(stop));
  let mx: MxPlan;
  try {
    const resolver = await makeResolver(plan, emit, run.interrupt.signal);
    const { planMx } = await import('../dns/mx.js');
    mx = await planMx(domain, resolver, randomSource(plan.seed));
  } finally {
    stopWatching();
  }
  if (plan.output.json) run.output.out(`${jsonMxPlan(mx, run.elapsed())}\n`);
  else run.output.out(`${formatMxPlan(mx, plan.mxPort, run.words).join('\n')}\n`);
  return ExitCode.OK;
}
