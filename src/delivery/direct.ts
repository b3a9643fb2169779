// Delivering straight to each recipient domain's MX hosts ("via esmtp", as sendmail says): one
// session per domain, hosts tried in the MX plan's order, every address of each. A refused or
// silent host, a 4xx/554 greeting or a 4xx at any later step sends mailv on to the next, as
// Postfix does, and so do recipients put off at RCPT while the others got the message; any other
// refusal is final (RFC 5321 §5.1). Once the whole message was written only the host's own reply
// lets another host have it: after anything else it may have the message.
import { planMx, type MxPlan } from '../dns/mx.js';
import { triedAddresses } from '../dns/tried-addresses.js';
import type { Resolver } from '../dns/resolver.js';
import { InterruptedError, MailvError, SmtpReplyError, StepStop, TlsError, TransportError, type TransportReason } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { domainOf } from '../message/address.js';
import { SmtpConnection } from '../smtp/connection.js';
import { SmtpSession, notRefused, unnamed, type RecipientResult, type SessionPlan } from '../smtp/session.js';
import { noMxTook } from './no-mx-took.js';
import { hungUpForNoOne, messageLeft, noOnesVerdicts, unconfirmed } from './unconfirmed.js';
import { goesAgain, secondTry } from './second-try.js';
import { afterFailedFirst, sendOverLimit, settleAfterFailure, settles, type FailedRound } from './recipient-limit.js';
import { refusedFirst } from './refused-first.js';
import { lastWords } from './last-words.js';
import type { InterruptSignal } from '../interruption.js';

export interface DirectOptions {
  readonly resolver: Resolver;
  readonly random: () => number;
  /** 25 unless a lab says otherwise (--port). */
  readonly port: number;
  readonly signal?: InterruptSignal | undefined;
}

/** What became of one recipient domain. */
export type DomainOutcome =
  | { readonly domain: string; readonly results: RecipientResult[] }
  /** `recipients`: those the failure put off; `refused`: those refused for good before it, named apart. */
  | { readonly domain: string; readonly recipients: readonly string[]; readonly error: MailvError; readonly refused: readonly RecipientResult[] };

/** Recipients grouped by domain, in the order first named. */
export function groupByDomain(recipients: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const recipient of recipients) {
    // Case is no part of a domain; a literal's tag is written as RFC 5321 §4.1.3 writes it.
    const domain = domainOf(recipient)
      .toLowerCase()
      .replace(/^\[ipv6:/, '[IPv6:');
    groups.set(domain, [...(groups.get(domain) ?? []), recipient]);
  }
  return groups;
}

/**
 * A domain's delivery failed with `error`, after `refused` were refused for good on the way: those
 * are named apart (each with its own reply), not among the recipients the failure put off.
 */
class DomainFailure {
  constructor(
    readonly error: unknown,
    readonly refused: readonly RecipientResult[],
    /** A round's other verdicts before it failed (see SmtpSession.settledRecipients). */
    readonly settled: readonly RecipientResult[] = [],
    /** Those put off at RCPT (see SmtpSession.deferredAtRcpt). */
    readonly deferredAtRcpt: readonly RecipientResult[] = [],
    /** The recipients it failed, when not all of the domain's but those named apart (see DomainAside). */
    readonly recipients?: readonly string[],
    /** The whole message had left for them: the host may have it. */
    readonly mayHaveIt = false,
  ) {}

  /** As a round past the host's limit of recipients that failed. */
  get round(): FailedRound {
    return { failure: this.error, refused: this.refused, settled: this.settled, deferredAtRcpt: this.deferredAtRcpt };
  }
}

/**
 * The user's stop (a signal, `q` at --step) during a --direct run: `error`, the stop; `outcomes`,
 * what the domains done by then came to, for the run to say before it ends.
 */
export class DirectStopped {
  constructor(
    readonly error: InterruptedError | StepStop,
    readonly outcomes: readonly DomainOutcome[],
  ) {}
}

