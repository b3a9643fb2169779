// Handing the prepared message over: to a submission server (--server, the demo's), or to each
// recipient domain's MX hosts (--direct); the exit status from what became of each recipient, and
// the message kept in dead.letter when anyone did not get it (mailv has no queue to keep it in).
import type { PreparedInput } from '../cli/message-input.js';
import { anyDelivered, everyoneGotIt, refusedAtRcpt, wholeFailures } from '../delivery/outcome.js';
import type { DomainOutcome } from '../delivery/direct.js';
import type { ServerAddress } from '../delivery/submit.js';
import { randomSource } from '../dns/seeded-random.js';
import { ExitCode } from '../exit-codes.js';
import { MailvError, RefusedThenFailedError, StepStop } from '../errors.js';
import type { Plan } from '../plan.js';
import type { RecipientResult, SessionPlan } from '../smtp/session.js';
import { Timeouts } from '../smtp/timeouts.js';
import type { EmitEvent } from '../events.js';
import { openEvents } from './events-out.js';
import { rememberedEhlos } from './ehlo-memory-sink.js';
import { keepDeadLetter } from './keep.js';
import { showMessageAndAddresses } from './preview.js';
import { makeResolver } from './resolver.js';
import { decidingFailure, probeStatus, resultsStatus, sayUnsettled } from './results.js';
import type { Run } from './run.js';
import { tlsResumption } from './tls-resumption.js';
import { gatherTrust, NO_TRUST, type Trust } from './trust.js';

/**
 * How a delivery ended: the exit status, whether any recipient got the message (a 250 to it), and
 * whether any may get it later (deferred: a 4xx, a server that could not be reached for now).
 */
export interface DeliveryEnd {
  readonly status: number;
  readonly someoneGotIt: boolean;
  readonly someoneMayLater: boolean;
  /** The recipients a server put off for now (a 4xx to them): those that may get it later. */
  readonly deferred?: readonly string[];
}

/** Through one submission server. */
export async function deliver(run: Run, plan: Plan, prepared: PreparedInput, server: ServerAddress): Promise<DeliveryEnd> {
  const signal = run.interrupt.signal;
  const trust = await gatherTrust(run, plan);
  if (trust.auth) run.hide(trust.auth.credentials.secret);
  const { emit, unsettled, someoneGotIt: someoneGotItSoFar } = withVerdictsKept(await openDeliveryEvents(run, plan, prepared));
  const { submit } = await import('../delivery/submit.js');
  const early = await rememberedEhlos(run, plan, server);
  let results: RecipientResult[];
  try {
    results = await submit(
      server,
      { ...sessionPlan(run, plan, prepared, trust), implicitTls: server.implicitTls, lmtp: server.lmtp === true, ...early },
      emit,
      signal,
    );
  } catch (error) {
    sayUnconfirmed(run, error, unsettled(prepared.envelope.recipients));
    // `q` at --step in a later transaction past the server's limit, after the first took the message for some.
    if (error instanceof StepStop && someoneGotItSoFar()) throw new StepStop(unsettled(prepared.envelope.recipients));
    throw error;
  }
  const someoneGotIt = anyDelivered(results);
  const deferred = deferredOf(results);
  const someoneMayLater = deferred.length > 0;
  if (plan.quitAfter !== undefined) return { status: probeStatus(run, results), someoneGotIt, someoneMayLater };
  // The status first: a failure it says comes before the line that says where the message was kept.
  const status = resultsStatus(run, results);
  // The demo's server delivers nowhere, and refuses nobody@ to show a refusal: a copy is kept
  // there only when nobody at all got it, not for each run of the demo.
  if (plan.demo ? !someoneGotIt : !everyoneGotIt(results)) await keepDeadLetter(run, prepared, false);
  return { status, someoneGotIt, someoneMayLater, deferred };
}

/**
 * The message and its addresses shown before the dialogue (-v, --explain), then the events' output,
 * the addresses its first event: a record keeps them, --json gives them. Not for a probe, which
 * sends no message (--quit-after): no table is shown for it either.
 */
async function openDeliveryEvents(run: Run, plan: Plan, prepared: PreparedInput): Promise<EmitEvent> {
  await showMessageAndAddresses(run, plan, prepared);
  const emit = await openEvents(run, plan);
  if (plan.quitAfter === undefined) emit({ kind: 'addresses', addresses: prepared.addresses });
  return emit;
}

/**
 * `emit`, keeping which recipients got a verdict (a refusal, a deferral, a delivery): unsettled()
 * gives those of `recipients` that got none. A host that put them off (`deferred`) gave none under
 * --direct, where the next host is tried.
 */
