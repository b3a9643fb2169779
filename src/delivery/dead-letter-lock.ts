// One writer at a time in dead.letter: cron jobs that fail together (the relay down at the same
// minute) would otherwise interleave their entries' writes, and one's undo could cut another's
// entry. A dot-lock beside the file (`dead.letter.lock`, made with O_EXCL, as mail(1) and
// liblockfile lock a mailbox), holding `pid@host` so that a lock left by a process that died is
// seen to be stale and taken over. Waiting never costs the message: past the wait, on a stop
// signal, or where no lock can be made or judged, the entry is written without one.
import { constants, type Stats } from 'node:fs';
import { hostname } from 'node:os';

type Fs = typeof import('node:fs/promises');

/** How long a writer waits for another's entry before it writes regardless. */
const WAIT_MS = 60_000;
/**
 * A lock untouched this long is stale whoever made it: one of another host, whose process cannot
 * be checked, or one whose process number has since gone to another process. An entry takes
 * seconds to write, even of a large message.
 */
const STALE_MS = 10 * 60_000;
const FIRST_PAUSE_MS = 10;
/** The locks this process holds: its own number on one of them is no reused number. */
const heldHere = new Set<string>();
const LONGEST_PAUSE_MS = 200;

/** What stops the wait early: the run's stop signal (the entry is then written at once, unlocked). */
export interface WaitSignal {
  readonly aborted: boolean;
}

/**
 * Runs `work` holding the lock of `path`. Where no lock can be made (a directory mailv cannot
 * write in, a read-only file system), none comes free within `waitMs`, or `stop` is aborted,
 * `work` runs unlocked: a message kept at some risk is better than one not kept.
 */
export async function withDeadLetterLock<T>(fs: Fs, path: string, work: () => Promise<T>, stop?: WaitSignal, waitMs = WAIT_MS): Promise<T> {
  const lockPath = `${path}.lock`;
  const owner = `${process.pid}@${hostname()}\n`;
  const held = await acquire(fs, lockPath, owner, stop, waitMs);
  if (held) heldHere.add(lockPath);
  try {
    return await work();
  } finally {
    if (held) {
      heldHere.delete(lockPath);
      // Only a lock that is still ours: one taken over as stale meanwhile is another writer's now.
      if ((await fs.readFile(lockPath, 'latin1').catch(() => undefined)) === owner) await fs.unlink(lockPath).catch(() => {});
    }
  }
}

async function acquire(fs: Fs, lockPath: string, owner: string, stop: WaitSignal | undefined, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    let lock: import('node:fs/promises').FileHandle;
    try {
      lock = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      if (stop?.aborted || Date.now() >= deadline) return false;
      // Taken over: tried again at once; otherwise waited for, within the deadline.
      if (await takenOverStale(fs, lockPath, owner)) continue;
      await new Promise((resolve) => setTimeout(resolve, pause));
      continue;
    }
    try {
      await lock.writeFile(owner);
      return true;
    } catch {
      // A full disk: an empty lock left there would hold up every writer after this one.
      await fs.unlink(lockPath).catch(() => {});
      return false;
    } finally {
      await lock.close().catch(() => {});
    }
  }
}

/**
 * Removes the lock when its owner is gone (a process of this host that no longer runs, or this
 * very process's number on a lock it does not hold) or it is older than STALE_MS; true when the
 * lock is gone, false while it stands (live, or neither readable nor removable: waited out).
 */
async function takenOverStale(fs: Fs, lockPath: string, owner: string): Promise<boolean> {
  const seen = await lookAt(fs, lockPath);
  if (seen === 'gone') return true;
  // Not a lock mailv made (a symbolic link, a directory), or unreadable (another user's): waited out.
  if (seen === undefined || !seen.info.isFile()) return false;
  const match = /^(\d+)@(.*)\n$/.exec(seen.text);
  const old = Date.now() - seen.info.mtimeMs > STALE_MS;
  // Half written (its maker between open and write), or another host's: judged by its age alone.
  const reused = seen.text === owner && !heldHere.has(lockPath);
  const stale = old || (match !== null && match[2] === hostname() && (reused || !running(Number(match[1]))));
  if (!stale) return false;
  // The very lock judged, unchanged: one another waiter has meanwhile taken over and remade may
  // have the same inode, but not the same time and owner as well.
  const now = await lookAt(fs, lockPath);
  if (now === 'gone') return true;
  if (now === undefined || now.info.ino !== seen.info.ino || now.info.mtimeMs !== seen.info.mtimeMs || now.text !== seen.text) return false;
  try {
    await fs.unlink(lockPath);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** The lock's metadata and text; 'gone' when there is none; undefined when it cannot be read. */
async function lookAt(fs: Fs, lockPath: string): Promise<{ info: Stats; text: string } | 'gone' | undefined> {
  try {
    const info = await fs.lstat(lockPath);
    if (!info.isFile()) return { info, text: '' };
    return { info, text: await fs.readFile(lockPath, 'latin1') };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
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
