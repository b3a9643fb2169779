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
  const fs = await import('node:fs/promises');
  let file: import('node:fs/promises').FileHandle | undefined;
  let formerSize = 0;
  let written = 0;
  const append = async (data: Buffer) => {
    written += (await file!.write(data)).bytesWritten;
  };
  try {
    file = await fs.open(path, 'a', 0o600);
    formerSize = (await file.stat()).size;
    await append(Buffer.from(`From ${sender || 'MAILER-DAEMON'} ${formatAsctime(date)}\n`));
    const converter = new MboxLines();
    for await (const chunk of chunks) {
      const text = converter.push(chunk);
      if (text.length > 0) await append(Buffer.from(text, 'latin1'));
    }
    await append(Buffer.from(converter.end() + '\n', 'latin1'));
  } catch (error) {
    if (file) await undoAppend(fs, path, file, formerSize, written);
    throw new LocalIoError(`cannot save the message to ${path}: ${(error as Error).message}`, 'input');
  } finally {
    await file?.close();
  }
}

/**
 * Half an entry would read as a whole, shorter message: the file goes back to what it was (or
 * away, if it was made for this entry), unless someone else has appended to it meanwhile.
 */
async function undoAppend(
  fs: typeof import('node:fs/promises'),
  path: string,
  file: import('node:fs/promises').FileHandle,
  formerSize: number,
  written: number,
): Promise<void> {
  const now = await file.stat().catch(() => undefined);
  if (now?.size !== formerSize + written) return;
  if (formerSize === 0) await fs.rm(path, { force: true }).catch(() => {});
  else await file.truncate(formerSize).catch(() => {});
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
