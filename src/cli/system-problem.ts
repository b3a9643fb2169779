// A failure of the system (a file, a directory, a command) as a fact: the words name the common
// causes from the code, and fall back on the system's own account.
import type { SystemProblem } from './facts.js';

/** What Node said of a failure: its code (ENOENT, EACCES…) when it has one, and its message. */
export function systemProblem(error: unknown): SystemProblem {
  return { errno: (error as NodeJS.ErrnoException).code, detail: (error as Error).message };
}
