// The message from standard input, read as what it is: a file (read through its descriptor), a
// pipe (spooled past a size), or a terminal (typed, as mail(1) takes it). Reading that stops
// before the end (a signal, a hangup, a failed read) returns what was read, for dead.letter.
import { readRegularFile, readStream, type ReadInput } from '../cli/body-input.js';
import { InputError, InterruptedError, type LocalIoError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { AppIo } from './io.js';
import type { InterruptSignal } from '../interruption.js';
import type { TypingWords } from '../words/cli-words.js';

export interface MessageRead {
  readonly input: ReadInput;
  /** At a terminal: the subject typed at the `Subject: ` prompt. */
  readonly typedSubject: string | undefined;
  /** Why reading stopped before the end of the message, if it did. */
  readonly unfinished: InterruptedError | LocalIoError | undefined;
  /** Standard input is a regular file, which still holds the message whatever happens. */
  readonly fromFile: boolean;
}

/**
 * Reads the message; `askSubject`: at a terminal, ask for the subject first. Throws InputError
 * for a directory, and what reading a file throws (LocalIoError, InterruptedError).
 */
export async function readMessage(
  io: Pick<AppIo, 'stdin' | 'stderr'>,
  askSubject: boolean,
  signal: InterruptSignal,
  typing: TypingWords,
  endsAtDotLine = false,
): Promise<MessageRead> {
  const what = io.stdin.kind();
  if (endsAtDotLine && what.kind !== 'directory') {
    // sendmail without -i: the message ends at a line of `.`, whatever standard input is.
    const { untilDotLine } = await import('../cli/dot-line.js');
    const piped = await readStream(untilDotLine(io.stdin.stream), { signal, source: io.stdin.stream });
    return { input: piped, typedSubject: undefined, unfinished: piped.unfinished, fromFile: false };
  }
  switch (what.kind) {
    case 'terminal': {
      const { readInteractive } = await import('../cli/interactive-input.js');
      const typed = await readInteractive(io.stdin.stream, io.stderr.stream, askSubject, signal, typing);
      const unfinished = typed.interrupted ? new InterruptedError(typed.interrupted, 'input') : undefined;
      return { input: typed.body, typedSubject: typed.subject, unfinished, fromFile: false };
    }
    case 'directory':
      throw new InputError({ code: 'MAILV_STDIN_DIRECTORY' }, ExitCode.NOINPUT);
    case 'file':
      // A file (`< message.eml`) is read directly, without setting up a stream or a spool.
      return { input: await readRegularFile(what.fd, { signal }), typedSubject: undefined, unfinished: undefined, fromFile: true };
    case 'stream': {
      const piped = await readStream(io.stdin.stream, { signal });
      return { input: piped, typedSubject: undefined, unfinished: piped.unfinished, fromFile: false };
    }
  }
}
