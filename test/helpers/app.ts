// Runs the mailv application in this process, as the CLI would run it, with its I/O in memory:
// arguments and environment given, standard input from a buffer, standard output and error
// collected (or failing as a full disk does), no terminal, a signal source the test fires.
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type { AppIo, InputKind, StandardOutput } from '../../dist/app/io.js';
import type { StopSignal } from '../../dist/exit-codes.js';
import { runMailv } from '../../dist/app/main.js';
import { freshHome } from './cli.js';

export interface AppResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The HOME the run had: dead.letter lands here. */
  readonly home: string;
}

export interface AppOptions {
  readonly input?: string | Buffer;
  readonly env?: Record<string, string | undefined>;
  /** A failure of every write to this output, as the system reports it (`ENOSPC` for /dev/full). */
  readonly failing?: { readonly output: 'stdout' | 'stderr'; readonly errno: string };
  /** Fires stop signals during the run: the test calls `send('SIGINT')` when it wants. */
  readonly signals?: SignalSender;
  /** Standard input as a stream of the test's own (one that never ends, say); `input` is then unused. */
  readonly stdin?: Readable;
  /** --step's terminal: by default one where Enter is pressed at once, every time. */
  readonly openStepper?: AppIo['openStepper'];
  /** Standard output is a terminal of this many colours and columns. */
  readonly terminal?: { readonly colorDepth: number; readonly columns: number };
  /** Raises exceptions nothing caught, as a faulty event handler would: the test calls `raise(error)`. */
  readonly faults?: FaultSender;
  /** Run as mailv-sendmail reads its command line. */
  readonly sendmail?: boolean;
  /** A U+FFFD in the arguments stood for octets that were not UTF-8 (by default, one typed as such). */
  readonly notUtf8?: boolean;
  /** The user is root (mailv-sendmail takes -C from root only); by default not. */
  readonly superUser?: boolean;
}

/** A stop-signal source a test fires by hand. */
export class SignalSender extends EventEmitter {
  /** How many watchers listen now. */
  get watching(): number {
    return this.listenerCount('signal');
  }
  send(signal: StopSignal): void {
    this.emit('signal', signal);
  }
}

/** A source of exceptions nothing caught, which a test raises by hand. */
export class FaultSender extends EventEmitter {
  /** How many watchers listen now. */
  get watching(): number {
    return this.listenerCount('fault');
  }
  raise(error: unknown): void {
    this.emit('fault', error);
  }
}

/** A stream that collects what is written, or fails every write with `errno`. */
function memoryOutput(chunks: Buffer[], errno: string | undefined): StandardOutput {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (errno === undefined) {
        chunks.push(chunk);
        return callback();
      }
      const message = errno === 'ENOSPC' ? 'no space left on device' : errno === 'EPIPE' ? 'broken pipe' : 'i/o error';
      callback(Object.assign(new Error(`${errno}: ${message}, write`), { code: errno }));
    },
  });
  return { stream, terminal: undefined, syncFd: undefined };
}

export async function runApp(argv: readonly string[], options: AppOptions = {}): Promise<AppResult> {
  const home = freshHome();
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const signals = options.signals ?? new SignalSender();
  const faults = options.faults ?? new FaultSender();
  const input = options.input ?? '';
  const io: AppIo = {
    argv,
    ...(options.sendmail === true ? { sendmail: true } : {}),
    env,
    version: () => '0.0.0-test',
    stdin: {
      kind: (): InputKind => ({ kind: 'stream' }),
      stream: options.stdin ?? Readable.from([Buffer.from(input)]),
    },
    stdout: { ...memoryOutput(out, options.failing?.output === 'stdout' ? options.failing.errno : undefined), terminal: options.terminal },
    stderr: memoryOutput(err, options.failing?.output === 'stderr' ? options.failing.errno : undefined),
    clock: { now: () => performance.now(), date: () => new Date('2026-11-28T03:00:00Z') },
    signals: {
      watch(onSignal) {
        signals.on('signal', onSignal);
        return () => signals.off('signal', onSignal);
      },
      whole: (work) => work(),
    },
    faults: {
      watch(onFault) {
        faults.on('fault', onFault);
        return () => faults.off('fault', onFault);
      },
    },
    openStepper: options.openStepper ?? (async () => ({ ask: async () => 'go' as const, close: () => {} })),
    host: {
      name: () => 'client.example.org',
      mailName: () => undefined,
      user: () => 'tester',
      typedAsIs: () => options.notUtf8 !== true,
      openFilesLimit: () => undefined,
      superUser: () => options.superUser === true,
      nodeTrustsItsOwnList: () => true,
    },
  };
  const status = await runMailv(io);
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), home };
}
