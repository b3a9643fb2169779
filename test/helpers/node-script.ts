// A Node script of the project's (bin/mailv-sendmail.js…) as a process: its input written at
// once and closed, as a pipe gives it; what it wrote and how it ended.
import { spawn } from 'node:child_process';

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` with `args`, `env` over a bare PATH, USER and LANG, and `input` on standard input. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>, input: string | Buffer): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: '/usr/bin:/bin', USER: 'tester', LANG: 'C.UTF-8', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
