// --step: before each write, mailv waits at the terminal, saying what the write will send: Enter
// sends, q quits (with QUIT), as a class watching the dialogue one step at a time needs. Keys come
// from /dev/tty, since standard input may hold the message.
import { writeSync } from 'node:fs';
import { InterruptedError } from '../errors.js';
import { formatCommand, type PendingWrite } from '../smtp/command.js';
import { sanitize } from '../text/sanitize.js';
import type { StepNext } from '../words/cli-words.js';
import type { Language } from '../words/language.js';
import { wordsFor } from '../words/describe.js';
import { openTerminalKeys } from './terminal-keys.js';
import { cutToWidth, displayWidth } from '../text/display-width.js';
import type { InterruptSignal } from '../interruption.js';

export interface Stepper {
  /** Waits for a key before `next` is written. */
  ask(next: PendingWrite): Promise<'go' | 'quit'>;
  close(): void;
}

/** A command line longer than this is cut: a prompt that wrapped could not be erased by one `\r`. */
const PROMPT_COMMAND = 60;

/**
 * The write as the prompt names it: its one command (cut to `room` characters), the verbs of its
 * flight, or the message and what ends it.
 */
export function stepNext(next: PendingWrite, room = PROMPT_COMMAND): StepNext {
  const lines = next.commands.map((command) => sanitize(formatCommand(command)));
  if (next.content !== undefined) return { kind: 'content', octets: next.content, after: lines };
  if (lines.length === 1) {
    const line = lines[0]!;
    return { kind: 'command', line: line.length > room ? `${line.slice(0, room - 1)}…` : line };
  }
  return { kind: 'flight', verbs: next.commands.map((command) => command.verb) };
}

/**
 * Opens the terminal for --step; throws UsageError when there is none. Raw mode only while
 * asking, so that Ctrl-C stays a signal while the server is awaited; `signal` aborting (SIGINT,
 * SIGTERM) ends a pending question. The prompt is in `language`.
 */
export async function openStepper(signal: InterruptSignal, language: Language = 'en', replaying = false): Promise<Stepper> {
  const prompt = (next: PendingWrite) => fitted(next, language, replaying, terminalColumns());
  /** The question on the screen, asked again when mailv is continued after a stop. */
  let asking: string | undefined;
  const terminal = await openTerminalKeys({ code: 'MAILV_STEP_NO_TERMINAL' }, () => {
    if (asking !== undefined) writeSync(terminal.fd, `\r\x1b[K${asking}`);
  });
  const { fd, keys } = terminal;
  keys.setRawMode(false);
  keys.pause();
  return {
    ask: (next) =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new InterruptedError(signal.reason as NodeJS.Signals, 'connect'));
        const onAbort = () => {
          finish();
          reject(new InterruptedError(signal.reason as NodeJS.Signals, 'connect'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        keys.setRawMode(true);
        terminal.discardTypedAhead();
        asking = prompt(next);
        writeSync(fd, asking);
        const onKey = (chunk: Buffer) => {
          const key = chunk.toString('utf8');
          let answer: 'go' | 'quit' | undefined;
          if (key === '\r' || key === '\n') answer = 'go';
          else if (key === 'q' || key === 'Q') answer = 'quit';
          else if (key === '\x03' || key === '\x1c') {
            // Control-C and Control-\: raw mode turned them into keys, they stay signals.
            finish();
            return reject(new InterruptedError(key === '\x03' ? 'SIGINT' : 'SIGQUIT', 'connect'));
          } else return;
          finish();
          resolve(answer);
        };
        const finish = () => {
          asking = undefined;
          signal.removeEventListener('abort', onAbort);
          keys.off('data', onKey);
          keys.pause();
          try {
            keys.setRawMode(false);
            writeSync(fd, '\r\x1b[K'); // the prompt goes; the transcript stays
          } catch {
            // A terminal that hung up takes neither: the answer (a SIGHUP, say) stands all the same.
          }
        };
        keys.on('data', onKey);
        keys.resume();
      }),
    close: () => terminal.close(),
  };
}

/** The width of the terminal the transcript is shown on, if standard output or error is one. */
function terminalColumns(): number | undefined {
  const shown = process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined;
  return shown?.columns;
}

/**
 * The question on one line of `columns`, however narrow the terminal (a projector's window), wide
 * characters counted as the two columns they take: what the write carries cut to the room its
 * frame leaves, the keys kept; a frame wider than the line itself cut at the end. A prompt that
 * wrapped would leave its first rows behind when it is erased.
 */
export function fitted(next: PendingWrite, language: Language, replaying: boolean, columns: number | undefined): string {
  const words = wordsFor(language).cli;
  const text = words.stepPrompt(stepNext(next), replaying);
  if (columns === undefined || !(columns > 0) || displayWidth(text) < columns) return text;
  const [before = '', after = ''] = words.stepPrompt({ kind: 'command', line: '\0' }, replaying).split('\0');
  const room = columns - 1 - displayWidth(before) - displayWidth(after);
  if (room < 2) return `${cutToWidth(text, Math.max(1, columns - 2))}…`;
  const carried = text.slice(before.length, text.length - after.length);
  return `${before}${cutToWidth(carried, room - 1)}…${after}`;
}
