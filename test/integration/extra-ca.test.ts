// NODE_EXTRA_CA_CERTS as mailv honours it: run as installed (bin/mailv.js through its #! line) Node
// starts without it and mailv's handshakes add its certificates; beside --ca too, whose store Node
// leaves them out of; and a file that cannot be read, said when a handshake needs it, not before.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, startAuthSink, type AuthSink } from '../helpers/auth-servers.js';
import { testPki } from '../helpers/certificates.js';
import { freshHome, runCli, type CliOptions } from '../helpers/cli.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

const VERIFIED = /^TLS: TLSv1\.3, \S+; certificate verified$/m;
const NODE_WARNING = /Warning: Ignoring extra certs from/;

describe('NODE_EXTRA_CA_CERTS', () => {
  let smtps: SmtpSink;
  let plain: SmtpSink;
  let auth: AuthSink;
  /** A file of one CA of Node's list: trusted by --ca, it signs none of the test's servers. */
  let otherCa: string;
  before(async () => {
    smtps = await startSink({ disabledCommands: ['AUTH'], key: testPki().good.key, cert: testPki().good.cert, secure: true });
    plain = await startSink();
    auth = await startAuthSink(['PLAIN']);
    otherCa = join(freshHome(), 'other-ca.pem');
    writeFileSync(otherCa, `${rootCertificates[0]}\n`);
  });
  after(async () => {
    await smtps.close();
    await plain.close();
    await auth.close();
  });

  const sendTls = (args: string[], options: CliOptions) =>
    runCli(['--server', `smtps://127.0.0.1:${smtps.port}`, '--no-tls-resume', '-s', 'tls', ...args, 'bob@example.org'], { input: 'x\n', ...options });

  it('beside --ca: the CA it names is trusted still, run by node or as installed', async () => {
    for (const asInstalled of [false, true]) {
      const run = await sendTls(['--ca', otherCa], { asInstalled, env: { NODE_EXTRA_CA_CERTS: testPki().caFile } });
      assert.equal(run.code, 0, `${asInstalled ? 'installed' : 'node'}: ${run.stderr}`);
      assert.match(run.stdout, VERIFIED);
    }
    // Neither trusts it without the variable: --ca alone does not.
    const without = await sendTls(['--ca', otherCa], { asInstalled: true });
    assert.equal(without.code, 75, without.stderr);
  });

  it("run as installed, without --ca: its CA trusted, the system bundle beside it too (Node's list again, written 64 columns wide)", async () => {
    const bundle = join(freshHome(), 'bundle.pem');
    // Node's own list, as a system's bundle has it (lines of 64, not Node's 72), then the test CA.
    const rewrapped = rootCertificates.map((pem) => {
      const base64 = pem.replace(/-----[A-Z ]+-----|\n/g, '');
      return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    });
    writeFileSync(bundle, [...rewrapped, readFileSync(testPki().caFile, 'latin1')].join(''));
    for (const file of [testPki().caFile, bundle]) {
      const run = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: file } });
      assert.equal(run.code, 0, `${file}: ${run.stderr}`);
      assert.match(run.stdout, VERIFIED);
    }
  });

  it('a file that cannot be read: Node warns at its start; installed, mailv says it at the handshake alone, and goes on without it', async () => {
    const missing = join(freshHome(), 'missing.pem');
    const send = (asInstalled: boolean) =>
      runCli(['--server', `127.0.0.1:${plain.port}`, '-q', '-s', 'plain', 'bob@example.org'], {
        input: 'x\n',
        asInstalled,
        env: { NODE_EXTRA_CA_CERTS: missing },
      });
    // What the test tells apart: Node, given the variable, reads the file before any of mailv runs.
    const byNode = await send(false);
    assert.equal(byNode.code, 0, byNode.stderr);
    assert.match(byNode.stderr, NODE_WARNING);
    const installed = await send(true);
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(installed.stderr, '', 'a send without TLS reads no CA file, and says nothing of one');
    const tls = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: missing } });
    assert.equal(tls.code, 75);
    assert.doesNotMatch(tls.stderr, NODE_WARNING);
    assert.deepEqual(
      tls.stderr.split('\n').filter((line) => line.includes('NODE_EXTRA_CA_CERTS')),
      [`mailv: ignoring the extra CA certificates of NODE_EXTRA_CA_CERTS (${missing}): no such file or directory`],
    );
    assert.match(tls.stderr, /certificate of 127\.0\.0\.1 is NOT verified: unknown CA/);
    const french = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: missing, LANG: 'fr_FR.UTF-8', LC_ALL: 'fr_FR.UTF-8' } });
    assert.match(french.stderr, /^mailv: certificats d’AC supplémentaires de NODE_EXTRA_CA_CERTS \(.+\) ignorés : /m);
  });

  it('read as Node reads it: a TRUSTED CERTIFICATE skipped, a FIFO read, a damaged certificate said and the reading ended there', async () => {
    const home = freshHome();
    const ca = readFileSync(testPki().caFile, 'latin1');
    // OpenSSL's own format, with its trust settings: Node's reading (PEM_read_bio_X509) skips it.
    const trusted = join(home, 'trusted.pem');
    execFileSync('openssl', ['x509', '-in', testPki().caFile, '-addtrust', 'serverAuth', '-out', trusted]);
    assert.match(readFileSync(trusted, 'latin1'), /^-----BEGIN TRUSTED CERTIFICATE-----/);
    for (const asInstalled of [false, true]) {
      const run = await sendTls([], { asInstalled, env: { NODE_EXTRA_CA_CERTS: trusted } });
      assert.equal(run.code, 75, `${asInstalled ? 'installed' : 'node'}: a TRUSTED CERTIFICATE is no CA to Node: ${run.stderr}`);
    }
    // A certificate cut short before the test CA: Node reads nothing past it, and says so.
    const cut = join(home, 'cut.pem');
    writeFileSync(cut, `${rootCertificates[0]!.slice(0, 300)}\n${ca}`);
    const byNode = await sendTls([], { env: { NODE_EXTRA_CA_CERTS: cut } });
    assert.equal(byNode.code, 75, byNode.stderr);
    assert.match(byNode.stderr, NODE_WARNING);
    const installed = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: cut } });
    assert.equal(installed.code, 75, installed.stderr);
    assert.equal(
      installed.stderr.split('\n')[0],
      `mailv: the extra CA certificates of NODE_EXTRA_CA_CERTS (${cut}): its block 1 is damaged; it and those after it are ignored`,
    );
    // After the test CA, the damaged one costs nothing it holds.
    writeFileSync(cut, `${ca}${rootCertificates[0]!.slice(0, 300)}\n`);
    const after = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: cut } });
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stderr, /its block 2 is damaged/);
    // A FIFO, as `<(cat ca.pem)` makes one: read, not refused.
    const fifo = join(home, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('/bin/sh', ['-c', `cat '${testPki().caFile}' > '${fifo}'`]);
    const throughFifo = await sendTls([], { asInstalled: true, env: { NODE_EXTRA_CA_CERTS: fifo } });
    writer.kill();
    assert.equal(throughFifo.code, 0, throughFifo.stderr);
    assert.match(throughFifo.stdout, VERIFIED);
  });

  it('MAILV_NODE_EXTRA_CA_CERTS set by hand is no CA file, nor handed to the programs mailv runs', async () => {
    const home = freshHome();
    const byHand = await sendTls([], { env: { MAILV_NODE_EXTRA_CA_CERTS: testPki().caFile } });
    assert.equal(byHand.code, 75, byHand.stderr);
    const seen = join(home, 'seen');
    const command = `printf '%s|%s' "\${NODE_EXTRA_CA_CERTS-unset}" "\${MAILV_NODE_EXTRA_CA_CERTS-unset}" > '${seen}'; echo '${ACCOUNT.password}'`;
    const child = await runCli(
      ['--server', `127.0.0.1:${auth.port}`, '-q', '--user', ACCOUNT.user, '--password-cmd', command, '-s', 'env', 'bob@example.org'],
      {
        input: 'x\n',
        home,
        env: { MAILV_NODE_EXTRA_CA_CERTS: testPki().caFile },
      },
    );
    assert.equal(child.code, 0, child.stderr);
    assert.equal(readFileSync(seen, 'utf8'), 'unset|unset');
  });

  it('beside --ca, run by node: a file Node read at its start is read again, a FIFO not (it is empty now, or waits for ever), and said', async () => {
    const home = freshHome();
    const fifo = join(home, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('/bin/sh', ['-c', `cat '${testPki().caFile}' > '${fifo}'`]);
    const run = await sendTls(['--ca', otherCa], { env: { NODE_EXTRA_CA_CERTS: fifo } });
    writer.kill();
    assert.equal(run.code, 75, run.stderr);
    assert.match(
      run.stderr,
      /^mailv: ignoring the extra CA certificates of NODE_EXTRA_CA_CERTS \(.+\): not a regular file, and Node read it at its start; beside --ca, run mailv as installed/m,
    );
    // Its words, as Node reads a file: a certificate commented out is none, both ways.
    const commented = join(home, 'commented.pem');
    writeFileSync(commented, readFileSync(testPki().caFile, 'latin1').replace(/^/gm, '# '));
    for (const asInstalled of [false, true]) {
      const verdict = await sendTls([], { asInstalled, env: { NODE_EXTRA_CA_CERTS: commented } });
      assert.equal(verdict.code, 75, `${asInstalled ? 'installed' : 'node'}: ${verdict.stderr}`);
    }
  });

  it('the programs mailv runs get the variable back as it was, and nothing of how it was handed on', async () => {
    const home = freshHome();
    const seen = join(home, 'seen');
    const command = `printf '%s|%s' "\${NODE_EXTRA_CA_CERTS-unset}" "\${MAILV_NODE_EXTRA_CA_CERTS-unset}" > '${seen}'; echo '${ACCOUNT.password}'`;
    // Set and empty, it comes back unset: the #! line cannot tell the two apart (man/mailv.1).
    for (const [value, seenAs] of [
      [testPki().caFile, testPki().caFile],
      [undefined, 'unset'],
      ['', 'unset'],
    ] as const) {
      const run = await runCli(
        ['--server', `127.0.0.1:${auth.port}`, '-q', '--user', ACCOUNT.user, '--password-cmd', command, '-s', 'env', 'bob@example.org'],
        {
          input: 'x\n',
          home,
          asInstalled: true,
          env: { NODE_EXTRA_CA_CERTS: value },
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(readFileSync(seen, 'utf8'), `${seenAs}|unset`);
    }
  });
});
