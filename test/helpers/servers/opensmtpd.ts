// OpenSMTPD 6.8.0p2 from Debian's package on 127.0.0.1:2528 (test/services/opensmtpd.sh),
// delivering to the Maildirs of user1 and user2. No STARTTLS: Debian 12's build fails every TLS
// handshake with OpenSSL 3; and so no AUTH, which OpenSMTPD offers only over TLS. It offers no
// PIPELINING either, and closes the connection on a client that pipelines all the same.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipUnlessRunning } from '../service.js';
import type { MailServerUnderTest } from './server.js';

const BASE = '/var/lib/mailv-opensmtpd';
const PACKAGE_CACHE = join(BASE, 'cache');
const MAILDIRS = join(BASE, 'maildir');
const HOST = '127.0.0.1';
const PORT = 2528;

/** What smtpd puts before the message it hands to the local delivery: Received, and the other two for every local delivery. */
const PREPENDED = ['return-path', 'delivered-to', 'received'];

/** The greeting of 127.0.0.1:2528 when it is OpenSMTPD, else undefined. */
function opensmtpdGreeting(): Promise<string | undefined> {
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
      done(/^220 .*\bOpenSMTPD\b/.test(line) ? line : undefined);
    });
  });
}

/** The files in `directory`, none while it does not exist yet. */
function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The stored message from its first header on: the leading fields smtpd prepended skipped. */
export function withoutOpensmtpdHeaders(stored: Buffer, firstHeader: string): Buffer {
  const text = stored.toString('latin1');
  let at = 0;
  while (PREPENDED.includes(text.slice(at, text.indexOf(':', at)).toLowerCase())) {
    // The field ends at the first line that does not continue it (one not starting with blank).
    let end = text.indexOf('\n', at);
    while (end !== -1 && (text[end + 1] === ' ' || text[end + 1] === '\t')) end = text.indexOf('\n', end + 1);
    if (end === -1) throw new Error('the stored message ends inside the header fields OpenSMTPD prepended');
    at = end + 1;
  }
  if (!text.startsWith(firstHeader, at)) {
    throw new Error(`after the fields OpenSMTPD prepended comes ${JSON.stringify(text.slice(at, at + 40))}, not ${firstHeader}`);
  }
  return stored.subarray(at);
}

export const opensmtpd: MailServerUnderTest = {
  name: 'OpenSMTPD',
  /** The upstream version of the package the service runs ('6.8.0p2'), its Debian revision left off. */
  async version() {
    const deb = filesIn(PACKAGE_CACHE).find((name) => name.startsWith('opensmtpd_') && name.endsWith('.deb'));
    if (deb === undefined) throw new Error(`no opensmtpd package in ${PACKAGE_CACHE}`);
    const version = execFileSync('dpkg-deb', ['-f', join(PACKAGE_CACHE, deb), 'Version'], { encoding: 'utf8' }).trim();
    return version.replace(/-[^-]*$/, '');
  },
  host: HOST,
  port: PORT,
  recipients: ['user1@localhost', 'user2@localhost'],
  refused: 'nosuchuser@localhost',
  starttls: false,
  auth: undefined,
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
  // smtpd hands the local delivery lines ending in LF; the rest is as sent.
  asSent: (stored, firstHeader) => Buffer.from(withoutOpensmtpdHeaders(stored, firstHeader).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'),
  skipReason: async () =>
    skipUnlessRunning((await opensmtpdGreeting()) !== undefined, `OpenSMTPD is not answering on ${HOST}:${PORT}`, 'sudo test/services/opensmtpd.sh start'),
};
