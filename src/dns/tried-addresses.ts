// Which of an MX plan's addresses are tried: a module of its own, so that what shows a plan (the
// transcript, --explain) needs none of the DNS client to say it.
import type { MxHost, MxPlan } from './mx.js';
import { ipVersion } from '../ip-address.js';

/** The addresses of `host` a plan tries: under -4/-6, those of the plan's family only. */
export function triedAddresses(plan: Pick<MxPlan, 'family'>, host: Pick<MxHost, 'addresses'>): readonly string[] {
  const family = plan.family;
  return family === undefined ? host.addresses : host.addresses.filter((address) => ipVersion(address) === family);
}
