// The load run: `count` messages over `concurrency` connections, at most `perConnection` on each,
// with mailv's own session. No event reaches a transcript: each is only counted and timed. Every
// failure is counted and the run goes on (unless `stopOnError`); a connection that failed is
// replaced by a new one. Messages are handed out by an Issuer (src/load/issue.ts: --rate, stops).
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { CapabilityError, InterruptedError, MailvError, SmtpReplyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SessionEvent } from '../events.js';
import type { ComposedMessage } from '../message/compose.js';
import type { Capabilities } from '../smtp/capabilities.js';
import { SmtpConnection } from '../smtp/connection.js';
import { SmtpSession, type SessionPlan } from '../smtp/session.js';
import type { ServerAddress } from '../delivery/submit.js';
import type { LoadFailure, LoadProgress, LoadReport } from './facts.js';
import { Issuer } from './issue.js';
import { PhaseClock } from './phases.js';
import { Samples } from './stats.js';

export interface LoadPlan {
  readonly count: number;
  readonly concurrency: number;
  readonly perConnection: number;
  /** At most this many messages started a second, over all connections. */
  readonly rate?: number | undefined;
  /** The first failure stops issuing messages; those under way finish. */
  readonly stopOnError?: boolean;
  /** Called once at the start with a reader of the run's progress (for a live line). */
  observe?(progress: () => LoadProgress): void;
  /** The session of each connection; its `prepare` is replaced by `message`. */
  readonly session: SessionPlan;
  /** Message number `sequence` (from 1), for a server with these capabilities. */
  message(sequence: number, capabilities: Capabilities): Promise<ComposedMessage>;
}

/** How many distinct failures the report keeps. */
const FAILURES_KEPT = 5;

export async function runLoad(server: ServerAddress, plan: LoadPlan, signal?: AbortSignal): Promise<LoadReport> {
  // Each open connection listens for the interrupt: C of them at once are no leak.
  if (signal) setMaxListeners(2 * plan.concurrency + 10, signal);
  const started = performance.now();
  const issuer = new Issuer(plan.count, plan.rate, started, signal);
  const tally = new Tally(plan.count, plan.stopOnError === true ? () => issuer.stop() : undefined);
  plan.observe?.(() => tally.progress(performance.now() - started));
  const workers = Array.from({ length: Math.max(1, Math.min(plan.concurrency, plan.count)) }, () => worker(server, plan, issuer, tally, signal));
  await Promise.all(workers);
  return tally.report(plan.count, performance.now() - started);
}

/** One connection after another, each carrying up to perConnection messages, until none is left. */
async function worker(server: ServerAddress, plan: LoadPlan, issuer: Issuer, tally: Tally, signal?: AbortSignal): Promise<void> {
  // A connection that failed has counted its message; the next message gets a new connection.
  for (let sequence = await issuer.take(); sequence !== undefined; sequence = await issuer.take())
    await connection(server, plan, sequence, issuer, tally, signal);
}

/**
 * Opens a connection and sends `first` and up to perConnection − 1 more, until it fails; with
 * PIPELINING each transaction's envelope leaves with the end of the one before.
 */
async function connection(server: ServerAddress, plan: LoadPlan, first: number, issuer: Issuer, tally: Tally, signal?: AbortSignal): Promise<void> {
  const opening = performance.now();
  let open: SmtpConnection;
  try {
    const timeout = plan.session.timeouts.forStage('connect');
    open =
      server.socket === undefined
        ? await SmtpConnection.open(server.host, server.port, timeout, signal, plan.session.local)
        : await SmtpConnection.openSocket(server.socket, timeout, signal);
  } catch (error) {
    tally.fail(error);
    return;
  }
  try {
    await carry(open, opening, plan, first, issuer, tally);
  } finally {
    // Whatever happened, the socket is released: one left open would keep the run from ending.
    open.close();
  }
}

