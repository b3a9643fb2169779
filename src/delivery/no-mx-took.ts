// What a domain's delivery says when no MX host took the message, for --direct and for a load
// run's search for its server alike.
import type { MxPlan } from '../dns/mx.js';
import type { DeliveryErrorFact } from './facts.js';

/** How many hosts were tried, how many had no address, how many had none of the family asked for (-4/-6). */
export function noMxTook(mx: MxPlan, tried: number, family: 4 | 6 | undefined): Extract<DeliveryErrorFact, { code: 'MAILV_NO_MX_TOOK' }> {
  const addressed = mx.hosts.filter((host) => host.addresses.length > 0).length;
  const otherFamily = family !== undefined && addressed > tried ? { family, hosts: addressed - tried } : undefined;
  return { code: 'MAILV_NO_MX_TOOK', domain: mx.domain, tried, skipped: mx.hosts.length - addressed, otherFamily, ...(mx.literal ? { literal: true } : {}) };
}
