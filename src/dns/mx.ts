// Where a domain's mail goes (RFC 5321 §5.1, RFC 7505): its MX hosts, lowest preference first,
// hosts of equal preference in random order; no MX means the domain itself (preference 0); a
// null MX means no mail at all. Each host comes with the addresses to try, or why it has none.
// All the lookups for one domain share one time budget (see Resolver.bounded). The plan, or the
// null MX, is also emitted as an event, so that the transcript and --explain can show it.
import { DnsError } from '../errors.js';
import { ipVersion } from '../ip-address.js';
import type { EmitEvent } from '../events.js';
import type { NoAddress, NoAddressReason } from './facts.js';
import { DnsBudgetError, LookupFailedError, NoSuchNameError, type Resolver } from './resolver.js';
import { absolute, sameName } from './name.js';
import type { DnsRecord } from './wire.js';

export interface MxHost {
  /** Absolute name, `mx.example.org.`. */
  readonly name: string;
  readonly preference: number;
  /** IPv4 then IPv6, as found; empty when the host has no address. */
  readonly addresses: readonly string[];
  /** True for the domain itself when it has no MX (RFC 5321 §5.1). */
  readonly implicit: boolean;
  /** Why there are no addresses, when there are none: what decisions read. */
  readonly noAddress: NoAddressReason | undefined;
  /** The same with what the failed lookup met (each server's rcode or silence), for the words. */
  readonly problem: NoAddress | undefined;
}

export interface MxPlan {
  readonly domain: string;
  /** The domain is an address literal (`[192.0.2.1]`): its one host is that address, no DNS asked. */
  readonly literal?: true;
  readonly hosts: readonly MxHost[];
  /** MX hosts past the limit (RFC 5321 §5.1 lets a client bound the list): never tried. */
  readonly ignored: number;
  /** Hosts that share a preference, shuffled among themselves: each group in plan order. */
  readonly ties: readonly MxTie[];
  /** -4/-6: only the addresses of this family are tried (see tried-addresses.ts). */
  readonly family?: 4 | 6;
}

/** MX hosts of equal preference, in the random order the shuffle gave them (RFC 5321 §5.1). */
export interface MxTie {
  readonly preference: number;
  /** Absolute names, in the order they will be tried. */
  readonly hosts: readonly string[];
}

/** An answer may name thousands of hosts; each costs lookups and connection attempts. */
export const MAX_MX_HOSTS = 10;
/**
 * Host names looked up at most while none of them has an address: past MAX_MX_HOSTS the lookups go
 * on, as Postfix resolves every MX name and bounds the addresses, not the names.
 */
export const MAX_MX_LOOKUPS = 100;
/** Hosts whose lookups the domain's time budget allows for, beyond its MX question. */
const BUDGETED_HOSTS = 2;
/** Addresses tried per host, as Postfix's smtp_mx_address_limit bounds them. */
export const MAX_ADDRESSES_PER_HOST = 5;

/**
 * Plans delivery to `domain`, within one time budget for all its lookups. Throws DnsError: 68 when
 * the domain does not exist, has a null MX, has no MX and no address, or when no MX host has an
 * address because each does not exist or has no address record (as Postfix bounces mail whose MX
 * hosts are all "Host not found"); 75 when a lookup fails for now or the budget runs out before
 * any host has an address. Emits `mx-plan` with the plan it returns, or `null-mx`.
 */
export async function planMx(domain: string, dns: Resolver, random: () => number, emit: EmitEvent, family?: 4 | 6): Promise<MxPlan> {
  const found = literalPlan(domain) ?? (await planOf(domain, dns, random, emit));
  // Said with the plan, so that what shows it (the transcript, --explain) lists what is tried.
  const plan = family === undefined ? found : { ...found, family };
  emit({ kind: 'mx-plan', plan });
  return plan;
}

/**
 * `bob@[192.0.2.1]`: an address literal names no domain to look up (RFC 5321 §4.1.3); mail goes
 * to that address, as sendmail and Postfix send it.
 */
function literalPlan(domain: string): MxPlan | undefined {
  const literal = /^\[(IPv6:)?(.*)\]$/i.exec(domain);
  if (literal === null) return undefined;
  const inside = literal[2]!;
  // RFC 5321 §4.1.3: an IPv6 address says IPv6:, an IPv4 one does not.
  if (ipVersion(inside) !== (literal[1] === undefined ? 4 : 6)) return undefined;
  const host = { name: domain, preference: 0, addresses: [inside], implicit: true, noAddress: undefined, problem: undefined };
  return { domain, literal: true, hosts: [host], ignored: 0, ties: [] };
}

