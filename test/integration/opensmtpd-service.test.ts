// The description of OpenSMTPD (test/helpers/servers/opensmtpd.ts) against the real OpenSMTPD of
// test/services/opensmtpd.sh: what it claims to offer is what EHLO offers (no STARTTLS, no AUTH,
// no PIPELINING, SIZE), and a message read back through delivered()/asSent() is, byte for byte,
// what mailv sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { opensmtpd } from '../helpers/servers/opensmtpd.js';

const server = `${opensmtpd.host}:${opensmtpd.port}`;

function uniqueId(): string {
  return `<${randomBytes(8).toString('hex')}.opensmtpd@example.org>`;
}

/** The keywords of the first EHLO reply in a transcript (its first line, the greeting, left out). */
function ehloKeywords(transcript: string): string[] {
  const reply = /^>>> EHLO .*\n((?:250-.*\n)*250 .*)$/m.exec(transcript);
  assert.ok(reply, `no EHLO reply in:\n${transcript}`);
  return reply[1]!
    .split('\n')
    .slice(1)
    .map((line) => line.slice(4));
}

describe('OpenSMTPD as described by servers/opensmtpd.ts', { skip: await opensmtpd.skipReason() }, () => {
  it('gives its version', async () => {
    assert.match(await opensmtpd.version(), /^\d+\.\d+\.\d+p\d+$/);
  });

  it('offers SIZE with the limit described, and neither STARTTLS, AUTH nor PIPELINING', async () => {
    const run = await runCli(['--server', server, '--quit-after', 'ehlo', opensmtpd.recipients[0]]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^220 \S+ ESMTP OpenSMTPD$/m);
    const offer = ehloKeywords(run.stdout);
    assert.deepEqual(offer, ['8BITMIME', 'ENHANCEDSTATUSCODES', `SIZE ${opensmtpd.sizeLimit}`, 'DSN', 'HELP']);
    assert.equal(opensmtpd.starttls, offer.includes('STARTTLS'));
    assert.equal(opensmtpd.auth, undefined);
    assert.ok(!offer.some((keyword) => keyword.startsWith('AUTH')), offer.join(', '));
  });

  it('delivers to both recipients what mailv sent, byte for byte through delivered() and asSent(), and refuses the third at RCPT', async () => {
    const id = uniqueId();
    const body = Buffer.from(`.leading dot\n..\nbare CR\rCRLF\r\n${'y'.repeat(998)}\nAccentué, 日本語, ☃\nFrom the start of a line\nlast line without newline`);
    const args = ['-H', `Message-ID: ${id}`, '-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-s', 'Sujet accentué', '-r', 'alice@example.org'];
    const recipients = [opensmtpd.recipients[0], opensmtpd.refused, opensmtpd.recipients[1]];
    const dry = await runCli(['--dry-run', '-q', ...args, ...recipients], { input: body });
    assert.equal(dry.code, 0, dry.stderr);
    const run = await runCli(['--server', server, ...args, ...recipients], { input: body });
    assert.equal(run.code, 67, run.stderr);
    // Lock-step, every command followed by its reply; the refusal carries no enhanced status code.
    assert.match(
      run.stdout,
      /^>>> RCPT To:<user1@localhost>\n250 2\.1\.5 Destination address valid: Recipient ok\n>>> RCPT To:<nosuchuser@localhost>\n550 Invalid recipient: <nosuchuser@localhost>\n>>> RCPT To:<user2@localhost>\n250 2\.1\.5 Destination address valid: Recipient ok\n>>> DATA\n354 Enter mail, end with "\." on a line by itself\n/m,
    );
    assert.match(run.stdout, /^250 2\.0\.0 \w+ Message accepted for delivery$/m);
    for (const recipient of opensmtpd.recipients) {
      const stored = await opensmtpd.delivered(recipient, id);
      assert.match(stored.toString('latin1'), new RegExp(`^Return-Path: <alice@example\\.org>\\nDelivered-To: ${recipient}\\nReceived: from `));
      assert.deepEqual(opensmtpd.asSent(stored, 'Date:'), dry.stdoutBytes);
    }
  });
});