/** Delivers to every domain in turn; never throws for one domain's failure (see DomainOutcome); throws DirectStopped at the user's stop. */
export async function deliverDirect(plan: SessionPlan, emit: EmitEvent, options: DirectOptions): Promise<DomainOutcome[]> {
  const outcomes: DomainOutcome[] = [];
  for (const [domain, recipients] of groupByDomain(plan.envelope.recipients)) {
    const sessionPlan = { ...plan, envelope: { ...plan.envelope, recipients }, recipientsOverLimitGoAgain: true };
    const aside: DomainAside = { failures: [], settledBeforeStop: [] };
    const failed = (failure: DomainFailure) =>
      outcomes.push({
        domain,
        recipients: failure.recipients ?? unnamed(recipients, failure.refused, failure.deferredAtRcpt),
        error: failure.error as MailvError,
        refused: failure.refused,
      });
    try {
      const mx = await planMx(domain, options.resolver, options.random, emit, plan.local?.family);
      const results = await deliverToDomain(mx, sessionPlan, emit, options, aside);
      aside.failures.forEach(failed);
      outcomes.push({ domain, results });
    } catch (thrown) {
      aside.failures.forEach(failed);
      const failure = thrown instanceof DomainFailure ? thrown : undefined;
      const error = failure === undefined ? thrown : failure.error;
      // The user's stop (a signal, `q` at --step) ends the whole run, not one domain's delivery.
      if (error instanceof InterruptedError || error instanceof StepStop) {
        if (aside.settledBeforeStop.length > 0) outcomes.push({ domain, results: [...aside.settledBeforeStop] });
        throw new DirectStopped(error, outcomes);
      }
      if (!(error instanceof MailvError)) throw error;
      failed(failure ?? new DomainFailure(error, []));
    }
  }
  return outcomes;
}

/** What a domain's delivery gives the run to say besides its results. */
interface DomainAside {
  /** The failure of a host that failed the message for some after it put others off at RCPT, who went on (the others' alone). */
  readonly failures: DomainFailure[];
  /** At the user's stop: the verdicts reached before it (one a host may have among them). */
  settledBeforeStop: readonly RecipientResult[];
}

