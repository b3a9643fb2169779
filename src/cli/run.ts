// The process adapter: the one place that touches `process`. It hands the application this
// process's arguments, environment, standard streams (and what they are), clock, stop signals and
// terminal, runs it, and returns its exit status for the launcher to set.
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { AppIo, InputKind, StandardOutput } from '../app/io.js';
import { runMailv } from '../app/main.js';
import { ExitCode, STOP_SIGNALS, type StopSignal, signalStatus } from '../exit-codes.js';
import { StalledError, UsageError } from '../errors.js';
import { decodeOctets } from '../text/octets.js';
import { thisNodeTrustsItsOwnList } from '../node-ca-store.js';

/**
 * Runs mailv with the process's arguments and streams; resolves to the exit status. `version`
 * reads mailv's version, asked only for --version. `deferredExtraCa`: the file NODE_EXTRA_CA_CERTS
 * names, when Node was started without it (bin/mailv.js).
 */
export async function main(argv: readonly string[], version: () => string, command: 'mailv' | 'sendmail' = 'mailv', deferredExtraCa?: string): Promise<number> {
  const signals = new ProcessSignals();
  /** Whether the run made process.stdout (made when first used), whether a fault was handed to it, and whether the run gave up its reader. */
  const seen = { stdout: false, fault: false, abandoned: false };
  const status = await runMailv({ ...processIo(argv, version, signals, seen), sendmail: command === 'sendmail', deferredExtraCa });
  // A write to a terminal that hung up fails (EIO, 74) before any SIGHUP may come, or none comes
  // (the shell that leads the session caught it): the terminal is looked at then too.
  if (signals.hungUp || status === signalStatus('SIGHUP') || status === ExitCode.IOERR) await endByHangup();
  // Stopped while standard output still holds what its reader never took (a dry run into a pipe
  // nobody reads): Node would wait for that reader before it exits, for ever, and process.stdout
  // cannot be closed. Stopped by a signal, mailv ends by it, as a second one would; stopped by a
  // fault, or having given up its reader, it ends once the launcher has set the status, what is
  // left unread dropped.
  if (seen.stdout && process.stdout.writableLength > 0) {
    const stoppedBy = signals.handedOver;
    if (stoppedBy !== undefined && status === signalStatus(stoppedBy)) signals.end(stoppedBy);
    else if (seen.fault || seen.abandoned) setImmediate(() => process.exit());
  }
  return status;
}

function processIo(
  argv: readonly string[],
  version: () => string,
  signals: ProcessSignals,
  seen: { stdout: boolean; fault: boolean; abandoned: boolean },
): AppIo {
  return {
    argv,
    env: process.env,
    version,
    stdin: {
      kind: stdinKind,
      get stream() {
        return process.stdin;
      },
    },
    stdout: standardOutput(
      1,
      () => {
        seen.stdout = true;
        return process.stdout;
      },
      () => {
        seen.abandoned = true;
        return sameFile(1, 2);
      },
    ),
    stderr: standardOutput(2, () => process.stderr),
    clock: { now: monotonicMs, date: () => new Date() },
    signals,
    faults: {
      watch: (onFault) =>
        watchFaults(
          (error) => {
            seen.fault = true;
            onFault(error);
          },
          () => signals.handedOver !== undefined,
        ),
    },
    openStepper: async (signal, language, replaying) => (await import('./step-prompt.js')).openStepper(signal, language, replaying),
    host: {
      name: () => hostname(),
      mailName,
      user: accountName,
      ...typedArguments(),
      openFilesLimit,
      superUser: () => process.getuid?.() === 0,
      nodeTrustsItsOwnList: () => thisNodeTrustsItsOwnList(process.env['NODE_OPTIONS']),
    },
  };
}

