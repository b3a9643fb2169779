// DNS records as dig prints them: `mx.example.org. 300 IN MX 10 mx1.example.org.`
import { absolute } from '../dns/name.js';
import type { DnsRecord } from '../dns/wire.js';

export function formatRecord(record: DnsRecord): string {
  const head = `${absolute(record.name)}\t${record.ttl}\tIN\t`;
  switch (record.type) {
    case 'MX':
      return `${head}MX\t${record.preference} ${absolute(record.exchange)}`;
    case 'A':
    case 'AAAA':
      return `${head}${record.type}\t${record.address}`;
    case 'CNAME':
      return `${head}CNAME\t${absolute(record.target)}`;
    case 'OTHER':
      return `${head}${record.rrtype}`;
  }
}
