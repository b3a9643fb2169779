// Where a password or OAuth token comes from: the environment, a file, a command (as msmtp's
// passwordeval), or a prompt at the terminal with echo off. Never from the command line, where
// every user of the machine could read it in the process list.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { AuthError, ConfigError, InputError, InterruptedError, UsageError } from '../errors.js';
import type { Language } from '../words/language.js';
import { wordsFor } from '../words/describe.js';
import { openTerminalKeys } from './terminal-keys.js';
import { ExitCode } from '../exit-codes.js';
import type { SecretOrigin } from './facts.js';
import { systemProblem } from './system-problem.js';
import { killTree } from './process-tree.js';
import type { InterruptSignal } from '../interruption.js';

export type SecretSource =
  | { readonly kind: 'value'; readonly value: string; readonly origin: SecretOrigin }
  | { readonly kind: 'file'; readonly path: string; readonly origin: SecretOrigin }
  | { readonly kind: 'command'; readonly command: string; readonly origin: SecretOrigin }
  /**
   * Asked at the terminal: the password of `user` at `host`, the prompt in `language`.
   * `withheldFrom`: the account has a password, kept for its own server only, not this one.
   */
  | {
      readonly kind: 'prompt';
      readonly user: string;
      readonly host: string;
      readonly language: Language;
      readonly withheldFrom?: { readonly accountServer: string; readonly server: string } | undefined;
      /** Run as sendmail, whose command line has no --password-file or --password-cmd. */
      readonly sendmail?: boolean;
    };

/** No password or token is this long; a source that is (`/dev/zero`) must not fill memory. */
const MAX_SECRET_SOURCE = 64 * 1024;

/** A secret's file that anyone on the machine may read, with its mode. */
export interface ExposedSecret {
  readonly path: string;
  readonly mode: number;
}

/**
 * The secret, first line only (a trailing newline is not part of a password). `signal` aborting
 * (SIGINT, SIGTERM) ends a prompt or a command at once, with InterruptedError. `exposed` hears of a
 * file that others may read: used, as a private key is, and said.
 */
export async function readSecret(source: SecretSource, signal?: InterruptSignal, exposed?: (file: ExposedSecret) => void): Promise<string> {
  switch (source.kind) {
    case 'value':
      // The environment is read as UTF-8: octets that were not are U+FFFD, no password's.
      if (source.value.includes('\uFFFD')) throw notUtf8(source.origin);
      return nonEmpty(source.value, source.origin);
    case 'file':
      return nonEmpty(firstLine(secretText(await readSecretFile(source.path, source.origin, signal, exposed), source.origin)), source.origin);
    case 'command':
      return nonEmpty(firstLine(secretText(await runSecretCommand(source.command, source.origin, signal), source.origin)), source.origin);
    case 'prompt':
      return nonEmpty(
        await promptAtTerminal(wordsFor(source.language).cli.passwordPrompt(source.user, source.host), signal, {
          ...source.withheldFrom,
          ...(source.sendmail === true ? { sendmail: true } : {}),
        }),
        'terminal',
      );
  }
}

// O_NONBLOCK: opening a FIFO must not wait for a writer (it would hold the main thread, and with it
// every signal); a FIFO is then read as a pipe, which waits without holding anything.
const READ = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * A regular file, or a FIFO (`--password-file <(pass show mail)`, a named pipe): anything else
 * is refused unopened, since opening a device may wait or act. Throws InputError (66), or
 * InterruptedError when `signal` aborts the wait for a FIFO's writer.
 */
async function readSecretFile(
  path: string,
  origin: SecretOrigin,
  signal: InterruptSignal | undefined,
  exposed: ((file: ExposedSecret) => void) | undefined,
): Promise<Buffer> {
  const cannot = (error: unknown) => new InputError({ code: 'MAILV_SECRET_UNREADABLE', origin, path, ...systemProblem(error) }, ExitCode.NOINPUT);
  const readable = (info: Stats) => {
    if (!info.isFile() && !info.isFIFO())
      throw new InputError({ code: 'MAILV_SECRET_NOT_FILE', origin, path, directory: info.isDirectory() }, ExitCode.NOINPUT);
  };
  let fd: number;
  try {
    readable(statSync(path));
    fd = openSync(path, READ);
  } catch (error) {
    throw error instanceof InputError ? error : cannot(error);
  }
  let info: Stats;
  try {
    info = fstatSync(fd);
    readable(info); // what was opened, should the path have changed since it was looked at
  } catch (error) {
    closeSync(fd);
    throw error instanceof InputError ? error : cannot(error);
  }
  if (info.isFIFO()) return readPipe(fd, cannot, signal);
  if ((info.mode & 0o004) !== 0) exposed?.({ path, mode: info.mode & 0o7777 });
  try {
    const buffer = Buffer.alloc(MAX_SECRET_SOURCE);
    const length = readSync(fd, buffer, 0, buffer.length, null);
    return buffer.subarray(0, length);
  } catch (error) {
    throw cannot(error);
  } finally {
    closeSync(fd);
  }
}

