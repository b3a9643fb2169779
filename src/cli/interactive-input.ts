// The message typed at a terminal, as mail(1) takes it: ask for the subject, read lines until one
// holds a lone dot or input ends, then say EOT. Loaded only when standard input is a terminal.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { assertHeaderText } from '../message/header.js';
import { isatty, ReadStream } from 'node:tty';
import { readStream, type ReadInput } from './body-input.js';
import type { InterruptSignal } from '../interruption.js';
import type { TypingWords } from '../words/cli-words.js';

/**
 * At a terminal: prompts `Subject: ` when `askSubject`, then reads lines until `.` alone or end of
 * input, and prints `EOT` as mail does (in `said`'s language). An empty answer means no subject: the message then has no
 * Subject field, as with mail. When `signal` aborts (Ctrl-C, Ctrl-\, a signal) or the terminal
 * hangs up, returns what was typed so far with `interrupted` set to the signal (SIGHUP for a
 * hangup), so that it can be kept in dead.letter. Throws UsageError for a subject holding a control
 * character, at once, before a line of the body is typed.
 */
export async function readInteractive(
  input: Readable,
  prompt: Writable,
  askSubject: boolean,
  signal: InterruptSignal,
  said: TypingWords,
): Promise<{ subject: string | undefined; body: ReadInput; interrupted: NodeJS.Signals | undefined }> {
  // One character an octet: readline would decode UTF-8 itself, making U+FFFD of octets that are
  // not (Latin-1 typed in a UTF-8 locale), which the body keeps as typed, as it does from a pipe.
  input.setEncoding('latin1');
  const fd = (input as Partial<{ fd: number }>).fd ?? 0;
  let lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const closeOnAbort = () => lines.close();
  signal.addEventListener('abort', closeOnAbort, { once: true });
  let iterator = lines[Symbol.asyncIterator]();
  let subject: string | undefined;
  const body: string[] = [];
  let hungUp = false;
  let reopened: ReadStream | undefined;
  // Continued after Control-Z (fg), the screen the shell wrote on is told where typing goes, as
  // mail(1) does: the subject's prompt again, or `(continue)` in the body.
  let typing: 'subject' | 'body' = 'subject';
  const onContinue = () => prompt.write(typing === 'subject' ? said.subject : `${said.continued}\n`);
  process.on('SIGCONT', onContinue);
  try {
    if (askSubject) {
      prompt.write(said.subject);
      // Control-D ends the terminal's stream: at once, or after what was typed on the line.
      let ended = false;
      lines.once('close', () => {
        ended = true;
      });
      const answer = await iterator.next();
      if ((answer.done || ended) && !signal.aborted && isatty(fd)) {
        // Control-D at the prompt ends the subject (an empty one when nothing was typed), and the
        // body is typed next, as s-nail takes it; the terminal's stream has ended: read afresh.
        prompt.write('\n');
        lines.close();
        reopened = new ReadStream(fd);
        reopened.setEncoding('latin1');
        lines = createInterface({ input: reopened, terminal: false, crlfDelay: Infinity });
        iterator = lines[Symbol.asyncIterator]();
      }
      // Read as UTF-8 here: octets that are not become U+FFFD, which the check below refuses.
      if (!answer.done && answer.value.trim() !== '') subject = Buffer.from(answer.value, 'latin1').toString('utf8');
      if (subject !== undefined) assertHeaderText('Subject', subject, 'subject-prompt');
    }
    typing = 'body';
    for (;;) {
      const next = await iterator.next();
      if (next.value === '.') break;
      if (next.done) {
        // A hangup ends input as Control-D does, its SIGHUP a moment later: a terminal that is
        // gone keeps the message from being sent.
        hungUp = !isatty(fd);
        break;
      }
      body.push(`${next.value}\n`);
    }
  } finally {
    process.off('SIGCONT', onContinue);
    signal.removeEventListener('abort', closeOnAbort);
    lines.close();
    reopened?.destroy();
  }
  const interrupted = signal.aborted ? (signal.reason as NodeJS.Signals) : hungUp ? 'SIGHUP' : undefined;
  // Every write to a terminal that has hung up fails: nothing is lost by it, nothing is told.
  if (interrupted === 'SIGHUP') prompt.on('error', () => {});
  prompt.write(interrupted ? `\n${said.interrupted}\n` : `${said.end}\n`);
  return { subject, body: await readStream([Buffer.from(body.join(''), 'latin1')]), interrupted };
}
