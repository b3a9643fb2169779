// --direct in a load run: the recipient domain's MX plan, found once, and the first of its hosts
// (in the plan's order, each address in turn) that accepts a connection. The whole load goes there:
// a load run measures one server, it does not spread itself over a domain's hosts. The connection
// that found it is the run's first, not one opened and dropped before the greeting.
import { performance } from 'node:perf_hooks';
import { noMxTook } from '../delivery/no-mx-took.js';
import { planMx } from '../dns/mx.js';
import { triedAddresses } from '../dns/tried-addresses.js';
import type { Resolver } from '../dns/resolver.js';
import { TransportError, type TransportReason } from '../errors.js';
import { SmtpConnection } from '../smtp/connection.js';
import type { SessionPlan } from '../smtp/session.js';
import type { OpenConnection } from './driver.js';
import type { LoadTarget } from './facts.js';
import type { InterruptSignal } from '../interruption.js';

export interface TargetSearch {
  readonly resolver: Resolver;
  readonly random: () => number;
  readonly port: number;
  readonly signal?: InterruptSignal | undefined;
}

/** The host found, and the connection that found it (the caller closes it). */
export interface MxTarget {
  readonly target: LoadTarget;
  readonly opened: OpenConnection;
}

/** The first MX host of `domain` that accepts a connection. Throws DnsError, or TransportError (MAILV_NO_MX_TOOK, 75). */
export async function findMxTarget(domain: string, session: Pick<SessionPlan, 'timeouts' | 'local'>, search: TargetSearch): Promise<MxTarget> {
  const family = session.local?.family;
  const mx = await planMx(domain, search.resolver, search.random, () => undefined, family);
  let tried = 0;
  let reason: TransportReason | undefined;
  for (const host of mx.hosts) {
    // -4/-6: only the addresses of that family, as --direct does.
    const addresses = triedAddresses(mx, host);
    if (addresses.length === 0) continue;
    tried++;
    for (const address of addresses) {
      const openedAt = performance.now();
      try {
        const connection = await SmtpConnection.open(address, search.port, session.timeouts.forStage('connect'), search.signal, session.local);
        return { target: { host: host.name, address, port: search.port }, opened: { connection, openedAt, connectedAt: performance.now() } };
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        reason = error.reason ?? reason;
      }
    }
  }
  throw new TransportError(noMxTook(mx, tried, family), 'connect', reason);
}
