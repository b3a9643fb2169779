// Which advice fits a certificate that did not verify, in every language.
import type { CertificateProblem } from '../smtp/facts.js';

/**
 * Whether trusting a CA (--ca) can make this certificate verify: not when it is expired, not yet
 * valid, or for another name, whoever signed it.
 */
export function caMayHelp(problem: CertificateProblem | undefined): boolean {
  if (problem?.kind === 'unknown-ca' && problem.caGiven) return false; // given already: its words say what else it may be
  return problem === undefined || (problem.kind !== 'expired' && problem.kind !== 'not-yet-valid' && problem.kind !== 'name-mismatch');
}
