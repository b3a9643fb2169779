// A stub resolver over raw DNS: asks each configured server in turn, rounds of attempts, TCP when
// an answer is truncated, CNAME chains followed (bounded), and outcomes in plain terms:
// NXDOMAIN means the domain does not exist (68), SERVFAIL, REFUSED or silence are temporary (75).
// A bounded view shares one time budget among all the lookups of a task (a domain's MX plan).
import { randomInt } from 'node:crypto';
import { DnsError, InterruptedError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { ExitCode } from '../exit-codes.js';
import { exchange, type DnsTransport } from './transport.js';
import { absolute, sameName } from './name.js';
import type { DnsRecord, DnsResponse, QueryType } from './wire.js';
import type { NameServer, ResolverConfig } from './resolv-conf.js';

/** RFC 1034 §3.6.2 chains should be short; more than this is a loop or an attack. */
const MAX_CNAME_CHAIN = 8;

/** The name does not exist (NXDOMAIN): a fact of the answer, not a failure to get one (68). */
export class NoSuchNameError extends DnsError {
  constructor(name: string) {
    super(`${absolute(name)} does not exist (NXDOMAIN)`, ExitCode.NOHOST);
  }
}

/** No usable answer for now: every server failed or was silent, or a CNAME chain went on too long (75). */
export class LookupFailedError extends DnsError {
  constructor(
    message: string,
    /** What went wrong, without the name: `127.0.0.1#53: SERVFAIL`. */
    readonly why: string,
  ) {
    super(message, ExitCode.TEMPFAIL);
  }
}

/** The task's time budget ran out before its lookups ended (75). */
export class DnsBudgetError extends DnsError {
  constructor(budget: Budget, config: ResolverConfig) {
    const tries = `${config.attempts} ${config.attempts === 1 ? 'try' : 'tries'} of ${seconds(config.timeoutMs)} s`;
    const servers = `${config.servers.length} name server${config.servers.length === 1 ? '' : 's'}`;
    super(`the DNS lookups for ${absolute(budget.task)} took longer than ${seconds(budget.ms)} s (${tries}, ${servers})`, ExitCode.TEMPFAIL);
  }
}

interface Budget {
  readonly task: string;
  readonly ms: number;
  readonly endsAt: number;
}

export interface Resolution {
  /** Records of the asked type, at the end of any CNAME chain. */
  readonly records: readonly DnsRecord[];
  /** The response that gave them (for its additional section). */
  readonly response: DnsResponse;
  /** The name the records belong to, after CNAMEs. */
  readonly canonicalName: string;
}

export class Resolver {
  constructor(
    private readonly config: ResolverConfig,
    private readonly emit: EmitEvent,
    private readonly signal?: AbortSignal,
    // Unpredictable IDs: with the question, all an off-path spoofer has to guess (RFC 5452).
    private readonly randomId: () => number = () => randomInt(0x10000),
    private readonly budget?: Budget,
  ) {}

  /**
   * The time all the lookups of one task may take: as long as one question that no server answers
   * (each try's timeout, times the tries, times the servers).
   */
  get budgetMs(): number {
    return this.config.timeoutMs * this.config.attempts * this.config.servers.length;
  }

  /**
   * This resolver with a budget of `budgetMs` from now, shared by every lookup made through it for
   * `task`: once it has run out no query is sent, and the lookup throws DnsBudgetError. A query in
   * flight keeps its own time limit, so the whole task ends within the budget and one timeout.
   */
  bounded(task: string): Resolver {
    const budget = { task, ms: this.budgetMs, endsAt: Date.now() + this.budgetMs };
    return new Resolver(this.config, this.emit, this.signal, this.randomId, budget);
  }

  /**
   * Resolves `name`/`type`, following CNAMEs. An empty `records` means the name exists without
   * such records. Throws DnsError.
   */
  async resolve(name: string, type: QueryType): Promise<Resolution> {
    let current = name;
    for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
      const response = await this.ask(current, type);
      if (response.rcode === 'NXDOMAIN') throw new NoSuchNameError(name);
      // Only records owned by the name asked (or by the CNAMEs it leads to) count.
      const chain = followChain(response.answers, current, type);
      if (chain.records.length > 0 || chain.next === undefined) {
        return { records: chain.records, response, canonicalName: chain.name };
      }
      current = chain.next; // the server stopped at a CNAME: ask for its target
    }
    const why = `CNAME chain longer than ${MAX_CNAME_CHAIN}`;
    throw new LookupFailedError(`CNAME chain for ${absolute(name)} longer than ${MAX_CNAME_CHAIN}`, why);
  }

  /** One question, every server in turn, `attempts` rounds. Throws LookupFailedError when none answers usefully. */
  private async ask(name: string, type: QueryType): Promise<DnsResponse> {
    const failures: string[] = [];
    for (let attempt = 0; attempt < this.config.attempts; attempt++) {
      for (const server of this.config.servers) {
        const response = await this.askServer(server, name, type, failures);
        if (response?.rcode === 'NOERROR' || response?.rcode === 'NXDOMAIN') return response;
        if (response) failures.push(`${label(server)}: ${response.rcode}`);
      }
    }
    const why = [...new Set(failures)].join('; ');
    throw new LookupFailedError(`cannot look up ${type} ${absolute(name)} for now (${why})`, why);
  }

  private async askServer(server: NameServer, name: string, type: QueryType, failures: string[]): Promise<DnsResponse | undefined> {
    let transport: DnsTransport = 'udp';
    for (;;) {
      if (this.budget && Date.now() >= this.budget.endsAt) throw new DnsBudgetError(this.budget, this.config);
      const id = this.randomId();
      this.emit({ kind: 'dns-query', name, type, server: label(server), transport });
      const started = Date.now();
      try {
        const response = await exchange(server, id, { name, type }, transport, this.config.timeoutMs, this.signal);
        this.emit({
          kind: 'dns-answer',
          name,
          type,
          server: label(server),
          rcode: response.rcode,
          truncated: response.truncated,
          answers: response.answers,
          additionals: response.additionals,
          ms: Date.now() - started,
        });
        // RFC 7766 §5: a truncated UDP answer is asked again over TCP.
        if (response.truncated && transport === 'udp') {
          transport = 'tcp';
          continue;
        }
        return response;
      } catch (error) {
        if (error instanceof InterruptedError) throw error;
        const reason = (error as Error).message;
        this.emit({ kind: 'dns-no-answer', name, type, server: label(server), reason });
        failures.push(`${label(server)}: ${reason}`);
        return undefined;
      }
    }
  }
}

/** Milliseconds as seconds, to the millisecond: `2`, `1.5`. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** `127.0.0.1#53`, as dig prints a server. */
export function label(server: NameServer): string {
  return `${server.address}#${server.port}`;
}

/**
 * Records of `type` reached from `start` through the CNAMEs of the same answer; `next` is the
 * CNAME target to ask for when the answer stops there.
 */
function followChain(answers: readonly DnsRecord[], start: string, type: QueryType): { name: string; records: DnsRecord[]; next: string | undefined } {
  let name = start;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const records = answers.filter((record) => record.type === type && sameName(record.name, name));
    if (records.length > 0) return { name, records, next: undefined };
    const cname = answers.find((record) => record.type === 'CNAME' && sameName(record.name, name));
    if (cname?.type !== 'CNAME') return { name, records: [], next: hop === 0 ? undefined : name };
    name = cname.target;
  }
  return { name, records: [], next: name };
}
