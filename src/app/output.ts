// Standard output and standard error as the application writes them: text, or a message streamed
// with back-pressure. A reader that goes away (EPIPE: `mailv … | head`) only ends that output, and
// after a hangup every write to the terminal fails without a word; any other failed write (a full
// disk, /dev/full, an I/O error) is a LocalIoError (74), kept until the run is over, and the run
// is told at once so that it stops: no message goes out without the record the user asked for.
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { LocalIoError } from '../errors.js';
import type { OutputName } from './facts.js';
import type { AppIo, StandardOutput } from './io.js';
import { abortSignalOf, type InterruptSignal } from '../interruption.js';

export class Output {
  /** The first write that failed other than by its reader going away: what the run ends with. */
  failure: LocalIoError | undefined;
  /** Outputs written to no more: their reader went away, the terminal hung up, or a write failed. */
  private readonly gone = { stdout: false, stderr: false };
  private readonly listening = { stdout: false, stderr: false };
  private hungUp = false;
  /** Writes whose callback has not come yet, of each output. */
  private readonly pending = { stdout: 0, stderr: 0 };
  private settled: (() => void)[] = [];

  constructor(
    private readonly io: Pick<AppIo, 'stdout' | 'stderr'>,
    /** Called once, at the first failure: the run stops. */
    private readonly onFailure: (failure: LocalIoError) => void,
    /** The run's interruption: a stopped run no longer waits for a reader that does not read. */
    private readonly interrupted: InterruptSignal,
  ) {}

  /** Text on standard output (the transcript, JSON lines, a plan). */
  out(text: string): void {
    this.write('stdout', text);
  }

  /** Text on standard error (errors, warnings). */
  err(text: string): void {
    if (this.errorRoom !== undefined) {
      const octets = Buffer.byteLength(text);
      if (octets > this.errorRoom) {
        if (this.errorRoom > 0) this.write('stderr', `${this.errorsWithheld}\n`);
        this.errorRoom = 0;
        return;
      }
      this.errorRoom -= octets;
    }
    this.write('stderr', text);
  }

  /** Octets standard error may still take when bounded (limitErrors); undefined: no bound. */
  private errorRoom: number | undefined;
  private errorsWithheld = '';

  /**
   * Bounds what standard error takes from now on to `octets`, then `withheld` once, in place of the
   * rest: writes to a pipe block when it is full, and a program that reads it only once standard
   * output has ended (Symfony's, under sendmail -bs) would leave both waiting for ever.
   */
  limitErrors(octets: number, withheld: string): void {
    this.errorsWithheld = withheld;
    this.errorRoom = octets - Buffer.byteLength(withheld) - 1;
  }

  /** Whether anything written to `name` may still be read. */
  open(name: OutputName): boolean {
    return !this.gone[name];
  }

  /**
   * The terminal may have hung up: writes are still tried (a SIGHUP sent by hand leaves it there),
   * but from now on one that fails is no failure of the run.
   */
  hangUp(): void {
    this.hungUp = true;
  }

  /**
   * Streams `chunks` to standard output with back-pressure. An error of the chunks themselves (the
   * message's source) is thrown as it is; a failed write is recorded as any other.
   */
  async stream(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, signal?: InterruptSignal): Promise<void> {
    const fd = this.io.stdout.syncFd;
    if (fd !== undefined) {
      // A file or /dev/null: plain writes, without loading the stream machinery (a dry run's cost).
      for await (const chunk of chunks) {
        try {
          for (let written = 0; written < chunk.length; ) written += writeSync(fd, chunk, written);
        } catch (error) {
          this.failed('stdout', error);
          return;
        }
      }
      return;
    }
    const stream = this.target('stdout');
    for await (const chunk of chunks) {
      if (!this.open('stdout')) return;
      if (this.write('stdout', chunk)) continue;
      try {
        // A signal ends the wait: a reader that never reads must not hold a stopped run.
        await once(stream, 'drain', { signal: signal === undefined ? undefined : abortSignalOf(signal) });
      } catch {
        return; // the error is recorded by the stream's listener; a signal, by the run
      }
    }
  }

  /** The outputs whose reader was given up (see abandonStdout). */
  private readonly abandoned = { stdout: false, stderr: false };

  /**
   * Standard output's reader is given up (a -bs client fallen silent): what it has not taken is
   * neither waited for now nor when mailv ends; nor is standard error's when it goes to the same
   * place (2>&1), where it waits behind it.
   */
  abandonStdout(): void {
    this.abandoned.stdout = true;
    if (this.io.stdout.abandon?.() === true) this.abandoned.stderr = true;
    if (this.outstanding() === 0) for (const resolve of this.settled.splice(0)) resolve();
  }

  /** The writes settle() waits for: those of each output whose reader was not given up. */
  private outstanding(): number {
    return (this.abandoned.stderr ? 0 : this.pending.stderr) + (this.abandoned.stdout ? 0 : this.pending.stdout);
  }

  /** Resolves once every write has been taken or has failed, so that the run knows how it went. */
  async settle(): Promise<void> {
    const interrupted = this.interrupted;
    if (this.outstanding() === 0 || interrupted.aborted) return;
    await new Promise<void>((resolve) => {
      const settled = () => {
        interrupted.removeEventListener('abort', settled);
        resolve();
      };
      this.settled.push(settled);
      interrupted.addEventListener('abort', settled, { once: true });
    });
  }

  /** Writes to `name` unless it is gone; false when the stream asks to wait for 'drain'. */
  private write(name: OutputName, data: string | Buffer): boolean {
    if (!this.open(name)) return true;
    const stream = this.target(name);
    this.pending[name]++;
    return stream.write(data, (error) => {
      if (error) this.failed(name, error);
      this.pending[name]--;
      if (this.outstanding() === 0) for (const resolve of this.settled.splice(0)) resolve();
    });
  }

  /**
   * The stream of `name` for a writer of its own (the spinner), its failures this output's: a
   * terminal that hung up under the spinner's first frame is then a failed write, not a fault.
   */
  listened(name: OutputName): Writable {
    return this.target(name);
  }

  /** The stream, with a listener for its errors: a stream's 'error' with no listener would end the process. */
  private target(name: OutputName): Writable {
    const output: StandardOutput = this.io[name];
    const stream = output.stream;
    if (!this.listening[name]) {
      stream.on('error', (error) => this.failed(name, error));
      this.listening[name] = true;
    }
    return stream;
  }

  private failed(name: OutputName, error: unknown): void {
    if (this.gone[name]) return;
    this.gone[name] = true;
    const errno = (error as NodeJS.ErrnoException)?.code;
    // The reader went away, or the terminal: the message is sent (or kept) all the same. A second
    // failure adds nothing.
    if (errno === 'EPIPE' || this.hungUp || this.failure) return;
    // `ENOSPC: no space left on device, write` → `no space left on device`
    const detail = String((error as Error)?.message ?? error)
      .replace(/^[A-Z][A-Z0-9_]+: /, '')
      .replace(/, write$/, '');
    this.failure = new LocalIoError({ code: 'MAILV_OUTPUT_FAILED', output: name, errno, detail }, 'output');
    this.onFailure(this.failure);
  }
}
