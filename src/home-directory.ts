// The user's home directory, where dead.letter, the configuration file and the cache are: $HOME
// when it names one by an absolute path, else the password file's. os.homedir() alone gives back an
// empty or relative $HOME as it is, and every path under it would then be relative to wherever
// mailv was started (a web root, for PHP).
import { isAbsolute } from 'node:path';
import { homedir, userInfo } from 'node:os';

export function homeDirectory(env: NodeJS.ProcessEnv): string {
  const home = env['HOME'];
  if (home && isAbsolute(home)) return home;
  try {
    return userInfo().homedir;
  } catch {
    // No entry in the password file: os.homedir() then gives $HOME as it is, or fails when it is
    // empty. Without an absolute home there is none: the root, where nothing of the user's is
    // written (dead.letter fails and says so; DEAD names another file).
    try {
      const fallback = homedir();
      return isAbsolute(fallback) ? fallback : '/';
    } catch {
      return '/';
    }
  }
}
