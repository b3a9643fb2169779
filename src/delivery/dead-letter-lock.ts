// One writer at a time in dead.letter: cron jobs that fail together (the relay down at the same
// minute) would otherwise interleave their entries' writes, and one's undo could cut another's
// entry. A dot-lock beside the file (`dead.letter.lock`, made with O_EXCL, as mail(1) and
// liblockfile lock a mailbox), holding `pid@host` so that a lock left by a process that died is
// seen to be stale and taken over. Waiting never costs the message: past the wait, on a stop
// signal, or where no lock can be made or judged, the entry is written without one.
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { InterruptSignal } from '../interruption.js';

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
const LONGEST_PAUSE_MS = 200;
/** The locks this process holds: its own number on one of them is no reused number. */
const heldHere = new Set<string>();

/** What stops the wait early: the run's stop signal (the entry is then written at once, unlocked). */
type WaitSignal = Pick<InterruptSignal, 'aborted'>;

/**
 * Runs `work` holding the lock of `path`. Where no lock can be made (a directory mailv cannot
 * write in, a read-only file system), none comes free within `waitMs`, or `stop` is aborted,
 * `work` runs unlocked: a message kept at some risk is better than one not kept.
 */
export async function withDeadLetterLock<T>(fs: Fs, path: string, work: () => Promise<T>, guards: LockGuards = {}): Promise<T> {
  const { stop, hold = (whole) => whole(), waitMs = WAIT_MS } = guards;
  const lockPath = `${path}.lock`;
  const owner = `${process.pid}@${hostname()}\n`;
  const held = await acquire(fs, lockPath, owner, stop, waitMs);
  if (held) heldHere.add(lockPath);
  // The writing and the release in one piece a stop signal cannot cut: no lock is left behind.
  return hold(async () => {
    try {
      return await work();
    } finally {
      if (held) {
        heldHere.delete(lockPath);
        // Only a lock that is still ours: one taken over as stale meanwhile is another writer's now.
        if ((await fs.readFile(lockPath, 'latin1').catch(() => undefined)) === owner) await fs.unlink(lockPath).catch(() => {});
      }
    }
  });
}

/**
 * `stop`: ends the wait at once (the entry is then written unlocked); `hold`: runs the writing and
 * the release so that a stop signal cannot cut them; `waitMs`: the longest wait.
 */
export interface LockGuards {
  readonly stop?: WaitSignal | undefined;
  readonly hold?: (<T>(whole: () => Promise<T>) => Promise<T>) | undefined;
  readonly waitMs?: number;
}

async function acquire(fs: Fs, lockPath: string, owner: string, stop: WaitSignal | undefined, waitMs: number): Promise<boolean> {
  // A monotonic clock: a step of the wall clock neither stretches nor cuts the wait.
  const deadline = performance.now() + waitMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    let lock: FileHandle;
    try {
      lock = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      if (stop?.aborted || performance.now() >= deadline) return false;
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

/** A takeover guard older than this was left by a process that died taking over: gone. */
const GUARD_STALE_MS = 10_000;

/**
 * Removes the lock when its owner is gone (a process of this host that no longer runs, or this
 * very process's number on a lock it does not hold) or it is older than STALE_MS; true when the
 * lock is gone, false while it stands (live, or not removable: waited out). Judged again and
 * removed under a guard (`.takeover`, made with O_EXCL), so that two waiters that judged the same
 * lock stale cannot both remove it, the second one the lock the first has just made.
 */
async function takenOverStale(fs: Fs, lockPath: string, owner: string): Promise<boolean> {
  const seen = await lookAt(fs, lockPath);
  if (seen === 'gone') return true;
  if (!isStale(seen, lockPath, owner)) return false;
  const guardPath = `${lockPath}.takeover`;
  try {
    await (await fs.open(guardPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    const guard = await fs.lstat(guardPath).catch(() => undefined);
    if (guard?.isFile() && Date.now() - guard.mtimeMs > GUARD_STALE_MS) await fs.unlink(guardPath).catch(() => {});
    return false;
  }
  try {
    const now = await lookAt(fs, lockPath);
    if (now === 'gone') return true;
    if (!isStale(now, lockPath, owner)) return false;
    await fs.unlink(lockPath);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  } finally {
    await fs.unlink(guardPath).catch(() => {});
  }
}

/**
 * Whether a lock is stale: older than STALE_MS whatever it holds (even unreadable: another user's
 * left by a run that died), or of this host and naming a process that no longer runs, or this
 * process's own number when it does not hold the lock (a number since reused). Half written (its
 * maker between open and write) or another host's: judged by its age alone. Something that is no
 * lock of mailv's (a directory, a symbolic link) is never stale: waited out, never removed.
 */
function isStale(seen: Seen | undefined, lockPath: string, owner: string): boolean {
  if (seen === undefined || !seen.info.isFile()) return false;
  if (Date.now() - seen.info.mtimeMs > STALE_MS) return true;
  if (seen.text === undefined) return false;
  const match = /^(\d+)@(.*)\n$/.exec(seen.text);
  if (match === null || match[2] !== hostname()) return false;
  if (seen.text === owner) return !heldHere.has(lockPath);
  return !running(Number(match[1]));
}

interface Seen {
  readonly info: Stats;
  /** undefined when the lock cannot be read (another user's, mode 0600). */
  readonly text: string | undefined;
}

/** The lock's metadata and text; 'gone' when there is none; undefined when not even its metadata can be read. */
async function lookAt(fs: Fs, lockPath: string): Promise<Seen | 'gone' | undefined> {
  let info: Stats;
  try {
    info = await fs.lstat(lockPath);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  if (!info.isFile()) return { info, text: undefined };
  const text = await fs.readFile(lockPath, 'latin1').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : undefined));
  return text === null ? 'gone' : { info, text };
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
