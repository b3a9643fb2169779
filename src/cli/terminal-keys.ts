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

/** Opens /dev/tty in raw mode; throws UsageError(`whenNone`, what the terminal was for) when there is none. */
export async function openTerminalKeys(whenNone: TerminalFact): Promise<TerminalKeys> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new UsageError(whenNone);
  }
  const { ReadStream } = await import('node:tty');
  const keys = new ReadStream(fd);
  keys.setRawMode(true);
  return {
    fd,
    keys,
    close() {
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
