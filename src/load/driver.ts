// The load run: `count` messages over `concurrency` connections, at most `perConnection` on each,
// with mailv's own session. No event reaches a transcript: each is only counted and timed. Every
// failure is counted and the run goes on (unless `stopOnError`); a connection that failed is
// replaced by a new one. Messages are handed out by an Issuer (src/load/issue.ts: --rate, stops).
import { performance } from 'node:perf_hooks';
import { AuthError, CapabilityError, InterruptedError, MailvError, SmtpReplyError, TransportError } from '../errors.js';
import { ExitCode, isStopSignal } from '../exit-codes.js';
import type { SessionEvent } from '../events.js';
import type { ComposedMessage } from '../message/compose.js';
import type { Capabilities } from '../smtp/capabilities.js';
import { ReadRelay, SmtpConnection, type Recording } from '../smtp/connection.js';
import { SmtpSession, type RecipientResult, type SessionPlan } from '../smtp/session.js';
import type { ServerAddress } from '../delivery/submit.js';
import { hungUpForNoOne } from '../delivery/unconfirmed.js';
import type { LoadProgress, LoadReport } from './facts.js';
import { Issuer } from './issue.js';
import { PhaseClock } from './phases.js';
import { Flight, elsewhere } from './flight.js';
import { WorkerSignal } from './worker-signal.js';
import { Tally } from './tally.js';
import { play, scriptOf, type HandedOver, type Played, type Script } from './express.js';
import { WitnessBuffer, givenIfBroken, type Witness, type WitnessShared } from './witness.js';
import { FAULTED, WRITE_FAILED, type InterruptSignal } from '../interruption.js';

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
  /** --vary-recipients: the address given of a numbered recipient (see numbered-recipients.ts), undefined for any other. */
  readonly unnumbered?: ((recipient: string) => string | undefined) | undefined;
  /** Message number `sequence` (from 1), for a server with these capabilities. */
  message(sequence: number, capabilities: Capabilities): ComposedMessage | Promise<ComposedMessage>;
  /** Every message is the same octets, for servers of the same capabilities (no --vary): see src/load/express.ts. */
  readonly sameMessage?: boolean;
  /** False: every connection has a session of its own, none played by the express lane (for tests that compare the two). */
  readonly express?: boolean;
  /** Told of each connection the express lane played: `handedOver` when a session took it over. */
  readonly played?: ((handedOver: boolean) => void) | undefined;
  /** A connection already open to the server (--direct's probe): the first to carry messages. The caller closes it. */
  readonly opened?: OpenConnection | undefined;
  /**
   * -v: given, once, the events of the first connection on which a message failed (and that had
   * any): its opening (greeting to AUTH) and the last of the rest, up to the failure.
   */
  readonly witness?: ((witness: Witness) => void) | undefined;
}

/** An open connection, with when its connect began and ended (ms on the performance clock). */
export interface OpenConnection {
  readonly connection: SmtpConnection;
  readonly openedAt: number;
  readonly connectedAt: number;
}

