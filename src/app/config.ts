// The configuration file's settings for this run: [default], under the --account chosen. No file
// at the default place is no configuration; the modules that read one are loaded only when there
// is a file to read.
import { existsSync } from 'node:fs';
import type { AccountSettings } from '../config/config-file.js';
import { ConfigError } from '../errors.js';
import { homeDirectory } from '../home-directory.js';

/** Throws ConfigError: an unusable file, an unknown account, or an account with no file to hold it. */
export async function accountSettings(
  env: NodeJS.ProcessEnv,
  explicitPath: string | undefined,
  account: string | undefined,
): Promise<AccountSettings | undefined> {
  const home = homeDirectory(env);
  const { defaultConfigPath, selectAccount } = await import('../config/config-file.js');
  const path = explicitPath ?? defaultConfigPath(env, home);
  if (explicitPath === undefined && !existsSync(path)) {
    if (account !== undefined) throw new ConfigError({ code: 'MAILV_CONFIG_FILE_MISSING', path, account });
    return undefined;
  }
  const { loadConfig } = await import('../config/load-config.js');
  const config = await loadConfig(path, explicitPath !== undefined, home);
  return config === undefined ? undefined : selectAccount(config, account);
}