/**
 * What the command line's own octets say of a text taken from it. Node decodes the arguments as
 * UTF-8, any other octet turned into U+FFFD, and the octets themselves are in /proc/self/cmdline
 * (Linux), read once, when a text first holds a U+FFFD, for both questions:
 * - typedAsIs: whether `text` was typed as it reads. True when no argument that was not UTF-8 holds
 *   it and, if any was not, one that was holds it as it is (a U+FFFD copied from a log); false when
 *   the octets cannot be read. A text made from an argument (a recipient list split at its spaces)
 *   is so never taken for typed because it no longer matches.
 * - typedOctets: `text` (an argument, or a part of one, as Node read it) with the octets that were
 *   no UTF-8 where Node put U+FFFD, each as a lone surrogate that error lines show as `\\xe9`
 *   (text/octets.ts); undefined when no argument that was not UTF-8 holds it, or the two readings
 *   do not line up.
 */
function typedArguments(): { typedAsIs: (text: string) => boolean; typedOctets: (text: string) => string | undefined } {
  let read: ArgumentsRead | null | undefined;
  const arguments_ = () => (read ??= argumentsRead());
  const typedAsIs = (text: string) => {
    const found = arguments_();
    // A text an argument that was not UTF-8 may have given is not taken for typed, whatever the others hold.
    return (
      found !== null &&
      !found.notUtf8.some((argument) => argument.includes(text)) &&
      (found.notUtf8.length === 0 || found.utf8.some((argument) => argument.includes(text)))
    );
  };
  const typedOctets = (text: string) => {
    const found = arguments_();
    if (found === null) return undefined;
    for (const octets of found.notUtf8Octets) {
      const replaced = octets.toString('utf8');
      const at = replaced.indexOf(text);
      if (at < 0) continue;
      const kept = decodeOctets(octets, 0, octets.length);
      return kept.length === replaced.length ? kept.slice(at, at + text.length) : undefined;
    }
    return undefined;
  };
  return { typedAsIs, typedOctets };
}

/** The command line's arguments, those that were UTF-8 and those that were not (as Node read them, and their octets). */
interface ArgumentsRead {
  readonly utf8: string[];
  readonly notUtf8: string[];
  readonly notUtf8Octets: Buffer[];
}

/** The arguments as their octets say; null where the octets cannot be read. */
function argumentsRead(): ArgumentsRead | null {
  try {
    const octets = readFileSync('/proc/self/cmdline');
    const utf8: string[] = [];
    const notUtf8: string[] = [];
    const notUtf8Octets: Buffer[] = [];
    for (let start = 0; start < octets.length; ) {
      const end = octets.indexOf(0, start);
      const argument = octets.subarray(start, end === -1 ? octets.length : end);
      if (isUtf8(argument)) utf8.push(argument.toString('utf8'));
      else {
        notUtf8.push(argument.toString('utf8'));
        notUtf8Octets.push(argument);
      }
      start = end === -1 ? octets.length : end + 1;
    }
    return { utf8, notUtf8, notUtf8Octets };
  } catch {
    return null;
  }
}

/** The soft limit on open files (RLIMIT_NOFILE), from /proc/self/limits (Linux); undefined where unknown or unlimited. */
function openFilesLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)\s/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** Milliseconds on a monotonic clock: `performance` would load perf_hooks, ms of every start-up. */
function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}

function stdinKind(): InputKind {
  const input = fstatSync(0);
  if (input.isFile()) return { kind: 'file', fd: 0 };
  if (input.isDirectory()) return { kind: 'directory' };
  if (!input.isFIFO() && process.stdin.isTTY) return { kind: 'terminal' };
  return { kind: 'stream' };
}

/**
 * A standard stream, opened only when used (getters: nothing is made or asked until read), so that a
 * quiet run never pays for standard output; `abandon` as StandardOutput has it.
 */
