// One writer at a time in dead.letter: cron jobs that fail together (the relay down at the same
// minute) would otherwise interleave their entries' writes, and one's undo could cut another's
// entry. A dot-lock beside the file (`dead.letter.lock`, made with O_EXCL, as mail(1) and
// liblockfile lock a mailbox), holding `pid@host` so that a lock left by a process that died is
// seen to be stale and taken over. Waiting never costs the message: past the wait (a lock that
// cannot be judged is waited out), on a stop signal unless a live writer holds the lock, or where
// no lock can be made, the entry is written without one.
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { InterruptSignal } from '../interruption.js';

type Fs = typeof import('node:fs/promises');

/** How long a writer waits for another's entry before it writes regardless. */
const WAIT_MS = 60_000;
/**
 * After a stop signal, how long more a writer of this host at work on its entry is waited for: an
 * entry takes seconds to write, even of a large message, and the user who stopped mailv is waiting.
 */
const STOPPED_WAIT_MS = 10_000;
/** A wait longer than this is said, once: nothing else shows on the screen meanwhile. */
const SAID_AFTER_MS = 1_000;
/**
 * A lock untouched this long is stale whoever made it: one of another host, whose process cannot
 * be checked, or one whose process number has since gone to another process. An entry takes
 * seconds to write, even of a large message.
 */
const STALE_MS = 10 * 60_000;
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 200;
/**
 * The locks one writer of this process is taking, holds or is releasing. Writers of one process
 * share its number in the lock, so they must not contend for the file: one could take another's
 * half-made lock for a stale one of a reused number, or release another's. Claimed and checked in
 * one step (no await between), a path here has a single contender in this process; the file lock
 * is then between processes alone, and this process's number on a lock its contender does not
 * hold is a number reused.
 */
const contendedHere = new Set<string>();

/**
 * What stops the wait early: the run's stop signal (the entry is then written at once, unlocked),
 * unless a writer known to be at work holds the lock. Written beside its entry, this one would cut
 * it in two, and the whole of that writer's entry is signal-proof: its end comes in seconds. A
 * shutdown signals every run at once, just when several may be keeping their messages.
 */
type WaitSignal = Pick<InterruptSignal, 'aborted'>;

/**
 * Runs `work` holding the lock of `path`. Where no lock can be made (a directory mailv cannot
 * write in, a read-only file system), none comes free within `waitMs`, or `stop` is aborted while
 * no live writer holds it, `work` runs unlocked: a message kept at some risk is better than one
 * not kept. Stopped while a live writer holds it, the wait goes on a few seconds more, inside what
 * `hold` keeps whole: a second signal then waits for this entry too, and never loses it.
 */
export async function withDeadLetterLock<T>(fs: Fs, path: string, work: () => Promise<T>, guards: LockGuards = {}): Promise<T> {
  const { stop, hold = (whole) => whole(), waitMs = WAIT_MS, waiting } = guards;
  // Resolved: two writers reaching the file by two spellings of its path are one contender's turn.
  const lockPath = `${resolve(path)}.lock`;
  const owner = `${process.pid}@${hostname()}\n`;
  let said = false;
  const tell = () => {
    if (said) return;
    said = true;
    waiting?.(lockPath);
  };
  const first = await acquire(fs, lockPath, owner, stop, waitMs, tell);
  // The writing and the release in one piece a stop signal cannot cut: no lock is left behind.
  return hold(async () => {
    const held =
      first === 'live-writer' ? (await acquire(fs, lockPath, owner, undefined, Math.min(waitMs, STOPPED_WAIT_MS), tell)) === 'held' : first === 'held';
    try {
      return await work();
    } finally {
      if (held) {
        // Only a lock that is still ours: one taken over as stale meanwhile is another process's now.
        if ((await fs.readFile(lockPath, 'latin1').catch(() => undefined)) === owner) await fs.unlink(lockPath).catch(() => {});
        contendedHere.delete(lockPath);
      }
    }
  });
}

/**
 * `stop`: ends the wait (the entry is then written unlocked, or after a live writer's, see
 * withDeadLetterLock); `hold`: runs the writing and the release so that a stop signal cannot cut
 * them; `waitMs`: the longest wait; `waiting`: told, once, of a wait that lasts (the lock's path).
 */
export interface LockGuards {
  readonly stop?: WaitSignal | undefined;
  readonly hold?: (<T>(whole: () => Promise<T>) => Promise<T>) | undefined;
  readonly waitMs?: number;
  readonly waiting?: ((lockPath: string) => void) | undefined;
}

