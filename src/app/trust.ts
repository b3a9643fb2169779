// What logging in and checking certificates need from outside the command line: the CA file of
// --ca, the client certificate and its key, and the secret, all read before any connection is made.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { PemOption } from '../cli/facts.js';
import { systemProblem } from '../cli/system-problem.js';
import { InputError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan } from '../plan.js';
import type { Run } from './run.js';
import type { AuthPlan } from '../smtp/authenticate.js';
import { quitsBeforeAuth } from '../smtp/quit-points.js';
import type { ClientIdentity, NodeExtraCa } from '../smtp/connection.js';
import { nodeExtraCaOf } from './node-extra-ca.js';
import { readUpTo, wholeDer } from './pem.js';

export interface Trust {
  readonly extraCa: readonly Buffer[] | undefined;
  /** The certificates of NODE_EXTRA_CA_CERTS when the handshakes must add them (see nodeExtraCaOf). */
  readonly nodeExtraCa?: NodeExtraCa | undefined;
  readonly auth: AuthPlan | undefined;
  /** --tls-cert and --tls-key, read and checked to make a pair. */
  readonly clientIdentity?: ClientIdentity | undefined;
}

/** A private key file that anyone on the machine may read: its path and mode. */
interface ExposedKey {
  readonly path: string;
  readonly mode: number;
}

export const NO_TRUST: Trust = { extraCa: undefined, auth: undefined };

/** What --ca, --tls-cert and --tls-key name, read and checked. */
interface TrustFiles {
  readonly extraCa: readonly Buffer[] | undefined;
  readonly client: { identity: ClientIdentity; exposed: ExposedKey | undefined } | undefined;
}

/** Each plan's files, read once: checked before the message is read, used once it is. */
const trustFilesOf = new WeakMap<Plan, Promise<TrustFiles>>();

/**
 * Reads the --ca file and the client certificate and its key, once for `plan`; throws InputError.
 * Called before standard input is read, as the attachments are opened: a file missing or a key
 * that is not the certificate's must not wait for a message typed in full, or keep one.
 */
export function readTrustFiles(plan: Plan): Promise<TrustFiles> {
  let files = trustFilesOf.get(plan);
  if (files === undefined) {
    files = (async () => ({
      extraCa: plan.ca === undefined ? undefined : [readPemFile(plan.ca, plan.caFromConfig === true ? 'ca' : undefined, 'certificates').pem],
      client: plan.clientCert === undefined ? undefined : await readClientIdentity(plan.clientCert),
    }))();
    trustFilesOf.set(plan, files);
  }
  return files;
}

/**
 * The --ca file, the client certificate (see readTrustFiles) and the secret; throws InputError, or
 * what reading the secret throws. A private key that others may read is used, and said (ssh would
 * refuse it; a certificate is public, the key is not).
 */
export async function gatherTrust(run: Run, plan: Plan): Promise<Trust> {
  const { extraCa, client } = await readTrustFiles(plan);
  const clientIdentity = client?.identity;
  const nodeExtraCa = nodeExtraCaOf(run, extraCa);
  if (client?.exposed !== undefined && plan.verbosity > 0) run.note({ code: 'client-key-readable', ...client.exposed });
  // A probe that stops before AUTH never sends the secret: it is neither read nor asked for (a
  // password command run, a prompt under cron).
  if (plan.auth === undefined || plan.direct || quitsBeforeAuth(plan.quitAfter)) return { extraCa, nodeExtraCa, auth: undefined, clientIdentity };
  const { readSecret } = await import('../cli/secret-input.js');
  const request = plan.auth;
  const signal = run.interrupt.signal;
  return {
    extraCa,
    nodeExtraCa,
    clientIdentity,
    auth: {
      credentials: {
        user: request.user,
        secret: await readSecret(request.secret, signal, (file) => {
          if (plan.verbosity > 0) run.note({ code: 'secret-file-readable', ...file });
        }),
      },
      mechanism: request.mechanism,
      token: request.token,
      insecure: plan.insecure,
      allowPlaintextAuth: request.allowPlaintextAuth,
      showSecrets: request.showSecrets,
      // With --show-secrets the replies come unmasked: the error lines mask what AUTH sent all the
      // same. Without, the dialogue masks them before the error lines are made of them.
      alsoMask: request.showSecrets ? (secret, kind) => run.hide(secret, kind) : undefined,
    },
  };
}

/** A CA bundle far larger than any system's (Debian's holds about 200 KiB). */
const MAX_CA_FILE = 4 * 1024 * 1024;

/**
 * The certificate and key of --tls-cert and --tls-key (one file may hold both), checked to make a
 * pair now rather than at a handshake: a key that does not match, or is encrypted (mailv asks for
 * no passphrase), is the files' fault (65), said before anything is sent.
 */
