// Every mail server the scenario matrix (test/integration/server-matrix.test.ts) runs mailv
// against, in the order of the compatibility table.
import { exim } from './exim.js';
import { opensmtpd } from './opensmtpd.js';
import { postfix } from './postfix.js';
import { qmail } from './qmail.js';
import { sendmail } from './sendmail.js';
import type { MailServerUnderTest } from './server.js';

export const SERVERS: readonly MailServerUnderTest[] = [postfix, exim, sendmail, opensmtpd, qmail];