/** The domain's results; `aside` gets what else the run is to say (see DomainAside). */
async function deliverToDomain(mx: MxPlan, plan: SessionPlan, emit: EmitEvent, options: DirectOptions, aside: DomainAside): Promise<RecipientResult[]> {
  const recipients = plan.envelope.recipients;
  // A recipient one host refused for good (a 5xx to its RCPT) is not offered to the next (RFC 5321 §4.2.1).
  const refused: RecipientResult[] = [];
  // The verdicts of a host that delivered to some: they stand.
  const decided: RecipientResult[] = [];
  // Those it put off at RCPT (a 4xx) are offered to the next host, as Postfix does while one is left
  // (smtp_trouble.c: a soft error keeps a recipient for a backup server); their 4xx stands if none takes them.
  let putOff: RecipientResult[] = [];
  let remaining = recipients;
  // Every address the plan tries, and those still to try after the one at hand: while some are, a recipient put off goes on.
  const servers = mx.hosts.reduce((count, host) => count + triedAddresses(mx, host).length, 0);
  let serversLeft = servers;
  // planMx gives a plan only when some host has an address: at least one is contacted.
  let tried = 0;
  let reason: TransportReason | undefined;
  // The 4xx of a lone server that put the message off with one: the domain's failure, in its words.
  let lastPutOff: SmtpReplyError | undefined;
  // Those the last server put off at RCPT, their verdict said: the domain's failure names the others.
  let lastSaid: readonly RecipientResult[] = [];
  // Those put off at RCPT by a host whose later rounds (past its limit) are under way: going on once they end.
  let goingOnAfterRounds: readonly RecipientResult[] = [];
  // -4/-6: only the addresses of that family are tried (a connection to an address ignores the family).
  const family = plan.local?.family;
  try {
    for (const host of mx.hosts) {
      const addresses = triedAddresses(mx, host);
      if (host.addresses.length === 0) {
        // Those a host refused for good are out of the rest of the plan: not named as skipped with it.
        emit({ kind: 'note', note: { code: 'mx-host-skipped', recipients: remaining, host: host.name, problem: host.problem }, severity: 'info' });
        continue;
      }
      if (addresses.length === 0) continue;
      tried++;
      eachAddress: for (const address of addresses) {
        serversLeft--;
        // What this address taught: a certificate that does not verify gets no client certificate in any round.
        const learnt: HostLearnt = { certificateWithheld: false };
        // Between MTAs TLS is opportunistic (RFC 7435): a failed handshake is noted and the same
        // host is tried again in plaintext, as Postfix does at its `may` level.
        for (const tls of plan.tls === 'auto' ? (['auto', 'off'] as const) : [plan.tls]) {
          // An address literal's certificate names its address (no SNI is sent for one), not `[192.0.2.1]`.
          const tlsName = mx.literal ? address : host.name.replace(/\.$/, '');
          const hostPlan = {
            ...plan,
            envelope: { ...plan.envelope, recipients: remaining },
            tls,
            tlsName,
            serverName: host.name,
            putOffGoesOn: serversLeft > 0,
          };
          // Those past the host's limit of recipients a message go to the same host again.
          const again = async (rest: readonly string[]): Promise<RecipientResult[] | FailedRound> => {
            let roundPlan = { ...hostPlan, envelope: { ...plan.envelope, recipients: rest } };
            let round: Attempt;
            try {
              round = await tryHost(host.name, address, roundPlan, emit, options, learnt);
              // A handshake that broke is tried again in plaintext, as for the first transaction.
              if (round.kind === 'again-without-tls') {
                roundPlan = { ...roundPlan, tls: 'off' };
                round = await tryHost(host.name, address, roundPlan, emit, options, learnt);
              }
            } catch (thrown) {
              if (thrown instanceof DomainFailure) return thrown.round;
              throw thrown;
            }
            if (round.kind === 'delivered') return round.results;
            // A host that put the round off keeps its refusals for good: they stay refused; the others are put
            // off, but for those it put off at RCPT, whose own 4xx stands (and who go on while a server is left).
            return round.kind === 'next-host' ? { failure: round.failure, refused: round.refused, deferredAtRcpt: round.deferredAtRcpt, putOff: true } : [];
          };
          let attempt: Attempt;
          try {
            attempt = await tryHost(host.name, address, hostPlan, emit, options, learnt);
          } catch (thrown) {
            if (!(thrown instanceof DomainFailure)) throw thrown;
            // Stopped (a signal) while this host may have the message: those offered to it get no other
            // verdict than the warning that says so.
            const settlesThem = settles(thrown.error);
            if (thrown.mayHaveIt && !settlesThem) putOff = [];
            // Those it put off at RCPT were never in the message that failed: they go on to the next
            // server all the same, as Postfix keeps a recipient's soft error for a backup MX whatever
            // became of the others (smtp_trouble.c); the failure is the others' alone, said as it
            // would be without them.
            const goingOn = settlesThem ? thrown.deferredAtRcpt.filter(forAnotherHost) : [];
            const goes = (recipient: string) => goingOn.some((result) => result.recipient === recipient);
            const failed = goingOn.length === 0 ? thrown : withoutGoingOn(thrown, goes);
            const staying = remaining.filter((recipient) => !goes(recipient));
            // Offered those an earlier host put off: its failure settles them alone.
            const offered = putOff.filter((result) => !goes(result.recipient));
            // Verdicts read before the failure (452s, LMTP's replies) stand, as after a later round.
            const settling = afterFailedFirst(staying, failed.round, again, emit);
            let settled: RecipientResult[] | undefined;
            if (settling !== undefined) {
              goingOnAfterRounds = goingOn;
              settled = await settling;
              goingOnAfterRounds = [];
            } else if (offered.length > 0) settled = settleAfterFailure(offered, failed.round, emit);
            else if (goingOn.length > 0) {
              const named = unnamed(staying, failed.refused, failed.deferredAtRcpt);
              if (named.length > 0) aside.failures.push(new DomainFailure(refusedFirst(failed.error, failed.refused), failed.refused, [], [], named));
              settled = [];
            }
            if (settled !== undefined) {
              // As after a host that delivered: those put off (here, or in a later round at it) go on.
              const all = [...settled, ...goingOn];
              putOff = all.filter(forAnotherHost);
              decided.push(...all.filter((result) => !putOff.includes(result)));
              if (putOff.length === 0) return lastWords([...refused, ...decided], emit);
              remaining = putOff.map((result) => result.recipient);
              continue eachAddress;
            }
            // Those it put off itself go nowhere now: their 4xx is their last word, and the failure is not theirs.
            const said = lastWords(thrown.deferredAtRcpt, emit);
            // Refused by earlier hosts and by this one: a failure for now is theirs too (67).
            const all = [...refused, ...thrown.refused];
            throw new DomainFailure(refusedFirst(thrown.error, all), all, [], said);
          }
          if (attempt.kind === 'delivered') {
            goingOnAfterRounds = attempt.results.filter(forAnotherHost);
            const results = await sendOverLimit(attempt.results, again, emit);
            goingOnAfterRounds = [];
            putOff = results.filter(forAnotherHost);
            decided.push(...results.filter((result) => !putOff.includes(result)));
            if (putOff.length === 0) return [...refused, ...decided];
            remaining = putOff.map((result) => result.recipient);
            continue eachAddress;
          }
          if (attempt.kind === 'next-host') {
            reason = attempt.reason ?? reason;
            lastPutOff = attempt.failure instanceof SmtpReplyError && attempt.failure.reply.code < 500 ? attempt.failure : undefined;
            lastSaid = attempt.deferredAtRcpt.filter((result) => !forAnotherHost(result));
            refused.push(...attempt.refused);
            remaining = notRefused(remaining, attempt.refused);
            // Put off at RCPT by this host too: its 4xx, said already, is the latest word, not the earlier host's.
            const putOffHere = new Map(attempt.deferredAtRcpt.map((result) => [result.recipient, result]));
            putOff = putOff.filter((result) => remaining.includes(result.recipient)).map((result) => putOffHere.get(result.recipient) ?? result);
            // Every one refused for good: nothing is left to offer another host.
            if (remaining.length === 0) return [...refused, ...decided];
            break;
          }
        }
      }
    }
  } catch (thrown) {
    // The user's stop (a signal, `q` at --step) while those put off went on, or waited for the host's
    // later rounds to end: their 4xx is their last word.
    const unsaid = [...putOff, ...goingOnAfterRounds.filter((result) => !putOff.some((other) => other.recipient === result.recipient))];
    if (!(thrown instanceof DomainFailure)) lastWords(unsaid, emit);
    aside.settledBeforeStop = [...refused, ...decided];
    throw thrown;
  }
  if (decided.length > 0 || putOff.length > 0) return lastWords([...refused, ...decided, ...putOff], emit);
  // The whole plan was tried by here: a lone server is a plan of one address.
  const lone = servers === 1 ? lastPutOff : undefined;
  throw new DomainFailure(refusedFirst(lone ?? new TransportError(noMxTook(mx, tried, family), 'connect', reason), refused), refused, [], lastSaid);
}