/** The messages of one open connection: `first` and up to perConnection − 1 more. */
async function carry(open: SmtpConnection, opening: number, plan: LoadPlan, first: number, issuer: Issuer, tally: Tally): Promise<void> {
  const connected = performance.now();
  tally.connect.add(connected - opening);
  tally.connections++;
  // Sequence numbers taken for this connection and not yet prepared: the one after the current
  // is taken early, so that its envelope can ride with the current one's end (see next()).
  const sequences = [first];
  let assigned = 1;
  const phases = new PhaseClock(tally.tls, tally.auth, connected);
  const emit = (event: SessionEvent) => {
    phases.see(event, performance.now());
    if (event.kind !== 'reply') return;
    tally.reply(event.reply.code, event.reply.enhanced);
    if (event.stage === 'greeting') tally.greeting.add(phases.greeting(performance.now()));
  };
  /** The message prepared last: while a transaction is under way, its. */
  let prepared = first;
  const prepare = (capabilities: Capabilities) => {
    prepared = sequences.shift()!;
    return plan.message(prepared, capabilities);
  };
  const session = new SmtpSession(open, { ...plan.session, prepare }, emit);
  /**
   * The connection is lost: a message under way that was already written (BDAT) is lost with it;
   * one whose envelope alone went ahead, and those only taken, go back for another connection.
   */
  const loseRest = (error: unknown) => {
    if (session.aheadCarriesMessage) tally.fail(error);
    else if (session.hasAhead) issuer.giveBack(prepared);
    for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
    open.close();
  };
  let capabilities: Capabilities | undefined;
  try {
    capabilities = await session.begin();
  } catch (error) {
    tally.fail(error);
    open.close();
    return;
  }
  if (capabilities === undefined) {
    await session.end();
    return;
  }
  for (;;) {
    if (assigned < plan.perConnection) {
      // Taken ahead only when its turn has come (--rate): the current message never waits for it.
      const reserved = issuer.takeDue();
      if (reserved !== undefined) {
        sequences.push(reserved);
        assigned++;
      }
    }
    const following = sequences.length + (session.hasAhead ? 1 : 0) > 1;
    // Under --rate a next message may come later, not yet taken: QUIT must not ride with this one.
    const last = !following && !(assigned < plan.perConnection && issuer.more);
    const begun = performance.now();
    let clean = true;
    try {
      // Nothing reserved after this one: it is the connection's last, and QUIT rides with it.
      const results = await session.next(capabilities, { following, last });
      tally.transaction.add(performance.now() - begun);
      const failures = results.filter((result) => result.outcome !== 'sent');
      for (const result of failures) {
        tally.record(
          { kind: 'recipient', recipient: result.recipient, outcome: result.outcome as 'refused' | 'deferred', reply: result.reply! },
          outcomeStatus(result.outcome),
        );
      }
      if (failures.length === 0) tally.accepted++;
      else tally.lost(failures.some((result) => result.outcome === 'refused') ? ExitCode.NOUSER : ExitCode.TEMPFAIL);
      // Every recipient refused: no message was sent, the server may still hold the sender.
      clean = results.some((result) => result.outcome === 'sent');
    } catch (error) {
      tally.fail(error);
      // A refusal leaves the session standing; anything else (a drop, nonsense) ends it, and so
      // does 421: the server is closing (RFC 5321 §3.8), the next message needs a new connection.
      const standing = (error instanceof SmtpReplyError && error.reply.code !== 421) || error instanceof CapabilityError;
      if (!standing) {
        loseRest(error);
        return;
      }
      clean = false;
    }
    if (sequences.length === 0 && !session.hasAhead) {
      // Nothing taken ahead: under --rate the next message's turn may not have come; wait for it.
      const next = !last && assigned < plan.perConnection ? await issuer.take() : undefined;
      if (next === undefined) break;
      sequences.push(next);
      assigned++;
    }
    if (!clean) {
      try {
        await session.reset();
      } catch (error) {
        // The messages that would have followed are lost with the connection: counted as failed.
        loseRest(error);
        return;
      }
    }
  }
  await session.end();
  return;
}

