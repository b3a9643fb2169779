// DNS messages on the wire (RFC 1035 §4, EDNS0 from RFC 6891) through dns-packet: a query with a
// random ID, and a response decoded into typed records. Pure.
import dnsPacket from 'dns-packet';
import { ipVersion } from '../ip-address.js';
import { sameName } from './name.js';

export type QueryType = 'MX' | 'A' | 'AAAA';

export interface Question {
  readonly name: string;
  readonly type: QueryType;
}

export type DnsRecord =
  | { readonly type: 'MX'; readonly name: string; readonly ttl: number; readonly preference: number; readonly exchange: string }
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly ttl: number; readonly address: string }
  | { readonly type: 'CNAME'; readonly name: string; readonly ttl: number; readonly target: string }
  | { readonly type: 'OTHER'; readonly name: string; readonly ttl: number; readonly rrtype: string };

export interface DnsResponse {
  readonly id: number;
  readonly rcode: string;
  readonly truncated: boolean;
  readonly question: Question | undefined;
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
  /**
   * No answer, and in the authority section NS records and no SOA: a referral from a server that
   * does not recurse, which says nothing of the name (RFC 2308 §2.2.1), where NODATA says it has
   * no record of the type.
   */
  readonly referral: boolean;
}

/** Bytes that are not a DNS response: undecodable (`detail` is the decoder's), or a query. */
export class DnsWireError extends Error {
  constructor(
    readonly reason: 'malformed' | 'not-a-response',
    readonly detail?: string,
  ) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
  }
}

/** The largest UDP answer we accept (RFC 6891 §6.2.5's common value). */
export const EDNS_PAYLOAD = 4096;

/** A recursive query for `question`, with EDNS0 unless `edns` is false (a server that refused it). */
export function encodeQuery(id: number, question: Question, edns = true): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: question.type, name: question.name, class: 'IN' }],
    additionals: edns
      ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
      : [],
  });
}

/** Decodes a response. Throws DnsWireError for anything that is not one. */
export function decodeResponse(data: Buffer): DnsResponse {
  let packet: ReturnType<typeof dnsPacket.decode>;
  try {
    packet = dnsPacket.decode(data);
  } catch (error) {
    // A truncated answer may be cut inside a record: its header and question still ask for TCP.
    const head = truncatedHead(data);
    if (head === undefined) throw new DnsWireError('malformed', (error as Error).message);
    packet = head;
  }
  if (packet.type !== 'response') throw new DnsWireError('not-a-response');
  const question = packet.questions?.[0];
  const head = {
    id: packet.id ?? 0,
    rcode: fullRcode(packet),
    // A question of another class than IN is not the one asked, whatever its name (RFC 5452 §9.1).
    question: question && question.class === 'IN' ? { name: question.name, type: question.type as QueryType } : undefined,
  };
  // A truncated answer is only a reason to ask over TCP: its records, maybe cut mid-way, are never read.
  if (packet.flag_tc) return { ...head, truncated: true, answers: [], additionals: [], referral: false };
  checkAddressLengths(data);
  const authorities = packet.authorities ?? [];
  return {
    ...head,
    truncated: false,
    answers: (packet.answers ?? []).map(toRecord).filter(isRecord),
    additionals: (packet.additionals ?? []).map(toRecord).filter(isRecord),
    // An authoritative answer is none: a zone's own server saying it has no such record.
    referral:
      head.rcode === 'NOERROR' &&
      packet.flag_aa !== true &&
      (packet.answers ?? []).length === 0 &&
      authorities.some((record) => record.type === 'NS') &&
      !authorities.some((record) => record.type === 'SOA'),
  };
}

/**
 * The response code, its upper eight bits from the OPT record (RFC 6891 §6.1.3): a server that
 * did not take the query's EDNS version answers BADVERS (16), whose header holds 0, NOERROR's code.
 */
function fullRcode(packet: ReturnType<typeof dnsPacket.decode>): string {
  const header = (packet as { rcode?: string }).rcode ?? 'NOERROR';
  const opt = (packet.additionals ?? []).find((record) => record.type === 'OPT') as { extendedRcode?: number } | undefined;
  const upper = opt?.extendedRcode ?? 0;
  if (upper === 0) return header;
  const code = (upper << 4) | ((packet.flags ?? 0) & 0x0f);
  return code === 16 ? 'BADVERS' : `RCODE${code}`;
}

