// The spinner on standard error while mailv waits for the server or a name server (ora), only on
// a terminal. It appears after a short wait, so fast exchanges do not flicker, and it is cleared
// before every transcript line, so the two never mix on the screen. ora itself is loaded at the
// first wait long enough to show it: loading it costs about 40 ms (string-width builds an emoji
// pattern), which a send that never waits that long would pay for nothing.
import type { Writable } from 'node:stream';
import type { Ora } from 'ora';
import type { SessionEvent } from '../events.js';
import { displayHost } from '../text/host.js';
import { sanitize } from '../text/sanitize.js';
import type { OutputWords } from '../words/output-words.js';

type SpinnerWords = OutputWords['spinner'];

/** No spinner for waits shorter than this: a local server answers well within it. */
const SHOW_AFTER_MS = 150;

export class WaitingSpinner {
  private timer: NodeJS.Timeout | undefined;
  /** Replies the server owes: the greeting, then one per command sent. */
  private owed = 0;
  private lastCommand = '';
  private host = '';
  /** ora's spinner once made; undefined before, and for good when ora keeps itself off (CI, a dumb terminal). */
  private spinner: Ora | undefined;
  private made: Promise<void> | undefined;
  /** What the spinner should say now: set when a wait has lasted, unset by clear(). */
  private showing: string | undefined;

  constructor(
    private readonly makeSpinner: () => Promise<Ora | undefined>,
    private readonly words: SpinnerWords,
  ) {}

  /** Clears the spinner; call before writing a transcript line. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.showing = undefined;
    if (this.spinner?.isSpinning) this.spinner.stop();
    process.off('SIGTSTP', this.suspend);
    process.off('SIGCONT', this.resume);
  }

  /**
   * Control-Z while the spinner turns: the spinner cleared and the cursor shown again (it hides
   * it) before mailv stops, as the shell would stop it; continued, the spinner turns again. The
   * stop is SIGTSTP's own, its listener off meanwhile: a process no job-control shell can continue
   * (under script(1), setsid, ssh -t) is not stopped by it, where SIGSTOP stopped it for good.
   */
  private readonly suspend = () => {
    if (this.spinner?.isSpinning) this.spinner.stop();
    process.off('SIGTSTP', this.suspend);
    try {
      process.kill(process.pid, 'SIGTSTP');
    } finally {
      process.on('SIGTSTP', this.suspend);
      this.resume();
    }
  };

  private readonly resume = () => {
    if (this.showing !== undefined && this.spinner?.isSpinning === false) this.spinner.start(this.showing);
  };

  /** Starts the spinner with `text`, listening for a stop while it turns. */
  private start(text: string): void {
    this.spinner?.start(text);
    if (process.listeners('SIGTSTP').includes(this.suspend)) return;
    process.on('SIGTSTP', this.suspend);
    process.on('SIGCONT', this.resume);
  }

  /** After an event has been shown: what is mailv waiting for now, if anything? */
  after(event: SessionEvent): void {
    const waitingFor = this.waitingFor(event);
    if (waitingFor === undefined) return;
    this.timer = setTimeout(() => this.show(waitingFor), SHOW_AFTER_MS);
    this.timer.unref();
  }

  /** Shows `text`, making the spinner first if need be; a line written meanwhile (clear()) wins. */
  private show(text: string): void {
    this.showing = text;
    if (this.spinner !== undefined) {
      this.start(text);
      return;
    }
    // A spinner that cannot be made (its bundle missing from a broken installation) is no spinner:
    // it never fails a send.
    this.made ??= this.makeSpinner().then(
      (spinner) => {
        this.spinner = spinner;
      },
      () => {},
    );
    void this.made.then(() => {
      if (this.showing !== undefined && this.spinner?.isSpinning === false) this.start(this.showing);
    });
  }

  private waitingFor(event: SessionEvent): string | undefined {
    switch (event.kind) {
      case 'connecting':
        this.host = sanitize(displayHost(event.host));
        return this.words.connecting(this.host, event.port);
      case 'connected':
        this.owed = 1;
        return this.words.greeting(this.host);
      case 'send':
        this.owed++;
        this.lastCommand = event.command.verb === 'SASL' ? 'AUTH' : event.command.verb;
        return this.words.reply(this.lastCommand);
      case 'reply':
        this.owed = Math.max(0, this.owed - 1);
        return this.owed > 0 ? this.words.reply(this.lastCommand) : undefined;
      // The dot, or BDAT LAST, is written: the server's verdict is often a session's longest wait.
      case 'committed':
        return this.owed > 0 ? this.words.verdict : undefined;
      case 'dns-query':
        return this.words.dnsQuery(event.server, event.type, sanitize(event.name));
      default:
        // Any other line (a note, the TLS details, a recipient's outcome) leaves the wait as it was.
        return this.owed > 0 ? this.words.reply(this.lastCommand) : undefined;
    }
  }
}

/**
 * A spinner on `stream` (standard error), or undefined when it is not a terminal of known width.
 * Whether it ever shows is ora's to decide at the first long wait (not in CI, nor on a dumb terminal).
 */
export function waitingSpinner(
  stream: Writable,
  terminal: { readonly columns: number } | undefined,
  words: SpinnerWords,
  /** Colour on standard error, as NO_COLOR, FORCE_COLOR and --color decide it: ora's chalk reads only some of them. */
  colour: boolean,
): WaitingSpinner | undefined {
  // A terminal that reports no width (a pty nobody sized) would make ora redraw without end.
  if (!terminal || !(terminal.columns > 0)) return undefined;
  return new WaitingSpinner(async () => {
    const { default: ora } = await import('ora');
    // discardStdin off: standard input may hold the message, or the --step keys.
    const spinner = ora({ stream: stream as NodeJS.WritableStream, discardStdin: false, color: colour ? 'cyan' : false });
    return spinner.isEnabled ? spinner : undefined;
  }, words);
}
