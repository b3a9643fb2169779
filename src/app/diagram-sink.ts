// --diagram: a sink that keeps every event of the run with its time and, when the run is over,
// well or not (a refused session is worth a picture too), writes the sequence diagram. The file is
// opened before anything is sent, so that a path that cannot be written stops the run at once.
import type { FileHandle } from 'node:fs/promises';
import { LocalIoError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import type { DiagramRequest } from '../plan.js';
import type { Language } from '../words/language.js';
import type { TimedEvent } from '../render/diagram-model.js';
import type { EventSink, Run } from './run.js';
import { inputItIs, planInputs } from './run-inputs.js';

/** What the diagram is drawn with, from a live run's plan or a replay's. */
export interface DiagramShown {
  readonly language: Language;
  /** --explain: each arrow with its explanation. */
  readonly explain: boolean;
  /** --timing: the time axis. */
  readonly timing: boolean;
}

/**
 * Opens the diagram's file (created, or an existing regular file that is none of the run's inputs;
 * `replayed`: the record a replay reads) and returns the sink that fills it. Throws LocalIoError (74).
 */
export async function openDiagram(run: Run, shown: DiagramShown, request: DiagramRequest, replayed?: string): Promise<EventSink> {
  const { open, constants } = await import('node:fs/promises');
  let file: FileHandle;
  try {
    // Non-blocking: a FIFO with no reader is refused at once rather than waited on. A new file is
    // its owner's alone, as a record is: it holds the addresses and the server's replies.
    file = await open(request.path, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    throw failure(request.path, error);
  }
  try {
    const info = await file.stat();
    if (!info.isFile())
      throw new LocalIoError({ code: 'MAILV_DIAGRAM_FAILED', path: request.path, errno: undefined, detail: '', found: 'not-a-file' }, 'output');
    // Drawn at the end, over a file the run read (the message, the record replayed, a password file),
    // it would leave the diagram where that file was.
    const input = inputItIs(run, info, [...planInputs(run.plan), ['record', replayed], ['own-record', run.plan?.record]]);
    if (input !== undefined) throw new LocalIoError({ code: 'MAILV_DIAGRAM_IS_INPUT', path: request.path, input }, 'output');
  } catch (error) {
    await file.close();
    throw error instanceof LocalIoError ? error : failure(request.path, error);
  }
  const events: TimedEvent[] = [];
  return {
    event(event: SessionEvent, at: number) {
      // The message's octets (-vv) are drawn nowhere: not kept.
      if (event.kind !== 'body') events.push({ event, at });
    },
    async close(status: number) {
      try {
        const { renderDiagram } = await import('../render/diagram.js');
        const picture = renderDiagram(events, {
          format: request.format,
          language: shown.language,
          words: run.words,
          explain: shown.explain,
          timing: shown.timing,
          outcome: { status, failure: status === 0 ? undefined : run.failure?.message },
          user: run.plan?.auth?.user,
        });
        await file.truncate(0);
        await file.writeFile(picture, 'utf8');
      } catch (error) {
        throw failure(request.path, error);
      } finally {
        await file.close();
      }
    },
  };
}

function failure(path: string, error: unknown): LocalIoError {
  const errno = (error as NodeJS.ErrnoException)?.code;
  return new LocalIoError({ code: 'MAILV_DIAGRAM_FAILED', path, errno, detail: (error as Error)?.message ?? String(error) }, 'output');
}
