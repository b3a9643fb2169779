// What a finished delivery means for the exit status (sysexits.h), as sendmail reports it.
import { ExitCode } from '../exit-codes.js';
import type { MailvError } from '../errors.js';
import type { RecipientResult } from '../smtp/session.js';

/**
 * 0 when every recipient got the message; otherwise 67 if any was refused outright (5xx), else 75
 * (only temporary refusals: trying again later may work).
 */
export function exitCodeForResults(results: readonly RecipientResult[]): ExitCode {
  if (everyoneGotIt(results)) return ExitCode.OK;
  return results.some((result) => result.outcome === 'refused') ? ExitCode.NOUSER : ExitCode.TEMPFAIL;
}

/** The recipient was refused at RCPT, for good: not with a transaction refused as a whole (see RecipientResult.endedBy). */
export function refusedAtRcpt(result: RecipientResult): boolean {
  return result.outcome === 'refused' && result.endedBy === undefined;
}

/** The failures of later transactions refused or put off as a whole, each once (see RecipientResult.endedBy). */
export function wholeFailures(results: readonly RecipientResult[]): MailvError[] {
  return [...new Set(results.flatMap((result) => (result.endedBy === undefined ? [] : [result.endedBy])))];
}

export function anyDelivered(results: readonly RecipientResult[]): boolean {
  return results.some((result) => result.outcome === 'sent');
}

/** Every recipient got the message (and there was one): nothing of it is left for later. */
export function everyoneGotIt(results: readonly RecipientResult[]): boolean {
  return results.length > 0 && results.every((result) => result.outcome === 'sent');
}
