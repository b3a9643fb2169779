// HAProxy's PROXY protocol header (haproxy.org/download/2.9/doc/proxy-protocol.txt), written before
// the greeting so that a server behind a proxy (Postfix's smtpd_upstream_proxy_protocol) takes the
// client to be `source`: version 1 is one text line, version 2 a binary block.
import { UsageError } from '../errors.js';
import { ipVersion } from '../ip-address.js';

export type ProxyVersion = 'v1' | 'v2';

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

/** What the header claims: the client (`source`) and the address it reached (`destination`). */
export interface ProxyHeader {
  readonly version: ProxyVersion;
  readonly source: ProxyEndpoint;
  readonly destination: ProxyEndpoint;
}

/** §2.2: the twelve octets every version 2 header starts with. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** Version 2, command PROXY (a connection relayed for someone else, not a health check). */
const V2_PROXY_COMMAND = 0x21;
const V2_TCP_OVER_IPV4 = 0x11;
const V2_TCP_OVER_IPV6 = 0x21;

/** Both ends must be of one family: the header has one protocol field for the two. */
export function proxyFamily(header: ProxyHeader): 4 | 6 | undefined {
  const { source, destination } = header;
  const family = ipVersion(source.address);
  return family !== 0 && ipVersion(destination.address) === family ? family : undefined;
}

/**
 * The header's octets. Throws UsageError when the ends are of two families, as when --server names
 * an IPv6 address and --proxy-source an IPv4 one: the header cannot say that.
 */
export function encodeProxyHeader(header: ProxyHeader): Buffer {
  const family = proxyFamily(header);
  if (family === undefined) {
    throw new UsageError({ code: 'MAILV_PROXY_FAMILY', source: header.source.address, destination: header.destination.address });
  }
  return header.version === 'v1' ? Buffer.from(`${proxyLine(header, family)}\r\n`, 'latin1') : encodeV2(header, family);
}

/** §2.1: `PROXY TCP4 <source> <destination> <source port> <destination port>`, without CRLF. */
export function proxyLine(header: ProxyHeader, family: 4 | 6): string {
  const { source, destination } = header;
  return `PROXY TCP${family} ${source.address} ${destination.address} ${source.port} ${destination.port}`;
}

function encodeV2(header: ProxyHeader, family: 4 | 6): Buffer {
  const { source, destination } = header;
  const addresses = Buffer.concat([addressOctets(source.address, family), addressOctets(destination.address, family), ports(source.port, destination.port)]);
  const fixed = Buffer.alloc(4);
  fixed[0] = V2_PROXY_COMMAND;
  fixed[1] = family === 4 ? V2_TCP_OVER_IPV4 : V2_TCP_OVER_IPV6;
  fixed.writeUInt16BE(addresses.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, addresses]);
}

function ports(source: number, destination: number): Buffer {
  const octets = Buffer.alloc(4);
  octets.writeUInt16BE(source, 0);
  octets.writeUInt16BE(destination, 2);
  return octets;
}

function addressOctets(address: string, family: 4 | 6): Buffer {
  if (family === 4) return Buffer.from(address.split('.').map(Number));
  return Buffer.from(ipv6Groups(address).flatMap((group) => [group >> 8, group & 0xff]));
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, a trailing dotted quad read as two groups. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const before = parse(head);
  const after = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - before.length - after.length).fill(0);
  return [...before, ...zeros, ...after];
}
