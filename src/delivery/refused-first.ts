// A delivery that failed for now after some recipients were refused for good: the failure is
// said as it would be alone, and the run ends 67, not 75, since trying again cannot help those
// recipients (the rule for recipients refused at RCPT while the others were deferred).
import { ExitCode } from '../exit-codes.js';
import { MailvError, RefusedThenFailedError, StepStop } from '../errors.js';
import type { RecipientResult } from '../smtp/session.js';

/** `error`, or, when it alone means 75 and `refused` is not empty, the failure of those too. */
export function refusedFirst(error: MailvError, refused: readonly RecipientResult[]): MailvError;
export function refusedFirst(error: unknown, refused: readonly RecipientResult[]): unknown;
export function refusedFirst(error: unknown, refused: readonly RecipientResult[]): unknown {
  if (refused.length === 0 || !(error instanceof MailvError)) return error;
  const refusals = refused.map(({ recipient, reply }) => ({ recipient, outcome: 'refused' as const, reply }));
  // Refused by an earlier host of the domain as well (--direct): one failure names them all.
  if (error instanceof RefusedThenFailedError) return new RefusedThenFailedError(error.failure, [...refusals, ...error.refusals]);
  // --step's q is the user's choice, not a failure; anything else than 75 says more than 67 would.
  if (error instanceof StepStop || error.exitCode !== ExitCode.TEMPFAIL) return error;
  return new RefusedThenFailedError(error, refusals);
}
