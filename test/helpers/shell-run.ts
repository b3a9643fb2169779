// A script run by /bin/sh with `arguments` as the shell reads them: the only way to give a program
// arguments whose octets are not UTF-8 (`"$(printf 'caf\351')"`), which Node's spawn cannot pass.
import { spawn } from 'node:child_process';

export interface ShellRun {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs `script` (a Node script's path) with `shellArguments` under /bin/sh; `input` is its standard input (none: /dev/null). */
export function runThroughShell(
  script: string,
  shellArguments: string,
  options: { readonly env: Record<string, string>; readonly cwd?: string; readonly input?: string },
): Promise<ShellRun> {
  return new Promise((resolve) => {
    const redirect = options.input === undefined ? ' < /dev/null' : '';
    const child = spawn('/bin/sh', ['-c', `exec "${process.execPath}" "${script}" ${shellArguments}${redirect}`], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { ...process.env, ...options.env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}
