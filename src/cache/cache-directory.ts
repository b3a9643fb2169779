// Where mailv keeps what it learns between runs (remembered EHLO replies, TLS sessions).
import { isAbsolute, join } from 'node:path';
import { homeDirectory } from '../home-directory.js';

/** $XDG_CACHE_HOME/mailv when that is an absolute path (as the XDG spec asks), else ~/.cache/mailv. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homeDirectory(env), '.cache'), 'mailv');
}