/** `refused`: the recipients this host refused for good before it put the message off. */
type Attempt =
  | { kind: 'delivered'; results: RecipientResult[] }
  | {
      kind: 'next-host';
      reason: TransportReason | undefined;
      failure: MailvError;
      refused: readonly RecipientResult[];
      /** Those it put off at RCPT (see SmtpSession.deferredAtRcpt): going on to the next server, or said as their last word where none followed. */
      deferredAtRcpt: readonly RecipientResult[];
    }
  | { kind: 'again-without-tls' };

/** What the rounds to one address learn of it. */
interface HostLearnt {
  /** Its certificate did not verify: the client certificate is withheld from it. */
  certificateWithheld: boolean;
}

async function tryHost(name: string, address: string, given: SessionPlan, emit: EmitEvent, options: DirectOptions, learnt: HostLearnt): Promise<Attempt> {
  const plan = learnt.certificateWithheld ? { ...given, clientIdentity: undefined, clientIdentityWithheld: true } : given;
  const recipients = plan.envelope.recipients;
  emit({ kind: 'connecting', recipients, host: name, port: options.port, via: 'esmtp' });
  let connection: SmtpConnection;
  try {
    connection = await SmtpConnection.open(address, options.port, plan.timeouts.forStage('connect'), options.signal, plan.local);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    emit({ kind: 'deferred', recipients, host: name, address, error: error.fact });
    return { kind: 'next-host', reason: error.reason, failure: error, refused: [], deferredAtRcpt: [] };
  }
  emit({ kind: 'connected', address: connection.remoteAddress, port: connection.remotePort });
  // The host put the message off and the next is tried: said where a verdict is, before QUIT.
  // Not those it put off at RCPT: their own 4xx is said, and goes with them.
  const failing = (error: unknown) => {
    if (!nextHostAfter(error, session, plan)) return;
    const deferred = unnamed(recipients, session.refusedRecipients, session.deferredAtRcpt);
    if (deferred.length > 0) emit({ kind: 'deferred', recipients: deferred, host: name, address, error: error.fact });
  };
  const session: SmtpSession = new SmtpSession(connection, { ...plan, failing }, emit);
  try {
    return { kind: 'delivered', results: await session.run() };
  } catch (error) {
    // Every recipient refused or put off, then a hang-up: their replies are the host's verdicts, as
    // after a goodbye, and those put off go on to the next host as from one that ended cleanly.
    const hangUp = hungUpForNoOne(session, error);
    if (hangUp !== undefined) return { kind: 'delivered', results: noOnesVerdicts(hangUp, session, recipients, name, emit) };
    // The whole message went out: unless the host answered that it did not take it, it may have
    // it, and no other host gets a copy.
    if (mayHaveIt(session, error))
      throw new DomainFailure(
        unconfirmed(error, name, address, emit),
        [...session.refusedRecipients],
        [...session.settledRecipients],
        [...session.deferredAtRcpt],
        undefined,
        true,
      );
    // Nothing of the message left with a refused early EHLO, or a kept TLS session that failed:
    // once more without it (a full handshake before any retry in plain text).
    const again = secondTry(session, plan, emit);
    if (again !== undefined) return tryHost(name, address, again, emit, options, learnt);
    // A client certificate goes to a verified server only, and between MTAs TLS is opportunistic:
    // an unverified host still gets TLS, without the certificate, never the message in clear for it.
    if (unverifiedForIdentity(error) && plan.clientIdentity !== undefined && plan.tls === 'auto') {
      emit({ kind: 'note', note: { code: 'tls-retry-without-certificate', recipients, host: name, error: error.fact }, severity: 'warning' });
      learnt.certificateWithheld = true;
      return tryHost(name, address, plan, emit, options, learnt);
    }
    // Not for a host the certificate was withheld from: one that fails TLS without it (one that
    // demands a client certificate) would get the message in clear for want of it.
    if (tlsBroke(error) && plan.tls === 'auto' && !learnt.certificateWithheld) {
      emit({ kind: 'note', note: { code: 'tls-retry-plain', recipients, host: name, error: (error as MailvError).fact }, severity: 'warning' });
      return { kind: 'again-without-tls' };
    }
    if (!tryNextHost(error)) throw new DomainFailure(error, [...session.refusedRecipients], [...session.settledRecipients], [...session.deferredAtRcpt]);
    return {
      kind: 'next-host',
      reason: error instanceof TransportError ? error.reason : undefined,
      failure: error,
      refused: [...session.refusedRecipients],
      deferredAtRcpt: [...session.deferredAtRcpt],
    };
  }
}

