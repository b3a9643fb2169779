// Telling IP addresses from host names without loading node:net, which would add milliseconds
// to every start-up (the transcript and --dns parsing need this; sockets come later).

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** 4, 6, or 0 when `text` is not an IP address, as net.isIP answers. */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  if (/^[0-9A-Fa-f:.]+$/.test(text) && text.includes(':') && URL.canParse(`http://[${text}]/`)) return 6;
  return 0;
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address stands for (`::ffff:127.0.0.2`, however written);
 * undefined for any other text. A socket bound to one is IPv6 and can reach no IPv6 address.
 */
export function mappedIpv4(text: string): string | undefined {
  if (ipVersion(text) !== 6) return undefined;
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (match === null) return undefined;
  const [high, low] = [Number.parseInt(match[1]!, 16), Number.parseInt(match[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** `ip` as an address literal, `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3); undefined when it is no IP address. */
export function addressLiteral(ip: string): string | undefined {
  const family = ipVersion(ip);
  return family === 0 ? undefined : family === 6 ? `[IPv6:${ip}]` : `[${ip}]`;
}

/**
 * 127.0.0.0/8, ::1, or 127.x written as an IPv4-mapped IPv6 address: the machine itself, where
 * no one can sit between client and server.
 */
export function isLoopbackAddress(address: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4 !== undefined) return ipVersion(v4) === 4 && v4.startsWith('127.');
  if (ipVersion(address) !== 6) return false;
  return new URL(`http://[${address}]/`).hostname === '[::1]';
}
