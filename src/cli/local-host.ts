// Who and where we are: the machine's fully qualified name and the user, for HELO, From and
// bare local addresses. The system is asked only when the caller passes nothing else.
import { hostname, userInfo } from 'node:os';
import { addressLiteral } from '../ip-address.js';
import type { UserNameOrigin } from './facts.js';

/**
 * The host name; a name without a dot gets `.localdomain`, as Postfix does for myhostname. A host
 * named by its IP address gets that address as a literal (`[10.0.0.5]`): an address is no domain
 * name, and mailv refuses one written bare, so `root` could not be qualified with it (RFC 5321 §4.1.3).
 */
export function localFqdn(name = hostname()): string {
  // A root's dot (`host.example.`) is no part of a name sent in EHLO or ending an address.
  const trimmed = name.trim().toLowerCase().replace(/\.$/, '');
  if (trimmed === '') return 'localhost.localdomain';
  const literal = addressLiteral(trimmed);
  if (literal !== undefined) return literal;
  const fqdn = trimmed.includes('.') ? trimmed : `${trimmed}.localdomain`;
  // A host name no domain name can be (my_host, a..b): a server refuses it in EHLO (RFC 5321
  // §4.1.1.1, Postfix's reject_invalid_helo_hostname), and an address at it is none.
  return DOMAIN_NAME.test(fqdn) ? fqdn : 'localhost.localdomain';
}

/**
 * The domain a bare local name gets: `mailName` (the first line of /etc/mailname, Debian's
 * myorigin, which Postfix, Exim and mutt read), when it is a domain name, else localFqdn(name).
 */
export function localMailDomain(mailName: string | undefined, name?: string): string {
  // A root's dot (`example.org.`) is no part of a mail domain; an IPv4 address is no domain.
  const domain = mailName?.trim().toLowerCase().replace(/\.$/, '');
  return domain !== undefined && DOMAIN_NAME.test(domain) && !/^[\d.]+$/.test(domain) ? domain : localFqdn(name);
}

/** Letters, digits and hyphens, in dot-separated labels: a name a mailbox may end with. */
const DOMAIN_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** $USER (as mail uses it), else $LOGNAME, else the account name. */
export function localUser(env: NodeJS.ProcessEnv, accountName: () => string = () => userInfo().username): string {
  const origin = userNameOrigin(env);
  return origin === 'account' ? accountName() : env[origin]!;
}

/** Where localUser() takes the name from. */
export function userNameOrigin(env: NodeJS.ProcessEnv): UserNameOrigin {
  return env['USER'] ? 'USER' : env['LOGNAME'] ? 'LOGNAME' : 'account';
}
