// What `mailv --mx domain` prints after the DNS exchange: the delivery plan and what happens when
// a host fails, in words a networking class can follow (RFC 5321 §5.1, RFC 7505), in the user's
// language. Host names come from DNS answers, whose labels may hold any octet: they are shown escaped.
import type { MxPlan } from '../dns/mx.js';
import type { Words } from '../words/catalogue.js';
import { sanitize } from '../text/sanitize.js';

export function formatMxPlan(plan: MxPlan, port: number, words: Words): string[] {
  const said = words.dns.mxPlan;
  const lines = [''];
  const domain = sanitize(plan.domain);
  const first = plan.hosts[0];
  if (first?.implicit) lines.push(said.implicitMx(domain));
  lines.push(said.goesTo(domain, plan.hosts.length > 1));
  const names = plan.hosts.map((host) => sanitize(host.name));
  const width = Math.max(...names.map((name) => name.length));
  plan.hosts.forEach((host, index) => {
    const where = host.addresses.length > 0 ? sanitize(host.addresses.join(', ')) : said.skipped(sanitize(words.dns.noAddress(host.problem)));
    lines.push(`  ${index + 1}. ${names[index]!.padEnd(width)}  ${said.preference} ${String(host.preference).padStart(3)}  ${where}`);
  });
  if (plan.ignored > 0) lines.push(`  ${said.ignored(plan.ignored, plan.hosts.length)}`);
  const preferences = plan.hosts.map((host) => host.preference);
  if (new Set(preferences).size < preferences.length) lines.push(said.randomOrder);
  lines.push(...said.fallback(plan.hosts.length > 1));
  lines.push(said.port(port));
  return lines;
}
