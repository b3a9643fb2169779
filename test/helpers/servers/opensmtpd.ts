// OpenSMTPD 6.8.0p2 from Debian's package on 127.0.0.1:2528 (test/services/opensmtpd.sh),
// delivering to the Maildirs of user1 and user2. No STARTTLS: Debian 12's build fails every TLS
// handshake with OpenSSL 3; and so no AUTH, which OpenSMTPD offers only over TLS. It offers no
// PIPELINING either, and closes the connection on a client that pipelines all the same.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { greetingOf } from '../greeting.js';
import { deliveredTo } from '../maildir.js';
import { skipUnlessRunning } from '../service.js';
import { withCrlf, withoutPrependedFields } from '../trace-fields.js';
import type { MailServerUnderTest } from './server.js';

const BASE = '/var/lib/mailv-opensmtpd';
const PACKAGE_CACHE = join(BASE, 'cache');
const MAILDIRS = join(BASE, 'maildir');
const HOST = '127.0.0.1';
const PORT = 2528;

/** What smtpd puts before the message it hands to the local delivery: Received, and the other two for every local delivery. */
const PREPENDED = ['return-path', 'delivered-to', 'received'];

export const opensmtpd: MailServerUnderTest = {
  name: 'OpenSMTPD',
  /** The upstream version of the package the service runs ('6.8.0p2'), its Debian revision left off. */
  async version() {
    const deb = readdirSync(PACKAGE_CACHE).find((name) => name.startsWith('opensmtpd_') && name.endsWith('.deb'));
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
  delivered: (recipient, marker, timeoutMs) => deliveredTo(join(MAILDIRS, recipient.slice(0, recipient.lastIndexOf('@')), 'new'), marker, timeoutMs),
  // smtpd hands the local delivery lines ending in LF; the rest is as sent.
  asSent: (stored, firstHeader) => withCrlf(withoutPrependedFields(stored, firstHeader, PREPENDED, 'OpenSMTPD')),
  skipReason: async () =>
    skipUnlessRunning(
      (await greetingOf(HOST, PORT, /^220 .*\bOpenSMTPD\b/)) !== undefined,
      `OpenSMTPD is not answering on ${HOST}:${PORT}`,
      'sudo test/services/opensmtpd.sh start',
    ),
};
