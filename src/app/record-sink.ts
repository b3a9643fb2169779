// --record FILE: the run's events kept as they happen, one JSON line each (src/record/format.ts),
// secrets withheld. Each line is written whole as soon as its event comes, so that a run stopped
// on the way leaves every line before it readable; the last line, the run's end, is written when
// the run closes its sinks, whatever it ended with.
import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { systemProblem } from '../cli/system-problem.js';
import { CannotCreateError, LocalIoError } from '../errors.js';
import type { Note, SessionEvent } from '../events.js';
import { endLine, eventLine, failureLine, headerLine, noteLine, RECORD_FORMAT, RECORD_VERSION } from '../record/format.js';
import { RecordSecrets } from '../record/secrets.js';
import type { EventSink, FailureFact, Run } from './run.js';
import { inputItIs, planInputs } from './run-inputs.js';

/** Notes the replay says again from an event of its own (the transcript reports a refused recipient). */
const SAID_FROM_EVENTS: ReadonlySet<Note['code']> = new Set(['recipient-not-delivered', 'interrupted-unconfirmed']);

// O_NONBLOCK: a FIFO without a reader is refused at once rather than waited for.
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Creates (or empties) FILE, readable by its owner only since it holds the message, and writes the
 * first line. Throws CannotCreateError (73) when it cannot be made or is not a regular file: before
 * anything is read or sent.
 */
export function openRecord(run: Run, path: string): EventSink {
  let fd: number;
  try {
    fd = openSync(path, CREATE, 0o600);
  } catch (error) {
    throw new CannotCreateError({ code: 'MAILV_RECORD_UNWRITABLE', path, ...systemProblem(error) }, 'options');
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new CannotCreateError({ code: 'MAILV_RECORD_NOT_A_FILE', path, reading: false }, 'options');
    // Emptied, a file the run reads or keeps messages in would be lost: the message itself (sent
    // as the record's first line), an attachment, every message dead.letter kept.
    const input = inputItIs(run, info, planInputs(run.plan));
    if (input !== undefined) throw new CannotCreateError({ code: 'MAILV_RECORD_IS_INPUT', path, input }, 'options');
    // A file that was there keeps its owner, and becomes as private as a new one.
    fchmodSync(fd, 0o600);
    ftruncateSync(fd, 0);
    const started = new Date(run.io.clock.date().getTime() - run.elapsed()).toISOString();
    const domain = run.plan?.mxLookup;
    const mxLookup = domain === undefined ? {} : { mxLookup: { domain, port: run.plan!.mxPort } };
    writeSync(fd, headerLine({ format: RECORD_FORMAT, version: RECORD_VERSION, mailv: run.io.version(), started, language: run.language, ...mxLookup }));
  } catch (error) {
    closeSync(fd);
    if (error instanceof CannotCreateError) throw error;
    throw new CannotCreateError({ code: 'MAILV_RECORD_UNWRITABLE', path, ...systemProblem(error) }, 'options');
  }
  const secrets = new RecordSecrets();
  /** The first write that failed: nothing more is written, and the run is told when it ends. */
  let failure: unknown;
  const write = (line: string) => {
    if (failure !== undefined) return;
    try {
      writeSync(fd, line);
    } catch (error) {
      failure = error;
    }
  };
  return {
    event(event: SessionEvent, at: number) {
      const kept = secrets.event(event);
      if (kept !== undefined) write(eventLine(kept, at));
    },
    note(note: Note, at: number) {
      if (SAID_FROM_EVENTS.has(note.code)) return;
      const kept = secrets.note(note);
      if (kept !== undefined) write(noteLine(kept, at));
    },
    failed(failure: FailureFact, at: number) {
      write(failureLine(secrets.mask({ fact: failure.fact, stage: failure.stage }), at));
    },
    hide(secret: string) {
      secrets.hide(secret);
    },
    async close(status: number) {
      const fact = run.failureFact;
      write(endLine(run.elapsed(), status, fact === undefined || status === 0 ? undefined : secrets.mask({ fact: fact.fact, stage: fact.stage })));
      closeSync(fd);
      // Said with what the run did otherwise: a run that did all else it was asked (a message sent)
      // must not be taken for one that did not, and sent again.
      if (failure !== undefined)
        throw new LocalIoError({ code: 'MAILV_RECORD_WRITE_FAILED', path, ...systemProblem(failure), allElseDone: status === 0 }, 'output');
    },
  };
}