export async function runLoad(server: ServerAddress, plan: LoadPlan, signal?: InterruptSignal): Promise<LoadReport> {
  const started = performance.now();
  const issuer = new Issuer(plan.count, plan.rate, started, signal);
  const tally = new Tally(plan.count, () => issuer.stop(), plan.stopOnError === true);
  // When a signal or a fault stopped the run: the rate is counted up to then at least.
  const stopped = () => tally.stoppedNow();
  signal?.addEventListener('abort', stopped);
  const flights: Flight[] = [];
  tally.elsewhere = (own) => elsewhere(flights, own);
  tally.unnumbered = plan.unnumbered;
  plan.observe?.(() => tally.progress(performance.now() - started));
  let handed = plan.opened;
  const witnessed: WitnessShared = { given: false };
  const take = () => {
    const connection = handed;
    handed = undefined;
    return connection;
  };
  const witness = plan.witness;
  const newWitness = witness === undefined ? () => undefined : () => new WitnessBuffer(witnessed, witness);
  const lane: Lane = { playable: playable(server, plan), script: undefined };
  const workerSignals: WorkerSignal[] = [];
  const interruptWorkers = () => {
    for (const workerSignal of workerSignals) workerSignal.abort();
  };
  signal?.addEventListener('abort', interruptWorkers);
  const workers = Array.from({ length: Math.max(1, Math.min(plan.concurrency, plan.count)) }, () => {
    const flight = new Flight();
    flights.push(flight);
    const workerSignal = signal === undefined ? undefined : new WorkerSignal(signal);
    if (workerSignal !== undefined) workerSignals.push(workerSignal);
    return worker(server, plan, issuer, tally, flight, take, newWitness, lane, workerSignal);
  });
  try {
    await Promise.all(workers);
  } finally {
    signal?.removeEventListener('abort', stopped);
    signal?.removeEventListener('abort', interruptWorkers);
  }
  // The run aborts with the signal's name as its reason (see src/app/run.ts); a fault of mailv's
  // own, or a failed write, aborts it too, with a reason of its own, and is told by the run.
  const reason = signal?.aborted ? signal.reason : undefined;
  const cutShortBy = reason === FAULTED ? 'fault' : reason === WRITE_FAILED ? 'output' : undefined;
  const report = tally.report(plan.count, performance.now() - started, started, isStopSignal(reason) ? reason : cutShortBy);
  // Asked of the tally, not of the witness: a message can fail with nothing to show (a connect
  // refused, a greeting hung up), and then no message failed would be untrue.
  if (witness !== undefined && report.failed === 0) givenIfBroken(witnessed, witness);
  return report;
}

/** One connection after another, each carrying up to perConnection messages, until none is left. */
async function worker(
  server: ServerAddress,
  plan: LoadPlan,
  issuer: Issuer,
  tally: Tally,
  flight: Flight,
  handed: () => OpenConnection | undefined,
  newWitness: () => WitnessBuffer | undefined,
  lane: Lane,
  signal?: InterruptSignal,
): Promise<void> {
  // A connection that failed has counted its message; the next message gets a new connection.
  for (;;) {
    const taking = issuer.take();
    const sequence = taking instanceof Promise ? await taking : taking;
    if (sequence === undefined) return;
    await connection(server, plan, sequence, issuer, tally, flight, handed(), newWitness(), lane, signal);
  }
}

/**
 * The express lane of a run (src/load/express.ts): whether its connections can be played at all
 * (a connection per message, the same message each time, no TLS asked, no login, nothing a session
 * does differently from one connection to the next), and the script, once a session delivered a
 * message as the lane can play it again.
 */
interface Lane {
  /** False too once a session delivered a message over a dialogue the lane cannot play: none will be recorded again. */
  playable: boolean;
  script: Script | undefined;
}

function playable(server: ServerAddress, plan: LoadPlan): boolean {
  const session = plan.session;
  return (
    plan.express !== false &&
    plan.perConnection === 1 &&
    plan.sameMessage === true &&
    plan.rate === undefined &&
    plan.opened === undefined &&
    plan.witness === undefined &&
    plan.unnumbered === undefined &&
    server.socket === undefined &&
    !server.implicitTls &&
    session.implicitTls !== true &&
    session.tls !== 'required' &&
    session.auth === undefined &&
    session.step === undefined &&
    session.quitAfter === undefined &&
    session.proxy === undefined &&
    (session.xclient?.length ?? 0) === 0 &&
    (session.remembered?.length ?? 0) === 0 &&
    session.lmtp !== true &&
    !session.echoBody
  );
}

/**
 * Opens a connection and sends `first` and up to perConnection − 1 more, until it fails; with
 * PIPELINING each transaction's envelope leaves with the end of the one before.
 */
