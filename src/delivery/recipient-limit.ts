// A server's limit of recipients a message (RFC 5321 §4.5.3.1.10: past it, RCPT gets 452, and a
// client "SHOULD be prepared to transmit in 100-recipient chunks"): the recipients it turned away
// go again, in a transaction of their own, over a new connection (QUIT may have left with the
// first message), as long as each round delivers to some.
import { InterruptedError, MailvError, SmtpReplyError, StepStop } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { RecipientResult } from '../smtp/session.js';

/**
 * A round that failed: what failed it, and the recipients it had refused for good before that;
 * `putOff`: the host put the round off (under --direct, a reason to try the next host, such as a
 * 554 greeting): even a 5xx then refuses none of its other recipients.
 */
export interface FailedRound {
  readonly failure: unknown;
  readonly refused: readonly RecipientResult[];
  /** Its other verdicts before it failed (see SmtpSession.settledRecipients): they stand. */
  readonly settled?: readonly RecipientResult[];
  /** Those it put off at RCPT (see SmtpSession.deferredAtRcpt): never in the message, their verdict stands. */
  readonly deferredAtRcpt?: readonly RecipientResult[];
  readonly putOff?: boolean;
}

/**
 * A first transaction that failed without a reply after verdicts it had read (recipients the limit
 * turned away, LMTP's replies after the message): those stand, and those turned away go again as
 * after any round (see sendOverLimit), rather than the failure becoming every recipient's.
 * Undefined when it had read none, or failed otherwise: the failure is then the send's own.
 */
export function afterFailedFirst(
  recipients: readonly string[],
  first: FailedRound,
  sendTo: (recipients: readonly string[]) => Promise<RecipientResult[] | FailedRound>,
  emit: EmitEvent,
): Promise<RecipientResult[]> | undefined {
  const failure = settling(first.failure);
  if (first.settled === undefined || first.settled.length === 0 || failure === undefined || failure instanceof SmtpReplyError) return undefined;
  // Every recipient waited, as those past the limit do, and the transaction that failed was their round.
  const waiting = recipients.map((recipient) => ({ recipient, outcome: 'deferred' as const, reply: undefined, overLimit: true as const }));
  return sendOverLimit(settleRound(waiting, first, emit), sendTo, emit);
}

/**
 * `results` with those over the limit sent again by `sendTo` (a session to the same server for
 * just them), round after round (see settleRound); the user's stop (a signal, `q` at --step) ends
 * it all.
 */
export async function sendOverLimit(
  results: readonly RecipientResult[],
  sendTo: (recipients: readonly string[]) => Promise<RecipientResult[] | FailedRound>,
  emit: EmitEvent,
): Promise<RecipientResult[]> {
  let all: readonly RecipientResult[] = results;
  for (;;) {
    const waiting = all.filter((result) => result.overLimit);
    if (waiting.length === 0) return [...all];
    all = settleRound(all, await sendTo(waiting.map((result) => result.recipient)), emit);
  }
}

/**
 * `putOff` (recipients a host that delivered to others put off at RCPT, under --direct) once the
 * next host they were offered to failed as a whole, as a round past the limit that failed.
 */
export function settleAfterFailure(putOff: readonly RecipientResult[], failed: FailedRound, emit: EmitEvent): RecipientResult[] {
  return settleRound(putOff, failed, emit, () => true);
}

/**
 * `all` once the round of those `waiting` (over the limit) went as `sent`. A round that fails keeps the
 * verdicts it had read (refusals for good, 452s, LMTP's replies); its other recipients are refused
 * by the reply that ended it if that was a 5xx, deferred by it if a 4xx (a 421), and said so; a
 * round that failed without a reply (the connection lost, the message unconfirmed) leaves them
 * deferred with that failure, which the run says.
 */
function settleRound(
  all: readonly RecipientResult[],
  sent: RecipientResult[] | FailedRound,
  emit: EmitEvent,
  waiting: (result: RecipientResult) => boolean = (result) => result.overLimit === true,
): RecipientResult[] {
  let round: readonly RecipientResult[];
  // The refusal that ended a failed round (a 421, a 554), whose reply its other recipients then get.
  let endedBy: SmtpReplyError | undefined;
  // Or what ended it without a reply: no verdict on them, and not the 452 that moved them either.
  let unanswered: MailvError | undefined;
  let putOff = false;
  if (Array.isArray(sent)) round = sent;
  else {
    const failure = settling(sent.failure);
    if (failure === undefined) throw sent.failure;
    putOff = sent.putOff === true;
    round = [...sent.refused, ...(sent.settled ?? []), ...(sent.deferredAtRcpt ?? [])];
    if (failure instanceof SmtpReplyError) endedBy = failure;
    else unanswered = failure;
  }
  const ended = endedBy?.reply;
  // Those a failed round put off at RCPT keep going on (`goesOn`): never in its message, they are
  // the caller's to send on to the next host, or to say there.
  const byRecipient = new Map(round.map((result) => [result.recipient, result]));
  // None of them delivered in this round: the limit is not all there is; they stay deferred, told now.
  const progress = round.some((result) => result.outcome === 'sent');
  return all.map((result) => {
    if (!waiting(result)) return result;
    const again = byRecipient.get(result.recipient);
    if (again !== undefined && (progress || !again.overLimit)) return again;
    if (again === undefined && unanswered !== undefined) return { recipient: result.recipient, outcome: 'deferred', reply: undefined, failure: unanswered };
    // Here `again` is a recipient the limit turned away again: its 452 stands, unless the transaction
    // then failed for now (a 421 to the message), which is theirs too, as everyone's in a first one.
    const failedForNow = ended !== undefined && ended.code < 500;
    const reply = again !== undefined && !failedForNow ? again.reply : (ended ?? result.reply);
    // No reply of its own in this round: the round's, refused or put off as a whole, is its verdict.
    const whole = again === undefined && !putOff && ended !== undefined;
    const outcome = whole && ended.code >= 500 ? 'refused' : 'deferred';
    emit({ kind: 'recipient', recipient: result.recipient, outcome, reply });
    // Its verdict is said here: neither over the limit nor going on to another host any longer.
    const { overLimit: _told, goesOn: _settled, ...rest } = again ?? result;
    return { ...rest, outcome, reply, ...(whole ? { endedBy } : {}) };
  });
}

/** Whether `failure` settles a round's recipients (see settling). */
export function settles(failure: unknown): boolean {
  return settling(failure) !== undefined;
}

/** A round's failure that settles its recipients; undefined for the user's stop (a signal, `q` at --step) or a bug, which end it all. */
function settling(failure: unknown): MailvError | undefined {
  return failure instanceof MailvError && !(failure instanceof InterruptedError || failure instanceof StepStop) ? failure : undefined;
}
