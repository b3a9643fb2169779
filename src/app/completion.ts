// `mailv completion bash|zsh|fish`: the shell's completion script, written from mailv's own
// command line; `mailv completion accounts`: the account names the scripts offer after --account.
// Loaded only for `mailv completion`, so that no other run pays for it.
import { bashScript } from '../cli/completion/bash.js';
import { fishScript } from '../cli/completion/fish.js';
import { completionSpec } from '../cli/completion/spec.js';
import { zshScript } from '../cli/completion/zsh.js';
import { parseCompletionCommandLine } from '../cli/program.js';
import { ExitCode } from '../exit-codes.js';
import type { Run } from './run.js';

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export async function completionCommand(run: Run): Promise<number> {
  const { io } = run;
  try {
    const parsed = parseCompletionCommandLine(io.argv.slice(1), run.words.help);
    if (parsed.kind === 'exit') {
      run.output.out(parsed.output);
      return ExitCode.OK;
    }
    if (parsed.target !== 'accounts') {
      run.output.out(SCRIPTS[parsed.target](completionSpec('mailv', run.words.help)));
      return ExitCode.OK;
    }
    const names = await accountNames(io.env, parsed.config);
    run.output.out(names.map((name) => `${name}\n`).join(''));
    return ExitCode.OK;
  } catch (error) {
    return run.fail(error);
  }
}

/** The accounts of the configuration file, read and checked as a send reads it; none without a file. */
async function accountNames(env: NodeJS.ProcessEnv, explicitPath: string | undefined): Promise<string[]> {
  const { homeDirectory } = await import('../home-directory.js');
  const home = homeDirectory(env);
  const { defaultConfigPath } = await import('../config/config-file.js');
  const { loadConfig } = await import('../config/load-config.js');
  const config = await loadConfig(explicitPath ?? defaultConfigPath(env, home), explicitPath !== undefined, home);
  return config === undefined ? [] : [...config.accounts.keys()];
}
