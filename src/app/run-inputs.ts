// The files a run reads, or keeps messages in: a file named for the run to write (--record,
// --diagram) must be none of them, or writing it would empty what the run needs or keeps (the
// message itself, a password file, every message dead.letter holds).
import { fstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { defaultConfigPath } from '../config/config-file.js';
import { deadLetterPath } from '../delivery/dead-letter.js';
import { homeDirectory } from '../home-directory.js';
import type { Plan } from '../plan.js';
import type { RunInput } from '../record/facts.js';
import type { Run } from './run.js';

/** Files a send's plan names, each with what it is to the run. */
export function planInputs(plan: Plan | undefined): [RunInput, string | undefined][] {
  if (plan === undefined) return [];
  const secret = plan.auth?.secret;
  return [
    ...plan.attachments.map((file): [RunInput, string] => ['attachment', file]),
    ['trust', plan.ca],
    ['trust', plan.clientCert?.cert],
    ['trust', plan.clientCert?.key],
    ['secret', secret?.kind === 'file' ? secret.path : undefined],
    ['config', plan.configFile],
  ];
}

/** Which of the run's inputs the file of `info` is, if any: standard input, dead.letter, or one of `named`. */
export function inputItIs(run: Run, info: Stats, named: readonly (readonly [RunInput, string | undefined])[]): RunInput | undefined {
  const same = (other: Stats | undefined) => other !== undefined && other.dev === info.dev && other.ino === info.ino;
  const stdin = run.io.stdin.kind();
  if (stdin.kind === 'file' && same(statOrNothing(() => fstatSync(stdin.fd)))) return 'stdin';
  // `-` is standard input for the record replayed alone: every other option reads a file of that name.
  for (const [input, file] of named) {
    if (file === undefined || (input === 'record' && file === '-')) continue;
    if (same(statOrNothing(() => statSync(file)))) return input;
  }
  if (same(statOrNothing(() => statSync(deadLetterPath(run.io.env))))) return 'dead-letter';
  // The accounts file at its default place, read when no --config names another.
  if (same(statOrNothing(() => statSync(defaultConfigPath(run.io.env, homeDirectory(run.io.env)))))) return 'config';
  return undefined;
}

function statOrNothing(read: () => Stats): Stats | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Whether two paths name one file: the same name in the same directory (found through its links,
 * for `link/..` is where the link points, not where it stands), or, both there, the same file.
 */
export function namesSameFile(a: string, b: string): boolean {
  if (placeOf(a) === placeOf(b)) return true;
  const first = statOrNothing(() => statSync(a));
  const second = statOrNothing(() => statSync(b));
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

/** A path's directory as the kernel finds it, with the name in it; resolved as text when the directory is not there. */
function placeOf(path: string): string {
  // Joined as text, not resolved: resolve() would take `link/..` away before the kernel follows the link.
  const absolute = isAbsolute(path) ? path : `${resolve()}/${path}`;
  try {
    // The native call, as the kernel walks it: fs.realpathSync() would resolve `..` as text first.
    return `${realpathSync.native(dirname(absolute))}/${basename(absolute)}`;
  } catch {
    return resolve(path);
  }
}
