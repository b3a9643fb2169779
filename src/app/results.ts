// What a finished delivery means for the run: the exit status of the recipients' outcomes (as
// sendmail reports them) and, when it is not 0, the result --json gives: which recipients were
// refused, for good or for now.
import { ExitCode } from '../exit-codes.js';
import { exitCodeForResults } from '../delivery/outcome.js';
import { refusedFirst } from '../delivery/refused-first.js';
import type { RecipientResult } from '../smtp/session.js';
import type { AppErrorFact } from './facts.js';
import type { Run } from './run.js';

/**
 * The status of the outcomes; a status other than 0 is recorded as the run's result. A transaction
 * past the server's limit of recipients that failed without a reply decides as that failure alone
 * would (67 when some were refused for good and it means 75), said with the recipients it left
 * without a verdict: the others may have got the message.
 */
export function resultsStatus(run: Run, results: readonly RecipientResult[]): number {
  const failure = results.find((result) => result.failure !== undefined)?.failure;
  if (failure !== undefined) {
    const unsettled = results.filter((result) => result.failure !== undefined).map((result) => result.recipient);
    run.note({ code: 'recipients-unsettled', recipients: unsettled, error: failure.fact });
    const error = refusedFirst(
      failure,
      results.filter((result) => result.outcome === 'refused'),
    );
    run.record(error);
    return error.exitCode;
  }
  const status = exitCodeForResults(results);
  if (status === ExitCode.OK) return status;
  const refused = status === ExitCode.NOUSER;
  const recipients = results.filter((result) => result.outcome === (refused ? 'refused' : 'deferred')).map((result) => result.recipient);
  const fact: AppErrorFact = { code: refused ? 'MAILV_RECIPIENTS_REFUSED' : 'MAILV_RECIPIENTS_DEFERRED', recipients };
  run.recordFact(fact, 'rcpt');
  return status;
}

/** A probe (--quit-after) went as far as asked: 0, or what the recipients' replies say when it reached RCPT. */
export function probeStatus(run: Run, results: readonly RecipientResult[]): number {
  return results.length === 0 ? ExitCode.OK : resultsStatus(run, results);
}
