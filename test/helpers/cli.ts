// Runs the built mailv CLI as a separate process, as a user would, with a private HOME.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAILV = fileURLToPath(new URL('../../bin/mailv.js', import.meta.url));

/**
 * This machine's name as mailv gives it in EHLO, after a bare user name and in Message-IDs: the host
 * name in lower case, `.localdomain` added to a name without a dot (man/mailv.1). Tests compute it
 * rather than spell it, so that they pass on a machine of any name.
 */
export const LOCAL_HOST = hostname()
  .trim()
  .toLowerCase()
  .replace(/^[^.]*$/, '$&.localdomain');
/** LOCAL_HOST inside a regular expression. */
export const LOCAL_HOST_PATTERN = LOCAL_HOST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  /** The HOME the run had: dead.letter lands here. */
  readonly home: string;
}

export interface CliOptions {
  readonly input?: string | Buffer;
  /** Standard input redirected from this file (`< path`), its offset moved past `skip` octets first. */
  readonly stdinFile?: { readonly path: string; readonly skip?: number };
  readonly env?: Record<string, string | undefined>;
  readonly home?: string;
  /** The directory mailv runs in (relative paths are read from it). */
  readonly cwd?: string;
  /** Run bin/mailv.js itself, through its #! line, as a command installed by npm is, rather than by `node bin/mailv.js`. */
  readonly asInstalled?: boolean;
}

const homes: string[] = [];
process.on('exit', () => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A private HOME, removed when the test process ends. */
export function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mailv-test-home-'));
  homes.push(home);
  return home;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const home = options.home ?? freshHome();
  // English unless a test asks otherwise: mailv speaks the locale's language, and the suite must
  // not depend on the machine's.
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    USER: 'tester',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    let stdinFd: number | undefined;
    if (options.stdinFile) {
      stdinFd = openSync(options.stdinFile.path, 'r');
      const skip = options.stdinFile.skip ?? 0;
      if (skip > 0) readSync(stdinFd, Buffer.alloc(skip), 0, skip, null); // moves the shared offset, as `read` in a shell would
    }
    // Installed, the #! line finds node on PATH: this one, first.
    if (options.asInstalled === true) env['PATH'] = `${dirname(process.execPath)}:${env['PATH']}`;
    const [command, commandArgs] = options.asInstalled === true ? [MAILV, args] : [process.execPath, [MAILV, ...args]];
    const child = spawn(command, commandArgs, { env, cwd: options.cwd, stdio: [stdinFd ?? 'pipe', 'pipe', 'pipe'] });
    if (stdinFd !== undefined) closeSync(stdinFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8'), home });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // mailv may exit before reading all input
      child.stdin.end(options.input ?? '');
    }
  });
}

/** Lines of a transcript without the variable parts (ports). */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
