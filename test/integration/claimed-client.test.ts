// Against real Postfix on ports of its own (test/services/postfix.sh): 10025 takes XCLIENT from
// loopback, 10026 expects a PROXY header. The Received header Postfix writes names the client
// mailv claimed to be, or the local address it connected from.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, deliveredMessage, postfixSkipReason } from '../helpers/postfix.js';

const XCLIENT_PORT = '127.0.0.1:10025';
const PROXY_PORT = '127.0.0.1:10026';
const PROXY_PORT_IPV6 = '[::1]:10026';

/** Sends a marked message with `flags`; returns the transcript and the Received header Postfix wrote, unfolded. */
async function sendAndReceive(flags: readonly string[]): Promise<{ stdout: string; received: string }> {
  const id = `<${randomBytes(8).toString('hex')}.claimed@example.org>`;
  const run = await runCli([...flags, '-r', 'alice@example.org', '-H', `Message-ID: ${id}`, '-s', 'claimed client', LOCAL_RECIPIENT], { input: 'hello\n' });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const headers = (await deliveredMessage(id))
    .toString('latin1')
    .split('\n\n')[0]!
    .replace(/\n[ \t]+/g, ' ');
  const received = headers.split('\n').find((line) => line.startsWith('Received: '));
  assert.ok(received, headers);
  return { stdout: run.stdout, received };
}

describe('the client Postfix sees', { skip: await postfixSkipReason() }, () => {
  it('--xclient: XCLIENT after EHLO, EHLO again after its 220; Received names the claimed address and name', async () => {
    const { stdout, received } = await sendAndReceive(['--server', XCLIENT_PORT, '--xclient', 'ADDR=192.0.2.7', '--xclient', 'NAME=client.example']);
    assert.match(stdout, /^250-XCLIENT .*ADDR/m);
    assert.match(stdout, /^>>> XCLIENT ADDR=192\.0\.2\.7 NAME=client\.example\n220 .*ESMTP Postfix.*\n>>> EHLO /m);
    assert.match(received, /^Received: from \S+ \(client\.example \[192\.0\.2\.7\]\) by /);
  });

  it('--xclient where XCLIENT is not offered (port 25): refused before any mail, exit 69', async () => {
    const run = await runCli(['--server', '127.0.0.1:25', '--xclient', 'ADDR=192.0.2.7', LOCAL_RECIPIENT], { input: 'hello\n' });
    assert.equal(run.code, 69);
    assert.doesNotMatch(run.stdout, /^>>> (XCLIENT|MAIL)/m);
    assert.match(run.stderr, /does not offer XCLIENT/);
  });

  it('--proxy v1: the text header before the greeting; Received names the claimed source', async () => {
    const { stdout, received } = await sendAndReceive(['--server', PROXY_PORT, '--proxy', 'v1', '--proxy-source', '192.0.2.9:40001']);
    assert.match(stdout, /^>>> PROXY TCP4 192\.0\.2\.9 127\.0\.0\.1 40001 10026\n220 /m);
    assert.match(received, /^Received: from \S+ \(unknown \[192\.0\.2\.9\]\) by /);
  });

  it('--proxy v2 over IPv6: the binary header; Received names the claimed IPv6 source', async () => {
    const { stdout, received } = await sendAndReceive(['--server', PROXY_PORT_IPV6, '--proxy', 'v2', '--proxy-source', '[2001:db8::9]:40002']);
    assert.match(stdout, /^>>> PROXY v2 TCP6 2001:db8::9 ::1 40002 10026\n220 /m);
    assert.match(received, /^Received: from \S+ \(unknown \[IPv6:2001:db8::9\]\) by /);
  });

  it('--source-address 127.0.0.2: the connection leaves from that address, which Received names', async () => {
    const { received } = await sendAndReceive(['--server', '127.0.0.1:25', '--source-address', '127.0.0.2']);
    assert.match(received, /^Received: from \S+ \(\S+ \[127\.0\.0\.2\]\) by /);
  });

  it('-6 and --source-address ::1 to Postfix on [::1]: Received names the IPv6 loopback', async () => {
    const { received } = await sendAndReceive(['--server', '[::1]:25', '-6', '--source-address', '::1']);
    assert.match(received, /^Received: from \S+ \(\S+ \[IPv6:::1\]\) by /);
  });
});
