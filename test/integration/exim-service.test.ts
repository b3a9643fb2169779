// The description of Exim (test/helpers/servers/exim.ts) against the real Exim of
// test/services/exim.sh: what it claims to offer is what EHLO offers, its credentials log in,
// and a message read back through delivered()/asSent() is, byte for byte, what mailv sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { exim } from '../helpers/servers/exim.js';
import { TEST_CA } from '../helpers/submission.js';

const server = `${exim.host}:${exim.port}`;
const auth = exim.auth!;

function uniqueId(): string {
  return `<${randomBytes(8).toString('hex')}.exim@example.org>`;
}

/** The keywords of the EHLO reply that follows `from` in a transcript (its first line, the greeting, left out). */
function ehloKeywords(transcript: string, from: number): string[] {
  const reply = /^>>> EHLO .*\n((?:250-.*\n)*250 .*)$/m.exec(transcript.slice(from));
  assert.ok(reply, `no EHLO reply after offset ${from} in:\n${transcript}`);
  return reply[1]!
    .split('\n')
    .slice(1)
    .map((line) => line.slice(4));
}

describe('Exim as described by servers/exim.ts', { skip: await exim.skipReason() }, () => {
  it('gives its version', async () => {
    assert.match(await exim.version(), /^4\.\d+$/);
  });

  it('offers STARTTLS, SIZE and its stock extensions in clear, AUTH only after STARTTLS', async () => {
    const run = await runCli(['--server', server, '--tls', 'required', '--ca', TEST_CA, '--quit-after', 'starttls', exim.recipients[0]]);
    assert.equal(run.code, 0, run.stderr);
    const tls = run.stdout.indexOf('>>> STARTTLS\n');
    assert.notEqual(tls, -1, run.stdout);
    const clear = ehloKeywords(run.stdout, 0);
    const encrypted = ehloKeywords(run.stdout, tls);
    assert.equal(exim.starttls, clear.includes('STARTTLS'));
    assert.deepEqual(clear, ['SIZE 10485760', '8BITMIME', 'PIPELINING', 'PIPECONNECT', 'CHUNKING', 'STARTTLS', 'SMTPUTF8', 'HELP']);
    assert.ok(clear.includes(`SIZE ${exim.sizeLimit}`), clear.join(', '));
    assert.equal(auth.afterTlsOnly, !clear.some((keyword) => keyword.startsWith('AUTH')));
    assert.ok(encrypted.includes(`AUTH ${auth.mechanisms.join(' ')}`), encrypted.join(', '));
    assert.ok(!encrypted.includes('STARTTLS'), encrypted.join(', '));
    assert.match(run.stdout, /^TLS: .*; certificate verified$/m);
  });

  for (const mechanism of auth.mechanisms) {
    it(`logs in with AUTH ${mechanism} as the description says, and refuses a wrong password`, async () => {
      const args = [
        '--server',
        server,
        '--tls',
        'required',
        '--ca',
        TEST_CA,
        '--user',
        auth.user,
        '--auth',
        mechanism,
        '--quit-after',
        'auth',
        exim.recipients[0],
      ];
      const good = await runCli(args, { env: { MAILV_PASSWORD: auth.password } });
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stdout, /^235 Authentication succeeded$/m);
      const bad = await runCli(args, { env: { MAILV_PASSWORD: `${auth.password}-not` } });
      assert.match(bad.stdout, /^535 Incorrect authentication data$/m);
      assert.doesNotMatch(good.stdout + bad.stdout + good.stderr + bad.stderr, new RegExp(auth.password));
    });
  }

  it('delivers to both recipients what mailv sent, byte for byte through delivered() and asSent(), and refuses the third at RCPT', async () => {
    const id = uniqueId();
    const body = Buffer.from(`.leading dot\n..\nbare CR\rCRLF\r\n${'y'.repeat(998)}\nAccentué, 日本語, ☃\nFrom the start of a line\nlast line without newline`);
    const args = ['-H', `Message-ID: ${id}`, '-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-s', 'Sujet accentué', '-r', 'alice@example.org'];
    const recipients = [exim.recipients[0], exim.refused, exim.recipients[1]];
    const dry = await runCli(['--dry-run', '-q', ...args, ...recipients], { input: body });
    assert.equal(dry.code, 0, dry.stderr);
    const run = await runCli(['--server', server, ...args, ...recipients], { input: body });
    assert.equal(run.code, 67, run.stderr);
    assert.match(run.stdout, /^250 Accepted\n550 Unrouteable address\n250 Accepted\n250- \d+ byte chunk, total \d+\n250 OK id=\S+$/m);
    for (const recipient of exim.recipients) {
      const stored = await exim.delivered(recipient, id);
      assert.match(stored.toString('latin1'), /^Return-path: <alice@example\.org>\nEnvelope-to: /);
      assert.deepEqual(exim.asSent(stored, 'Date:'), dry.stdoutBytes);
    }
  });

  it('explains the 503 Exim gives the BDAT sent with a refused RCPT as that refusal’s consequence, and its port as neither relay nor submission', async () => {
    for (const [lang, expected, server] of [
      [
        'en',
        '503: expected, since no recipient was accepted above',
        'Relay: mailv hands the message to the server 127.0.0.1, which delivers it or sends it on',
      ],
      [
        'fr',
        '503 : attendu, puisque aucun destinataire n’a été accepté plus haut',
        'Relais : mailv confie le message au serveur 127.0.0.1, qui le remet ou l’achemine',
      ],
    ] as const) {
      const run = await runCli(
        ['--server', `${exim.host}:${exim.port}`, '--tls', 'off', '-e', '--lang', lang, '-r', 'alice@example.org', '-s', 'x', exim.refused],
        {
          input: 'x\n',
        },
      );
      assert.equal(run.code, 67, run.stderr);
      // The refused RCPT, then the BDAT's 503 (Exim answers it after a pause), explained as the refusal's doing.
      const explained = /^503 Valid RCPT command must precede BDAT\n\s+↳ (.*)$/m.exec(run.stdout);
      assert.ok(explained, run.stdout);
      assert.ok(explained[1]!.startsWith(expected), explained[1]);
      assert.match(run.stdout, /^>>> BDAT \d+ LAST$/m);
      assert.ok(run.stdout.includes(`↳ ${server}`), run.stdout);
      assert.doesNotMatch(run.stdout, /RFC 6409\)$/m);
    }
  });
});
