// Keeping a message nobody received in dead.letter, as mail(1) does, and saying so: on standard
// error, and as a `dead-letter` event for --json. If it cannot be kept, the user is told where the
// message still is, if anywhere.
import type { PreparedInput } from '../cli/message-input.js';
import { deadLetterPath, saveDeadLetter } from '../delivery/dead-letter.js';
import { MailvError, type ErrorFact } from '../errors.js';
import type { Run } from './run.js';

/** Appends the message to dead.letter; `unfinished`: only what was read of it before reading stopped. */
export async function keepDeadLetter(run: Run, prepared: PreparedInput, unfinished: boolean): Promise<void> {
  const path = deadLetterPath(run.io.env);
  try {
    const message = prepared.asRead ?? (await prepared.compose(true));
    await run.io.signals.whole(() => saveDeadLetter(path, prepared.envelope.from, message.chunks(), run.io.clock.date()));
    run.emit({ kind: 'dead-letter', path, size: message.size, unfinished });
    run.note({ code: 'dead-letter-saved', path, unfinished });
  } catch (error) {
    run.note({ code: 'dead-letter-failed', error: factOf(error), fate: run.stdinIsFile ? 'in-input-file' : 'lost' });
  }
}

function factOf(error: unknown): ErrorFact {
  return error instanceof MailvError ? error.fact : { code: 'MAILV_INTERNAL', detail: (error as Error)?.stack ?? String(error) };
}
