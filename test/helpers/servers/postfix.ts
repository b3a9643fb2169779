// Postfix from Debian on 127.0.0.1:25 (test/services/postfix.sh), delivering to the Maildir of
// the local user mailtest; STARTTLS and AUTH are on the submission port (test/helpers/submission.ts).
import { execFileSync } from 'node:child_process';
import { deliveredMessage, LOCAL_RECIPIENT, POSTFIX, postfixSkipReason, withoutPostfixHeaders } from '../postfix.js';
import { withCrlf } from '../trace-fields.js';
import type { MailServerUnderTest } from './server.js';

/** A number from Postfix's configuration; undefined where Postfix is not installed (the tests then skip). */
function postconf(name: string): number | undefined {
  try {
    return Number(execFileSync('postconf', ['-h', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

export const postfix: MailServerUnderTest = {
  name: 'Postfix',
  async version() {
    return execFileSync('postconf', ['-h', 'mail_version'], { encoding: 'utf8' }).trim();
  },
  host: POSTFIX.host,
  port: POSTFIX.port,
  // One Maildir only: both recipients are the same local user, by two addresses.
  recipients: [LOCAL_RECIPIENT, 'mailtest@localhost.localdomain'],
  refused: 'nosuchuser@localhost',
  starttls: false,
  auth: undefined,
  sizeLimit: postconf('message_size_limit'),
  delivered: (_recipient, marker, timeoutMs) => deliveredMessage(marker, timeoutMs),
  asSent: (stored, firstHeader) => withCrlf(withoutPostfixHeaders(stored, firstHeader)),
  skipReason: postfixSkipReason,
};
