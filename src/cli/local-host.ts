// Who and where we are: the machine's fully qualified name and the user, for HELO, From and
// bare local addresses. The system is asked only when the caller passes nothing else.
import { hostname, userInfo } from 'node:os';

/** The host name; a name without a dot gets `.localdomain`, as Postfix does for myhostname. */
export function localFqdn(name = hostname()): string {
  const trimmed = name.trim().toLowerCase();
  if (trimmed === '') return 'localhost.localdomain';
  return trimmed.includes('.') ? trimmed : `${trimmed}.localdomain`;
}

/** $USER (as mail uses it), else $LOGNAME, else the account name. */
export function localUser(env: NodeJS.ProcessEnv, accountName: () => string = () => userInfo().username): string {
  return env['USER'] || env['LOGNAME'] || accountName();
}
