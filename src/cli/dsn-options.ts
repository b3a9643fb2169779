// --notify, --ret and --envid → the plan's DsnRequest (RFC 3461), each value checked before any
// connection is made. Pure; the same checks serve sendmail's -N, -R and -V.
import { UsageError } from '../errors.js';
import type { DsnRequest } from '../plan.js';
import { ENVID_MAX } from '../smtp/dsn.js';

type NotifyKind = 'success' | 'failure' | 'delay';
const NOTIFY_KINDS: readonly NotifyKind[] = ['success', 'failure', 'delay'];

/** The request, or undefined when none of the three was given (then nothing of DSN is sent). */
export function dsnRequest(notify: string | undefined, ret: 'full' | 'hdrs' | undefined, envid: string | undefined): DsnRequest | undefined {
  if (notify === undefined && ret === undefined && envid === undefined) return undefined;
  return { notify: notify === undefined ? undefined : parseNotify(notify), ret, envid: envid === undefined ? undefined : checkEnvid(envid) };
}

/** RFC 3461 §4.1: `never` alone, or one or more of success, failure, delay, each once. */
export function parseNotify(text: string): DsnRequest['notify'] {
  const kinds = text
    .toLowerCase()
    .split(',')
    .map((kind) => kind.trim());
  if (kinds.length === 1 && kinds[0] === 'never') return ['never'];
  const valid = kinds.every((kind): kind is NotifyKind => (NOTIFY_KINDS as readonly string[]).includes(kind));
  if (!valid || new Set(kinds).size !== kinds.length) throw new UsageError({ code: 'MAILV_NOTIFY_INVALID', text });
  return kinds;
}

/** RFC 3461 §4.4: printable ASCII, at most 100 characters (xtext-encoded on the wire). */
export function checkEnvid(text: string, option?: '-V'): string {
  if (text.length === 0 || text.length > ENVID_MAX || !/^[\x20-\x7e]+$/.test(text))
    throw new UsageError({ code: 'MAILV_ENVID_INVALID', text, limit: ENVID_MAX, ...(option && { option }) });
  return text;
}
