// PIPECONNECT for a send: what is remembered of servers goes into the session plan, and the
// session's `ehlo-learned` and `ehlo-forgotten` (a refused early EHLO: kept for a day when the
// refusal was a 5xx) events update the memory, written when the run ends.
import type { ServerAddress } from '../delivery/submit.js';
import type { Plan } from '../plan.js';
import type { SessionPlan } from '../smtp/session.js';
import { cacheDirectory } from '../cache/cache-directory.js';
import { EhloMemory } from '../cache/ehlo-memory.js';
import type { Run } from './run.js';

/**
 * The remembered EHLO replies for this send, and which servers refuse early talk for now; nothing
 * where an early EHLO has no place: asked
 * off (--no-pipeconnect), one command per reply (--pipelining off, --step), a probe that ends
 * before EHLO, LMTP, a unix socket, or a PROXY header or XCLIENT (the server must see those first).
 */
export async function rememberedEhlos(run: Run, plan: Plan, server: ServerAddress | undefined): Promise<Pick<SessionPlan, 'remembered' | 'refusesEarly'>> {
  if (!plan.pipeconnect || plan.pipelining === 'off' || plan.step) return {};
  if (plan.quitAfter === 'connect' || plan.quitAfter === 'greeting') return {};
  if (server?.lmtp || server?.socket !== undefined || plan.origin.proxy !== undefined || plan.origin.xclient.length > 0) return {};
  const memory = await EhloMemory.open(cacheDirectory(run.io.env));
  const now = () => run.io.clock.date().getTime();
  run.sinks.push({
    event(event) {
      if (event.kind === 'ehlo-learned') memory.learn(event.key, event.offer, now());
      else if (event.kind === 'ehlo-forgotten' && event.lasting) memory.refused(event.key, now());
      else if (event.kind === 'ehlo-forgotten') memory.forget(event.key);
    },
    close: () => memory.save(),
  });
  return { remembered: memory.remembered(plan.helo, now()), refusesEarly: (key) => memory.refusesEarly(key, now()) };
}
