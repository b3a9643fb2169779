// Keeping a message nobody received in dead.letter, as mail(1) does, and saying so: on standard
// error, and as a `dead-letter` event for --json. If it cannot be kept, the user is told where the
// message still is, if anywhere.
import type { PreparedInput } from '../cli/message-input.js';
import type { KeptMessage } from '../message/compose.js';
import { deadLetterPath, saveDeadLetter } from '../delivery/dead-letter.js';
import { MailvError, type ErrorFact } from '../errors.js';
import type { Run } from './run.js';
import { internalFailure } from '../internal-failure.js';
import { isStopSignal } from '../exit-codes.js';

/** Appends the message to dead.letter; `unfinished`: only what was read of it before reading stopped. */
export async function keepDeadLetter(run: Run, prepared: PreparedInput, unfinished: boolean): Promise<void> {
  const path = deadLetterPath(run.io.env);
  // DEAD=/dev/null is how mail(1) users say they want no copy kept: asked for, nothing to tell.
  if (path === '/dev/null') return;
  const stoppedBefore = run.interrupt.signal.aborted;
  const save = async (message: KeptMessage) => {
    // The wait for the lock stays open to Ctrl-C (which ends it, the entry then written unlocked,
    // or after a few seconds more for a writer at work on its own); the writing itself is whole.
    const guards = {
      hold: <T>(work: () => Promise<T>) => run.io.signals.whole(work),
      stop: run.interrupt.signal,
      waiting: (lock: string) => run.note({ code: 'dead-letter-waiting', lock }),
    };
    await saveDeadLetter(path, prepared.envelope.from, message.chunks(), run.io.clock.date(), guards);
    // A stop signal that came meanwhile ended the wait: the run ends by it (see Run.finish).
    const reason = run.interrupt.signal.reason;
    if (!stoppedBefore && run.interrupt.signal.aborted && isStopSignal(reason)) run.stoppedWhileKeeping = reason;
    run.emit({ kind: 'dead-letter', path, size: message.size, unfinished });
  };
  try {
    await save(prepared.asRead ?? (await prepared.compose(true)));
    run.note({ code: 'dead-letter-saved', path, unfinished });
  } catch (error) {
    // An attachment that can no longer be read (changed, shortened, gone) must not take the text
    // the user wrote down with it: the message is kept without its attachments, and says why.
    const attachment = attachmentFailure(error);
    let failure = error;
    if (attachment !== undefined && prepared.withoutAttachments !== undefined) {
      try {
        await save(await prepared.withoutAttachments());
        run.note({ code: 'dead-letter-saved-without-attachments', path, error: attachment });
        return;
      } catch (retry) {
        failure = retry;
      }
    }
    run.note({ code: 'dead-letter-failed', error: factOf(failure), fate: run.stdinIsFile ? 'in-input-file' : 'lost' });
  }
}

/** Why an attachment could not be read, when that is what stopped the save (its fact names the file). */
function attachmentFailure(error: unknown): ErrorFact | undefined {
  if (!(error instanceof MailvError) || !(error.fact.code === 'MAILV_DEAD_LETTER_MESSAGE_FAILED' || 'source' in error.fact)) return undefined;
  const fact = error.fact.code === 'MAILV_DEAD_LETTER_MESSAGE_FAILED' ? error.fact.error : error.fact;
  return 'source' in fact && (fact.source as { kind: string }).kind === 'file' ? fact : undefined;
}

function factOf(error: unknown): ErrorFact {
  return error instanceof MailvError ? error.fact : internalFailure(error);
}