async function planOf(domain: string, dns: Resolver, random: () => number, emit: EmitEvent): Promise<MxPlan> {
  const bounded = dns.bounded(domain);
  const mx = await bounded.resolve(domain, 'MX');
  const records = mx.records.filter((record): record is Extract<DnsRecord, { type: 'MX' }> => record.type === 'MX');
  if (records.length === 0) {
    // RFC 5321 §5.1: only an empty MX list makes the domain its own MX.
    const addresses = await addressesOf(domain, bounded.widened(2), []);
    if (addresses.length === 0) throw new DnsError({ code: 'MAILV_DNS_NO_MX_NO_ADDRESS', domain: absolute(domain) }, 'no-address');
    const host = { name: absolute(mx.canonicalName), preference: 0, addresses, implicit: true, noAddress: undefined, problem: undefined };
    return { domain, hosts: [host], ignored: 0, ties: [] };
  }
  const usable = records.filter((record) => !isRoot(record.exchange));
  if (usable.length === 0) {
    // RFC 7505 §3: a null MX is a single record of preference 0. Any other set of records naming no
    // host (`10 .`, two of them) is not one, but leaves no host to try all the same.
    const invalid = records.length !== 1 || records[0]!.preference !== 0 ? { invalid: true as const } : {};
    emit({ kind: 'null-mx', domain, ...invalid });
    throw new DnsError({ code: 'MAILV_DNS_NULL_MX', domain: absolute(domain), ...invalid }, 'no-mail');
  }
  const ordered = shuffleWithinPreference(distinctHosts(usable), random);
  // Records that name no host are listed, never looked up: they take no place among the hosts tried.
  const hostNames = ordered.filter((record) => isHostName(record.exchange)).length;
  // The MX question and one for each of the first hosts: a host no server answers for leaves time
  // for the next, and silent hosts past them cannot stretch the wait without end.
  const resolver = bounded.widened(1 + Math.min(hostNames, BUDGETED_HOSTS));
  // Addresses given with the answer are taken for the domain's own hosts only (RFC 2181 §5.4.1).
  const given = mx.response.additionals.filter((record) => within(record.name, domain));
  const hosts: MxHost[] = [];
  let outOfTime = false;
  let lookedUp = 0;
  for (const record of ordered) {
    // Its fields in the order of the implicit MX's, so that a replay's JSON reads as the live run's.
    const host = (addresses: string[], why: Pick<MxHost, 'noAddress' | 'problem'>): MxHost => ({
      name: absolute(record.exchange),
      preference: record.preference,
      addresses,
      implicit: false,
      ...why,
    });
    // An IP address or octets no host name holds: nothing to look up, as Postfix ignores them.
    if (!isHostName(record.exchange)) {
      hosts.push(host([], without({ reason: 'not-a-host-name' })));
      continue;
    }
    // The first MAX_MX_HOSTS names; past them, only while no host so far has an address. Those
    // left are counted as ignored; a record that names no host after them is still listed.
    const found = hosts.some((planned) => planned.addresses.length > 0);
    if (lookedUp >= (found ? MAX_MX_HOSTS : MAX_MX_LOOKUPS)) continue;
    lookedUp++;
    if (outOfTime) {
      hosts.push(host([], without({ reason: 'out-of-time' })));
      continue;
    }
    try {
      const addresses = await addressesOf(record.exchange, resolver, given);
      hosts.push(host(addresses, addresses.length > 0 ? { noAddress: undefined, problem: undefined } : without({ reason: 'no-record' })));
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      // Time ran out: the hosts found so far are the most preferred; without any, the domain waits.
      if (error instanceof DnsBudgetError && !hosts.some((found) => found.addresses.length > 0)) throw error;
      outOfTime = error instanceof DnsBudgetError;
      hosts.push(host([], whyNoAddress(error)));
    }
  }
  if (!hosts.some((host) => host.addresses.length > 0)) throw noHostHasAnAddress(domain, hosts);
  return { domain, hosts, ignored: hostNames - lookedUp, ties: tiesOf(hosts) };
}

