// What a finished delivery means for the exit status (sysexits.h), as sendmail reports it.
import { ExitCode } from '../exit-codes.js';
import type { RecipientResult } from '../smtp/session.js';

/**
 * 0 when every recipient got the message; otherwise 67 if any was refused outright (5xx), else 75
 * (only temporary refusals: trying again later may work).
 */
export function exitCodeForResults(results: readonly RecipientResult[]): ExitCode {
  if (results.length > 0 && results.every((result) => result.outcome === 'sent')) return ExitCode.OK;
  return results.some((result) => result.outcome === 'refused') ? ExitCode.NOUSER : ExitCode.TEMPFAIL;
}

export function anyDelivered(results: readonly RecipientResult[]): boolean {
  return results.some((result) => result.outcome === 'sent');
}
