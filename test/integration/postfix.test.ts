// Against real Postfix on loopback: what arrives in the Maildir is what mailv meant to send.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshHome, runCli } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { LOCAL_RECIPIENT, POSTFIX, deliveredMessage, postfixSkipReason, withoutPostfixHeaders } from '../helpers/postfix.js';

const server = `${POSTFIX.host}:${POSTFIX.port}`;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const crlfToLf = (data: Buffer) => Buffer.from(data.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

function uniqueId(): string {
  return `<${randomBytes(8).toString('hex')}.test@example.org>`;
}

describe('real Postfix on loopback', { skip: await postfixSkipReason() }, () => {
  it('delivers the message byte for byte, however odd its text', async () => {
    const id = uniqueId();
    const body = Buffer.concat([
      Buffer.from('.leading dot\n.\n..\nbare LF\nbare CR\rCRLF\r\n'),
      Buffer.from(`${'y'.repeat(998)}\n`),
      Buffer.from('Accentué, 日本語, ☃\nlast line without newline'),
    ]);
    const args = ['-H', `Message-ID: ${id}`, '-H', 'Date: Fri, 27 Nov 2026 20:29:31 +0000', '-s', 'Sujet accentué', '-r', 'alice@example.org', LOCAL_RECIPIENT];
    const dry = await runCli(['--dry-run', '-q', ...args], { input: body });
    assert.equal(dry.code, 0, dry.stderr);
    const run = await runCli(['--server', server, ...args], { input: body });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^220 .* ESMTP Postfix/m);
    assert.match(run.stdout, /^250-PIPELINING$/m);
    assert.match(run.stdout, /^250 CHUNKING$/m);
    assert.match(
      run.stdout,
      /^>>> MAIL From:<alice@example\.org> SIZE=(\d+) BODY=8BITMIME\n>>> RCPT To:<mailtest@localhost>\n\(the next 2 commands in one flight: the replies follow, in order\)\n>>> BDAT \1 LAST\n>>> QUIT\n250 2\.1\.0 Ok\n250 2\.1\.5 Ok\n250 2\.0\.0 Ok: \1 bytes queued as \w+\nmailtest@localhost\.\.\. Sent \(Ok: \1 bytes queued as \w+\)\nClosing connection to \[127\.0\.0\.1\]\n221 /m,
    );
    const delivered = withoutPostfixHeaders(await deliveredMessage(id), 'Date:');
    // Postfix's local delivery stores lines with LF; everything else is as sent.
    assert.deepEqual(delivered, crlfToLf(dry.stdoutBytes));
  });

  it('a header in UTF-8 (an address in Reply-To) asks Postfix for SMTPUTF8 and 8BITMIME, and arrives as sent; a server without SMTPUTF8 still gets it', async () => {
    const id = uniqueId();
    const args = ['-H', `Message-ID: ${id}`, '-H', 'Reply-To: jörg@example.org', '-s', 'utf8', '-r', 'alice@example.org', LOCAL_RECIPIENT];
    const dry = await runCli(['--dry-run', ...args], { input: 'hi\n' });
    assert.match(dry.stdout, /^ {2}MAIL From:<alice@example\.org> SIZE=\d+ BODY=8BITMIME SMTPUTF8$/m);
    const run = await runCli(['--server', server, ...args], { input: 'hi\n' });
    assert.equal(run.code, 0, run.stderr);
    // The body is ASCII; the header's octets are 8-bit all the same, as a -t message's would be.
    assert.match(run.stdout, /^>>> MAIL From:<alice@example\.org> SIZE=\d+ BODY=8BITMIME SMTPUTF8$/m);
    assert.match((await deliveredMessage(id)).toString('utf8'), /^Reply-To: jörg@example\.org$/m);
    const scripted = await startScriptedServer();
    try {
      const plain = await runCli(['--server', `127.0.0.1:${scripted.port}`, ...args], { input: 'hi\n' });
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(scripted.commands.find((line) => line.startsWith('MAIL')) ?? '', /^MAIL From:<alice@example\.org> SIZE=\d+ BODY=8BITMIME$/);
    } finally {
      await scripted.close();
    }
  });

  it('-t with a line of 2500 octets: Postfix takes it broken as its own SMTP client would break it', async () => {
    const id = uniqueId();
    const line = 'q'.repeat(2500);
    const run = await runCli(['--server', server, '-t', '-q'], { input: `To: ${LOCAL_RECIPIENT}\nMessage-ID: ${id}\nSubject: long\n\n${line}\n` });
    assert.equal(run.code, 0, run.stderr);
    const delivered = (await deliveredMessage(id)).toString('latin1');
    assert.ok(delivered.endsWith(`\n\n${'q'.repeat(998)}\n ${'q'.repeat(997)}\n ${'q'.repeat(505)}\n`), delivered.slice(-100));
  });

  it('--body data: DATA and the dot, QUIT still in the same flight, the same bytes delivered', async () => {
    const id = uniqueId();
    const run = await runCli(['--server', server, '--body', 'data', '-H', `Message-ID: ${id}`, '-s', 'data', LOCAL_RECIPIENT], { input: '.dot\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^>>> DATA\n250 2\.1\.0 Ok\n250 2\.1\.5 Ok\n354 End data with <CR><LF>\.<CR><LF>\n\(the next 2 commands in one flight: the replies follow, in order\)\n>>> \.\n>>> QUIT\n250 2\.0\.0 Ok: queued as \w+\n/m,
    );
    assert.match((await deliveredMessage(id)).toString(), /\n\n\.dot\n$/);
  });

  it('delivers a binary attachment that decodes to the same checksum', async () => {
    const id = uniqueId();
    const file = join(freshHome(), 'archive.tar.gz');
    const bytes = randomBytes(300_000);
    writeFileSync(file, bytes);
    const run = await runCli(['--server', server, '-q', '-H', `Message-ID: ${id}`, '-s', 'binary', '-a', file, LOCAL_RECIPIENT], { input: 'see attachment\n' });
    assert.equal(run.code, 0, run.stderr);
    const text = (await deliveredMessage(id)).toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    const part = text.split(`--${boundary}`)[2]!;
    assert.match(part, /Content-Type: application\/gzip; name="archive\.tar\.gz"/);
    const base64 = part.slice(part.indexOf('\n\n') + 2).replace(/\n/g, '');
    assert.equal(sha256(Buffer.from(base64, 'base64')), sha256(bytes));
  });

  it('sends to the known user and reports the unknown one, exit 67', async () => {
    const id = uniqueId();
    const run = await runCli(['--server', server, '-H', `Message-ID: ${id}`, '-s', 'partial', LOCAL_RECIPIENT, 'nosuchuser@localhost'], { input: 'x\n' });
    assert.equal(run.code, 67, run.stderr);
    assert.match(
      run.stdout,
      /^>>> RCPT To:<mailtest@localhost>\n>>> RCPT To:<nosuchuser@localhost>\n\(the next 2 commands in one flight: the replies follow, in order\)\n>>> BDAT \d+ LAST\n>>> QUIT\n250 2\.1\.0 Ok\n250 2\.1\.5 Ok\n550 5\.1\.1 <nosuchuser@localhost>: Recipient address rejected: User unknown in local recipient table\n250 2\.0\.0 Ok: \d+ bytes queued/m,
    );
    assert.match(run.stdout, /^nosuchuser@localhost\.\.\. User unknown \(550 5\.1\.1 /m);
    assert.match((await deliveredMessage(id)).toString(), /Subject: partial/);
  });

  it('streams a large -t message through a spool file intact', async () => {
    const id = uniqueId();
    const line = 'The quick brown fox jumps over the lazy dog; ça va.\n';
    const body = line.repeat(Math.ceil((6 * 1024 * 1024) / Buffer.byteLength(line)));
    const input = Buffer.from(`From: alice@example.org\nTo: ${LOCAL_RECIPIENT}\nBcc: nosuchuser@localhost\nMessage-ID: ${id}\nSubject: big\n\n${body}`);
    const run = await runCli(['--server', server, '-t'], { input });
    assert.equal(run.code, 67, 'the Bcc recipient does not exist');
    const chunks = run.stdout.match(/^>>> BDAT \d+( LAST)?$/gm) ?? [];
    assert.ok(chunks.length >= 6, `a large message goes in several chunks (${chunks.length})`);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk === '>>> BDAT 1048576'));
    assert.match(chunks[chunks.length - 1]!, / LAST$/);
    const delivered = (await deliveredMessage(id)).toString('utf8');
    assert.doesNotMatch(delivered, /^Bcc:/m);
    assert.equal(sha256(Buffer.from(delivered.slice(delivered.indexOf('\n\n') + 2))), sha256(Buffer.from(body)));
  });
});