function standardOutput(fd: 1 | 2, stream: () => NodeJS.WriteStream, abandon?: () => boolean): StandardOutput {
  return {
    ...(abandon === undefined ? {} : { abandon }),
    get stream() {
      return stream();
    },
    get terminal() {
      // Asked of the descriptor first: the stream object (and node:tty) load node:stream and
      // node:net, which a file or /dev/null never needs.
      if (!mayBeTerminal(fd)) return undefined;
      const output = stream();
      if (!output.isTTY) return undefined;
      // The terminal's depth alone: Node reads any NO_COLOR as no colour, where an empty one
      // means nothing (no-color.org), and warns of FORCE_COLOR beside NODE_DISABLE_COLORS;
      // decideColourLevel reads both variables itself.
      const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...env } = process.env;
      return { colorDepth: output.getColorDepth(env), columns: output.columns };
    },
    get syncFd() {
      return isFileOrNull(fd) ? fd : undefined;
    },
  };
}

/** Whether two descriptors are the same file, pipe or socket (`2>&1`); false when one cannot be asked. */
function sameFile(a: number, b: number): boolean {
  try {
    const [first, second] = [fstatSync(a), fstatSync(b)];
    return first.dev === second.dev && first.ino === second.ino;
  } catch {
    return false;
  }
}

/** A character device other than /dev/null: perhaps a terminal, which only the stream can tell. */
function mayBeTerminal(fd: number): boolean {
  try {
    const output = fstatSync(fd);
    return output.isCharacterDevice() && output.rdev !== statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** A regular file or /dev/null, which a synchronous write never leaves waiting. */
function isFileOrNull(fd: number): boolean {
  try {
    const output = fstatSync(fd);
    return output.isFile() || (output.isCharacterDevice() && output.rdev === statSync('/dev/null').rdev);
  } catch {
    return false;
  }
}

/**
 * Hands each exception nothing caught to `onFault` instead of Node, which would print it with the
 * bundle's minified names and end the process with 1, the message being sent lost; and a run the
 * event loop emptied under, which Node would end with 0 without a word, as a StalledError.
 * Released when the run is over: an emptied event loop is then its end, but an exception nothing
 * caught is still a fault of mailv's own (a rejection in the same turn as the run's last reply, a
 * socket's late error), said by the run all the same, and the process ends with 70, unless a stop
 * signal ended the run (`stoppedBySignal`): what the user asked for, and scripts check, stays.
 */
function watchFaults(onFault: (error: unknown) => void, stoppedBySignal: () => boolean): () => void {
  const onStall = () => {
    // Should the run never end even now, the process does not end as a success.
    process.exitCode = ExitCode.SOFTWARE;
    onFault(new StalledError());
  };
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  process.on('beforeExit', onStall);
  return () => {
    process.off('beforeExit', onStall);
    let ending = false;
    const afterTheRun = (error: unknown) => {
      if (!ending) {
        ending = true;
        if (!stoppedBySignal()) {
          // Set now, for a fault thrown while the process is already exiting; and again ahead of the
          // launcher's own 'exit' listener, which ends the process with process.exitCode: the launcher
          // may set the run's status after this fault (one in the same turn as the run's end).
          process.exitCode = ExitCode.SOFTWARE;
          process.prependOnceListener('exit', () => {
            process.exitCode = ExitCode.SOFTWARE;
          });
        }
        // Nothing of the run is left to wait for, and whatever threw may have left a handle open.
        setImmediate(() => process.exit());
      }
      onFault(error);
    };
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      process.off(event, onFault);
      process.on(event, afterTheRun);
    }
  };
}

/** How long after a first stop signal a second one waits for the message to be kept (see watch). */
const SECOND_SIGNAL_GRACE_MS = 1000;

/**
 * SIGHUP, SIGINT, SIGQUIT and SIGTERM, while the application watches them: the first is handed
 * over (the run then ends as any failure does: the message kept, the terminal restored); a second
 * ends the process by that signal, at once but while dead.letter is written (whole()) or within
 * SECOND_SIGNAL_GRACE_MS of the first, while the run gets there.
 */
class ProcessSignals {
  /** SIGHUP was received: the terminal may be gone. */
  hungUp = false;
  /** The stop signal handed over to the run, if one came. */
  handedOver: StopSignal | undefined;
  /** Work that must not be cut short is running: a signal that would end mailv waits for it. */
  private holding = 0;
  private held: NodeJS.Signals | undefined;

  async whole<T>(work: () => Promise<T>): Promise<T> {
    this.holding++;
    try {
      return await work();
    } finally {
      this.holding--;
      const signal = this.held;
      if (this.holding === 0 && signal !== undefined) {
        this.held = undefined;
        // After the caller's next steps (the line that says where the message was kept).
        setImmediate(() => this.endBy(signal));
      }
    }
  }

  watch(onSignal: (signal: StopSignal) => void): () => void {
    let handedOver = false;
    // On the monotonic clock: a step of the wall clock between the two neither cuts nor stretches the grace.
    const now = () => Number(process.hrtime.bigint() / 1_000_000n);
    let firstAt = 0;
    const listener = (signal: NodeJS.Signals) => {
      if (signal === 'SIGHUP') this.hungUp = true;
      if (!handedOver) {
        handedOver = true;
        firstAt = now();
        this.handedOver = signal as StopSignal;
        return onSignal(signal as StopSignal);
      }
      if (this.holding > 0) this.held ??= signal;
      else if (now() - firstAt < SECOND_SIGNAL_GRACE_MS && this.held === undefined) {
        // Close on the first (a double Ctrl-C, a signal sent to the process and its group): the run
        // is still on its way to keeping the message, a few milliseconds off. It is let get there
        // (whole() then ends it), or ended when the grace is over, as a run that hangs must be.
        this.held = signal;
        setTimeout(
          () => {
            if (this.holding === 0 && this.held !== undefined) this.endBy(this.held);
          },
          SECOND_SIGNAL_GRACE_MS - (now() - firstAt),
        ).unref();
      } else if (this.held === undefined) {
        stop();
        this.endBy(signal);
      }
    };
    const stop = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, listener);
    this.endBy = (signal) => {
      stop();
      process.kill(process.pid, signal);
    };
    return stop;
  }

  /** Ends the process by `signal` itself, its handlers removed, as a second signal would. */
  end(signal: NodeJS.Signals): void {
    this.endBy(signal);
  }

  /** Ends the process by `signal` itself, its handlers removed. */
  private endBy: (signal: NodeJS.Signals) => void = (signal) => process.kill(process.pid, signal);
}

