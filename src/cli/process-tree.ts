// Ending a command mailv started together with everything it started in turn: a shell killed alone
// leaves its children running, orphaned (`--password-cmd 'sleep 30; pass show x'`).
import { readFileSync } from 'node:fs';

/**
 * Sends `signal` to `pid` and to its descendants, found through /proc before any of them is
 * signalled (a dead parent's children are handed to init and could no longer be found). Where
 * /proc cannot tell, `pid` alone is signalled.
 */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const each of [pid, ...descendants(pid)]) {
    try {
      process.kill(each, signal);
    } catch {
      // Gone already.
    }
  }
}

function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const child of childrenOf(pid)) found.push(child, ...descendants(child));
  return found;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