function withVerdictsKept(emit: EmitEvent): { emit: EmitEvent; unsettled: (recipients: readonly string[]) => string[]; someoneGotIt: () => boolean } {
  const verdicts = new Set<string>();
  let sent = false;
  return {
    emit: (event) => {
      if (event.kind === 'recipient' && event.next === undefined) {
        verdicts.add(event.recipient);
        if (event.outcome === 'sent') sent = true;
      }
      emit(event);
    },
    unsettled: (recipients) => recipients.filter((recipient) => !verdicts.has(recipient)),
    someoneGotIt: () => sent,
  };
}

/**
 * The message went whole and no verdict came (MAILV_UNCONFIRMED, alone or after refusals): the
 * recipients it left without one are named in an `unsettled` event, as after a round past the
 * server's limit; the failure's own line says the rest.
 */
function sayUnconfirmed(run: Run, error: unknown, recipients: readonly string[]): void {
  const failure = unconfirmedIn(error);
  if (failure === undefined || recipients.length === 0) return;
  run.emit({ kind: 'unsettled', recipients, error: failure.fact });
}

/** The message went whole and no verdict came (MAILV_UNCONFIRMED), alone or after refusals: that failure. */
function unconfirmedIn(error: unknown): MailvError | undefined {
  const failure = error instanceof RefusedThenFailedError ? error.failure : error;
  return failure instanceof MailvError && failure.fact.code === 'MAILV_UNCONFIRMED' ? failure : undefined;
}

function deferredOf(results: readonly RecipientResult[]): readonly string[] {
  return results.filter((result) => result.outcome === 'deferred').map((result) => result.recipient);
}

/** --direct: to the MX hosts of each recipient domain. */
export async function deliverToMx(run: Run, plan: Plan, prepared: PreparedInput): Promise<DeliveryEnd> {
  const signal = run.interrupt.signal;
  const { emit, unsettled, someoneGotIt: someoneGotItSoFar } = withVerdictsKept(await openDeliveryEvents(run, plan, prepared));
  const [{ deliverDirect, DirectStopped }, resolver] = await Promise.all([import('../delivery/direct.js'), makeResolver(plan, emit, signal)]);
  const early = await rememberedEhlos(run, plan, undefined);
  let outcomes: readonly DomainOutcome[];
  try {
    outcomes = await deliverDirect({ ...sessionPlan(run, plan, prepared, await gatherTrust(run, plan)), ...early }, emit, {
      resolver,
      random: randomSource(plan.seed),
      port: plan.mxPort,
      signal,
    });
  } catch (thrown) {
    if (!(thrown instanceof DirectStopped)) throw thrown;
    // What the domains done by then came to (a host that may have the message for some) is said
    // before the stop ends the run.
    sayDomainFailures(run, failuresOf(thrown.outcomes), unsettled);
    sayUnsettled(run, resultsOf(thrown.outcomes));
    if (!(thrown.error instanceof StepStop) || !(someoneGotItSoFar() || someHostMayHaveIt(thrown.outcomes))) throw thrown.error;
    throw new StepStop(notSentTo(thrown.outcomes, unsettled(prepared.envelope.recipients)));
  }
  const failures = failuresOf(outcomes);
  const results = resultsOf(outcomes);
  sayDomainFailures(run, failures, unsettled);
  const someoneGotIt = anyDelivered(results);
  // A domain put off after refusing some (67) may still take the message for the others later.
  const putOffForNow = (failure: (typeof failures)[number]) =>
    failure.error.exitCode === ExitCode.TEMPFAIL || (failure.error instanceof RefusedThenFailedError && failure.recipients.length > 0);
  const deferred = deferredOf(results);
  const someoneMayLater = deferred.length > 0 || failures.some(putOffForNow);
  if (plan.quitAfter !== undefined && failures.length === 0) return { status: probeStatus(run, results), someoneGotIt, someoneMayLater };
  const status = directStatus(run, results, failures);
  // A domain that got nothing (its hosts failed, or one may have it unconfirmed) keeps the message,
  // even when another domain took it, and so does a recipient refused or deferred.
  if ((!everyoneGotIt(results) || failures.length > 0) && plan.quitAfter === undefined) await keepDeadLetter(run, prepared, false);
  return { status, someoneGotIt, someoneMayLater, deferred };
}

/**
 * `q` at --step after the message went to some, or a host may have it: the stop names those it was
 * not sent to, of `unsaid` (the recipients no verdict was said of) those no outcome speaks of either.
 */
