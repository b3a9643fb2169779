// The resolver of a run: the --dns servers, else those of /etc/resolv.conf; --timeout caps each try.
import { readFileSync } from 'node:fs';
import { parseResolvConf, type ResolverConfig } from '../dns/resolv-conf.js';
import type { Resolver } from '../dns/resolver.js';
import type { EmitEvent } from '../events.js';
import type { Plan } from '../plan.js';
import type { InterruptSignal } from '../interruption.js';

export async function makeResolver(plan: Plan, emit: EmitEvent, signal?: InterruptSignal): Promise<Resolver> {
  const { Resolver } = await import('../dns/resolver.js');
  let config: ResolverConfig;
  if (plan.dnsServers.length > 0) {
    config = { servers: plan.dnsServers, timeoutMs: 5000, attempts: 2 };
  } else {
    let text = '';
    try {
      text = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // No resolv.conf: the C library then asks the local name server, and so does mailv.
    }
    config = parseResolvConf(text);
  }
  if (plan.timeoutMs !== undefined) config = { ...config, timeoutMs: Math.min(config.timeoutMs, plan.timeoutMs) };
  return new Resolver(config, emit, signal);
}
