// Finding the real submission service the tests use (started by test/services/submission.sh):
// Postfix with STARTTLS on 127.0.0.1:587 and implicit TLS on 127.0.0.1:465, SASL through
// Dovecot (AUTH PLAIN LOGIN CRAM-MD5, offered only under TLS), a certificate for localhost,
// 127.0.0.1 and ::1 signed by a test CA made on this machine. Authenticated mail to
// mailtest@localhost lands in MAILDIR_NEW of ./postfix.js, as port 25 mail does.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';
import { skipUnlessRunning } from './service.js';

export const SUBMISSION = { host: '127.0.0.1', starttlsPort: 587, smtpsPort: 465 };
/** The test CA that signed the server certificate (world-readable PEM). */
export const TEST_CA = '/etc/mailv-tls/ca.pem';
/** The loopback-only test account. */
export const SUBMISSION_USER = 'mailtest';
export const SUBMISSION_PASSWORD = 'Sub-mission-7';

/** Resolves with the first line `socket` receives (without CRLF), or undefined on error or timeout. */
function firstLine(socket: Socket, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let received = '';
    let settled = false;
    const done = (value: string | undefined) => {
      if (settled) return;
      settled = true;
      if (value !== undefined) socket.write('QUIT\r\n');
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end !== -1) done(received.slice(0, end));
    });
  });
}

/** The plain-text greeting of 127.0.0.1:587 when it is a 220, else undefined. */
export async function submissionGreeting(): Promise<string | undefined> {
  const line = await firstLine(connect(SUBMISSION.starttlsPort, SUBMISSION.host));
  return line?.startsWith('220') ? line : undefined;
}

/**
 * The greeting of 127.0.0.1:465 when the TLS handshake completes, verified against TEST_CA
 * (including the 127.0.0.1 subjectAltName), and a 220 follows; else undefined.
 */
export async function smtpsGreeting(): Promise<string | undefined> {
  let ca: Buffer;
  try {
    ca = readFileSync(TEST_CA);
  } catch {
    return undefined;
  }
  const line = await firstLine(tlsConnect({ host: SUBMISSION.host, port: SUBMISSION.smtpsPort, ca }));
  return line?.startsWith('220') ? line : undefined;
}

/**
 * How the suite runs without the submission service: in CI it must fail, so the reason is given
 * as an error; elsewhere it is skipped with the reason shown.
 */
export async function submissionSkipReason(): Promise<string | undefined> {
  const [plain, tls] = await Promise.all([submissionGreeting(), smtpsGreeting()]);
  const problem =
    plain === undefined
      ? `the submission service is not greeting on ${SUBMISSION.host}:${SUBMISSION.starttlsPort}`
      : `no TLS greeting verified with ${TEST_CA} on ${SUBMISSION.host}:${SUBMISSION.smtpsPort}`;
  return skipUnlessRunning(plain !== undefined && tls !== undefined, problem, 'sudo test/services/submission.sh start');
}
