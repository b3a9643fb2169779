// Keeping a message nobody received, as mail(1) does: appended in mbox form (From_ line, `>From `
// quoting, LF line ends) to $DEAD or ~/dead.letter, readable by its owner only.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LocalIoError } from '../errors.js';
import { formatAsctime } from '../message/identity.js';

/** Where the message goes: $DEAD, else ~/dead.letter. */
export function deadLetterPath(env: NodeJS.ProcessEnv): string {
  return env['DEAD'] || join(env['HOME'] || homedir(), 'dead.letter');
}

/** Appends the message (CRLF lines) as one mbox entry. Throws LocalIoError. */
export async function saveDeadLetter(path: string, sender: string, chunks: AsyncIterable<Buffer>, date = new Date()): Promise<void> {
  let file;
  let formerSize: number | undefined;
  try {
    const { open } = await import('node:fs/promises');
    file = await open(path, 'a', 0o600);
    formerSize = (await file.stat()).size;
    await file.write(`From ${sender || 'MAILER-DAEMON'} ${formatAsctime(date)}\n`);
    const converter = new MboxLines();
    for await (const chunk of chunks) {
      const text = converter.push(chunk);
      if (text.length > 0) await file.write(Buffer.from(text, 'latin1'));
    }
    await file.write(Buffer.from(converter.end() + '\n', 'latin1'));
  } catch (error) {
    // Half an entry would read as a whole, shorter message: the file goes back to what it was.
    if (formerSize !== undefined) await file?.truncate(formerSize).catch(() => {});
    throw new LocalIoError(`cannot save the message to ${path}: ${(error as Error).message}`, 'input');
  } finally {
    await file?.close();
  }
}

/** CRLF lines → LF lines with `From ` at a line start quoted as `>From `. */
class MboxLines {
  private carry = '';

  push(chunk: Buffer): string {
    const lines = (this.carry + chunk.toString('latin1')).split('\r\n');
    this.carry = lines.pop()!;
    return lines.map((line) => quote(line) + '\n').join('');
  }

  end(): string {
    const last = this.carry;
    this.carry = '';
    return last === '' ? '' : quote(last) + '\n';
  }
}

function quote(line: string): string {
  return line.startsWith('From ') ? `>${line}` : line;
}
