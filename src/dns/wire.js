// DNS messages on the wire (RFC 1035 §4, EDNS0 from RFC 6891) through dns-packet: a query with a
// random ID, and a response decoded into typed records. Pure.
import dnsPacket from 'dns-packet';
import { sameName } from './name.js';
/** Bytes that are not a DNS response: undecodable (`detail` is the decoder's), or a query. */
export class DnsWireError extends Error {
  reason;
  detail;
  constructor(reason, detail) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
  }
}
/** The largest UDP answer we accept (RFC 6891 §6.2.5's common value). */
export const EDNS_PAYLOAD = 4096;
/** A recursive query for `question` with EDNS0. */
export function encodeQuery(id, question) {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: question.type, name: question.name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}
/** Decodes a response. Throws DnsWireError for anything that is not one. */
export function decodeResponse(data) {
  let packet;
  try {
    packet = dnsPacket.decode(data);
  } catch (error) {
    throw new DnsWireError('malformed', error.message);
  }
  if (packet.type !== 'response') throw new DnsWireError('not-a-response');
  const question = packet.questions?.[0];
  return {
    id: packet.id ?? 0,
    rcode: packet.rcode ?? 'NOERROR',
    truncated: packet.flag_tc,
    question: question ? { name: question.name, type: question.type } : undefined,
    answers: (packet.answers ?? []).map(toRecord).filter(isRecord),
    additionals: (packet.additionals ?? []).map(toRecord).filter(isRecord),
  };
}
/** A response belongs to a query when both its ID and its question match (RFC 5452 §9.1). */
export function answersQuery(response, id, question) {
  return response.id === id && response.question !== undefined && response.question.type === question.type && sameName(response.question.name, question.name);
}
function toRecord(answer) {
  const ttl = 'ttl' in answer && typeof answer.ttl === 'number' ? answer.ttl : 0;
  const name = answer.name;
  switch (answer.type) {
    case 'MX': {
      const data = answer.data;
      return { type: 'MX', name, ttl, preference: data.preference ?? 0, exchange: data.exchange ?? '.' };
    }
    case 'A':
    case 'AAAA':
      return { type: answer.type, name, ttl, address: String(answer.data) };
    case 'CNAME':
      return { type: 'CNAME', name, ttl, target: String(answer.data) };
    case 'OPT':
      return undefined;
    default:
      return { type: 'OTHER', name, ttl, rrtype: answer.type };
  }
}
function isRecord(record) {
  return record !== undefined;
}
