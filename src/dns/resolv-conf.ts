// Where to ask: name servers and their time limits from /etc/resolv.conf (resolv.conf(5)), or
// from --dns. Pure parsing.
import { UsageError } from '../errors.js';
import { ipVersion } from '../ip-address.js';

export interface NameServer {
  readonly address: string;
  readonly port: number;
}

export interface ResolverConfig {
  readonly servers: readonly NameServer[];
  /** Per try, in milliseconds (`options timeout:`, 5 s by default). */
  readonly timeoutMs: number;
  /** Rounds over all servers (`options attempts:`, 2 by default). */
  readonly attempts: number;
}

const DEFAULT_TIMEOUT_S = 5;
const DEFAULT_ATTEMPTS = 2;
/** resolv.conf(5): at most three name servers are used. */
const MAX_SERVERS = 3;

/** Parses resolv.conf text; with no usable nameserver line, the local one (as the C library does). */
export function parseResolvConf(text: string): ResolverConfig {
  const servers: NameServer[] = [];
  let timeoutS = DEFAULT_TIMEOUT_S;
  let attempts = DEFAULT_ATTEMPTS;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === 'nameserver' && values[0]) {
      const address = values[0].replace(/%.*$/, ''); // an IPv6 zone index is not ours to use
      if (ipVersion(address) && servers.length < MAX_SERVERS) servers.push({ address, port: 53 });
    } else if (keyword === 'options') {
      for (const option of values) {
        const [name, value] = option.split(':');
        const number = Number(value);
        if (name === 'timeout' && Number.isInteger(number) && number > 0) timeoutS = Math.min(number, 30);
        if (name === 'attempts' && Number.isInteger(number) && number > 0) attempts = Math.min(number, 5);
      }
    }
  }
  if (servers.length === 0) servers.push({ address: '127.0.0.1', port: 53 });
  return { servers, timeoutMs: timeoutS * 1000, attempts };
}

/** `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address, as a name server is given. Throws UsageError. */
export function parseNameServer(text: string): NameServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(text);
  const [address, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [text, undefined];
  const portNumber = port === undefined ? 53 : Number(port);
  if (!ipVersion(address) || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new UsageError({ code: 'MAILV_DNS_SERVER_INVALID', text });
  }
  return { address, port: portNumber };
}
