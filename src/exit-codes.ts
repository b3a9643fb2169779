// Exit statuses from sysexits.h, the contract scripts rely on (as sendmail and mail use them), and
// 128 + the number of a signal that stopped the run, as a shell reports it.
import { constants } from 'node:os';

export const ExitCode = {
  OK: 0,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  NOUSER: 67,
  NOHOST: 68,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  CANTCREAT: 73,
  IOERR: 74,
  TEMPFAIL: 75,
  PROTOCOL: 76,
  NOPERM: 77,
  CONFIG: 78,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The signals that stop a run as any failure does: hangup, Ctrl-C, Ctrl-\, kill. */
export const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];

export function isStopSignal(value: unknown): value is StopSignal {
  return (STOP_SIGNALS as readonly unknown[]).includes(value);
}

/** The status of a run stopped by `signal`: 128 + its number, as a shell reports it. */
export function signalStatus(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
