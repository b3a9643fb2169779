// The syntax of settings that a flag and the accounts file may both give: the server to submit to
// and the name given in EHLO. Each check says what is wrong without repeating the value, so that
// the accounts file can report it without quoting a line that may hold a secret.
import type { ServerAddress } from '../delivery/submit.js';

/** A report of what is wrong with a value; it throws the caller's error. */
export type Fail = (problem: string) => never;

/** `smtp://host[:port]`, `smtps://host[:port]` (implicit TLS), `host[:port]`, `[v6]:port`. */
export function parseServerAddress(text: string, fail: Fail): ServerAddress {
  const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+)(?::(\d+))?\/?$/i.exec(text.trim());
  if (!match) fail('expected smtp://host[:port], smtps://host[:port] or host[:port]');
  const [, scheme, host, port] = match;
  const implicitTls = scheme?.toLowerCase() === 'smtps';
  if (scheme !== undefined && scheme.toLowerCase() !== 'smtp' && !implicitTls) fail('the scheme must be smtp:// or smtps://');
  // RFC 8314 §7.3: 465 is submission over implicit TLS.
  const portNumber = port === undefined ? (implicitTls ? 465 : 25) : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) fail('the port is out of range (1 to 65535)');
  return { host: host!.replace(/^\[(.*)\]$/, '$1'), port: portNumber, implicitTls };
}

/** RFC 5321 §4.1.1.1: EHLO takes a domain name or an address literal. */
export function checkHeloName(name: string, fail: Fail): string {
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/.test(name)) {
    fail('a domain name or an address literal');
  }
  return name;
}
