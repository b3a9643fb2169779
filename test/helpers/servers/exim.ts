// Exim 4.96 from Debian's packages on 127.0.0.1:2526 (test/services/exim.sh), delivering to the
// Maildirs of user1 and user2; STARTTLS with the test CA's certificate, and AUTH PLAIN and LOGIN
// offered only after it, as a stock Exim does.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipUnlessRunning } from '../service.js';
import type { MailServerUnderTest } from './server.js';

const BASE = '/var/lib/mailv-exim';
const EXIM = join(BASE, 'root/usr/sbin/exim4');
const CONFIGURATION = join(BASE, 'exim.conf');
const MAILDIRS = join(BASE, 'mail');
const HOST = '127.0.0.1';
const PORT = 2526;

/** What Exim puts before the message: Received itself, the other three its Maildir transport. */
const PREPENDED = ['return-path', 'envelope-to', 'delivery-date', 'received'];

/** The greeting of 127.0.0.1:2526 when it is Exim, else undefined. */
function eximGreeting(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(PORT, HOST);
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('data', (chunk: Buffer) => {
      socket.write('QUIT\r\n');
      const line = chunk.toString('latin1').split('\r\n')[0]!;
      done(/^220 .*\bExim\b/.test(line) ? line : undefined);
    });
  });
}

/** The files in `directory`, none while Exim has not yet made it (at the first delivery). */
function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The stored message from its first header on: the leading fields Exim prepended skipped. */
export function withoutEximHeaders(stored: Buffer, firstHeader: string): Buffer {
  const text = stored.toString('latin1');
  let at = 0;
  while (PREPENDED.includes(text.slice(at, text.indexOf(':', at)).toLowerCase())) {
    // The field ends at the first line that does not continue it (one not starting with blank).
    let end = text.indexOf('\n', at);
    while (end !== -1 && (text[end + 1] === ' ' || text[end + 1] === '\t')) end = text.indexOf('\n', end + 1);
    if (end === -1) throw new Error('the stored message ends inside the header fields Exim prepended');
    at = end + 1;
  }
  if (!text.startsWith(firstHeader, at)) {
    throw new Error(`after the fields Exim prepended comes ${JSON.stringify(text.slice(at, at + 40))}, not ${firstHeader}`);
  }
  return stored.subarray(at);
}

export const exim: MailServerUnderTest = {
  name: 'Exim',
  async version() {
    const banner = execFileSync(EXIM, ['-C', CONFIGURATION, '-bV'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const version = /^Exim version (\S+)/m.exec(banner)?.[1];
    if (version === undefined) throw new Error(`no version in the output of ${EXIM} -bV`);
    return version;
  },
  host: HOST,
  port: PORT,
  recipients: ['user1@localhost', 'user2@localhost'],
  refused: 'nosuchuser@localhost',
  starttls: true,
  auth: { mechanisms: ['PLAIN', 'LOGIN'], user: 'user1', password: 'exim-test-password', afterTlsOnly: true },
  sizeLimit: 10 * 1024 * 1024,
  async delivered(recipient, marker, timeoutMs = 15_000) {
    const directory = join(MAILDIRS, recipient.slice(0, recipient.lastIndexOf('@')), 'new');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const name of filesIn(directory)) {
        const data = readFileSync(join(directory, name));
        if (data.includes(marker)) return data;
      }
      await sleep(100);
    }
    throw new Error(`no message with ${marker} in ${directory} after ${timeoutMs} ms`);
  },
  // Exim's Maildir transport stores lines with LF; the rest is as sent.
  asSent: (stored, firstHeader) => Buffer.from(withoutEximHeaders(stored, firstHeader).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'),
  skipReason: async () =>
    skipUnlessRunning((await eximGreeting()) !== undefined, `Exim is not answering on ${HOST}:${PORT}`, 'sudo test/services/exim.sh start'),
};
