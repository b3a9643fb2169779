// sendmail 8.17 from Debian, unpacked beside Postfix on 127.0.0.1:2527 (test/services/sendmail.sh):
// STARTTLS with the test CA's certificate, AUTH PLAIN LOGIN CRAM-MD5 through Cyrus SASL offered in
// clear as well, and local mail written to one Maildir per user by the script's own local mailer.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { greetingOf } from '../greeting.js';
import { deliveredTo } from '../maildir.js';
import { skipUnlessRunning } from '../service.js';
import { withCrlf, withoutPrependedFields } from '../trace-fields.js';
import type { MailServerUnderTest } from './server.js';

const HOST = '127.0.0.1';
const PORT = 2527;
const MAILDIRS = '/var/lib/mailv-sendmail/mail';
const DEB_CACHE = '/var/cache/mailv-sendmail';

/** What sendmail puts before the message: Return-Path (its local mailer's P flag) and Received. */
const PREPENDED = ['return-path', 'received'];

/** The Maildir's new/ of a recipient: one directory per local part. */
function newMailOf(recipient: string): string {
  return join(MAILDIRS, recipient.slice(0, recipient.lastIndexOf('@')), 'new');
}

export const sendmail: MailServerUnderTest = {
  name: 'sendmail',
  async version() {
    const deb = readdirSync(DEB_CACHE).find((name) => name.startsWith('sendmail-bin_') && name.endsWith('.deb'));
    if (deb === undefined) throw new Error(`no sendmail-bin package in ${DEB_CACHE}`);
    // The upstream version, without Debian's revision: 8.17.1.9-2+deb12u2 -> 8.17.1.9.
    return execFileSync('dpkg-deb', ['-f', join(DEB_CACHE, deb), 'Version'], { encoding: 'utf8' })
      .trim()
      .replace(/-[^-]+$/, '');
  },
  host: HOST,
  port: PORT,
  // Not @localhost: sendmail rewrites that domain to the host's name in header addresses.
  recipients: ['smuser1@sendmail.test', 'smuser2@sendmail.test'],
  refused: 'nosuchuser@sendmail.test',
  starttls: true,
  auth: { mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5'], user: 'smauth', password: 'Send-mail-8', afterTlsOnly: false },
  sizeLimit: 10_485_760,
  delivered: (recipient, marker, timeoutMs) => deliveredTo(newMailOf(recipient), marker, timeoutMs),
  // sendmail prepends Return-Path and a Received field folded over several lines, and stores
  // lines with LF. It also re-folds address fields (To, Cc, From) longer than a line, which no
  // stripping can undo: keep such fields short when comparing.
  asSent: (stored, firstHeader) => withCrlf(withoutPrependedFields(stored, firstHeader, PREPENDED, 'sendmail')),
  async skipReason() {
    return skipUnlessRunning(
      (await greetingOf(HOST, PORT, /^220 .* Sendmail /)) !== undefined,
      `sendmail is not answering on ${HOST}:${PORT}`,
      'sudo test/services/sendmail.sh start',
    );
  },
};
