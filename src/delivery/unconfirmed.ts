// A session that failed after the whole message was written: the server may have the message or
// not, and nobody can tell. Such a failure is temporary (75) and says so; it is never a reason to
// send the message elsewhere. A whole reply is the server's own answer, even a refusal or a code
// out of place, and is reported as it is.
import { InterruptedError, MailvError, SmtpReplyError, TransportError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { RecipientResult, SmtpSession } from '../smtp/session.js';

/** The whole message left for recipients the server took: it may have it, whatever failed after. */
export function messageLeft(session: SmtpSession): boolean {
  return session.committed && !session.messageForNoOne;
}

/**
 * The server hung up (or reset the connection), between replies, after it had refused or put off
 * every recipient: where DATA's reply was due, or on a message sent with BDAT, whole or not. The
 * message was no one's, and their replies are its verdict. The hang-up, then; undefined otherwise
 * (a reply cut short, a time limit: the transaction's own failure).
 */
export function hungUpForNoOne(session: SmtpSession, error: unknown): TransportError | undefined {
  if (!session.messageForNoOne || !(error instanceof TransportError)) return undefined;
  return error.fact.code === 'MAILV_CONNECTION_LOST' && !error.fact.midReply ? error : undefined;
}

/**
 * After such a hang-up (see hungUpForNoOne), said where the session's end is said (its goodbye to
 * `host`, and a warning): each recipient's own reply, in the envelope's order, as the session's results.
 */
export function noOnesVerdicts(hangUp: TransportError, session: SmtpSession, recipients: readonly string[], host: string, emit: EmitEvent): RecipientResult[] {
  emit({ kind: 'closing', host });
  emit({ kind: 'note', note: { code: 'hung-up-for-no-one', error: hangUp.fact }, severity: 'warning' });
  const verdicts = new Map([...session.refusedRecipients, ...session.deferredAtRcpt].map((result) => [result.recipient, result]));
  return recipients.flatMap((recipient) => verdicts.get(recipient) ?? []);
}

/**
 * The error to report for `error`, met after the message to `host` at `address` was committed. A
 * signal keeps its own status (128 + its number), the doubt said beside it in a warning.
 */
export function unconfirmed(error: unknown, host: string, address: string, emit: EmitEvent): unknown {
  if (error instanceof InterruptedError) emit({ kind: 'note', note: { code: 'interrupted-unconfirmed', host, address }, severity: 'warning' });
  if (!(error instanceof MailvError) || error instanceof SmtpReplyError || error instanceof InterruptedError) return error;
  if (error.fact.code === 'MAILV_UNEXPECTED_REPLY') return error;
  const reason = error instanceof TransportError ? error.reason : undefined;
  return new TransportError({ code: 'MAILV_UNCONFIRMED', host, address, error: error.fact }, error.stage, reason);
}
