// --xclient, --proxy/--proxy-source, -4/-6 and --source-address: where a session says it comes
// from, checked before any connection is made. Each is a test of one's own server.
import type { ConnectionOrigin } from '../plan.js';
import type { ProxyEndpoint } from '../smtp/proxy-header.js';
import type { XclientAttribute } from '../smtp/xclient.js';
import { UsageError } from '../errors.js';
import { ipVersion as isIP, mappedIpv4 } from '../ip-address.js';
import type { RawOptions } from './program.js';

/** The options of the command line this file reads. */
export type OriginOptions = Pick<RawOptions, 'xclient' | 'proxy' | 'proxySource' | 'ipv4' | 'ipv6' | 'sourceAddress'>;

export function parseOrigin(options: OriginOptions): ConnectionOrigin {
  if (options.ipv4 && options.ipv6) throw new UsageError({ code: 'MAILV_FAMILY_CLASH', first: '-4', second: '-6' });
  if ((options.proxy === undefined) !== (options.proxySource === undefined)) {
    throw new UsageError({ code: 'MAILV_PROXY_INCOMPLETE', missing: options.proxy === undefined ? '--proxy' : '--proxy-source' });
  }
  const source = options.proxySource === undefined ? undefined : parseEndpoint(options.proxySource);
  const sourceAddress = options.sourceAddress === undefined ? undefined : parseSourceAddress(options.sourceAddress);
  const asked = options.ipv4 ? 4 : options.ipv6 ? 6 : undefined;
  // The PROXY header has one family for both ends, and a bound address fixes the connection's:
  // each decides the family unless -4/-6 does, and must not contradict it.
  let family: 4 | 6 | undefined = asked;
  for (const [flag, address] of [
    ['--source-address', sourceAddress],
    ['--proxy-source', source?.address],
  ] as const) {
    if (address === undefined) continue;
    const own = isIP(address) as 4 | 6;
    if (family !== undefined && own !== family) {
      throw new UsageError({ code: 'MAILV_FAMILY_CLASH', first: asked === undefined ? '--source-address' : asked === 4 ? '-4' : '-6', second: flag });
    }
    family = own;
  }
  return {
    family,
    sourceAddress,
    proxy: options.proxy === undefined || source === undefined ? undefined : { version: options.proxy, source },
    xclient: (options.xclient ?? []).map(parseAttribute),
  };
}

/** `NAME=value`: NAME in letters and underscores (sent in capitals), the value anything printable. */
function parseAttribute(text: string): XclientAttribute {
  const match = /^([A-Za-z_]+)=(.*)$/s.exec(text);
  if (!match || /[\x00-\x1f\x7f]/.test(match[2]!)) throw new UsageError({ code: 'MAILV_XCLIENT_INVALID', text });
  return { name: match[1]!.toUpperCase(), value: match[2]! };
}

/** `address:port`, an IPv6 address in brackets: `[::1]:4000`. */
function parseEndpoint(text: string): ProxyEndpoint {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d+\.\d+\.\d+\.\d+)):(\d{1,5})$/.exec(text);
  const address = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (address === undefined || isIP(address) === 0 || port < 1 || port > 65535) throw new UsageError({ code: 'MAILV_PROXY_SOURCE_INVALID', text });
  return { address, port };
}

/** An IPv4-mapped address is its IPv4 address: bound as IPv6, it could reach no IPv6 server, nor an IPv4 one as IPv4. */
function parseSourceAddress(text: string): string {
  if (isIP(text) === 0) throw new UsageError({ code: 'MAILV_SOURCE_ADDRESS_INVALID', text });
  return mappedIpv4(text) ?? text;
}
