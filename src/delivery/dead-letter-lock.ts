// One writer at a time in dead.letter: cron jobs that fail together (the relay down at the same
// minute) would otherwise interleave their entries' writes, and one's undo could cut another's
// entry. A dot-lock beside the file (`dead.letter.lock`, made with O_EXCL, as mail(1) and
// liblockfile lock a mailbox), holding `pid@host` so that a lock left by a process that died is
// seen to be stale and taken over.
import { constants, type Stats } from 'node:fs';
import { hostname } from 'node:os';

type Fs = typeof import('node:fs/promises');

/** How long a writer waits for another's entry, the longest a message could take, before it writes regardless. */
const WAIT_MS = 60_000;
/** A lock from another host, whose process cannot be checked, is stale after this long untouched. */
const FOREIGN_STALE_MS = 10 * 60_000;
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 200;

/**
 * Runs `work` holding the lock of `path`. Where no lock can be made (a directory mailv cannot
 * write in, a read-only file system) or none comes free within WAIT_MS, `work` runs unlocked:
 * a message kept at some risk is better than one not kept.
 */
export async function withDeadLetterLock<T>(fs: Fs, path: string, work: () => Promise<T>, waitMs = WAIT_MS): Promise<T> {
  const lockPath = `${path}.lock`;
  const held = await acquire(fs, lockPath, waitMs);
  try {
    return await work();
  } finally {
    if (held) await fs.unlink(lockPath).catch(() => {});
  }
}

async function acquire(fs: Fs, lockPath: string, waitMs: number): Promise<boolean> {
  const owner = `${process.pid}@${hostname()}\n`;
  const deadline = Date.now() + waitMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      const lock = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      await lock.writeFile(owner).finally(() => lock.close());
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    if (await takenOverStale(fs, lockPath)) continue;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Removes the lock when its owner is gone: a process of this host that no longer runs, or an old lock of another host's. */
async function takenOverStale(fs: Fs, lockPath: string): Promise<boolean> {
  let text: string;
  let seen: Stats;
  try {
    seen = await fs.lstat(lockPath);
    // Not a lock mailv made (a symbolic link, a directory): never removed, only waited out.
    if (!seen.isFile()) return false;
    text = await fs.readFile(lockPath, 'latin1');
  } catch {
    // Released between the looks: the next try may take it.
    return true;
  }
  const match = /^(\d+)@(.*)\n$/.exec(text);
  // Half written (its maker is between open and write), or another host's: judged by its age alone.
  const stale = match === null || match[2] !== hostname() ? Date.now() - seen.mtimeMs > FOREIGN_STALE_MS : !running(Number(match[1]));
  if (!stale) return false;
  // Only the lock judged: one another waiter has meanwhile taken over and remade stays.
  const now = await fs.lstat(lockPath).catch(() => undefined);
  if (now?.ino === seen.ino) await fs.unlink(lockPath).catch(() => {});
  return true;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