async function connection(
  server: ServerAddress,
  plan: LoadPlan,
  first: number,
  issuer: Issuer,
  tally: Tally,
  flight: Flight,
  handed: OpenConnection | undefined,
  witness: WitnessBuffer | undefined,
  lane: Lane,
  signal?: InterruptSignal,
): Promise<void> {
  let open = handed;
  if (open === undefined) {
    const openedAt = performance.now();
    const script = lane.script;
    try {
      const timeout = plan.session.timeouts.forStage('connect');
      if (script !== undefined) {
        open = await express(server, plan, first, script, issuer, tally, flight, openedAt, timeout, signal);
        if (open === undefined) return;
      } else {
        const connection =
          server.socket === undefined
            ? await SmtpConnection.open(server.host, server.port, timeout, signal, plan.session.local)
            : await SmtpConnection.openSocket(server.socket, timeout, signal);
        open = { connection, openedAt, connectedAt: performance.now() };
      }
    } catch (error) {
      // Stopped while it connected (a signal, or --stop-on-error at a failure elsewhere): its
      // message was never started, whatever became of the connection after.
      if (error instanceof InterruptedError || issuer.stopped) issuer.giveBack(first);
      else tally.fail(error, flight);
      return;
    }
  }
  // A connection that may show the express lane what to play: its dialogue is written down.
  const recording: Recording | undefined = lane.playable && lane.script === undefined ? { writes: [], replies: [] } : undefined;
  open.connection.recording = recording;
  try {
    const delivered = await carry(open, plan, first, issuer, tally, flight, witness);
    if (recording !== undefined && delivered && lane.script === undefined) {
      lane.script = scriptOf(recording, plan.session.timeouts);
      lane.playable = lane.script !== undefined;
    }
  } finally {
    // Whatever happened, the socket is released (one left open would keep the run from ending), and
    // no longer counts among the connections open when a failure comes.
    open.connection.close();
    flight.open = false;
    flight.session = undefined;
    flight.inTransaction = false;
  }
}

/**
 * Message `sequence` over a connection the express lane plays: counted here when it was delivered
 * as the script has it (undefined then); else the open connection, taken over by a session, for
 * carry() to go on with. Rejects as SmtpConnection.open() does when the connection cannot be made.
 */
function express(
  server: ServerAddress,
  plan: LoadPlan,
  sequence: number,
  script: Script,
  issuer: Issuer,
  tally: Tally,
  flight: Flight,
  openedAt: number,
  timeout: number,
  signal: InterruptSignal | undefined,
): Promise<OpenConnection | undefined> {
  const reads = new ReadRelay();
  const stopped = () => issuer.stopped;
  // Callbacks, not a promise a step: the connect, the play and the count are one promise a message.
  return new Promise((resolve, reject) =>
    SmtpConnection.connectThen(
      server.host,
      server.port,
      timeout,
      signal,
      plan.session.local ?? {},
      reads,
      (socket) => {
        const connectedAt = performance.now();
        flight.open = true;
        const settled = (outcome: Played | HandedOver) => {
          plan.played?.(outcome.kind === 'handed-over');
          if (outcome.kind === 'handed-over') return resolve({ connection: outcome.connection, openedAt, connectedAt });
          countPlayed(outcome, sequence, script, tally, openedAt, connectedAt);
          flight.open = false;
          resolve(undefined);
        };
        // Called from the socket's events: a fault of mailv's own there is the run's, as an await's would be.
        orReject(reject, () => play(socket, server.host, reads, script, flight, stopped, signal, (outcome) => orReject(reject, () => settled(outcome))));
      },
      reject,
    ),
  );
}

/** Runs `step`; what it throws goes to `reject`. */
function orReject(reject: (error: unknown) => void, step: () => void): void {
  try {
    step();
  } catch (error) {
    reject(error);
  }
}

