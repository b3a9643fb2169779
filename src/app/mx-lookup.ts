// --mx: the DNS exchange and the delivery plan of a domain, in the run's language; nothing is
// read or sent. The transcript shows the hosts as the plan is made (the mx-plan event); with -q
// they are printed here, after it.
import type { MxPlan } from '../dns/mx.js';
import { randomSource } from '../dns/seeded-random.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan, Verbosity } from '../plan.js';
import { formatMxAdvice, formatMxPlan } from '../render/mx-plan.js';
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
    mx = await planMx(domain, resolver, randomSource(plan.seed), emit);
  } finally {
    stopWatching();
  }
  // --json wrote the plan as the mx-plan event.
  if (!plan.output.json) run.output.out(`${afterTheExchange(plan, mx, run).join('\n')}\n`);
  return ExitCode.OK;
}

/** What follows the exchange: the whole plan when the transcript is off, else what it has not said. */
function afterTheExchange(plan: Plan, mx: MxPlan, run: Run): string[] {
  if (plan.verbosity === 0) return formatMxPlan(mx, plan.mxPort, run.words);
  const advice = formatMxAdvice(mx, plan.mxPort, run.words);
  // --explain has said, line by line, what the advice says: only the port is left.
  return plan.output.explain === undefined ? advice : advice.slice(-1);
}
