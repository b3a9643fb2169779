// How words name a host reached at an address: `mx1.example.org. [192.0.2.1]`, or `[192.0.2.1]`
// alone when the name is the address, as sendmail writes them.

export function hostAt(host: string, address: string): string {
  return host === address ? `[${address}]` : `${host} [${address}]`;
}
