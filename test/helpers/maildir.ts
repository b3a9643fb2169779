// Reading back what a real mail server delivered to a Maildir: the file holding a test's unique
// marker (its Message-ID), among those that arrived while this test process runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** When this test process began, less a margin for a clock that rounds to the second. */
const STARTED_MS = Date.now() - 2000;

/** The files of `directory`, none while the server has not made it yet (some do at the first delivery). */
function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Waits for the message holding `marker` in the Maildir folder `directory` (a `new/`); its bytes as stored. */
export async function deliveredTo(directory: string, marker: string, timeoutMs = 15_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const name of filesIn(directory)) {
      const path = join(directory, name);
      // Mail of earlier runs stays in the Maildir: what came before this process cannot be ours.
      if (statSync(path).mtimeMs < STARTED_MS) continue;
      const data = readFileSync(path);
      if (data.includes(marker)) return data;
    }
    await sleep(100);
  }
  throw new Error(`no message with ${marker} in ${directory} after ${timeoutMs} ms`);
}
