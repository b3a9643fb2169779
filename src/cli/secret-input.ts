// Where a password or OAuth token comes from: the environment, a file, a command (as msmtp's
// passwordeval), or a prompt at the terminal with echo off. Never from the command line, where
// every user of the machine could read it in the process list.
import { openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import { AuthError, ConfigError, InputError, InterruptedError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export type SecretSource =
  | { readonly kind: 'value'; readonly value: string; readonly origin: string }
  | { readonly kind: 'file'; readonly path: string; readonly origin: string }
  | { readonly kind: 'command'; readonly command: string; readonly origin: string }
  | { readonly kind: 'prompt'; readonly prompt: string };

/** The secret, first line only (a trailing newline is not part of a password). */
export async function readSecret(source: SecretSource): Promise<string> {
  switch (source.kind) {
    case 'value':
      return nonEmpty(source.value, source.origin);
    case 'file':
      return nonEmpty(firstLine(readSecretFile(source.path, source.origin)), source.origin);
    case 'command':
      return nonEmpty(firstLine(await runSecretCommand(source.command, source.origin)), source.origin);
    case 'prompt':
      return nonEmpty(await promptAtTerminal(source.prompt), 'the terminal');
  }
}

function readSecretFile(path: string, origin: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : (error as Error).message;
    throw new InputError(`cannot read ${origin} ${path}: ${why}`, ExitCode.NOINPUT);
  }
}

/** `sh -c command`: its standard output is the secret; its standard error goes to the user. */
async function runSecretCommand(command: string, origin: string): Promise<string> {
  // A computed name: the bundle stubs child_process for the libraries that import it statically.
  const childProcess = 'node:child_process';
  const { spawn } = (await import(childProcess)) as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => reject(new ConfigError(`${origin} could not be run: ${error.message}`)));
    child.on('close', (status, signal) => {
      if (status === 0) return resolve(Buffer.concat(output).toString('utf8'));
      reject(new ConfigError(`${origin} failed (${signal ? `killed by ${signal}` : `exit status ${status}`})`));
    });
  });
}

/** Reads a line from /dev/tty with echo off, as ssh and msmtp ask for passwords. */
async function promptAtTerminal(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new UsageError('no password: no terminal to ask at; give MAILV_PASSWORD, --password-file or --password-cmd');
  }
  const { ReadStream } = await import('node:tty');
  const input = new ReadStream(fd);
  try {
    input.setRawMode(true);
    writeSync(fd, prompt);
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      input.on('data', (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n' || char === '\x04') return resolve(typed);
          if (char === '\x03') return reject(new InterruptedError('SIGINT', 'auth'));
          if (char === '\x7f' || char === '\b') typed = [...typed].slice(0, -1).join('');
          else if (char === '\x15') typed = ''; // Ctrl-U: start again
          else if (char >= ' ') typed += char;
        }
      });
      input.on('error', (error) => reject(new AuthError(`cannot read the password at the terminal: ${error.message}`, 'auth')));
    });
  } finally {
    input.setRawMode(false);
    writeSync(fd, '\n');
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      // already closed with the stream
    }
  }
}

function firstLine(text: string): string {
  return text.replace(/\r?\n[\s\S]*$/, '');
}

function nonEmpty(secret: string, origin: string): string {
  if (secret === '') throw new UsageError(`the secret from ${origin} is empty`);
  return secret;
}