/** A message the express lane delivered, counted as carry() counts one delivered on a connection of its own. */
function countPlayed(outcome: Played, sequence: number, script: Script, tally: Tally, openedAt: number, connectedAt: number): void {
  tally.opened(connectedAt - openedAt);
  tally.preparing(sequence);
  tally.greeting.add(outcome.greetingAt - connectedAt);
  for (const reply of script.replies) tally.reply(reply.code, reply.enhanced);
  tally.transaction.add(outcome.verdictAt - outcome.begunAt);
  tally.accept(outcome.verdictAt);
  tally.reachedSomeone = true;
  outcome.socket.destroy();
}

/**
 * The messages of one open connection: `first` and up to perConnection − 1 more. True when they
 * were all delivered to every recipient. Timed by the connection's clock: one taken over from the
 * express lane reads again what came, and its times are those it came at.
 */
async function carry(
  { connection: open, openedAt, connectedAt: connected }: OpenConnection,
  plan: LoadPlan,
  first: number,
  issuer: Issuer,
  tally: Tally,
  flight: Flight,
  witness: WitnessBuffer | undefined,
): Promise<boolean> {
  tally.opened(connected - openedAt);
  // A connection the express lane handed over reads again what came: its times are those it came at.
  const clock = () => open.replayedAt ?? performance.now();
  // Sequence numbers taken for this connection and not yet prepared: the one after the current
  // is taken early, so that its envelope can ride with the current one's end (see next()).
  const sequences = [first];
  let assigned = 1;
  const phases = new PhaseClock(tally.tls, tally.auth, connected);
  const emit = (event: SessionEvent) => {
    witness?.see(event);
    if (event.kind === 'reply') tally.reply(event.reply.code, event.reply.enhanced);
    else if (event.kind === 'note' && event.note.code === 'quit-unanswered') tally.quitNotAnswered(event.note.error.code === 'MAILV_TIMEOUT');
    else if (event.kind === 'tls') tally.handshake(event.resumed === true, event.verified, event.problem);
    else if (event.kind === 'note' && event.note.code === 'certificates-unchecked') tally.certificatesUnchecked = true;
    // The clock is read only for what is timed: a message's commands and replies are not.
    if (!PhaseClock.times(event)) return;
    const now = clock();
    phases.see(event, now);
    if (event.kind === 'reply' && event.stage === 'greeting') tally.greeting.add(phases.greeting(now));
  };
  /** The message prepared last: while a transaction is under way, its. */
  let prepared = first;
  /**
   * The first message prepared since the transaction under way began (undefined: none yet): its
   * own, when its envelope did not go ahead. Any prepared after it (the next one, whose envelope
   * rides with this one's end) is not.
   */
  let preparedThisTurn: number | undefined;
  const prepare = (capabilities: Capabilities) => {
    prepared = sequences.shift()!;
    preparedThisTurn ??= prepared;
    tally.preparing(prepared);
    return plan.message(prepared, capabilities);
  };
  const session = new SmtpSession(open, { ...plan.session, prepare }, emit);
  flight.session = session;
  flight.open = true;
  let delivered = true;
  /**
   * The connection is lost: a message under way that was already written (BDAT) is lost with it,
   * since the server may have taken it; one whose envelope alone went ahead, and those only taken,
   * go back for another connection. So does a written message behind a 421: the server was closing
   * and read nothing after the command it answered (RFC 5321 §3.8), that message included.
   */
  const loseRest = (error: unknown) => {
    if (session.aheadCarriesMessage && !saidClosing(error)) tally.fail(error, flight, true, true);
    else if (session.hasAhead) {
      issuer.giveBack(prepared);
      if (session.aheadSent) tally.envelopeLost(prepared, session.aheadCarriesMessage);
    }
    for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
    open.close();
  };
  /** -v: what the server sent that could not be read (a line that is no reply, one cut short) ends the dialogue, as one send shows it. */
  const witnessUnread = () => witness?.seeUnread(open.unreadLines());
  /** A message failed: its connection may be the witness. */
  const witnessFailure = () => {
    witnessUnread();
    witness?.failed();
  };
  /** The connection broke with no message lost: counted when the server broke it (see isFault), kept for -v. */
  const broken = (error: unknown) => {
    if (!isFault(error)) return;
    tally.connectionBroken(error);
    witnessUnread();
    witness?.broke();
  };
  // Whether the next envelope rides with a message's end is asked when that end is written: a run
  // stopped meanwhile (--stop-on-error, elsewhere) starts no new message. One question a connection.
  const stillIssuing = () => !issuer.stopped;
  let capabilities: Capabilities | undefined;
  try {
    capabilities = await session.begin();
  } catch (error) {
    // The handshake failed when it offered a kept session, now forgotten: the message goes back,
    // for a connection with a full handshake (a send's retry).
    if (session.resumptionFailure !== undefined) {
      tally.resumptionFailed();
      for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
      open.close();
      return false;
    }
    if (error instanceof InterruptedError || issuer.stopped) {
      // Stopped before the server saw anything of the message (its greeting, EHLO, TLS or AUTH under
      // way), by a signal or --stop-on-error at a failure elsewhere: never started.
      for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
      if (!(error instanceof InterruptedError) && refusedWhileListening(error) && !session.earlyTalkRefused) await session.end();
      else open.close();
      return false;
    }
    if (tally.fail(error, flight)) witnessFailure();
    // As after a single send: a server still listening after its refusal (a 554 greeting, a 535) is
    // told goodbye; one that refused an early EHLO has said it will not talk.
    if (refusedWhileListening(error) && !session.earlyTalkRefused) await session.end();
    else open.close();
    return false;
  }
  if (capabilities === undefined) {
    await session.end();
    return false;
  }
  // A connection the express lane handed over with its transaction begun was not stopped then: its
  // MAIL went, and the transaction runs its course as on any connection stopped later.
  if (issuer.stopped && !open.replaying) {
    // Stopped (--stop-on-error, a login refused for good) while this connection opened: its
    // message had not started, the server has seen nothing of it; it goes back, unsent.
    for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
    await session.end();
    return false;
  }
  // No message is left for this connection: none more to take on it, or none at all (asked when a
  // message's end is decided, and when a BDAT transaction goes ahead whole).
  const noMore = () => !(assigned < plan.perConnection && issuer.more);
  /** When the last verdict (or refusal) on this connection was read: a transaction sent ahead waits for it at the server. */
  let previousVerdictAt = connected;
  for (;;) {
    // This transaction's envelope went ahead, with the end of the message before, and nothing of its
    // message did; `carried`: its message (`prepared` moves on when the next one is prepared).
    const envelopeWentAhead = session.aheadSent && !session.aheadCarriesMessage;
    const now = clock();
    // A message whose MAIL goes now, not ahead when its turn came (the first of a connection, after
    // the connect, greeting and login): the next one's turn counts from now (--rate).
    if (!envelopeWentAhead) issuer.started(now);
    if (assigned < plan.perConnection && !session.quitWritten) {
      // Taken ahead only when its turn has come (--rate): the current message never waits for it.
      const reserved = issuer.takeDue();
      if (reserved !== undefined) {
        sequences.push(reserved);
        assigned++;
      }
    }
    // QUIT went with the message sent ahead whole (BDAT): it is the connection's last.
    const following = !session.quitWritten && sequences.length + (session.hasAhead ? 1 : 0) > 1;
    // Under --rate a next message may come later, not yet taken: QUIT must not ride with this one.
    const last = session.quitWritten || (!following && noMore());
    // Taken ahead but not written: the connection failed before its turn came (see session.queueAhead).
    const unwrittenAhead = session.hasAhead && !session.aheadSent;
    // Nothing of this transaction written yet: a failure before its first write found the connection
    // broken already (a line that is no reply, read with the last verdict).
    const sentBefore = session.hasAhead ? undefined : open.bytesSent;
    const carried = prepared;
    preparedThisTurn = undefined;
    // Sent ahead (its envelope, or with BDAT all of it): its latency runs from then, not from now,
    // when its replies may all be here already; but no sooner than the verdict on the message before,
    // since the server reads commands in order: until then its time was that message's, counted there.
    const aheadAge = session.aheadAge;
    const begun = aheadAge === undefined ? now : Math.max(now - aheadAge, previousVerdictAt);
    witness?.transaction();
    let clean = true;
    flight.inTransaction = true;
    try {
      // Nothing reserved after this one: it is the connection's last, and QUIT rides with it.
      const results = await session.next(capabilities, { following: following && stillIssuing, last, followingIsLast: noMore });
      const verdictAt = clock();
      previousVerdictAt = verdictAt;
      tally.transaction.add(verdictAt - begun);
      // QUIT rode with it: its reply confirms the verdict, or shows the replies out of step. The
      // verdict's time stays the message's: a slow goodbye is not the server's pace.
      if (last) await session.confirmVerdict();
      flight.inTransaction = false;
      const failures = results.length === 1 && results[0]!.outcome === 'sent' ? [] : results.filter((result) => result.outcome !== 'sent');
      if (failures.length === 0) tally.accept(verdictAt);
      else {
        recipientsFailed(failures, tally, flight, witness);
        delivered = false;
      }
      // Every recipient refused: no message was sent, the server may still hold the sender.
      clean = results.some((result) => result.outcome === 'sent');
      if (clean) tally.reachedSomeone = true;
    } catch (error) {
      flight.inTransaction = false;
      delivered = false;
      // This transaction's message: the one prepared ahead, or the first one prepared now (none yet:
      // it is still among those taken, and goes back with them).
      const current = envelopeWentAhead ? carried : preparedThisTurn;
      // Not the connection's first: one broken before it carried any would go on forever. A hang-up
      // or a 421 found there is left to the branches below, as before.
      const neverWritten = unwrittenAhead || (current !== first && open.bytesSent === sentBefore && isFault(error));
      if (neverWritten && open.failed) {
        // Nothing of it left: it goes over a new connection, as one never started. What broke the
        // connection is counted all the same: a client slower to write it would have lost it.
        const unwritten = unwrittenAhead ? carried : current;
        if (unwritten !== undefined) issuer.giveBack(unwritten);
        broken(error);
        loseRest(error);
        return false;
      }
      if (hungUpForNoOne(session, error) !== undefined) {
        // Every recipient refused or put off at RCPT, then a hang-up where DATA's reply was due or on
        // a message sent with BDAT, whole or not: it was no one's, their replies its verdict (not a
        // message to send again); the connection is lost, and the next message with it.
        previousVerdictAt = clock();
        tally.transaction.add(previousVerdictAt - begun);
        // QUIT rode with it (the connection's last): counted among those unanswered.
        if (session.quitWritten) tally.quitNotAnswered(false);
        recipientsFailed([...session.refusedRecipients, ...session.deferredAtRcpt], tally, flight, witness);
        loseRest(error);
        return false;
      }
      if (current !== undefined && current !== first && !session.committed && lostWithoutAWord(error)) {
        // The server hung up before taking any of it (as after its last message on a connection):
        // never started, it goes over a new connection, and so does a next one already prepared
        // (loseRest); whether its envelope went ahead (PIPELINING) or after the verdict on the one
        // before, so that the same drop gets the same verdict. The first message of a connection
        // is counted instead, so that a server that drops every one cannot keep a run going forever.
        issuer.giveBack(current);
        tally.envelopeLost(current);
        loseRest(error);
        return false;
      }
      // A refusal is the server's verdict, and its time counts as an acceptance's does.
      if (error instanceof SmtpReplyError) {
        previousVerdictAt = clock();
        tally.transaction.add(previousVerdictAt - begun);
      }
      if (tally.fail(error, flight, session.committed, false, session.refusedRecipients)) witnessFailure();
      // A refusal leaves the session standing; anything else (a drop, nonsense) ends it, and so
      // does 421: the server is closing (RFC 5321 §3.8), the next message needs a new connection.
      const standing = (error instanceof SmtpReplyError && error.reply.code !== 421) || error instanceof CapabilityError;
      if (!standing) {
        loseRest(error);
        return false;
      }
      clean = false;
    }
    if (issuer.stopped) {
      // --stop-on-error: a message only taken goes back, unsent; one whose envelope went ahead is
      // under way and finishes.
      for (const sequence of sequences.splice(0)) issuer.giveBack(sequence);
      if (!session.hasAhead) break;
    }
    if (sequences.length === 0 && !session.hasAhead) {
      // Nothing taken ahead: under --rate the next message's turn may not have come; wait for it.
      const taking = !last && assigned < plan.perConnection ? issuer.take() : undefined;
      const next = taking instanceof Promise ? await taking : taking;
      if (next === undefined) break;
      if (open.failed) {
        // The server closed the connection while it waited (an idle timeout, its 421 counted with
        // the replies): the message was never started, and goes over a new connection.
        const closing = open.closedWith;
        if (closing !== undefined) tally.reply(closing.code, closing.enhanced);
        else broken(open.failureAt('mail'));
        issuer.giveBack(next);
        return false;
      }
      sequences.push(next);
      assigned++;
    }
    if (!clean) {
      try {
        await session.reset();
      } catch (error) {
        // The messages that would have followed go over a new connection; what broke this one is counted.
        broken(error);
        loseRest(error);
        return false;
      }
    }
  }
  await session.end();
  return delivered;
}

