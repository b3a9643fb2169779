// Node's own list of CAs, looked up rather than loaded. At a process's first TLS context Node parses
// its whole list (144 certificates, through OpenSSL 3's decoders) into a store: about 25 ms of every
// run that makes a handshake, most of what a 587 send costs beyond a plain one. bin/mailv.js starts
// Node with --use-openssl-ca, whose store OpenSSL fills from SSL_CERT_FILE and SSL_CERT_DIR when a
// context is made, and mailv points SSL_CERT_DIR at dist/roots: the same list, a file a certificate,
// named by the hash of its subject (bin/build.mjs), of which OpenSSL reads only the issuer it looks
// for. The trust is Node's list still, nothing of the system's store: the directory is used only
// when it holds the list of the Node that runs (its digest, written beside it, says so), else Node's
// list is added to each context, as Node would have loaded it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file of dist/roots that holds the SHA-256 of the list the directory was made from (see listDigest). */
export const ROOTS_DIGEST_FILE = 'list.sha256';

/** The variables OpenSSL's default store is read from; the user's own values are theirs, and their programs'. */
const STORE_VARIABLES = ['SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

/** The directory, and the user's values of the variables, once main() has closed the store (see closeOpenSslStore). */
let closed: { readonly directory: string; readonly users: Readonly<Record<string, string | undefined>> } | undefined;

/** What each context must add, once decided (see lookUpNodesList). */
let decided: readonly Buffer[] | undefined;

/**
 * Under the launcher's --use-openssl-ca, points OpenSSL's store at nothing until a handshake's
 * context is made (lookUpNodesList): a context made otherwise trusts no CA at all, never the
 * system's store that --use-openssl-ca would otherwise read. Called by main(), before anything else.
 */
export function closeOpenSslStore(directory: string): void {
  closed = { directory, users: Object.fromEntries(STORE_VARIABLES.map((name) => [name, process.env[name]])) };
  for (const name of STORE_VARIABLES) process.env[name] = join(directory, 'none');
}

/**
 * The digest bin/build.mjs writes for a list, and mailv compares: Node's list, one PEM block after
 * another. node:crypto is loaded here, not with the module, which every run loads (main()).
 */
export async function listDigest(rootCertificates: readonly string[]): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(rootCertificates.join('\n')).digest('hex');
}

/**
 * Points OpenSSL's store at the directory when it holds Node's list `rootCertificates`; called as a
 * handshake's context is about to be made. Returns what each context must add itself, which gives it
 * a store of its own, made from the variables as they are then (addCACert's): the store a context
 * without any shares is the first one made in the process, which may be older (Node makes it at its
 * start when NODE_EXTRA_CA_CERTS is set, from the user's variables: the system's store). So one
 * certificate of Node's own list (no trust added), or the whole list when the
 * directory cannot stand for it (made for another Node, or missing), the store staying empty.
 * Decided once a process. Nothing to do (and nothing added) when main() did not close the store.
 */
export async function lookUpNodesList(rootCertificates: readonly string[]): Promise<readonly Buffer[]> {
  if (closed === undefined) return [];
  if (decided !== undefined) return decided;
  const holdsTheList = readDigest(closed.directory) === (await listDigest(rootCertificates));
  if (decided !== undefined) return decided;
  // SSL_CERT_FILE stays a file that is not there: certificates come from the directory alone.
  if (holdsTheList) process.env['SSL_CERT_DIR'] = closed.directory;
  decided = [Buffer.from(holdsTheList ? rootCertificates.slice(0, 1).join('') : rootCertificates.join('\n'), 'latin1')];
  return decided;
}

/** The environment for a program mailv runs (--password-cmd): the user's, OpenSSL's variables as they were. */
export function usersEnvironment(): NodeJS.ProcessEnv {
  if (closed === undefined) return process.env;
  const env = { ...process.env };
  for (const [name, value] of Object.entries(closed.users)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function readDigest(directory: string): string | undefined {
  try {
    return readFileSync(join(directory, ROOTS_DIGEST_FILE), 'latin1').trim();
  } catch {
    return undefined;
  }
}
