// The delivery plan of a domain: the hosts in the order they will be tried and what happens when
// a host fails, in words a networking class can follow (RFC 5321 §5.1, RFC 7505), in the user's
// language. `mailv --mx` prints all of it after the DNS exchange; the transcript shows the hosts
// (the `mx-plan` event) between the DNS exchange and the first connection. Host names come from
// DNS answers, whose labels may hold any octet: they are shown escaped.
import type { MxPlan } from '../dns/mx.js';
import { triedAddresses } from '../dns/tried-addresses.js';
import type { Words } from '../words/catalogue.js';
import { sanitize } from '../text/sanitize.js';

/** A DNS name is at most 253 characters (RFC 1035 §2.3.4): any real plan stays aligned; a record's megabyte name does not pad the others. */
const MAX_NAME_COLUMN = 255;

export function formatMxPlan(plan: MxPlan, port: number, words: Words): string[] {
  return [...formatMxHosts(plan, words), ...formatMxAdvice(plan, port, words)];
}

/** A blank line, then where the mail goes: the implicit MX said as such, one line per host. */
export function formatMxHosts(plan: MxPlan, words: Words): string[] {
  const said = words.dns.mxPlan;
  const lines = [''];
  const domain = sanitize(plan.domain);
  const first = plan.hosts[0];
  if (plan.literal) lines.push(said.addressLiteral(domain));
  else if (first?.implicit) lines.push(said.implicitMx(domain));
  lines.push(said.goesTo(domain, plan.hosts.length > 1));
  const names = plan.hosts.map((host) => sanitize(host.name));
  // Folded, not spread; and capped: one long name must not pad every other line to its length.
  const width = Math.min(
    MAX_NAME_COLUMN,
    names.reduce((most, name) => Math.max(most, name.length), 0),
  );
  // Preferences run up to 65535: the column as wide as the widest, three digits at least.
  const preferenceWidth = plan.hosts.reduce((most, host) => Math.max(most, String(host.preference).length), 3);
  plan.hosts.forEach((host, index) => {
    // Under -4/-6, the addresses tried: a host with the other family's only is passed over.
    const tried = triedAddresses(plan, host);
    const where =
      tried.length > 0
        ? sanitize(tried.join(', '))
        : said.skipped(
            host.addresses.length > 0 && plan.family !== undefined ? said.noAddressOfFamily(plan.family) : sanitize(words.dns.noAddress(host.problem)),
          );
    // Ten hosts: the numbers right-aligned, so that the names stay in one column.
    const number = `${index + 1}.`.padStart(String(plan.hosts.length).length + 1);
    lines.push(`  ${number} ${names[index]!.padEnd(width)}  ${said.preference} ${String(host.preference).padStart(preferenceWidth)}  ${where}`);
  });
  if (plan.ignored > 0) lines.push(`  ${said.ignored(plan.ignored, plan.hosts.length)}`);
  return lines;
}

/**
 * What `--mx` prints after the DNS exchange, live or replayed: the whole plan when the transcript
 * is off (-q), else what the transcript has not said. --explain has said, line by line, what the
 * advice says: only the port is left then.
 */
export function formatMxLookupEnd(plan: MxPlan, port: number, shown: { readonly transcript: boolean; readonly explain: boolean }, words: Words): string[] {
  if (!shown.transcript) return formatMxPlan(plan, port, words);
  const advice = formatMxAdvice(plan, port, words);
  return shown.explain ? advice.slice(-1) : advice;
}

/** The order of equal preferences, what happens when a host fails, the port --direct uses. */
export function formatMxAdvice(plan: MxPlan, port: number, words: Words): string[] {
  const said = words.dns.mxPlan;
  return [...(plan.ties.length > 0 ? [said.randomOrder] : []), ...said.fallback(plan.hosts.length > 1), said.port(port)];
}
