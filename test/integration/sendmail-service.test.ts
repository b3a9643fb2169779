// The real sendmail of test/services/sendmail.sh is what its descriptor (servers/sendmail.ts) says:
// a message mailv sends reads back byte for byte through delivered()/asSent(), and EHLO offers
// the STARTTLS, AUTH mechanisms and SIZE limit the descriptor claims, before and after STARTTLS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { sendmail } from '../helpers/servers/sendmail.js';
import { TEST_CA } from '../helpers/submission.js';

const server = `${sendmail.host}:${sendmail.port}`;

/** The keywords of each EHLO reply in a transcript, in order (the greeting line left out). */
function ehloOffers(transcript: string): string[][] {
  return transcript
    .split('>>> EHLO ')
    .slice(1)
    .map((part) =>
      part
        .split('\n')
        .slice(2)
        .filter((line) => /^250[- ]/.test(line))
        .map((line) => line.slice(4)),
    );
}

/** What an EHLO reply offers, in the descriptor's terms. */
function offerOf(keywords: readonly string[]): { starttls: boolean; auth: string[] | undefined; size: number | undefined } {
  const size = keywords.find((keyword) => keyword.startsWith('SIZE '));
  return {
    starttls: keywords.includes('STARTTLS'),
    auth: keywords
      .find((keyword) => keyword.startsWith('AUTH '))
      ?.slice(5)
      .split(' '),
    size: size === undefined ? undefined : Number(size.slice(5)),
  };
}

describe('sendmail on loopback, as servers/sendmail.ts describes it', { skip: await sendmail.skipReason() }, () => {
  it('delivers what mailv sent, byte for byte once asSent() has removed the trace fields', async () => {
    const [recipient] = sendmail.recipients;
    const id = `<${randomBytes(8).toString('hex')}.sendmail@example.org>`;
    const body = Buffer.from('.leading dot\n.\n..\nbare CR\rCRLF\r\nAccentué, 日本語, ☃\nlast line without newline');
    const args = ['-H', `Message-ID: ${id}`, '-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-s', 'Sujet accentué', '-r', 'alice@example.org', recipient];
    const dry = await runCli(['--dry-run', '-q', ...args], { input: body });
    assert.equal(dry.code, 0, dry.stderr);
    const run = await runCli(['--server', server, '--tls', 'required', '--ca', TEST_CA, ...args], { input: body });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^220 \S+ ESMTP Sendmail 8\.17/m);
    const stored = await sendmail.delivered(recipient, id);
    assert.match(stored.toString('latin1'), /^Return-Path: <alice@example\.org>\nReceived: from /);
    assert.deepEqual(sendmail.asSent(stored, 'Date:'), dry.stdoutBytes);
  });

  it('offers in EHLO the STARTTLS, AUTH mechanisms and SIZE limit the descriptor claims', async () => {
    const run = await runCli(['--server', server, '--tls', 'required', '--ca', TEST_CA, '--quit-after', 'starttls', sendmail.recipients[0]]);
    assert.equal(run.code, 0, run.stderr);
    const [clear, secured] = ehloOffers(run.stdout);
    assert.ok(clear && secured, run.stdout);
    const mechanisms = [...sendmail.auth!.mechanisms];
    assert.deepEqual(offerOf(clear), {
      starttls: sendmail.starttls,
      auth: sendmail.auth!.afterTlsOnly ? undefined : mechanisms,
      size: sendmail.sizeLimit,
    });
    assert.deepEqual(offerOf(secured), { starttls: false, auth: mechanisms, size: sendmail.sizeLimit });
  });

  it('logs in with each mechanism it claims, and refuses its refused recipient at RCPT', async () => {
    const auth = sendmail.auth!;
    for (const mechanism of auth.mechanisms) {
      const run = await runCli(['--server', server, '--user', auth.user, '--auth', mechanism, '--quit-after', 'auth', sendmail.recipients[1]], {
        env: { MAILV_PASSWORD: auth.password },
      });
      assert.equal(run.code, 0, `${mechanism}: ${run.stderr}`);
      assert.match(run.stdout, /^235 2\.0\.0 OK Authenticated$/m, mechanism);
    }
    const refused = await runCli(['--server', server, '-q', '-s', 'refused', sendmail.refused, sendmail.recipients[1]], { input: 'x\n' });
    assert.equal(refused.code, 67, refused.stderr);
    assert.match(refused.stderr, /550 5\.1\.1 <[^>]+>\.\.\. User unknown/);
  });
});