/** What a FIFO gives until its writer closes it (or MAX_SECRET_SOURCE octets); `signal` ends the wait. */
async function readPipe(fd: number, cannot: (error: unknown) => InputError, signal: InterruptSignal | undefined): Promise<Buffer> {
  const { Socket } = await import('node:net');
  // The socket owns the descriptor from here: destroying it closes it.
  const pipe = new Socket({ fd, readable: true, writable: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      pipe.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onAbort = () => finish(new InterruptedError(signal!.reason as NodeJS.Signals, 'auth'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    pipe.on('data', (chunk: Buffer) => {
      chunks.push(chunk.subarray(0, MAX_SECRET_SOURCE - length));
      length += chunk.length;
      // The first line is all that is kept: what is past the limit cannot be part of it.
      if (length >= MAX_SECRET_SOURCE) finish(undefined);
    });
    pipe.on('end', () => finish(undefined));
    pipe.on('error', (error) => finish(cannot(error)));
  });
}

/** `sh -c command`: its standard output is the secret; its standard error goes to the user. */
async function runSecretCommand(command: string, origin: SecretOrigin, signal: InterruptSignal | undefined): Promise<Buffer> {
  // A computed name: the bundle stubs child_process for the libraries that import it statically.
  const childProcess = 'node:child_process';
  const { spawn } = (await import(childProcess)) as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    const output: Buffer[] = [];
    let length = 0;
    let settled = false;
    const settle = (error: Error | undefined, secret?: Buffer) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(secret!);
    };
    // The shell may have children of its own: they are ended with it, never left running.
    const stop = (error: Error) => {
      settle(error);
      child.stdout.destroy();
      if (child.pid !== undefined) killTree(child.pid, 'SIGTERM');
    };
    const onAbort = () => stop(new InterruptedError(signal!.reason as NodeJS.Signals, 'auth'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk);
      length += chunk.length;
      if (length > MAX_SECRET_SOURCE) stop(new ConfigError({ code: 'MAILV_SECRET_TOO_LONG', origin, limit: MAX_SECRET_SOURCE }));
    });
    child.on('error', (error) => stop(new ConfigError({ code: 'MAILV_SECRET_COMMAND_UNRUNNABLE', origin, ...systemProblem(error) })));
    child.on('close', (status, killedBy) => {
      // Ctrl-C reaches the command too: the user's interrupt, not the command's failure.
      if (signal?.aborted) return settle(new InterruptedError(signal.reason as NodeJS.Signals, 'auth'));
      if (status === 0) return settle(undefined, Buffer.concat(output));
      settle(new ConfigError({ code: 'MAILV_SECRET_COMMAND_FAILED', origin, status, signal: killedBy }));
    });
  });
}

/** Reads a line from /dev/tty with echo off, as ssh and msmtp ask for passwords. */
async function promptAtTerminal(
  prompt: string,
  signal: InterruptSignal | undefined,
  withheld: { readonly accountServer?: string; readonly server?: string; readonly sendmail?: boolean },
): Promise<string> {
  // eslint-disable-next-line no-control-regex
  const shown = prompt.replace(/[\x00-\x1f\x7f]/g, '?');
  // Continued after a stop, the prompt is asked again from the start of its line, echo off again.
  const terminal = await openTerminalKeys({ code: 'MAILV_PASSWORD_NO_TERMINAL', ...withheld }, () => writeSync(terminal.fd, `\r${shown}`));
  const { fd, keys: input } = terminal;
  let onAbort: (() => void) | undefined;
  try {
    terminal.discardTypedAhead();
    writeSync(fd, shown);
    return await new Promise<string>((resolve, reject) => {
      onAbort = () => reject(new InterruptedError(signal!.reason as NodeJS.Signals, 'auth'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      input.on('end', () => reject(new AuthError({ code: 'MAILV_PASSWORD_TERMINAL_CLOSED' }, 'auth')));
      let typed = '';
      // Octets that are not UTF-8 would be U+FFFD, another password: refused. A character cut
      // between two reads is whole in the next.
      const decoder = new TextDecoder('utf-8', { fatal: true });
      input.on('data', (chunk: Buffer) => {
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: true });
        } catch {
          return reject(notUtf8('terminal'));
        }
        for (const char of text) {
          if (char === '\r' || char === '\n' || char === '\x04') return resolve(typed);
          if (char === '\x03') return reject(new InterruptedError('SIGINT', 'auth'));
          if (char === '\x1c') return reject(new InterruptedError('SIGQUIT', 'auth')); // Control-\
          if (char === '\x7f' || char === '\b') typed = [...typed].slice(0, -1).join('');
          else if (char === '\x15')
            typed = ''; // Ctrl-U: start again
          else if (char >= ' ') typed += char;
        }
      });
      input.on('error', (error) => reject(new AuthError({ code: 'MAILV_PASSWORD_TERMINAL_UNREADABLE', ...systemProblem(error) }, 'auth')));
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    try {
      writeSync(fd, '\n');
    } catch {
      // the terminal is gone: nothing to tidy
    }
    terminal.close();
  }
}

/** A line ends at LF, CR LF, or a CR alone (a file saved with old Mac line ends): none is part of a password. */
function firstLine(text: string): string {
  return text.replace(/[\r\n][\s\S]*$/, '');
}

/**
 * The octets as UTF-8, a byte-order mark left out (an editor's, never a password's). Octets that
 * are not UTF-8 are refused: read with U+FFFD in their place, they would send another password.
 */
function secretText(octets: Buffer, origin: SecretOrigin): string {
  const start = octets[0] === 0xef && octets[1] === 0xbb && octets[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(octets.subarray(start));
  } catch {
    throw notUtf8(origin);
  }
}

function notUtf8(origin: SecretOrigin): InputError {
  return new InputError({ code: 'MAILV_SECRET_NOT_UTF8', origin }, ExitCode.DATAERR);
}

function nonEmpty(secret: string, origin: SecretOrigin): string {
  if (secret === '') throw new UsageError({ code: 'MAILV_SECRET_EMPTY', origin });
  return secret;
}
