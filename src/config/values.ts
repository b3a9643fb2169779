// The syntax of settings that a flag and the accounts file may both give: the server to submit to
// and the name given in EHLO. Each check reports what is wrong as a fact, without the value, so
// that the accounts file can report it without quoting a line that may hold a secret.
import type { ServerAddress } from '../delivery/submit.js';
import type { ServerProblem } from './facts.js';
import { domainToUnicode } from 'node:url';
import { UsageError } from '../errors.js';
import { parseDomain } from '../message/address.js';
import { ipVersion } from '../ip-address.js';

/** A report of what is wrong with a value; it throws the caller's error. */
export type Fail<Problem> = (problem: Problem) => never;

/** LMTP has no port of its own (RFC 2033 §5 forbids 25); 24 is the one commonly configured. */
const LMTP_PORT = 24;

/**
 * `smtp://host[:port]`, `smtps://host[:port]` (implicit TLS), `host[:port]`, `[v6]:port`,
 * `lmtp://host[:port]`, and unix-domain sockets: `unix:/path` (SMTP) and `lmtp:/path`.
 */
export function parseServerAddress(text: string, fail: Fail<ServerProblem>): ServerAddress {
  const local = /^(unix|lmtp):(\/(?!\/).*)$/i.exec(text.trim());
  if (local) {
    const [, scheme, path] = local;
    return { host: path!, port: 0, implicitTls: false, socket: path!, ...(scheme!.toLowerCase() === 'lmtp' ? { lmtp: true } : {}) };
  }
  // A host name's characters only: ASCII letters, digits, `.`, `-`, `_`, and past ASCII what IDNA
  // takes (mail.bücher.example, mail.भारत; checked below): no `@`, `?`, `#`, space or control
  // character reaches the resolver as part of a name. No Unicode property classes and no /i:
  // compiling one costs a send up to a millisecond.
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._\u00a0-\uffff-]+)(?::(\d+))?\/?$/.exec(text.trim());
  // smtp://user@host, as URLs carry a user: the user goes with --user (or user = of an account).
  if (!match) fail(/^(?:[a-z][a-z0-9+.-]*:\/\/)?[^@/]+@[^@/]+$/i.test(text.trim()) ? 'user' : 'form');
  const [, scheme, host, port] = match;
  // A name past ASCII must be one IDNA takes (not a no-break space, a fullwidth ＠, a bidi override).
  if (/[^\x00-\x7f]/.test(host!) && !idnaHostName(host!)) fail('form');
  // In brackets, an IP address: anything else (`[1:2]`, `[127.1]`) would go to the resolver as a
  // name, or be read by getaddrinfo's old numeric forms as another address.
  if (host!.startsWith('[') && ipVersion(host!.slice(1, -1)) === 0) fail('form');
  const implicitTls = scheme?.toLowerCase() === 'smtps';
  const lmtp = scheme?.toLowerCase() === 'lmtp';
  if (scheme !== undefined && scheme.toLowerCase() !== 'smtp' && !implicitTls && !lmtp) fail('scheme');
  // RFC 8314 §7.3: 465 is submission over implicit TLS.
  const portNumber = port === undefined ? (implicitTls ? 465 : lmtp ? LMTP_PORT : 25) : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) fail('port');
  return { host: host!.replace(/^\[(.*)\]$/, '$1'), port: portNumber, implicitTls, ...(lmtp ? { lmtp: true } : {}) };
}

/**
 * A time limit in seconds, as --timeout and the accounts file's `timeout` take it (`30`, `2.5`), in
 * ms; `fail` is called otherwise (`0x10`, `1e3`, `-1`). Past what a timer holds (24.8 days), the
 * longest a timer holds: Node would fire a longer one at once.
 */
export function parseSeconds(text: string, fail: Fail<void>): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(seconds > 0)) fail();
  return Math.min(Math.max(1, Math.round(seconds * 1000)), LONGEST_TIMER_MS);
}

const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * RFC 5321 §4.1.1.1: EHLO takes a domain name or an address literal (§4.1.3: an IPv4 address of
 * four numbers to 255, or `IPv6:` and an IPv6 address); `fail` is called otherwise.
 */
export function checkHeloName(name: string, fail: Fail<void>): string {
  const literal = /^\[(IPv6:)?([0-9A-Fa-f:.]+)\]$/i.exec(name);
  const valid = literal
    ? ipVersion(literal[2]!) === (literal[1] === undefined ? 4 : 6)
    : /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(name);
  if (!valid) fail();
  return name;
}

/**
 * --tls-name and the accounts file's `tls-name`: the name the server's certificate must carry and
 * SNI sends, for a server reached by another (its address, a tunnel's end, a socket's path), as
 * msmtp's tls_host_override: a domain name in A-labels, lower case and without a final dot (RFC 6066
 * §3), or an IP address (`[::1]` or bare), then checked against the certificate's addresses and sent
 * without SNI; `fail` is called otherwise (no wildcard: it names a server, not a pattern).
 */
export function parseTlsName(text: string, fail: Fail<void>): string {
  const inBrackets = /^\[(.*)\]$/.exec(text)?.[1];
  const address = inBrackets ?? text;
  if (ipVersion(address) !== 0) return address;
  if (inBrackets !== undefined) fail();
  // Checked as an address's domain is (its characters, UTS #46, IDNA2008, no address in a URL
  // host's forms such as 127.1), ideographic full stops read as dots first.
  const name = address.replace(/[\u3002\uff0e\uff61]/g, '.');
  let ascii: string;
  try {
    ascii = parseDomain(name);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail();
  }
  // A name whose last label is all digits is none (RFC 1123 §2.1). UTS #46 also drops what it
  // ignores (a soft hyphen, a zero-width space): the name checked must be the one typed, label for
  // label, in A-labels or Unicode (case and composition aside).
  const typed = name.normalize('NFC').toLowerCase().replace(/\.$/, '').split('.');
  const labels = ascii.split('.');
  const asTyped = (label: string, index: number) => typed[index] === label || typed[index] === domainToUnicode(label);
  if (/(?:^|\.)\d+$/.test(ascii) || typed.length !== labels.length || !labels.every(asTyped)) fail();
  return ascii;
}

/**
 * --helo: what the user types goes as typed, as swaks sends it, so that a server's checks of the
 * name can be tested (`under_score`, `[300.1.1.1]`): printable ASCII without a space, which
 * cannot end the command or add an argument; `fail` is called otherwise.
 */
export function checkHeloText(name: string, fail: Fail<void>): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(name)) fail();
  return name;
}

/** Whether IDNA (UTS #46, as WHATWG URLs apply it) takes `host` as a domain name. */
function idnaHostName(host: string): boolean {
  try {
    return new URL(`http://${host}/`).hostname !== '';
  } catch {
    return false;
  }
}
