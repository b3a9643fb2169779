// What a finished delivery means for the run: the exit status of the recipients' outcomes (as
// sendmail reports them) and, when it is not 0, the result --json gives: which recipients were
// refused, for good or for now.
import { ExitCode } from '../exit-codes.js';
import { exitCodeForResults, refusedAtRcpt, wholeFailures } from '../delivery/outcome.js';
import { refusedFirst } from '../delivery/refused-first.js';
import { RefusedThenFailedError, type MailvError } from '../errors.js';
import type { RecipientResult } from '../smtp/session.js';
import type { AppErrorFact } from './facts.js';
import type { Run } from './run.js';

/**
 * The status of the outcomes; a status other than 0 is recorded as the run's result. A transaction
 * past the server's limit of recipients that failed without a reply decides as that failure alone
 * would (67 when some were refused for good and it means 75), said with the recipients it left
 * without a verdict: the others may have got the message. One refused or put off as a whole decides
 * as its reply would alone, among those failures (see decidingFailure).
 */
export function resultsStatus(run: Run, results: readonly RecipientResult[]): number {
  const failures = sayUnsettled(run, results);
  // Refused at RCPT, for good; a later transaction refused or put off as a whole decides as that
  // reply would have alone: after refusals at RCPT too when for good (a message refused is 69, no
  // recipient unknown), after them when for now (67, as a 451 to the message after a 550 to a RCPT).
  const refused = results.filter(refusedAtRcpt);
  const whole = wholeFailures(results);
  if (failures.length > 0 || whole.length > 0) {
    const error = decidingFailure([...failures, ...whole].map((failure) => refusedFirst(failure, refused)));
    run.record(error);
    return error.exitCode;
  }
  const status = exitCodeForResults(results);
  if (status === ExitCode.OK) return status;
  const someRefused = status === ExitCode.NOUSER;
  const deciding = someRefused ? refused : results.filter((result) => result.outcome === 'deferred');
  const fact: AppErrorFact = {
    code: someRefused ? 'MAILV_RECIPIENTS_REFUSED' : 'MAILV_RECIPIENTS_DEFERRED',
    recipients: deciding.map((result) => result.recipient),
  };
  // Where the verdicts came: after the message when every one did (LMTP), else at RCPT.
  run.recordFact(fact, deciding.every((result) => result.afterMessage === true) ? 'body' : 'rcpt');
  return status;
}

/**
 * Says each round past a server's limit of recipients that failed without a reply, in one line
 * naming the recipients it left without a verdict (there may be one a host under --direct);
 * returns those failures.
 */
export function sayUnsettled(run: Run, results: readonly RecipientResult[]): MailvError[] {
  const rounds = new Map<MailvError, string[]>();
  for (const { recipient, failure } of results) if (failure !== undefined) rounds.set(failure, [...(rounds.get(failure) ?? []), recipient]);
  for (const [failure, recipients] of rounds) {
    run.emit({ kind: 'unsettled', recipients, error: failure.fact });
    run.note({ code: 'recipients-unsettled', recipients, error: failure.fact });
  }
  return [...rounds.keys()];
}

/**
 * Of several failures, the one that decides the status: one after refusals for good (67) first,
 * then the first that is for good, then the first for now, whatever their order, so that 75 still
 * means that trying again can help.
 */
export function decidingFailure(failures: readonly MailvError[]): MailvError {
  return (
    failures.find((failure) => failure instanceof RefusedThenFailedError) ?? failures.find((failure) => failure.exitCode !== ExitCode.TEMPFAIL) ?? failures[0]!
  );
}

/** A probe (--quit-after) went as far as asked: 0, or what the recipients' replies say when it reached RCPT. */
export function probeStatus(run: Run, results: readonly RecipientResult[]): number {
  return results.length === 0 ? ExitCode.OK : resultsStatus(run, results);
}