/** `failure` without those it put off at RCPT that go on (`goes`): the others' failure. */
function withoutGoingOn(failure: DomainFailure, goes: (recipient: string) => boolean): DomainFailure {
  const deferredAtRcpt = failure.deferredAtRcpt.filter((result) => !goes(result.recipient));
  return new DomainFailure(failure.error, failure.refused, failure.settled, deferredAtRcpt);
}

/** Put off at RCPT by a host that said it goes on to the next (see SessionPlan.putOffGoesOn). */
function forAnotherHost(result: RecipientResult): boolean {
  return result.goesOn === true;
}

/** The whole message left, and the host did not answer that it refused it: it may have it. */
function mayHaveIt(session: SmtpSession, error: unknown): boolean {
  return messageLeft(session) && !(error instanceof SmtpReplyError);
}

/** The handshake was stopped because the server's certificate does not verify (with a client certificate to send). */
function unverifiedForIdentity(error: unknown): error is TlsError {
  return error instanceof TlsError && error.fact.code === 'MAILV_TLS_HANDSHAKE' && error.fact.failure.kind === 'unverified';
}

/** The TLS handshake failed, or the connection while it was made. */
function tlsBroke(error: unknown): boolean {
  return error instanceof TlsError || (error instanceof TransportError && error.stage === 'starttls');
}

/**
 * Whether tryHost() goes on to the next host after `error` (and says the recipients deferred by
 * this one): not when the message may be this host's, goes once more to it, or goes again
 * without TLS; asked before QUIT, with what is known by then.
 */
function nextHostAfter(error: unknown, session: SmtpSession, plan: SessionPlan): error is MailvError {
  if (mayHaveIt(session, error)) return false;
  if (goesAgain(session) || (tlsBroke(error) && plan.tls === 'auto')) return false;
  return tryNextHost(error);
}

/**
 * RFC 5321 §5.1 and the MTAs' practice: the next host is tried after anything transient: a
 * refused or dropped connection, a timeout, a greeting that refuses, or a 4xx (a 421, the service
 * closing, or a 451 to MAIL, to DATA, to the final dot) at any step, since a reply says the message
 * was not taken (Postfix's smtp_trouble.c: a soft error goes to a backup server while one is left).
 */
function tryNextHost(error: unknown): error is MailvError {
  if (error instanceof SmtpReplyError) return error.fact.code === 'MAILV_GREETING_REFUSED' || (error.reply.code >= 400 && error.reply.code < 500);
  return error instanceof TransportError;
}
