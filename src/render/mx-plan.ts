// What `mailv --mx domain` prints after the DNS exchange: the delivery plan and what happens when
// a host fails, in words a networking class can follow (RFC 5321 §5.1, RFC 7505). Host names come
// from DNS answers, whose labels may hold any octet: they are shown escaped.
import type { MxPlan } from '../dns/mx.js';
import { sanitize } from './sanitize.js';

export function formatMxPlan(plan: MxPlan, port: number): string[] {
  const lines = [''];
  const domain = sanitize(plan.domain);
  const first = plan.hosts[0];
  if (first?.implicit) {
    lines.push(`${domain} has no MX record: its own address takes the mail, as an MX of preference 0 (RFC 5321 §5.1).`);
  }
  lines.push(`Mail for ${domain} goes to${plan.hosts.length > 1 ? ', in this order' : ''}:`);
  const names = plan.hosts.map((host) => sanitize(host.name));
  const width = Math.max(...names.map((name) => name.length));
  plan.hosts.forEach((host, index) => {
    const where = host.addresses.length > 0 ? sanitize(host.addresses.join(', ')) : `(${sanitize(host.problem ?? 'no address')}: skipped)`;
    lines.push(`  ${index + 1}. ${names[index]!.padEnd(width)}  preference ${String(host.preference).padStart(3)}  ${where}`);
  });
  if (plan.ignored > 0) lines.push(`  (${plan.ignored} more MX hosts are ignored: mailv tries at most ${plan.hosts.length})`);
  const preferences = plan.hosts.map((host) => host.preference);
  if (new Set(preferences).size < preferences.length) {
    lines.push('Hosts of equal preference are tried in random order (MAILV_SEED makes the order repeatable).');
  }
  if (plan.hosts.length > 1) {
    lines.push(
      `The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,`,
      `drops the connection or says 421 before taking the message, mailv tries the next address, then the next host.`,
      `When none takes the message it is deferred (exit 75) and kept in dead.letter.`,
    );
  } else {
    lines.push(`When this host cannot be reached the message is deferred (exit 75) and kept in dead.letter.`);
  }
  lines.push(`mailv --direct connects to port ${port} of these addresses.`);
  return lines;
}