function notSentTo(outcomes: readonly DomainOutcome[], unsaid: readonly string[]): readonly string[] {
  const spoken = new Set(
    outcomes.flatMap((outcome) =>
      'results' in outcome ? outcome.results.map((result) => result.recipient) : [...outcome.recipients, ...outcome.refused.map((result) => result.recipient)],
    ),
  );
  return unsaid.filter((recipient) => !spoken.has(recipient));
}

/** A host may have the message, unconfirmed, for some (a domain's failure, or a round's past its limit). */
function someHostMayHaveIt(outcomes: readonly DomainOutcome[]): boolean {
  const unconfirmed = (error: unknown) => unconfirmedIn(error) !== undefined;
  return failuresOf(outcomes).some((failure) => unconfirmed(failure.error)) || resultsOf(outcomes).some((result) => unconfirmed(result.failure));
}

/** A recipient domain whose delivery failed. */
type DomainFailed = Extract<DomainOutcome, { readonly error: unknown }>;

function failuresOf(outcomes: readonly DomainOutcome[]): DomainFailed[] {
  return outcomes.flatMap((outcome) => ('error' in outcome ? [outcome] : []));
}

function resultsOf(outcomes: readonly DomainOutcome[]): RecipientResult[] {
  return outcomes.flatMap((outcome) => ('results' in outcome ? outcome.results : []));
}

/** Each domain's failure, naming its recipients; `unsettled`: of some, those with no verdict said. */
function sayDomainFailures(run: Run, failures: readonly DomainFailed[], unsettled: (recipients: readonly string[]) => readonly string[]): void {
  // One that failed after refusing every recipient put nobody off: its refusals were said.
  for (const failure of failures) {
    sayUnconfirmed(run, failure.error, unsettled(failure.recipients));
    if (failure.recipients.length > 0) run.note({ code: 'domain-not-delivered', recipients: failure.recipients, error: failure.error.fact });
  }
}

/**
 * Refused recipients (67) first, those of a domain that failed after refusing them too, then the
 * failure that decides among the domains' and the failed rounds' past a host's limit (see
 * decidingFailure). A failed round is said here, once, whichever decides.
 */
function directStatus(run: Run, results: readonly RecipientResult[], failures: readonly DomainFailed[]): number {
  const roundFailures = sayUnsettled(run, results);
  const settled = results.filter((result) => result.failure === undefined);
  const refusedBeforeFailing = failures.flatMap((failure) => failure.refused);
  const whole = wholeFailures(settled);
  const errors = [...failures.map((failure) => failure.error), ...roundFailures, ...whole];
  // Refused at RCPT decides (67) unless a transaction was refused as a whole, for good, as after a
  // refusal in one transaction: by a reply, or without one (a message over the next host's SIZE).
  const refusedWhole = [...whole, ...roundFailures].some((failure) => failure.exitCode !== ExitCode.TEMPFAIL);
  if (errors.length === 0 || (settled.some(refusedAtRcpt) && !refusedWhole)) return resultsStatus(run, [...settled, ...refusedBeforeFailing]);
  const deciding = decidingFailure(errors);
  run.record(deciding);
  return deciding.exitCode;
}

/** The session of `plan`, as deliver() and the load run use it. */
export function sessionPlan(run: Run, plan: Plan, prepared: PreparedInput, trust: Trust = NO_TRUST): SessionPlan {
  const stepper = run.stepper;
  return {
    helo: plan.helo,
    envelope: prepared.envelope,
    prepare: (capabilities) => prepared.compose(capabilities.has('8BITMIME')),
    timeouts: new Timeouts(plan.timeoutMs),
    echoBody: plan.verbosity >= 3,
    tls: plan.tls,
    body: plan.body,
    extraCa: trust.extraCa,
    nodeExtraCa: trust.nodeExtraCa,
    clientIdentity: trust.clientIdentity,
    insecure: plan.insecure,
    tlsName: plan.tlsName,
    tlsNameGiven: plan.tlsName === undefined ? undefined : plan.tlsNameFromConfig === true ? 'config' : 'option',
    // A session resumed would carry the identity of the handshake that made it, whatever the
    // certificate of this run: with a client certificate, every handshake is a full one.
    tlsResumption: plan.tlsResume && !plan.insecure && trust.clientIdentity === undefined ? tlsResumption(run.io.env, trust.extraCa) : undefined,
    auth: trust.auth,
    loginPossible: !plan.direct,
    quitAfter: plan.quitAfter,
    pipelining: plan.pipelining,
    dsn: plan.dsn,
    step: stepper ? (next) => stepper.ask(next) : undefined,
    local: { family: plan.origin.family, address: plan.origin.sourceAddress },
    proxy: plan.origin.proxy,
    xclient: plan.origin.xclient,
  };
}
