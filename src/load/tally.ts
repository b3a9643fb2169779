// What a load run found, gathered as its connections go: counts, latency samples, replies by code,
// the first distinct failures (and when they came) and the status they mean; --stop-on-error's
// stop at the first loss.
import { performance } from 'node:perf_hooks';
import { AuthError, InterruptedError, MailvError, ProtocolError, SmtpReplyError, TransportError, type ErrorFact } from '../errors.js';
import { ExitCode, isStopSignal, signalStatus } from '../exit-codes.js';
import type { CutShortBy, LoadFailure, LoadProgress, LoadReport, LoadStop } from './facts.js';
import type { Elsewhere, Flight } from './flight.js';
import { Samples } from './stats.js';
import type { RecipientResult } from '../smtp/session.js';
import type { CertificateProblem } from '../smtp/facts.js';

/** How many distinct failures the report keeps. */
const FAILURES_KEPT = 5;

/** How many distinct replies (by code and enhanced code) the report counts apart. */
const DISTINCT_REPLIES_KEPT = 100;

/** The stages whose replies answer a message's own commands: MAIL, RCPT, DATA and its end. */
const OWN_STAGES: ReadonlySet<string> = new Set(['mail', 'rcpt', 'data', 'body']);

/** What the workers found, gathered as they go. */
export class Tally {
  readonly connect: Samples;
  readonly greeting: Samples;
  readonly tls = new Samples();
  readonly auth = new Samples();
  readonly transaction: Samples;
  accepted = 0;
  /**
   * When the server last gave a verdict (performance clock): a message accepted, or one it failed
   * (a refusal, a hang-up; not mailv's time limits), to count the rate over: see rateWindow().
   */
  lastVerdictAt: number | undefined;
  /** When the run was first stopped (a failure that stops it, a signal, a fault): see report(). */
  private stoppedAt: number | undefined;
  refused = 0;
  deferred = 0;
  /**
   * Messages under way with no verdict, neither accepted nor failed: cut short by a failure of
   * mailv's own, or by a signal after their end had left (the server may have them).
   */
  private unconfirmed = 0;
  connections = 0;
  /**
   * Messages whose envelope left on a connection lost before their content, until they go again;
   * true for one written whole (BDAT) behind a message the server answered 421, which it did not read.
   */
  private readonly lostEnvelopes = new Map<number, boolean>();
  /** Messages prepared again after that: each counted once, however often it was lost. */
  private readonly resent = new Set<number>();
  /** Those of them written whole behind a 421 the last time they were lost. */
  private readonly resentBehindClosing = new Set<number>();
  /** Replies counted by code, then by enhanced code ('' for none): no key to build for each reply. */
  private readonly replies = new Map<number, Map<string, number>>();
  /** How many (code, enhanced code) pairs `replies` holds. */
  private distinctReplies = 0;
  /** Connections whose QUIT got no reply, and those of them that waited until the time limit. */
  private readonly quitUnanswered = { connections: 0, timedOut: 0 };
  private resumptionsFailed = 0;
  /** TLS handshakes that resumed a session. */
  private tlsResumed = 0;
  /** TLS handshakes whose server certificate did not verify. */
  private tlsUnverified = 0;
  /** Why the first of those did not verify. */
  private tlsUnverifiedProblem: CertificateProblem | undefined;
  /** --insecure: the sessions said certificates are not checked. */
  certificatesUnchecked = false;
  /** See LoadReport.connectionFaults: how many, and the first distinct causes. */
  private connectionFaultCount = 0;
  private readonly connectionFaults: { key: string; error: ErrorFact; count: number }[] = [];
  /**
   * Each with when it first and last came (this clock), how many messages had been accepted before
   * the first, and the other connections then (open, and their messages under way).
   */
  private readonly failures: {
    key: string;
    failure: LoadFailure;
    count: number;
    firstAt: number;
    lastAt: number;
    acceptedBefore: number;
    elsewhere: Elsewhere;
  }[] = [];
  /** The failures like none of those kept, once FAILURES_KEPT are: counted, with when. */
  private notShown: { count: number; firstAt: number; lastAt: number } | undefined;
  /**
   * The run's connections besides a failing one's own, open and with messages under way (see
   * flight.ts): read when a distinct failure first comes. Set by the driver.
   */
  elsewhere: (own: Flight | undefined) => Elsewhere = () => ({ connectionsOpen: 0, underWay: 0 });
  /** --vary-recipients: the address given of a numbered recipient, its failures counted as one. Set by the driver. */
  unnumbered: ((recipient: string) => string | undefined) | undefined;
  private status: number = ExitCode.OK;
  /** The failure whose status is the run's: the first of the worst (see worse()). */
  private deciding: LoadFailure | undefined;
  /**
   * The worst failure of the message being counted (recorded, then lost(), in one go): with
   * --stop-on-error, the one that stops the run.
   */
  private messageWorst: { failure: LoadFailure; status: number } | undefined;
  /** Some message reached at least one recipient (accepted, or refused for others only): set by the driver with each verdict. */
  reachedSomeone = false;
  private stopped: { failure: LoadFailure; status: number; by: LoadStop } | undefined;

