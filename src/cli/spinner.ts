// The spinner on standard error while mailv waits for the server or a name server (ora), only on
// a terminal. It appears after a short wait, so fast exchanges do not flicker, and it is cleared
// before every transcript line, so the two never mix on the screen.
import type { Ora } from 'ora';
import type { SessionEvent } from '../events.js';
import { sanitize } from '../render/sanitize.js';
import { displayHost } from '../render/transcript.js';

/** No spinner for waits shorter than this: a local server answers well within it. */
const SHOW_AFTER_MS = 150;

export class WaitingSpinner {
  private timer: NodeJS.Timeout | undefined;
  /** Replies the server owes: the greeting, then one per command sent. */
  private owed = 0;
  private lastCommand = '';
  private host = '';

  constructor(private readonly spinner: Ora) {}

  /** Clears the spinner; call before writing a transcript line. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.spinner.isSpinning) this.spinner.stop();
  }

  /** After an event has been shown: what is mailv waiting for now, if anything? */
  after(event: SessionEvent): void {
    const waitingFor = this.waitingFor(event);
    if (waitingFor === undefined) return;
    this.timer = setTimeout(() => this.spinner.start(waitingFor), SHOW_AFTER_MS);
    this.timer.unref();
  }

  private waitingFor(event: SessionEvent): string | undefined {
    switch (event.kind) {
      case 'connecting':
        this.host = sanitize(displayHost(event.host));
        return `connecting to ${this.host} port ${event.port}…`;
      case 'connected':
        this.owed = 1;
        return `waiting for the greeting of ${this.host}…`;
      case 'send':
        this.owed++;
        this.lastCommand = event.command.verb === 'SASL' ? 'AUTH' : event.command.verb;
        return `waiting for the reply to ${this.lastCommand}…`;
      case 'reply':
        this.owed = Math.max(0, this.owed - 1);
        return this.owed > 0 ? `waiting for the reply to ${this.lastCommand}…` : undefined;
      case 'dns-query':
        return `asking ${event.server} for the ${event.type} records of ${sanitize(event.name)}…`;
      default:
        return undefined;
    }
  }
}

/** A spinner on standard error, or undefined when it is not a terminal (or in CI: ora decides). */
export async function waitingSpinner(): Promise<WaitingSpinner | undefined> {
  // A terminal that reports no width (a pty nobody sized) would make ora redraw without end.
  if (!process.stderr.isTTY || !(process.stderr.columns > 0)) return undefined;
  const { default: ora } = await import('ora');
  // discardStdin off: standard input may hold the message, or the --step keys.
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  if (!spinner.isEnabled) return undefined;
  return new WaitingSpinner(spinner);
}