async function readClientIdentity({
  cert: certPath,
  key: keyGiven,
  certFromConfig,
  keyFromConfig,
}: NonNullable<Plan['clientCert']>): Promise<{ identity: ClientIdentity; exposed: ExposedKey | undefined }> {
  // Named as they were given: an option, or the accounts file's key.
  const certOption = certFromConfig === true ? 'tls-cert' : '--tls-cert';
  const certFile = readPemFile(certPath, certOption, 'certificates');
  const cert = certFile.pem;
  // One file for both, as curl --cert takes it, unless --tls-key names one.
  const keyPath = keyGiven ?? certPath;
  const keyOption = keyGiven === undefined ? certOption : keyFromConfig === true ? 'tls-key' : '--tls-key';
  const keyFile = keyGiven === undefined ? certFile : readPemFile(keyGiven, keyOption, 'key');
  const key = keyFile.pem;
  if (!key.includes('PRIVATE KEY-----'))
    throw new InputError({ code: 'MAILV_CA_NO_PEM', path: keyPath, option: keyOption, wanted: 'private-key' }, ExitCode.DATAERR);
  const { createSecureContext } = await import('node:tls');
  const unusable = (reason: 'mismatch' | 'not-first' | 'encrypted' | 'unusable', openssl: string | undefined) =>
    new InputError({ code: 'MAILV_CLIENT_CERT_UNUSABLE', cert: certPath, key: keyPath, certOption, keyOption, reason, openssl }, ExitCode.DATAERR);
  /** OpenSSL's code when it found the key not the certificate's. */
  let mismatch: string | undefined;
  try {
    // No CA: only the pair is checked here, and Node would parse its whole list of CAs for a store
    // this context never uses (about 25 ms; a dry run makes no other context).
    createSecureContext({ cert, key, ca: [] });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') throw unusable(code === 'ERR_OSSL_BAD_DECRYPT' ? 'encrypted' : 'unusable', code);
    mismatch = code;
  }
  // Asked even when OpenSSL took the pair: it keeps a certificate and a key for each key type, so a
  // key of another type than the first certificate's is no mismatch to it, and no certificate would go.
  const owner = await whoseKey(cert, key);
  if (owner === 'later') throw unusable('not-first', mismatch);
  if (owner === 'none' || mismatch !== undefined) throw unusable('mismatch', mismatch);
  // A group may be meant to share it (Debian's ssl-cert); anyone on the machine never is.
  const exposed = (keyFile.mode & 0o004) !== 0 ? { path: keyPath, mode: keyFile.mode & 0o7777 } : undefined;
  return { identity: { cert, key }, exposed };
}

/**
 * Which certificate of the file the key belongs to. OpenSSL takes the first for the client's own:
 * a key of one further down is a chain in the wrong order, not a wrong key, and is said so.
 * `unknown`: OpenSSL cannot read the key or the first certificate apart, and has the last word.
 */
async function whoseKey(certPem: Buffer, keyPem: Buffer): Promise<'first' | 'later' | 'none' | 'unknown'> {
  // Every label OpenSSL reads a certificate under (X509 CERTIFICATE, TRUSTED CERTIFICATE), so that the first is the first.
  const blocks = certPem.toString('latin1').match(/-----BEGIN [A-Z0-9 ]*CERTIFICATE-----[^-]+-----END [A-Z0-9 ]*CERTIFICATE-----/g) ?? [];
  const { X509Certificate, createPrivateKey } = await import('node:crypto');
  const readable = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const key = readable(() => createPrivateKey(keyPem));
  const belongs = (block: string) => (key === undefined ? undefined : readable(() => new X509Certificate(block).checkPrivateKey(key)));
  const first = blocks[0] === undefined ? undefined : belongs(blocks[0]);
  if (first === undefined) return 'unknown';
  if (first) return 'first';
  return blocks.slice(1).some((block) => belongs(block) === true) ? 'later' : 'none';
}

/**
 * A PEM file: --ca's (`option` undefined), --tls-cert's or --tls-key's (or the accounts file's); throws InputError:
 * unreadable, not a regular file or too large (66), or, when it `holds` certificates, none in it
 * (65; a key file's content is checked by the caller). Opened without waiting, so a FIFO nobody writes cannot hold
 * mailv beyond signals, and checked on the open descriptor, so a device cannot feed it without end.
 */
function readPemFile(path: string, option: PemOption | undefined, holds: 'certificates' | 'key'): { pem: Buffer; mode: number } {
  const named = option === undefined ? {} : { option };
  const tooLarge = () => new InputError({ code: 'MAILV_CA_TOO_LARGE', path, limit: MAX_CA_FILE, ...named }, ExitCode.NOINPUT);
  let pem: Buffer;
  let mode: number;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InputError({ code: 'MAILV_CA_NOT_FILE', path, ...named }, ExitCode.NOINPUT);
    if (info.size > MAX_CA_FILE) throw tooLarge();
    mode = info.mode;
    // Read to the limit whatever the size said: a file may say it is empty and never end (/proc's).
    pem = readUpTo(fd, MAX_CA_FILE);
    if (pem.length > MAX_CA_FILE) throw tooLarge();
  } catch (error) {
    if (error instanceof InputError) throw error;
    // `ENOENT: no such file or directory, open '…'`: the code is a fact apart, not words.
    const problem = systemProblem(error);
    throw new InputError({ code: 'MAILV_CA_UNREADABLE', path, ...named, ...problem, detail: problem.detail.replace(/^[A-Z]+: /, '') }, ExitCode.NOINPUT);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (holds === 'certificates' && !pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new InputError({ code: 'MAILV_CA_NO_PEM', path, ...named }, ExitCode.DATAERR);
  const damaged = holds === 'certificates' ? firstDamagedCertificate(pem) : undefined;
  if (damaged !== undefined) throw new InputError({ code: 'MAILV_CA_DAMAGED', path, ...named, certificate: damaged }, ExitCode.DATAERR);
  return { pem, mode };
}

/**
 * The number (from 1) of the file's first certificate that is not one whole DER structure in
 * base64, as msmtp and swaks refuse it: Node's trust store drops such a block without a word, and
 * the send would fail later as "unknown CA". Read without node:crypto, which a send that verifies
 * a certificate with --ca would otherwise load for this alone.
 */
function firstDamagedCertificate(pem: Buffer): number | undefined {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----([^-]*)(-----END CERTIFICATE-----)?/g) ?? [];
  const index = blocks.findIndex((block) => !wholeDer(block));
  return index === -1 ? undefined : index + 1;
}
