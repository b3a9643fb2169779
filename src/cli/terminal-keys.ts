// The controlling terminal, opened for keys in raw mode: a password prompt and --step read from
// it, since standard input may hold the message.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { ReadStream } from 'node:tty';
import { UsageError } from '../errors.js';
import type { TerminalFact } from './facts.js';

export interface TerminalKeys {
  /** For writing prompts straight to the terminal. */
  readonly fd: number;
  readonly keys: ReadStream;
  /**
   * Drops what was typed before the question, in raw mode (as TCSAFLUSH would): an Enter typed
   * ahead while the server was awaited, or a line pasted beyond the message's end, answers nothing.
   * Asked for at each question, never on opening: a message typed ahead on the same terminal is
   * still to be read from standard input.
   */
  discardTypedAhead(): void;
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
  const discardTypedAhead = () => {
    // What the stream already read, then what the terminal holds, read through a description of our
    // own that does not block, the stream's left as it is.
    while (keys.readableLength > 0 && keys.read() !== null);
    let spare: number | undefined;
    try {
      spare = openSync('/dev/tty', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
      const buffer = Buffer.alloc(4096);
      for (let reads = 0; reads < 256 && readSync(spare, buffer) > 0; reads++);
    } catch {
      // EAGAIN: nothing is left; a terminal gone: nothing to drop.
    } finally {
      if (spare !== undefined) closeSync(spare);
    }
  };
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
    discardTypedAhead,
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
