// What dns/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/dns.ts and src/words/fr/dns.ts.
import type { QueryType } from './wire.js';

/**
 * Why one name server gave no usable answer to one question (the `dns-no-answer` event): silence
 * past the time limit, a refused or broken connection, or a TCP answer that cannot be used.
 */
export type NoAnswer =
  /** `malformed`: datagrams that came in the meantime, undecodable, and were ignored (RFC 5452 §9.1). */
  | { readonly reason: 'timeout'; readonly transport: 'udp' | 'tcp'; readonly timeoutMs: number; readonly malformed?: number }
  /** Nothing listens there: an ICMP port unreachable over UDP, a reset over TCP. */
  | { readonly reason: 'refused'; readonly transport: 'udp' | 'tcp' }
  /** Any other socket failure, by its system error code (`ENETUNREACH`). */
  | { readonly reason: 'network'; readonly transport: 'udp' | 'tcp'; readonly errno: string }
  /** The server closed the TCP connection before answering. */
  | { readonly reason: 'closed' }
  /** A TCP answer past 64 KiB. */
  | { readonly reason: 'oversize' }
  /** A TCP answer whose ID or question is not the query's. */
  | { readonly reason: 'mismatched' }
  /** A TCP answer that is not a DNS response. */
  | { readonly reason: 'malformed' }
  /** A TCP answer that says it was truncated: incomplete, though TCP has room for any answer. */
  | { readonly reason: 'truncated' }
  /**
   * A referral (NS records and no SOA in the authority section, no answer), which a server that does
   * not recurse gives: it says nothing of the name, unlike NODATA (RFC 2308 §2.2.1).
   */
  | { readonly reason: 'referral' };

/** What one server did with a question that got no usable answer: an error rcode, or no answer. */
export type ServerFailure = { readonly server: string } & (NoAnswer | { readonly reason: 'rcode'; readonly rcode: string });

/** Why a lookup failed for now: what each server did, or a CNAME chain past the limit. */
export type LookupFailure =
  | { readonly kind: 'servers'; readonly failures: readonly ServerFailure[] }
  | { readonly kind: 'cname-chain'; readonly limit: number };

/**
 * Why an MX host has no address, from what the DNS said: its name does not exist (NXDOMAIN) or it
 * has no A or AAAA record, both for good; the MX names no host (an IP address, octets no host name
 * holds), never looked up; a lookup failed for now; the time budget ran out before it.
 */
export type NoAddressReason = 'no-such-host' | 'no-record' | 'not-a-host-name' | 'lookup-failed' | 'out-of-time';

/** The same with what the failed lookup met, for the words that follow the host's name. */
export type NoAddress = { readonly reason: Exclude<NoAddressReason, 'lookup-failed'> } | { readonly reason: 'lookup-failed'; readonly failure: LookupFailure };

/** Failures raised in dns/. Names are absolute (`example.org.`) where DNS tools print them so. */
export type DnsErrorFact =
  /** NXDOMAIN: the name does not exist. */
  /** `aliasOf`: the name asked is an alias (CNAME) of `name`, which does not exist. */
  | { readonly code: 'MAILV_DNS_NO_SUCH_NAME'; readonly name: string; readonly aliasOf?: string }
  /** No server gave a usable answer, for now. */
  | { readonly code: 'MAILV_DNS_LOOKUP_FAILED'; readonly name: string; readonly type: QueryType; readonly failures: readonly ServerFailure[] }
  | { readonly code: 'MAILV_DNS_CNAME_CHAIN'; readonly name: string; readonly limit: number }
  /** The time all the lookups of a task (`task`, a domain) may take ran out. */
  | {
      readonly code: 'MAILV_DNS_BUDGET';
      readonly task: string;
      readonly budgetMs: number;
      /** Questions the budget allowed for: the MX question and one per host. */
      readonly questions: number;
      readonly attempts: number;
      readonly timeoutMs: number;
      readonly servers: number;
    }
  /** No MX record and no address: the domain takes no mail. */
  | { readonly code: 'MAILV_DNS_NO_MX_NO_ADDRESS'; readonly domain: string }
  /** RFC 7505: the MX is `0 .`; `invalid`: every MX names no host (`.`), but not as that single record. */
  | { readonly code: 'MAILV_DNS_NULL_MX'; readonly domain: string; readonly invalid?: true }
  /** Every MX host was looked up and none has an address; each host's reason, in plan order. */
  | { readonly code: 'MAILV_DNS_NO_HOST_ADDRESS'; readonly domain: string; readonly hosts: readonly { readonly name: string; readonly problem: NoAddress }[] }
  /** The system resolver (a server named on the command line): no such host, or a failure for now. */
  /** `family`: the lookup asked for that family only (-4, -6). */
  /** `by`: what asked for that family, when not -4/-6 (an address bound to). */
  | { readonly code: 'MAILV_HOST_NOT_FOUND'; readonly host: string; readonly family?: 4 | 6; readonly by?: '--source-address' }
  | { readonly code: 'MAILV_HOST_LOOKUP_FAILED'; readonly host: string }
  /** A name server given by the user that is not an IP address with an optional port. */
  | { readonly code: 'MAILV_DNS_SERVER_INVALID'; readonly text: string };

/** Notes emitted from dns/ (facts worth showing that are not failures). */
export type DnsNote = never;
