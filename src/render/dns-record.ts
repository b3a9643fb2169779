// DNS records as dig prints them: `mx.example.org. 300 IN MX 10 mx1.example.org.`. A label may
// hold any octet, so names are shown escaped; so is the rest of a record a replay read.
import { absolute } from '../dns/name.js';
import type { DnsRecord } from '../dns/wire.js';
import { sanitize } from '../text/sanitize.js';

export function formatRecord(record: DnsRecord): string {
  const head = `${name(record.name)}\t${record.ttl}\tIN\t`;
  switch (record.type) {
    case 'MX':
      return `${head}MX\t${record.preference} ${name(record.exchange)}`;
    case 'A':
    case 'AAAA':
      return `${head}${record.type}\t${sanitize(record.address)}`;
    case 'CNAME':
      return `${head}CNAME\t${name(record.target)}`;
    case 'OTHER':
      return `${head}${sanitize(record.rrtype)}`;
  }
}

function name(text: string): string {
  return sanitize(absolute(text));
}
