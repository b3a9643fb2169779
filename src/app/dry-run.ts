// --dry-run: the envelope as a server would be told it (with -v, the default), then the exact
// message, on standard output (escaped on a terminal); nothing is sent, so nothing is ever kept in
// dead.letter.
import type { PreparedInput } from '../cli/message-input.js';
import { InterruptedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan } from '../plan.js';
import { formatEnvelope } from '../render/dry-run.js';
import { terminalLines } from '../text/sanitize.js';
import type { Run } from './run.js';

export async function dryRun(run: Run, plan: Plan, prepared: PreparedInput): Promise<number> {
  const message = await prepared.compose(true);
  const envelope = formatEnvelope(prepared.envelope, message.size, message, prepared.bccOnly, run.words.output);
  async function* output() {
    if (plan.verbosity > 0) yield Buffer.from(envelope);
    // A file or a pipe gets the exact octets; a terminal gets them escaped, as -vv shows a message.
    yield* run.io.stdout.terminal ? terminalLines(message.chunks()) : message.chunks();
  }
  await run.output.stream(output(), run.interrupt.signal);
  // Stopped while a reader that does not read held the message back: the run ends as stopped.
  if (run.interrupt.signal.aborted) throw new InterruptedError(run.interrupt.signal.reason as NodeJS.Signals, 'output');
  return ExitCode.OK;
}