  /**
   * `stop`: stops issuing messages; called at the first message lost with `stopOnError`, or at a
   * login refused for good. `now`: the clock the run's start is read on (the driver's).
   */
  constructor(
    expected: number,
    private readonly stop: () => void,
    private readonly stopOnError = false,
    private readonly now: () => number = () => performance.now(),
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

  /** A message every recipient took, its verdict read at `at` (on the run's clock). */
  accept(at = this.now()): void {
    this.accepted++;
    this.lastVerdictAt = Math.max(this.lastVerdictAt ?? at, at);
  }

  /**
   * A message lost, after its failures were recorded: for now (75) or for good (any other status);
   * `interrupted`: by a signal, which stops the run by itself; `serverSaid`: by the server (a reply,
   * a hang-up), not by mailv's own time limit or a signal, which say nothing of the server's pace.
   */
  lost(status: number, interrupted = false, serverSaid = !interrupted): void {
    if (serverSaid) this.lastVerdictAt = this.now();
    if (status === ExitCode.TEMPFAIL) this.deferred++;
    else this.refused++;
    const worst = this.messageWorst;
    this.messageWorst = undefined;
    if (this.stopOnError && worst !== undefined && !interrupted) this.stopAt(worst.failure, status, 'stop-on-error');
  }

  /** A connection's TLS handshake failed when it offered a kept session: its message went back, for another connection. */
  resumptionFailed(): void {
    this.resumptionsFailed++;
  }

  /** A TLS handshake ended: whether it resumed a session, and whether the server's certificate verified. */
  handshake(resumed: boolean, verified: boolean, problem?: CertificateProblem): void {
    if (resumed) this.tlsResumed++;
    if (verified) return;
    this.tlsUnverified++;
    this.tlsUnverifiedProblem ??= problem;
  }

  /**
   * A connection broken by `error` with no message lost: those taken for it went back. The driver
   * says which errors are faults (not a hang-up, a 421, a signal).
   */
  connectionBroken(error: MailvError): void {
    this.connectionFaultCount++;
    this.countUnsolicited(error.fact);
    const key = JSON.stringify(error.fact);
    const known = this.connectionFaults.find((each) => each.key === key);
    if (known) known.count++;
    else if (this.connectionFaults.length < FAILURES_KEPT) this.connectionFaults.push({ key, error: error.fact, count: 1 });
  }

  /**
   * A reply no command asked for (the 451 qmail says at its idle timeout) is a reply the server
   * sent: counted by its code as the others are, once, however many messages its failure ends.
   */
  private countUnsolicited(fact: ErrorFact): void {
    if (fact.code !== 'MAILV_REPLY_SYNTAX' || fact.fault.fault !== 'unsolicited' || this.unsolicitedCounted.has(fact.fault)) return;
    this.unsolicitedCounted.add(fact.fault);
    this.reply(fact.fault.code, fact.fault.enhanced);
  }

  private readonly unsolicitedCounted = new WeakSet<object>();

  /** A connection's QUIT got no reply; `timedOut`: mailv waited for it until the time limit. */
  quitNotAnswered(timedOut: boolean): void {
    this.quitUnanswered.connections++;
    if (timedOut) this.quitUnanswered.timedOut++;
  }

  /**
   * The envelope of message `sequence` left on a connection that was lost before its content; or,
   * `behindClosing`, the whole message was written behind one the server answered 421.
   */
  envelopeLost(sequence: number, behindClosing = false): void {
    this.lostEnvelopes.set(sequence, behindClosing);
  }

  /** A connection opened, its connect having taken `connectMs`. */
  opened(connectMs: number): void {
    this.connect.add(connectMs);
    this.connections++;
  }

  /** Message `sequence` is prepared for a connection: sent again when its envelope was lost before. */
  preparing(sequence: number): void {
    const behindClosing = this.lostEnvelopes.get(sequence);
    if (behindClosing === undefined) return;
    this.lostEnvelopes.delete(sequence);
    this.resent.add(sequence);
    if (behindClosing) this.resentBehindClosing.add(sequence);
    else this.resentBehindClosing.delete(sequence);
  }

  reply(code: number, enhanced: string | undefined): void {
    let byEnhanced = this.replies.get(code);
    if (byEnhanced === undefined) {
      byEnhanced = new Map();
      this.replies.set(code, byEnhanced);
    }
    // A server may give every reply an enhanced code of its own: past DISTINCT_REPLIES_KEPT, a new
    // one is counted under its reply code alone, so neither memory nor the summary grows with them.
    let key = enhanced ?? '';
    if (!byEnhanced.has(key)) {
      if (this.distinctReplies >= DISTINCT_REPLIES_KEPT) key = '';
      if (!byEnhanced.has(key)) this.distinctReplies++;
    }
    byEnhanced.set(key, (byEnhanced.get(key) ?? 0) + 1);
  }

  /**
   * A message lost to `error`; `own`: the connection it was lost on, if it had one; `committed`:
   * its end had been written; `refused`: recipients its transaction refused for good before that.
   * False when it is not counted as failed: cut short after its end left, or by a failure of
   * mailv's own, it has no verdict.
   */
  fail(error: unknown, own?: Flight, committed = false, anothers = false, refused: readonly RecipientResult[] = []): boolean {
    const fact = error instanceof MailvError ? error.fact : undefined;
    if (fact === undefined) throw error;
    this.countUnsolicited(fact);
    // Cut short by a fault of mailv's own or a failed write, not by the server: the server's verdict
    // on it is unknown, and the run says what cut it short. So it is when a signal came after its
    // end had left: the server may have taken it.
    if (error instanceof InterruptedError && (committed || !isStopSignal(error.signal))) {
      this.unconfirmed++;
      return false;
    }
    // After the message's end left, no verdict of its own was read: lost with another message's
    // fault (written whole behind it, `anothers`), or the protocol broken otherwise than by a reply
    // out of place where its own envelope or verdict was due (a refusal in RSET's or QUIT's place, a
    // line that is no reply). It may have arrived, as a send says (75); that reply stays 76.
    const ownReplyOutOfPlace = fact.code === 'MAILV_UNEXPECTED_REPLY' && OWN_STAGES.has(fact.stage);
    const doubt = committed && (anothers ? !(error instanceof SmtpReplyError) : error instanceof ProtocolError && !ownReplyOutOfPlace);
    const status = doubt ? ExitCode.TEMPFAIL : error instanceof MailvError ? error.exitCode : ExitCode.SOFTWARE;
    this.record({ kind: 'error', error: fact }, status, own);
    // The recipients refused for good before it are this message's failures too, recorded after it:
    // they decide (67) a failure that alone means 75, since trying again cannot help them, and
    // leave a failure for good (a 554 after them: 69) to decide, the first permanent one winning.
    const interrupted = error instanceof InterruptedError;
    if (!interrupted)
      for (const { recipient, reply } of refused) this.record({ kind: 'recipient', recipient, outcome: 'refused', reply: reply! }, ExitCode.NOUSER, own);
    // A login refused for good (not a 454) would be refused on every connection: said as such,
    // even when --stop-on-error would have stopped at it anyway.
    if (error instanceof AuthError && status === ExitCode.NOPERM) this.stopAt({ kind: 'error', error: fact }, status, 'login-refused');
    // Cut short by a signal, the message was not refused: it may go another time (the run's own
    // status stays the signal's).
    const timedOut = error instanceof TransportError && error.reason === 'timeout';
    // A recipient the transaction refused for good before it failed (recorded first) makes the message
    // refused, not deferred: permanent over temporary, as for the run.
    this.lost(interrupted ? ExitCode.TEMPFAIL : (this.messageWorst?.status ?? status), interrupted, !interrupted && !timedOut);
    return true;
  }

  /**
   * A numbered recipient's failure as its address given's (see unnumbered), and so a failure whose
   * fact names one (a 421 to its RCPT); any other as it is.
   */
  private asGiven(failure: LoadFailure): LoadFailure {
    if (failure.kind === 'recipient') {
      const given = this.unnumbered?.(failure.recipient);
      return given === undefined ? failure : { ...failure, recipient: given, numbered: true };
    }
    const named = 'recipient' in failure.error ? failure.error.recipient : undefined;
    const given = named === undefined ? undefined : this.unnumbered?.(named);
    return given === undefined ? failure : { ...failure, error: { ...failure.error, recipient: given } as ErrorFact, numbered: true };
  }

  /** The run is stopped from now on: by a failure (stopAt), or by the interruption (the driver). */
  stoppedNow(): void {
    this.stoppedAt ??= this.now();
  }

  /** No more messages are issued; the first stop is the one reported. */
  private stopAt(failure: LoadFailure, status: number, by: LoadStop): void {
    if (this.stopped !== undefined) return;
    this.stopped = { failure, status, by };
    this.stoppedNow();
    this.stop();
  }

  record(given: LoadFailure, status: number, own?: Flight): void {
    const failure = this.asGiven(given);
    const next = worse(this.status, status);
    if (next !== this.status) this.deciding = failure;
    this.status = next;
    if (this.messageWorst === undefined || worse(this.messageWorst.status, status) !== this.messageWorst.status) this.messageWorst = { failure, status };
    const key = JSON.stringify(failure);
    const known = this.failures.find((each) => each.key === key);
    // When a limit begins to bite, and whether it still did at the end, is what a load run is for.
    if (known) {
      known.count++;
      known.lastAt = this.now();
    } else if (this.failures.length < FAILURES_KEPT) {
      const at = this.now();
      this.failures.push({ key, failure, count: 1, firstAt: at, lastAt: at, acceptedBefore: this.accepted, elsewhere: this.elsewhere(own) });
    } else {
      const at = this.now();
      if (this.notShown === undefined) this.notShown = { count: 1, firstAt: at, lastAt: at };
      else {
        this.notShown.count++;
        this.notShown.lastAt = at;
      }
    }
  }

  /**
   * What the rate is counted over, from the start: up to the server's last verdict, accepted or not
   * (slow QUITs after it do not count; ten messages taken and the rest deferred for half a minute
   * are not hundreds a second; a stall that only mailv's time limit ended does not count either);
   * for a run stopped with messages never started, up to the stop at least (a run stopped early
   * under --rate did not go at the pace of its first message).
   */
  private rateWindow(unsent: number, elapsedMs: number, startedAt: number): number {
    const stoppedAt = unsent > 0 ? this.stoppedAt : undefined;
    const end = stoppedAt === undefined ? this.lastVerdictAt : Math.max(stoppedAt, this.lastVerdictAt ?? stoppedAt);
    return end === undefined ? elapsedMs : end - startedAt;
  }

  /**
   * The report of a run of `count` messages; `interruptedBy`: the signal that cut it short, or the
   * failure of mailv's own, if one did.
   */
  report(count: number, elapsedMs: number, startedAt: number, interruptedBy?: NodeJS.Signals | CutShortBy): LoadReport {
    const unsent = count - this.accepted - this.failed - this.unconfirmed;
    const signal = isStopSignal(interruptedBy) ? interruptedBy : undefined;
    // A fault after the last message was through cut nothing short; nor did one after a failure had
    // stopped the run, with nothing left under way: the messages never started are that stop's.
    const cutSomething = this.unconfirmed > 0 || (unsent > 0 && this.stopped === undefined);
    const cutShortBy = signal === undefined && cutSomething ? (interruptedBy as CutShortBy | undefined) : undefined;
    const byLogin = this.stopped?.by === 'login-refused' ? this.stopped : undefined;
    return {
      count,
      accepted: this.accepted,
      failed: this.failed,
      refused: this.refused,
      deferred: this.deferred,
      connections: this.connections,
      resent: this.resent.size,
      resentBehindClosing: this.resentBehindClosing.size,
      quitUnanswered: { ...this.quitUnanswered },
      resumptionsFailed: this.resumptionsFailed,
      tlsResumed: this.tlsResumed,
      tlsUnverified: this.tlsUnverified,
      tlsUnverifiedProblem: this.tlsUnverifiedProblem,
      certificatesUnchecked: this.certificatesUnchecked,
      connectionFaults: { count: this.connectionFaultCount, first: this.connectionFaults.map(({ error, count }) => ({ error, count })) },
      elapsedMs,
      acceptedWithinMs: this.rateWindow(unsent, elapsedMs, startedAt),
      connect: this.connect.summary(),
      greeting: this.greeting.summary(),
      tls: this.tls.summary(),
      auth: this.auth.summary(),
      transaction: this.transaction.summary(),
      replies: [...this.replies]
        .flatMap(([code, byEnhanced]) =>
          [...byEnhanced].map(([enhanced, count]): [string, number] => [enhanced === '' ? String(code) : `${code} ${enhanced}`, count]),
        )
        // By code, then enhanced code, as the octets order them: localeCompare would load ICU's
        // collation at its first call (about 10 ms of every run) to order ASCII digits the same way.
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      failures: this.failures.map(({ failure, count, firstAt, lastAt, acceptedBefore, elsewhere }) => ({
        failure,
        count,
        firstMs: firstAt - startedAt,
        lastMs: lastAt - startedAt,
        acceptedBefore,
        ...elsewhere,
      })),
      failuresNotShown:
        this.notShown === undefined
          ? undefined
          : { count: this.notShown.count, firstMs: this.notShown.firstAt - startedAt, lastMs: this.notShown.lastAt - startedAt },
      // A signal ends the run as it ends a send, whatever the messages before it met. A login refused
      // for good gives its own status (77: the credentials are what to fix); --stop-on-error stops at
      // the first failure, but a message already under way may fail for good after it, and the status
      // must still say whether trying again can help: the worst failure's, as without the flag.
      // Cut short by mailv's own failure, the run's status is that failure's, whatever the messages met.
      status: signal !== undefined ? signalStatus(signal) : cutShortBy !== undefined ? CUT_SHORT_STATUS[cutShortBy] : (byLogin?.status ?? this.status),
      decidedBy: byLogin?.failure ?? this.deciding,
      reachedSomeone: this.reachedSomeone,
      stopped: this.stopped === undefined ? undefined : { failure: this.stopped.failure, unsent, by: this.stopped.by },
      interrupted: signal === undefined ? undefined : { signal, unconfirmed: this.unconfirmed, unsent },
      cutShort: cutShortBy === undefined ? undefined : { by: cutShortBy, unconfirmed: this.unconfirmed, unsent },
    };
  }
}

/** The status of a run cut short by mailv's own failure: an internal error's, or an output error's. */
const CUT_SHORT_STATUS: Readonly<Record<CutShortBy, number>> = { fault: ExitCode.SOFTWARE, output: ExitCode.IOERR };

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
