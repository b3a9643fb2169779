// Whether a session that failed before anything of its message left may go once more over a new
// connection, and with what plan: the one place submission and --direct decide it.
import type { EmitEvent } from '../events.js';
import type { SessionPlan, SmtpSession } from '../smtp/session.js';

/**
 * The plan of the second try, or undefined when there is none. A refused early EHLO goes again
 * without one; a kept TLS session that failed goes again without offering or keeping any (the
 * server gets none for a day anyway), said in a warning. Neither plan can fail the same way twice.
 */
export function secondTry(session: SmtpSession, plan: SessionPlan, emit: EmitEvent): SessionPlan | undefined {
  if (!goesAgain(session)) return undefined;
  if (session.earlyTalkRefused) return { ...plan, remembered: [] };
  const failure = session.resumptionFailure!;
  emit({ kind: 'note', note: { code: 'tls-resumption-failed', ...failure }, severity: 'warning' });
  const { tlsResumption: _offered, ...withoutResumption } = plan;
  return withoutResumption;
}

/** Whether a failed session goes once more (see secondTry()), asked before anything is said of the failure. */
export function goesAgain(session: SmtpSession): boolean {
  return !session.committed && (session.earlyTalkRefused || session.resumptionFailure !== undefined);
}
