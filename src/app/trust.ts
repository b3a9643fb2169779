// What logging in and checking certificates need from outside the command line: the CA file of
// --ca and the secret, both read before any connection is made.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { systemProblem } from '../cli/system-problem.js';
import { InputError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Plan } from '../plan.js';
import type { AuthPlan } from '../smtp/authenticate.js';

export interface Trust {
  readonly extraCa: readonly Buffer[] | undefined;
  readonly auth: AuthPlan | undefined;
}

export const NO_TRUST: Trust = { extraCa: undefined, auth: undefined };

/** Reads the --ca file and the secret; throws InputError, or what reading the secret throws. */
export async function gatherTrust(plan: Plan, signal: AbortSignal): Promise<Trust> {
  const extraCa = plan.ca === undefined ? undefined : [readCaFile(plan.ca)];
  if (plan.auth === undefined || plan.direct) return { extraCa, auth: undefined };
  const { readSecret } = await import('../cli/secret-input.js');
  const request = plan.auth;
  return {
    extraCa,
    auth: {
      credentials: { user: request.user, secret: await readSecret(request.secret, signal) },
      mechanism: request.mechanism,
      token: request.token,
      insecure: plan.insecure,
      allowPlaintextAuth: request.allowPlaintextAuth,
      showSecrets: request.showSecrets,
    },
  };
}

/** A CA bundle far larger than any system's (Debian's holds about 200 KiB). */
const MAX_CA_FILE = 4 * 1024 * 1024;

/**
 * The PEM file of --ca; throws InputError: unreadable, not a regular file or too large (66), or no
 * certificate in it (65). Opened without waiting, so a FIFO nobody writes cannot hold mailv beyond
 * signals, and checked on the open descriptor, so a device cannot feed it without end.
 */
function readCaFile(path: string): Buffer {
  let pem: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InputError({ code: 'MAILV_CA_NOT_FILE', path }, ExitCode.NOINPUT);
    if (info.size > MAX_CA_FILE) throw new InputError({ code: 'MAILV_CA_TOO_LARGE', path, limit: MAX_CA_FILE }, ExitCode.NOINPUT);
    pem = readFileSync(fd);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // `ENOENT: no such file or directory, open '…'`: the code is a fact apart, not words.
    const problem = systemProblem(error);
    throw new InputError({ code: 'MAILV_CA_UNREADABLE', path, ...problem, detail: problem.detail.replace(/^[A-Z]+: /, '') }, ExitCode.NOINPUT);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError({ code: 'MAILV_CA_NO_PEM', path }, ExitCode.DATAERR);
  return pem;
}