/** The groups of planned hosts that share a preference: the ones the shuffle ordered. */
function tiesOf(hosts: readonly MxHost[]): MxTie[] {
  const byPreference = new Map<number, string[]>();
  for (const host of hosts) byPreference.set(host.preference, [...(byPreference.get(host.preference) ?? []), host.name]);
  return [...byPreference].filter(([, names]) => names.length > 1).map(([preference, names]) => ({ preference, hosts: names }));
}

function without(problem: NoAddress): Pick<MxHost, 'noAddress' | 'problem'> {
  return { noAddress: problem.reason, problem };
}

/** What a failed address lookup says of the host, from the error's type alone. */
function whyNoAddress(error: DnsError): Pick<MxHost, 'noAddress' | 'problem'> {
  if (error instanceof NoSuchNameError) return without({ reason: 'no-such-host' });
  if (error instanceof DnsBudgetError) return without({ reason: 'out-of-time' });
  // The resolver throws nothing else; anything else is not a reason to pass a host over.
  if (!(error instanceof LookupFailedError)) throw error;
  return without({ reason: 'lookup-failed', failure: error.failure });
}

/**
 * No MX host has an address: permanent (68) only when the DNS said of each that its name does not
 * exist or has no address record; any lookup that failed for now makes it temporary (75).
 */
function noHostHasAnAddress(domain: string, hosts: readonly MxHost[]): DnsError {
  const permanent = hosts.every((host) => host.noAddress === 'no-such-host' || host.noAddress === 'no-record' || host.noAddress === 'not-a-host-name');
  const problems = hosts.map((host) => ({ name: host.name, problem: host.problem ?? { reason: 'no-record' as const } }));
  return new DnsError({ code: 'MAILV_DNS_NO_HOST_ADDRESS', domain, hosts: problems }, permanent ? 'no-address' : 'lookup-failed');
}

/** Sorts by preference; hosts of equal preference are shuffled (RFC 5321 §5.1). */
export function shuffleWithinPreference<T extends { preference: number }>(records: readonly T[], random: () => number): T[] {
  const shuffled = [...records];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  // Array.prototype.sort is stable: the shuffle survives within each preference.
  return shuffled.sort((a, b) => a.preference - b.preference);
}

function isRoot(name: string): boolean {
  return name === '' || name === '.';
}

/**
 * Each host once, at its lowest preference, as Postfix keeps it: copies of one record would fill
 * the list of hosts tried and push the others out.
 */
function distinctHosts<T extends { readonly preference: number; readonly exchange: string }>(records: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const record of records) {
    const key = absolute(record.exchange).toLowerCase();
    const known = best.get(key);
    if (known === undefined || record.preference < known.preference) best.set(key, record);
  }
  return [...best.values()];
}

/** Letters, digits, hyphens and underscores in labels (RFC 1123 §2.1, as found in the wild), and no IP address. */
function isHostName(name: string): boolean {
  const bare = name.replace(/\.$/, '');
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/.test(bare) && ipVersion(bare) === 0;
}

/** `name` is `domain` or below it. */
function within(name: string, domain: string): boolean {
  const bare = (text: string) => text.replace(/\.$/, '').toLowerCase();
  return bare(name) === bare(domain) || bare(name).endsWith(`.${bare(domain)}`);
}

/**
 * A and AAAA of `host`, asked together; each from the additional section when it has that type,
 * asked for otherwise. Throws only when neither type could be had: a failure for now rather than
 * NXDOMAIN when both happened, so that a host is given up for good only on the DNS's word.
 */
async function addressesOf(host: string, resolver: Resolver, additionals: readonly DnsRecord[]): Promise<string[]> {
  const byType = async (type: 'A' | 'AAAA'): Promise<string[]> => {
    const given = additionals.filter((record) => record.type === type && sameName(record.name, host));
    const records = given.length > 0 ? given : (await resolver.resolve(host, type)).records;
    return records.flatMap((record) => (record.type === 'A' || record.type === 'AAAA' ? [record.address] : []));
  };
  const [v4, v6] = await Promise.allSettled([byType('A'), byType('AAAA')]);
  const addresses = [v4, v6].flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
  if (addresses.length > 0) return addresses.slice(0, MAX_ADDRESSES_PER_HOST);
  // Nothing found while a lookup failed is not "no address": the failure is what to report.
  const failures = [v4, v6].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  const failure = failures.find((reason) => !(reason instanceof NoSuchNameError)) ?? failures[0];
  if (failure !== undefined) throw failure;
  return [];
}