/**
 * What broke a connection is a fault worth counting (a reply out of protocol, a silence to the time
 * limit): not a hang-up or a 421, a server's usual ways of ending a connection (RFC 5321 §3.8), nor a signal.
 */
function isFault(error: unknown): error is MailvError {
  return error instanceof MailvError && !(error instanceof InterruptedError) && !lostWithoutAWord(error) && !saidClosing(error);
}

/** A refusal (or a capability missing): the server is still there to hear QUIT; after a 421 it is closing. */
function refusedWhileListening(error: unknown): boolean {
  if (error instanceof SmtpReplyError) return error.reply.code !== 421;
  return error instanceof CapabilityError || error instanceof AuthError;
}

/** The server answered 421: it is closing the connection, and reads nothing more of it. */
function saidClosing(error: unknown): boolean {
  if (error instanceof SmtpReplyError) return error.reply.code === 421;
  // A 221 in place of a verdict closes too, but says nothing of what the server read after it.
  return error instanceof TransportError && error.fact.code === 'MAILV_SERVICE_CLOSING' && error.fact.reply.code === 421;
}

/**
 * The connection was lost under a transaction, without a word. A 421 is a word: the server's
 * answer to this message (a rate limit, as often), counted as such like any other reply.
 */
function lostWithoutAWord(error: unknown): boolean {
  return error instanceof TransportError && error.fact.code === 'MAILV_CONNECTION_LOST';
}

/** A message that reached none of its recipients, or not all: each one's refusal or put-off counted. */
function recipientsFailed(failures: readonly RecipientResult[], tally: Tally, flight: Flight, witness: WitnessBuffer | undefined): void {
  for (const result of failures) {
    tally.record(
      { kind: 'recipient', recipient: result.recipient, outcome: result.outcome as 'refused' | 'deferred', reply: result.reply! },
      outcomeStatus(result.outcome),
      flight,
    );
  }
  tally.lost(failures.some((result) => result.outcome === 'refused') ? ExitCode.NOUSER : ExitCode.TEMPFAIL);
  witness?.failed();
}

function outcomeStatus(outcome: string): number {
  return outcome === 'refused' ? ExitCode.NOUSER : ExitCode.TEMPFAIL;
}
