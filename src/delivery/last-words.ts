// A recipient put off at RCPT whose event said it went on to another server (`next`), and that
// none took: its verdict is said again as its last word.
import type { EmitEvent } from '../events.js';
import type { RecipientResult } from '../smtp/session.js';

/** `results` as settled here: those that said they went on (`goesOn`) get their verdict said again (`restated`). */
export function lastWords(results: readonly RecipientResult[], emit: EmitEvent): RecipientResult[] {
  return results.map((result) => {
    if (result.goesOn === undefined) return result;
    const { goesOn: _went, ...settled } = result;
    emit({ kind: 'recipient', recipient: settled.recipient, outcome: settled.outcome, reply: settled.reply, restated: true });
    return settled;
  });
}
