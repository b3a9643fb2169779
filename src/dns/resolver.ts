// A stub resolver over raw DNS: asks each configured server in turn, rounds of attempts, TCP when
// an answer is truncated, CNAME chains followed (bounded), and outcomes as facts:
// NXDOMAIN means the domain does not exist (68), SERVFAIL, REFUSED or silence are temporary (75).
// A bounded view shares one time budget among all the lookups of a task (a domain's MX plan).
import { randomInt } from 'node:crypto';
import { DnsError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { LookupFailure, ServerFailure } from './facts.js';
import { DnsExchangeError, exchange, type DnsTransport } from './transport.js';
import { absolute, sameName } from './name.js';
import type { DnsRecord, DnsResponse, QueryType } from './wire.js';
import type { NameServer, ResolverConfig } from './resolv-conf.js';
import type { InterruptSignal } from '../interruption.js';

/** RFC 1034 §3.6.2 chains should be short; more than this is a loop or an attack. */
const MAX_CNAME_CHAIN = 8;

/** The name does not exist (NXDOMAIN): a fact of the answer, not a failure to get one (68). */
export class NoSuchNameError extends DnsError {
  /** `aliasOf`: the name asked, whose CNAME chain led to `name` (RFC 6604 §3: the RCODE is the chain's end's). */
  constructor(name: string, aliasOf?: string) {
    super({ code: 'MAILV_DNS_NO_SUCH_NAME', name: absolute(name), ...(aliasOf === undefined ? {} : { aliasOf: absolute(aliasOf) }) }, 'no-such-domain');
  }
}

/**
 * No usable answer for now: every server failed or was silent, or a CNAME chain went on too long
 * (75). Silence from every server is a timeout; anything else, a failed lookup.
 */
export class LookupFailedError extends DnsError {
  constructor(
    name: string,
    type: QueryType,
    /** What went wrong, without the name: each server's failure, or the chain's length. */
    readonly failure: LookupFailure,
  ) {
    super(...lookupFailed(absolute(name), type, failure));
  }
}

function lookupFailed(name: string, type: QueryType, failure: LookupFailure): ConstructorParameters<typeof DnsError> {
  if (failure.kind === 'cname-chain') return [{ code: 'MAILV_DNS_CNAME_CHAIN', name, limit: failure.limit }, 'lookup-failed'];
  const silence = failure.failures.length > 0 && failure.failures.every((each) => each.reason === 'timeout');
  return [{ code: 'MAILV_DNS_LOOKUP_FAILED', name, type, failures: failure.failures }, silence ? 'timeout' : 'lookup-failed'];
}

/** The task's time budget ran out before its lookups ended (75). */
export class DnsBudgetError extends DnsError {
  constructor(budget: Budget, config: ResolverConfig) {
    const fact = {
      code: 'MAILV_DNS_BUDGET',
      task: absolute(budget.task),
      budgetMs: budget.ms,
      questions: budget.questions,
      attempts: config.attempts,
      timeoutMs: config.timeoutMs,
      servers: config.servers.length,
    } as const;
    super(fact, 'budget');
  }
}

interface Budget {
  readonly task: string;
  /** Questions it allows for, each as long as one that no server answers. */
  readonly questions: number;
  readonly ms: number;
  readonly startedAt: number;
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
    private readonly signal?: InterruptSignal,
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
    const startedAt = Date.now();
    const budget = { task, questions: 1, ms: this.budgetMs, startedAt, endsAt: startedAt + this.budgetMs };
    return new Resolver(this.config, this.emit, this.signal, this.randomId, budget);
  }

  /**
   * This bounded resolver with a budget for `questions` unanswered questions in all, counted from
   * the task's start: a domain's MX question and one for each of its hosts, so that one host whose
   * name no server answers for leaves time to look up the next.
   */
  widened(questions: number): Resolver {
    if (this.budget === undefined) return this;
    const ms = this.budgetMs * questions;
    const budget = { ...this.budget, questions, ms, endsAt: this.budget.startedAt + ms };
    return new Resolver(this.config, this.emit, this.signal, this.randomId, budget);
  }

  /**
   * Resolves `name`/`type`, following CNAMEs. An empty `records` means the name exists without
   * such records. Throws DnsError.
   */
  async resolve(name: string, type: QueryType): Promise<Resolution> {
    let current = name;
    // The links of the whole chain, over every answer and question: a server that gives a few
    // links an answer must not make the limit one of links per answer, times the questions.
    let links = 0;
    for (;;) {
      const response = await this.ask(current, type);
      // Only records owned by the name asked (or by the CNAMEs it leads to) count.
      const chain = followChain(response.answers, current, type, MAX_CNAME_CHAIN - links);
      if (chain === undefined) throw new LookupFailedError(name, type, { kind: 'cname-chain', limit: MAX_CNAME_CHAIN });
      links += chain.links;
      if (response.rcode === 'NXDOMAIN') {
        // After a CNAME the missing name is the chain's end, not the name asked (RFC 6604 §3).
        throw new NoSuchNameError(chain.name, sameName(chain.name, name) ? undefined : name);
      }
      if (chain.records.length > 0 || chain.next === undefined) {
        return { records: chain.records, response, canonicalName: chain.name };
      }
      current = chain.next; // the server stopped at a CNAME: ask for its target
    }
  }

  /** One question, every server in turn, `attempts` rounds. Throws LookupFailedError when none answers usefully. */
  private async ask(name: string, type: QueryType): Promise<DnsResponse> {
    // Each distinct failure once: the same silence in every round is one fact, not several.
    const failures = new Map<string, ServerFailure>();
    const record = (failure: ServerFailure) => failures.set(JSON.stringify(failure), failure);
    for (let attempt = 0; attempt < this.config.attempts; attempt++) {
      for (const server of this.config.servers) {
        const response = await this.askServer(server, name, type, record);
        if (response?.rcode === 'NOERROR' || response?.rcode === 'NXDOMAIN') return response;
        if (response) record({ server: label(server), reason: 'rcode', rcode: response.rcode });
      }
    }
    throw new LookupFailedError(name, type, { kind: 'servers', failures: [...failures.values()] });
  }

  private async askServer(server: NameServer, name: string, type: QueryType, record: (failure: ServerFailure) => void): Promise<DnsResponse | undefined> {
    let transport: DnsTransport = 'udp';
    let edns = true;
    for (;;) {
      if (this.budget && Date.now() >= this.budget.endsAt) throw new DnsBudgetError(this.budget, this.config);
      const id = this.randomId();
      this.emit({ kind: 'dns-query', name, type, server: label(server), transport, ...(edns ? {} : { edns: false as const }) });
      const started = Date.now();
      try {
        const response = await exchange(server, { id, question: { name, type }, edns }, transport, this.config.timeoutMs, this.signal);
        this.emit({
          kind: 'dns-answer',
          name,
          type,
          server: label(server),
          rcode: response.rcode,
          truncated: response.truncated,
          transport,
          answers: response.answers,
          additionals: response.additionals,
          ...(response.referral ? { referral: true as const } : {}),
          ms: Date.now() - started,
        });
        // RFC 6891 §7: a server that does not know EDNS may answer FORMERR to it: asked once again
        // without, as the C library's resolver does.
        if (response.rcode === 'FORMERR' && edns) {
          edns = false;
          continue;
        }
        // RFC 7766 §5: a truncated UDP answer is asked again over TCP.
        if (response.truncated && transport === 'udp') {
          transport = 'tcp';
          continue;
        }
        // Over TCP nothing needs cutting: an answer that says it was cut is incomplete, the server's
        // failure; so is a referral, which says nothing of the name.
        if (response.truncated || response.referral) {
          const failure = { reason: response.truncated ? 'truncated' : 'referral' } as const;
          this.emit({ kind: 'dns-no-answer', name, type, server: label(server), ...failure });
          record({ server: label(server), ...failure });
          return undefined;
        }
        return response;
      } catch (error) {
        if (!(error instanceof DnsExchangeError)) throw error;
        this.emit({ kind: 'dns-no-answer', name, type, server: label(server), ...error.failure });
        record({ server: label(server), ...error.failure });
        return undefined;
      }
    }
  }
}

/** `127.0.0.1#53`, as dig prints a server. */
export function label(server: NameServer): string {
  return `${server.address}#${server.port}`;
}

/**
 * Records of `type` reached from `start` through the CNAMEs of the same answer, following at most
 * `linksLeft` of them (`links`: how many it followed); `next` is the CNAME target to ask for when
 * the answer stops there. Undefined when the chain needs more links than are left.
 */
function followChain(
  answers: readonly DnsRecord[],
  start: string,
  type: QueryType,
  linksLeft: number,
): { name: string; records: DnsRecord[]; next: string | undefined; links: number } | undefined {
  let name = start;
  for (let links = 0; ; links++) {
    const records = answers.filter((record) => record.type === type && sameName(record.name, name));
    if (records.length > 0) return { name, records, next: undefined, links };
    const cname = answers.find((record) => record.type === 'CNAME' && sameName(record.name, name));
    if (cname?.type !== 'CNAME') return { name, records: [], next: links === 0 ? undefined : name, links };
    if (links === linksLeft) return undefined;
    name = cname.target;
  }
}