/**
 * Ends the run by SIGHUP itself (129 to a shell too) when a terminal on standard input, output or
 * error has hung up: at a normal exit, Node would restore the modes of that terminal, fail, and abort.
 */
async function endByHangup(): Promise<void> {
  const MEMORY_DEVICES = 1;
  const { isatty } = await import('node:tty');
  // A terminal that hung up is still a device, but no longer a terminal to isatty(); the memory
  // devices (/dev/null, /dev/full, major 1 on Linux) never were one.
  const hungUp = (fd: number) => {
    try {
      const device = fstatSync(fd);
      return device.isCharacterDevice() && ((device.rdev >> 8) & 0xfff) !== MEMORY_DEVICES && !isatty(fd);
    } catch {
      return false;
    }
  };
  if (![0, 1, 2].some(hungUp)) return;
  // Nothing else may catch it: the spinner's signal-exit would, write to the dead terminal, and let
  // Node go on to the exit that aborts. Without a listener the signal's own action ends the process.
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/** The first line of /etc/mailname, where Debian keeps the domain of this host's mail; undefined when it cannot be read. */
function mailName(): string | undefined {
  let fd: number | undefined;
  try {
    // Not blocking, and a regular file only: a FIFO there would hold every run.
    fd = openSync('/etc/mailname', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(256);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('latin1', 0, length).split('\n', 1)[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The name of the process's user in the password file; a user it does not list cannot be a sender by default. */
function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    throw new UsageError({ code: 'MAILV_LOCAL_USER_UNKNOWN', uid: process.getuid?.() });
  }
}
