// A server's limit of recipients a message (RFC 5321 §4.5.3.1.10: past it, RCPT gets 452, and a
// client "SHOULD be prepared to transmit in 100-recipient chunks"): the recipients it turned away
// go again, in a transaction of their own, over a new connection (QUIT may have left with the
// first message), as long as each round delivers to some.
import { InterruptedError, MailvError, RefusedThenFailedError, SmtpReplyError, StepStop } from '../errors.js';
import type { Reply } from '../smtp/reply.js';
import type { EmitEvent } from '../events.js';
import type { RecipientResult } from '../smtp/session.js';

/**
 * `results` with those over the limit sent again by `sendTo` (a session to the same server for
 * just them), round after round. A round that fails leaves its recipients deferred, by the reply
 * that ended it (a 421) or else the 452 they got, and says so; the user's stop (a signal, `q` at
 * --step) ends it all.
 */
export async function sendOverLimit(
  results: readonly RecipientResult[],
  sendTo: (recipients: readonly string[]) => Promise<RecipientResult[]>,
  emit: EmitEvent,
): Promise<RecipientResult[]> {
  let all = [...results];
  for (;;) {
    const waiting = all.filter((result) => result.overLimit);
    if (waiting.length === 0) return all;
    let round: readonly RecipientResult[];
    // The 4xx that ended a failed round (a 421), which its recipients are then deferred by.
    let ended: Reply | undefined;
    try {
      round = await sendTo(waiting.map((result) => result.recipient));
    } catch (error) {
      if (error instanceof InterruptedError || error instanceof StepStop || !(error instanceof MailvError)) throw error;
      // Those the round refused for good before it failed stay refused, with their own replies.
      round = error instanceof RefusedThenFailedError ? error.refusals : [];
      const failure = error instanceof RefusedThenFailedError ? error.failure : error;
      // A 4xx (the 421 of a closing server) puts them off; a 5xx there is no word on them.
      if (failure instanceof SmtpReplyError && failure.reply.code < 500) ended = failure.reply;
    }
    const byRecipient = new Map(round.map((result) => [result.recipient, result]));
    // None of them delivered in this round: the limit is not all there is; they stay deferred, told now.
    const progress = round.some((result) => result.outcome === 'sent');
    all = all.map((result) => {
      if (!result.overLimit) return result;
      const again = byRecipient.get(result.recipient);
      if (again !== undefined && (progress || !again.overLimit)) return again;
      const reply = again?.reply ?? ended ?? result.reply;
      emit({ kind: 'recipient', recipient: result.recipient, outcome: 'deferred', reply });
      const { overLimit: _told, ...deferred } = again ?? result;
      return { ...deferred, reply };
    });
  }
}
