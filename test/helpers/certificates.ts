// Certificates made with openssl at test time, one of each kind a client must tell apart: signed
// by a test CA for 127.0.0.1 and localhost, for another name, expired, and self-signed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  readonly key: Buffer;
  readonly cert: Buffer;
}

export interface TestPki {
  /** The CA's certificate, as --ca takes it. */
  readonly caFile: string;
  /** Signed by the CA for DNS:localhost, IP:127.0.0.1, IP:::1. */
  readonly good: KeyPair;
  /** Signed by the CA for DNS:mail.example.org only. */
  readonly wrongName: KeyPair;
  /** Signed by the CA, CN=mail.example.org and no subjectAltName: names no host (RFC 9525 §6.3). */
  readonly commonNameOnly: KeyPair;
  /** Signed by the CA for DNS:m*.example.org and DNS:other.example.org: a wildcard that is not a whole label names nothing (RFC 9525 §6.3). */
  readonly partialWildcard: KeyPair;
  /** Signed by the CA for DNS:*.example.org. */
  readonly wildcard: KeyPair;
  /** Signed by the CA for 127.0.0.1, valid only in January 2020. */
  readonly expired: KeyPair;
  /** Signed by itself, for 127.0.0.1. */
  readonly selfSigned: KeyPair;
}

const LOOPBACK_NAMES = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1';

let made: TestPki | undefined;

/** The test PKI, made once per test process in a temporary directory. */
export function testPki(): TestPki {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'mailv-pki-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...keyArgs, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/O=mailv tests/CN=mailv test CA']);
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = any',
      'copy_extensions = copy',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const signed = (name: string, commonName: string, altNames: string, dates: string[]): KeyPair => {
    run(['req', ...keyArgs, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`, '-addext', altNames]);
    run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', ...dates]);
    return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
  };
  run(['req', '-x509', ...keyArgs, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', LOOPBACK_NAMES]);
  made = {
    caFile: join(dir, 'ca.pem'),
    good: signed('good', 'localhost', LOOPBACK_NAMES, ['-days', '2']),
    wrongName: signed('wrong-name', 'mail.example.org', 'subjectAltName=DNS:mail.example.org', ['-days', '2']),
    commonNameOnly: signed('cn-only', 'mail.example.org', 'keyUsage=digitalSignature', ['-days', '2']),
    partialWildcard: signed('partial-wildcard', 'mail.example.org', 'subjectAltName=DNS:m*.example.org,DNS:other.example.org', ['-days', '2']),
    wildcard: signed('wildcard', 'mail.example.org', 'subjectAltName=DNS:*.example.org', ['-days', '2']),
    expired: signed('expired', 'localhost', LOOPBACK_NAMES, ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']),
    selfSigned: { key: readFileSync(join(dir, 'self.key')), cert: readFileSync(join(dir, 'self.pem')) },
  };
  return made;
}
