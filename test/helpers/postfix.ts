// Finding the real Postfix the tests use (started by test/services/postfix.sh) and the messages
// it delivered to the Maildir of the local user `mailtest`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipUnlessRunning } from './service.js';

export const POSTFIX = { host: '127.0.0.1', port: 25 };
export const MAILDIR_NEW = '/home/mailtest/Maildir/new';
export const LOCAL_RECIPIENT = 'mailtest@localhost';

/** When this test process began, less a margin for a clock that rounds to the second. */
const STARTED_MS = Date.now() - 2000;

/** The greeting of 127.0.0.1:25 when it is Postfix, else undefined. */
export function postfixGreeting(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(POSTFIX.port, POSTFIX.host);
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('data', (chunk: Buffer) => {
      socket.write('QUIT\r\n');
      const line = chunk.toString().split('\r\n')[0]!;
      done(/Postfix/.test(line) ? line : undefined);
    });
  });
}

/**
 * How the suite runs without Postfix: in CI it must fail, so the reason is given as an error;
 * elsewhere it is skipped with the reason shown.
 */
export async function postfixSkipReason(): Promise<string | undefined> {
  return skipUnlessRunning((await postfixGreeting()) !== undefined, 'Postfix is not answering on 127.0.0.1:25', 'sudo test/services/postfix.sh start');
}

/** Waits for the delivered message holding `marker` (a unique Message-ID); returns its bytes. */
export async function deliveredMessage(marker: string, timeoutMs = 15_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const name of readdirSync(MAILDIR_NEW)) {
      const path = join(MAILDIR_NEW, name);
      // Mail of earlier runs stays in the Maildir: what came before this process cannot be ours.
      if (statSync(path).mtimeMs < STARTED_MS) continue;
      const data = readFileSync(path);
      if (data.includes(marker)) return data;
    }
    await sleep(100);
  }
  throw new Error(`no message with ${marker} in ${MAILDIR_NEW} after ${timeoutMs} ms`);
}

/** The message as mailv wrote it: what follows the headers Postfix prepends. */
export function withoutPostfixHeaders(delivered: Buffer, firstHeader: string): Buffer {
  const start = delivered.indexOf(`\n${firstHeader}`);
  if (start === -1) throw new Error(`no ${firstHeader} header in the delivered message`);
  return delivered.subarray(start + 1);
}
