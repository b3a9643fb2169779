// The message typed at a terminal, as mail(1) takes it: ask for the subject, read lines until one
// holds a lone dot or input ends, then say EOT. Loaded only when standard input is a terminal.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { readStream, type ReadInput } from './body-input.js';

/**
 * At a terminal: prompts `Subject: ` when `askSubject`, then reads lines until `.` alone or end of
 * input, and prints `EOT` as mail does.
 */
export async function readInteractive(
  input: Readable,
  prompt: Writable,
  askSubject: boolean,
): Promise<{ subject: string | undefined; body: ReadInput }> {
  const lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  let subject: string | undefined;
  if (askSubject) {
    prompt.write('Subject: ');
    const answer = await iterator.next();
    subject = answer.done ? '' : answer.value;
  }
  const body: string[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done || next.value === '.') break;
    body.push(`${next.value}\n`);
  }
  lines.close();
  prompt.write('EOT\n');
  const text = Buffer.from(body.join(''), 'utf8');
  return { subject, body: await readStream([text]) };
}
