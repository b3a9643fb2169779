// How a host is named on a line for people: an IP literal in brackets, as sendmail writes it.
import { ipVersion } from '../ip-address.js';

/** An IP literal is shown in brackets, as sendmail does: `[127.0.0.1]`; a name as it is. */
export function displayHost(host: string): string {
  return ipVersion(host) ? `[${host}]` : host;
}
