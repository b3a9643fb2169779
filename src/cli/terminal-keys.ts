// The controlling terminal, opened for keys in raw mode: a password prompt and --step read from
// it, since standard input may hold the message.
import { closeSync, openSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import { UsageError } from '../errors.js';
import type { TerminalFact } from './facts.js';

export interface TerminalKeys {
  /** For writing prompts straight to the terminal. */
  readonly fd: number;
  readonly keys: ReadStream;
  /** Raw mode off, stream and descriptor closed. */
  close(): void;
}

/**
 * Opens /dev/tty in raw mode; throws UsageError(`whenNone`, what the terminal was for) when there is
 * none. `resumed`: called when mailv is continued after a stop (SIGTSTP, SIGSTOP; Control-Z is a
 * key in raw mode) while in raw mode: the shell gave the terminal its own modes back meanwhile, echo on, and raw mode is set
 * again first, so that a password typed then is never shown; the prompt is the caller's to redraw.
 */
export async function openTerminalKeys(whenNone: TerminalFact, resumed?: () => void): Promise<TerminalKeys> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new UsageError(whenNone);
  }
  const { ReadStream } = await import('node:tty');
  const keys = new ReadStream(fd);
  keys.setRawMode(true);
  const onContinue = () => {
    if (!keys.isRaw) return;
    try {
      // Off then on: the stream still takes itself for raw, and would change nothing.
      keys.setRawMode(false);
      keys.setRawMode(true);
      resumed?.();
    } catch {
      // A terminal that went away meanwhile: what reads from it says so.
    }
  };
  process.on('SIGCONT', onContinue);
  return {
    fd,
    keys,
    close() {
      process.off('SIGCONT', onContinue);
      keys.setRawMode(false);
      keys.destroy();
      try {
        closeSync(fd);
      } catch {
        // closed with the stream
      }
    },
  };
}
