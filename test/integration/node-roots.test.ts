// Node's own list of CAs looked up in dist/roots (src/node-roots.ts): run as installed, bin/mailv.js
// starts Node with --use-openssl-ca and points OpenSSL at that directory, so the trust is Node's list
// still, never the system's store the flag would otherwise read; a store the user chose is theirs;
// the programs mailv runs get the user's variables back; and the directory is Node's list, whole.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listDigest, ROOTS_DIGEST_FILE } from '../../dist/node-roots.js';
import { ACCOUNT, startAuthSink } from '../helpers/auth-servers.js';
import { testPki } from '../helpers/certificates.js';
import { freshHome, runCli, type CliOptions } from '../helpers/cli.js';
import { startSink, type SmtpSink } from '../helpers/smtp-sink.js';

const ROOTS = fileURLToPath(new URL('../../dist/roots', import.meta.url));
const NODE_ROOTS_MODULE = fileURLToPath(new URL('../../dist/node-roots.js', import.meta.url));

/** A directory as OpenSSL looks certificates up in: `pem` under its subject's hash, and the digest of `list`. */
async function lookupDirectory(pem: string, list: readonly string[]): Promise<string> {
  const directory = join(freshHome(), 'roots');
  mkdirSync(directory);
  const file = join(directory, 'ca.pem');
  writeFileSync(file, pem);
  const hash = execFileSync('openssl', ['x509', '-noout', '-subject_hash', '-in', file], { encoding: 'latin1' }).trim();
  writeFileSync(join(directory, `${hash}.0`), pem);
  writeFileSync(join(directory, ROOTS_DIGEST_FILE), `${await listDigest(list)}\n`);
  return directory;
}

describe("Node's list of CAs looked up, not loaded", () => {
  let smtps: SmtpSink;
  before(async () => {
    smtps = await startSink({ disabledCommands: ['AUTH'], key: testPki().good.key, cert: testPki().good.cert, secure: true });
  });
  after(() => smtps.close());

  const send = (args: string[], options: CliOptions) =>
    runCli(['--server', `smtps://127.0.0.1:${smtps.port}`, '--no-tls-resume', '-s', 'roots', ...args, 'bob@example.org'], {
      input: 'x\n',
      asInstalled: true,
      ...options,
    });

  it("trusts Node's list alone, not the system's store --use-openssl-ca would read; a store the user chose is theirs", async () => {
    const pem = readFileSync(testPki().caFile, 'latin1');
    const store = { SSL_CERT_FILE: testPki().caFile, SSL_CERT_DIR: await lookupDirectory(pem, [pem]) };
    const installed = await send([], { env: store });
    assert.equal(installed.code, 75, `the test CA is in no list of Node's: ${installed.stderr}`);
    assert.match(installed.stderr, /is NOT verified: unknown CA/);
    const chosen = await send([], { env: { ...store, NODE_OPTIONS: '--use-openssl-ca' } });
    assert.equal(chosen.code, 0, `the user's own store trusts it: ${chosen.stderr}`);
    const given = await send(['--ca', testPki().caFile], { env: store });
    assert.equal(given.code, 0, given.stderr);
    assert.equal(smtps.messages.length, 2);
  });

  it('the programs mailv runs get OpenSSL’s variables as the user set them, and nothing of how Node was started', async () => {
    const auth = await startAuthSink(['PLAIN']);
    try {
      const seen = join(freshHome(), 'seen');
      const run = await runCli(
        [
          '--server',
          `127.0.0.1:${auth.port}`,
          '-q',
          '--user',
          ACCOUNT.user,
          '--password-cmd',
          `env > '${seen}'; echo '${ACCOUNT.password}'`,
          '-s',
          'env',
          'bob@example.org',
        ],
        { input: 'x\n', asInstalled: true, env: { SSL_CERT_FILE: '/users/file.pem', SSL_CERT_DIR: '/users/dir' } },
      );
      assert.equal(run.code, 0, run.stderr);
      const env = readFileSync(seen, 'latin1').split('\n');
      assert.ok(env.includes('SSL_CERT_FILE=/users/file.pem') && env.includes('SSL_CERT_DIR=/users/dir'), env.join('\n'));
      assert.deepEqual(
        env.filter((line) => line.startsWith('MAILV_')),
        [],
      );
    } finally {
      await auth.close();
    }
  });

  it("dist/roots is Node's list, each certificate under its subject's hash, with the digest of that list", async () => {
    const files = readdirSync(ROOTS).filter((name) => name !== ROOTS_DIGEST_FILE);
    assert.equal(files.length, rootCertificates.length);
    const held = files.map((name) => readFileSync(join(ROOTS, name), 'latin1').trim());
    assert.deepEqual([...held].sort(), rootCertificates.map((pem) => pem.trim()).sort());
    for (const name of files) {
      const hash = execFileSync('openssl', ['x509', '-noout', '-subject_hash', '-in', join(ROOTS, name)], { encoding: 'latin1' }).trim();
      assert.match(name, new RegExp(`^${hash}\\.\\d$`));
    }
    assert.equal(readFileSync(join(ROOTS, ROOTS_DIGEST_FILE), 'latin1').trim(), await listDigest(rootCertificates));
  });

  it('a directory made for another list is not used: the store stays empty, and the list is given to add', async () => {
    const pem = readFileSync(testPki().caFile, 'latin1');
    // The user's store: a CA of Node's, not the test CA; the list is the test CA alone.
    const usersStore = join(freshHome(), 'users.pem');
    writeFileSync(usersStore, `${rootCertificates[0]}\n`);
    // In a Node started as bin/mailv.js starts it: whether a context without a CA of its own verifies.
    const verdict = async (list: 'same' | 'other', add: boolean) => {
      const script = `
        const { closeOpenSslStore, lookUpNodesList } = await import(${JSON.stringify(NODE_ROOTS_MODULE)});
        const tls = await import('node:tls');
        const pem = ${JSON.stringify(pem)};
        closeOpenSslStore(${JSON.stringify(await lookupDirectory(pem, list === 'same' ? [pem] : [rootCertificates[0]!]))});
        const added = await lookUpNodesList([pem]);
        const context = tls.createSecureContext();
        ${add ? 'for (const certificate of added) context.context.addCACert(certificate);' : ''}
        const socket = tls.connect({ port: ${smtps.port}, host: '127.0.0.1', servername: 'localhost', secureContext: context, rejectUnauthorized: false }, () => {
          console.log(JSON.stringify({ added: added.length, authorized: socket.authorized, error: socket.authorizationError ?? null }));
          socket.destroy();
        });`;
      // Not spawnSync: the server answering the child is this process's.
      const { stdout } = await promisify(execFile)(process.execPath, ['--use-openssl-ca', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        // NODE_EXTRA_CA_CERTS set, Node makes its store at its start, from the user's variables then.
        env: { ...process.env, SSL_CERT_FILE: usersStore, SSL_CERT_DIR: join(usersStore, 'none'), NODE_EXTRA_CA_CERTS: usersStore },
      });
      return JSON.parse(stdout) as { added: number; authorized: boolean; error: string | null };
    };
    assert.deepEqual(await verdict('same', true), { added: 1, authorized: true, error: null });
    // A context given nothing shares the store Node made at its start (when NODE_EXTRA_CA_CERTS is
    // set), from the user's variables, which do not hold the test CA: the reason one certificate of
    // the list is always added.
    assert.deepEqual(await verdict('same', false), { added: 1, authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    assert.deepEqual(await verdict('other', true), { added: 1, authorized: true, error: null });
    assert.deepEqual(await verdict('other', false), { added: 1, authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});
