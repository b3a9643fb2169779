// Exim 4.96 from Debian's packages on 127.0.0.1:2526 (test/services/exim.sh), delivering to the
// Maildirs of user1 and user2; STARTTLS with the test CA's certificate, and AUTH PLAIN and LOGIN
// offered only after it, as a stock Exim does.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { greetingOf } from '../greeting.js';
import { deliveredTo } from '../maildir.js';
import { skipUnlessRunning } from '../service.js';
import { withCrlf, withoutPrependedFields } from '../trace-fields.js';
import type { MailServerUnderTest } from './server.js';

const BASE = '/var/lib/mailv-exim';
const EXIM = join(BASE, 'root/usr/sbin/exim4');
const CONFIGURATION = join(BASE, 'exim.conf');
const MAILDIRS = join(BASE, 'mail');
const HOST = '127.0.0.1';
const PORT = 2526;

/** What Exim puts before the message: Received itself, the other three its Maildir transport. */
const PREPENDED = ['return-path', 'envelope-to', 'delivery-date', 'received'];

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
  delivered: (recipient, marker, timeoutMs) => deliveredTo(join(MAILDIRS, recipient.slice(0, recipient.lastIndexOf('@')), 'new'), marker, timeoutMs),
  // Exim's Maildir transport stores lines with LF; the rest is as sent.
  asSent: (stored, firstHeader) => withCrlf(withoutPrependedFields(stored, firstHeader, PREPENDED, 'Exim')),
  skipReason: async () =>
    skipUnlessRunning(
      (await greetingOf(HOST, PORT, /^220 .*\bExim\b/)) !== undefined,
      `Exim is not answering on ${HOST}:${PORT}`,
      'sudo test/services/exim.sh start',
    ),
};