/** A response belongs to a query when both its ID and its question match (RFC 5452 §9.1). */
export function answersQuery(response: DnsResponse, id: number, question: Question): boolean {
  return response.id === id && response.question !== undefined && response.question.type === question.type && sameName(response.question.name, question.name);
}

type RawAnswer = NonNullable<ReturnType<typeof dnsPacket.decode>['answers']>[number];

function toRecord(answer: RawAnswer): DnsRecord | undefined {
  // Of another class than IN (CH, HS), a record names nothing mail can use.
  if (answer.type !== 'OPT' && (answer as { class?: string }).class !== 'IN') return undefined;
  const ttl = 'ttl' in answer && typeof answer.ttl === 'number' ? answer.ttl : 0;
  const name = answer.name;
  switch (answer.type) {
    case 'MX': {
      const data = answer.data as { preference?: number; exchange?: string };
      return { type: 'MX', name, ttl, preference: data.preference ?? 0, exchange: data.exchange ?? '.' };
    }
    case 'A':
    case 'AAAA': {
      // Whatever the decoder made of the octets, only an address of the record's family may ever be
      // connected to: anything else would be looked up as a host name, outside the DNS asked.
      const address = String(answer.data);
      if (ipVersion(address) !== (answer.type === 'A' ? 4 : 6)) throw new DnsWireError('malformed');
      return { type: answer.type, name, ttl, address };
    }
    case 'CNAME':
      return { type: 'CNAME', name, ttl, target: String(answer.data) };
    case 'OPT':
      return undefined;
    default:
      return { type: 'OTHER', name, ttl, rrtype: answer.type };
  }
}

function isRecord(record: DnsRecord | undefined): record is DnsRecord {
  return record !== undefined;
}

/** A truncated response's header and question alone, its records left out; undefined when it is not one. */
function truncatedHead(data: Buffer): ReturnType<typeof dnsPacket.decode> | undefined {
  // QR (a response) and TC (truncated) in the flags' first octet.
  if (data.length < 12 || (data[2]! & 0x82) !== 0x82 || data.readUInt16BE(4) !== 1) return undefined;
  try {
    const end = afterName(data, 12) + 4;
    const head = Buffer.from(data.subarray(0, end));
    head.fill(0, 6, 12);
    return dnsPacket.decode(head);
  } catch {
    return undefined;
  }
}

/** The data lengths of address records (RFC 1035 §3.4.1, RFC 3596 §2.2): A 4 octets, AAAA 16. */
const ADDRESS_LENGTHS: ReadonlyMap<number, number> = new Map([
  [1, 4],
  [28, 16],
]);

/**
 * Walks the records of a message and throws DnsWireError when an A or AAAA record's data is not
 * an address's length, or a record runs past the end. dns-packet reads an address's four or sixteen
 * octets whatever length the record declares: data cut short became `undefined.undefined…` or `::`,
 * and the octets of the next record were read as an address.
 */
function checkAddressLengths(data: Buffer): void {
  if (data.length < 12) throw new DnsWireError('malformed');
  const questions = data.readUInt16BE(4);
  const records = data.readUInt16BE(6) + data.readUInt16BE(8) + data.readUInt16BE(10);
  let offset = 12;
  for (let index = 0; index < questions; index++) offset = afterName(data, offset) + 4;
  for (let index = 0; index < records; index++) {
    offset = afterName(data, offset);
    if (offset + 10 > data.length) throw new DnsWireError('malformed');
    const expected = ADDRESS_LENGTHS.get(data.readUInt16BE(offset));
    const length = data.readUInt16BE(offset + 8);
    offset += 10 + length;
    if (offset > data.length || (expected !== undefined && length !== expected)) throw new DnsWireError('malformed');
  }
}

/** The offset after the name at `offset`: its labels up to the root, or up to a compression pointer. */
function afterName(data: Buffer, offset: number): number {
  // A name has at most 127 labels (255 octets); a longer walk is a malformed message.
  for (let labels = 0; labels < 128; labels++) {
    if (offset >= data.length) break;
    const length = data[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2;
    if ((length & 0xc0) !== 0) break;
    offset += 1 + length;
  }
  throw new DnsWireError('malformed');
}
