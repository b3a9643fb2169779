// The system's errors in English, for the files and outputs mailv writes or reads: a code mailv
// knows in its own words, any other in Node's.
import type { SystemProblem } from '../../cli/facts.js';

const ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EBADF: 'file descriptor not open',
  ENXIO: 'nobody reads it (a FIFO without a reader)',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'device or resource busy',
  EEXIST: 'it exists already',
  ENODEV: 'no such device',
  EXDEV: 'not on the same file system',
  EPIPE: 'the reader went away',
};

/**
 * A file's system error in words: `known`'s for its code (a message's own, `no such file`), else
 * these; a code not listed in Node's words for it, without the code before them and the call and
 * path after (`ETXTBSY: text file is busy, open '/x'`: the path is said by the line already).
 */
export const systemProblem = ({ errno, detail }: SystemProblem, known: Readonly<Record<string, string>> = {}): string =>
  (errno !== undefined ? (known[errno] ?? ERRNO[errno]) : undefined) ??
  (errno === undefined ? detail : detail.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+(?: '[\s\S]*)?$/, ''));