/**
 * Waits for the lock up to `waitMs`: held, to go unlocked, or (`stop` aborted) a live writer at
 * work holds it, for the caller to wait for where a second signal cannot cut the wait.
 */
async function acquire(
  fs: Fs,
  lockPath: string,
  owner: string,
  stop: WaitSignal | undefined,
  waitMs: number,
  waiting: () => void,
): Promise<'held' | 'unlocked' | 'live-writer'> {
  // A monotonic clock: a step of the wall clock neither stretches nor cuts the wait.
  const started = performance.now();
  const deadline = started + waitMs;
  const waitedOut = () => performance.now() >= deadline;
  const pauseFor = async (ms: number) => {
    if (performance.now() - started >= SAID_AFTER_MS) waiting();
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    // Another writer of this process is at work on its entry: waited for, a stop signal or not.
    if (contendedHere.has(lockPath)) {
      if (waitedOut()) return 'unlocked';
      if (stop?.aborted === true) return 'live-writer';
      await pauseFor(pause);
      continue;
    }
    contendedHere.add(lockPath);
    const outcome = await tryOnce(fs, lockPath, owner, waitedOut, stop).catch(() => 'unlocked' as const);
    if (outcome === 'held') return 'held';
    contendedHere.delete(lockPath);
    if (outcome === 'unlocked' || outcome === 'live-writer') return outcome;
    // Taken over: tried again at once; otherwise waited for, within the deadline.
    if (outcome === 'busy') await pauseFor(pause);
  }
}

/**
 * One try at the lock by this process's single contender: held, busy (waited for), taken over
 * (tried again at once), to go unlocked, or (after a stop signal) held by a live writer.
 */
async function tryOnce(
  fs: Fs,
  lockPath: string,
  owner: string,
  waitedOut: () => boolean,
  stop: WaitSignal | undefined,
): Promise<'held' | 'busy' | 'taken-over' | 'unlocked' | 'live-writer'> {
  let lock: FileHandle;
  try {
    lock = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || waitedOut()) return 'unlocked';
    if (await takenOverStale(fs, lockPath, owner)) return 'taken-over';
    if (stop?.aborted !== true) return 'busy';
    return liveWriter(await lookAt(fs, lockPath), owner) ? 'live-writer' : 'unlocked';
  }
  try {
    await lock.writeFile(owner);
    return 'held';
  } catch {
    // A full disk: an empty lock left there would hold up every writer after this one.
    await fs.unlink(lockPath).catch(() => {});
    return 'unlocked';
  } finally {
    await lock.close().catch(() => {});
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
  if (!isStale(seen, owner)) return false;
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
    if (!isStale(now, owner)) return false;
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
 * process's own number, which its one contender (the judge) does not hold: a number since reused.
 * A process number alone (`1234\n`, as liblockfile and dotlockfile write a lock) is read as this
 * host's, as they read it. Half written (its maker between open and write) or another host's:
 * judged by its age alone.
 * Something that is no lock of mailv's (a directory, a symbolic link) is never stale: waited out,
 * never removed.
 */
function isStale(seen: Seen | undefined, owner: string): boolean {
  if (seen === undefined || !seen.info.isFile()) return false;
  if (Date.now() - seen.info.mtimeMs > STALE_MS) return true;
  const named = seen.text === undefined ? undefined : processOfThisHost(seen.text);
  if (named === undefined) return false;
  // Only this process's contender judges a lock, and it does not hold this one; nor does this
  // process write a number alone.
  if (seen.text === owner || (named.bare && named.pid === process.pid)) return true;
  return !running(named.pid);
}

/** Whether a lock is held by a process of this host that runs, and not stale: a writer at work. */
function liveWriter(seen: Seen | 'gone' | undefined, owner: string): boolean {
  if (seen === undefined || seen === 'gone' || seen.text === undefined || isStale(seen, owner)) return false;
  const named = processOfThisHost(seen.text);
  return named !== undefined && running(named.pid);
}

/**
 * The process a lock names when it is one of this host: `pid@host`, or a number alone (`bare`),
 * read as this host's; undefined for another host's, or text of neither form.
 */
function processOfThisHost(text: string): { readonly pid: number; readonly bare: boolean } | undefined {
  const match = /^(\d+)(?:@(.*))?\n$/.exec(text);
  if (match === null || (match[2] !== undefined && match[2] !== hostname())) return undefined;
  return { pid: Number(match[1]), bare: match[2] === undefined };
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
