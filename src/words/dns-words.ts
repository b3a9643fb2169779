// The shape of the DNS words outside errors and notes: why a server gave no answer, why an MX host
// has no address, and the MX plan that `--mx` prints. Each language gives all of them.
import type { NoAddress, NoAnswer, ServerFailure } from '../dns/facts.js';

export interface DnsWords {
  /** Why a name server gave no usable answer: `no answer within 0.5 s`. */
  readonly noAnswer: (failure: NoAnswer) => string;
  /** What one server did with a question: `127.0.0.1#53: SERVFAIL`. */
  readonly serverFailure: (failure: ServerFailure) => string;
  /** Why an MX host has no address, to follow its name: `does not exist (NXDOMAIN)`. */
  readonly noAddress: (problem: NoAddress | undefined) => string;
  readonly mxPlan: MxPlanWords;
}

/** The lines of the MX plan; names arrive escaped, and the renderer lays out the columns. */
export interface MxPlanWords {
  /** The domain has no MX: it is its own MX of preference 0 (RFC 5321 §5.1). */
  readonly implicitMx: (domain: string) => string;
  /** The domain is an address literal: no DNS, mail goes to that address. */
  readonly addressLiteral: (domain: string) => string;
  /**
   * The domain's MX is the null MX `0 .`: its mail goes nowhere (RFC 7505); `invalid`: records
   * naming no host that are not that single record, with the same effect.
   */
  readonly nullMx: (domain: string, invalid: boolean) => string;
  /** The heading: where mail for `domain` goes, `several` hosts being tried in order. */
  readonly goesTo: (domain: string, several: boolean) => string;
  /** The column word before each host's preference. */
  readonly preference: string;
  /** In place of the addresses of a host passed over, `problem` saying why. */
  readonly skipped: (problem: string) => string;
  /** Why a host with addresses of the other family only is passed over under -4/-6. */
  readonly noAddressOfFamily: (family: 4 | 6) => string;
  /** MX hosts past the limit: `ignored` of them, never looked up; `tried`: the hosts listed before them. */
  readonly ignored: (ignored: number, tried: number) => string;
  /** Hosts of equal preference are tried in random order. */
  readonly randomOrder: string;
  /** What happens when a host fails, with `several` hosts or just one. */
  readonly fallback: (several: boolean) => readonly string[];
  /** The port --direct connects to. */
  readonly port: (port: number) => string;
}