function outcomeStatus(outcome: string): number {
  return outcome === 'refused' ? ExitCode.NOUSER : ExitCode.TEMPFAIL;
}

/** What the workers found, gathered as they go. */
class Tally {
  readonly connect: Samples;
  readonly greeting: Samples;
  readonly tls = new Samples();
  readonly auth = new Samples();
  readonly transaction: Samples;
  accepted = 0;
  refused = 0;
  deferred = 0;
  connections = 0;
  private readonly replies = new Map<string, number>();
  private readonly failures: { key: string; failure: LoadFailure; count: number }[] = [];
  private status: number = ExitCode.OK;
  /** The failure last recorded: with --stop-on-error, the one that stops the run. */
  private latest: LoadFailure | undefined;
  private stopped: { failure: LoadFailure; status: number } | undefined;

  /** `stop`: with --stop-on-error, called at the first message lost. */
  constructor(
    expected: number,
    private readonly stop?: () => void,
  ) {
    this.connect = new Samples(Math.min(expected, 1024));
    this.greeting = new Samples(Math.min(expected, 1024));
    this.transaction = new Samples(Math.min(expected, 1 << 17));
  }

  get failed(): number {
    return this.refused + this.deferred;
  }

  progress(elapsedMs: number): LoadProgress {
    return { accepted: this.accepted, refused: this.refused, deferred: this.deferred, elapsedMs };
  }

  /** A message lost, after its failures were recorded: for now (75) or for good (any other status). */
  lost(status: number): void {
    if (status === ExitCode.TEMPFAIL) this.deferred++;
    else this.refused++;
    if (this.stop !== undefined && this.stopped === undefined && this.latest !== undefined) {
      this.stopped = { failure: this.latest, status };
      this.stop();
    }
  }

  reply(code: number, enhanced: string | undefined): void {
    const key = enhanced === undefined ? String(code) : `${code} ${enhanced}`;
    this.replies.set(key, (this.replies.get(key) ?? 0) + 1);
  }

  /** A message lost to `error`. */
  fail(error: unknown): void {
    const fact = error instanceof MailvError ? error.fact : undefined;
    if (fact === undefined) throw error;
    const status = error instanceof MailvError ? error.exitCode : ExitCode.SOFTWARE;
    this.record({ kind: 'error', error: fact }, status);
    // Cut short by a signal, the message was not refused: it may go another time (the run's own
    // status stays the signal's).
    this.lost(error instanceof InterruptedError ? ExitCode.TEMPFAIL : status);
  }

  record(failure: LoadFailure, status: number): void {
    this.status = worse(this.status, status);
    this.latest = failure;
    const key = JSON.stringify(failure);
    const known = this.failures.find((each) => each.key === key);
    if (known) known.count++;
    else if (this.failures.length < FAILURES_KEPT) this.failures.push({ key, failure, count: 1 });
  }

  report(count: number, elapsedMs: number): LoadReport {
    const finished = this.accepted + this.failed;
    return {
      count,
      accepted: this.accepted,
      failed: this.failed,
      refused: this.refused,
      deferred: this.deferred,
      connections: this.connections,
      elapsedMs,
      connect: this.connect.summary(),
      greeting: this.greeting.summary(),
      tls: this.tls.summary(),
      auth: this.auth.summary(),
      transaction: this.transaction.summary(),
      replies: [...this.replies].sort(([a], [b]) => a.localeCompare(b)),
      failures: this.failures.map(({ failure, count }) => ({ failure, count })),
      status: this.stopped?.status ?? this.status,
      stopped: this.stopped === undefined ? undefined : { failure: this.stopped.failure, unsent: count - finished },
    };
  }
}

/**
 * The worse of two statuses: any failure is worse than success; a permanent one (69, 67, 76…) is
 * worse than a temporary one (75), since trying again will not help; between two permanent ones
 * the first seen stays.
 */
export function worse(current: number, next: number): number {
  if (current === ExitCode.OK) return next;
  if (current === ExitCode.TEMPFAIL && next !== ExitCode.OK) return next;
  return current;
}
