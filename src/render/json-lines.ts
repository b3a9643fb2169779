// --json: one JSON object per line for each event, then the result, for scripts and CI. The
// shape is documented in the man page (JSON OUTPUT) and kept stable: fields are only ever added.
import type { SessionEvent } from '../events.js';
import { formatCommand } from '../smtp/command.js';
import { describeFact, describeNote } from '../words/describe.js';
import { en } from '../words/en/index.js';
import { terminalSafeJson } from '../text/sanitize.js';

/** The event as one line of JSON: `event` names its kind, `ms` the time since mailv started. */
export function jsonLine(event: SessionEvent, ms: number): string {
  return terminalSafeJson(eventJson(event, ms));
}

function eventJson(event: SessionEvent, ms: number): string {
  const time = Math.round(ms * 10) / 10;
  switch (event.kind) {
    case 'reply': {
      const { reply, ...rest } = event;
      return JSON.stringify({
        event: 'reply',
        ms: time,
        ...withoutKind(rest),
        code: reply.code,
        enhanced: reply.enhanced ?? null,
        lines: reply.lines,
        raw: reply.raw,
      });
    }
    case 'recipient': {
      const { reply, ...rest } = event;
      return JSON.stringify({
        event: 'recipient',
        ms: time,
        ...withoutKind(rest),
        reply: reply ? { code: reply.code, enhanced: reply.enhanced ?? null, raw: reply.raw } : null,
      });
    }
    case 'body':
      return JSON.stringify({ event: 'body', ms: time, text: event.bytes.toString('utf8') });
    case 'send': {
      // `line` as the transcript shows it, `command` as data: verb and arguments, secrets withheld.
      const { stage, command, pipelined } = event;
      return JSON.stringify({ event: 'send', ms: time, stage, line: formatCommand(command), command, pipelined });
    }
    case 'note':
      // `text` as it always was (in English, as `reason` is), `note` the fact: its code and parameters.
      return JSON.stringify({ event: 'note', ms: time, text: describeNote(event.note, en), note: event.note, severity: event.severity });
    case 'unsettled':
      // `reason` as for `deferred`: in English, beside the fact.
      return JSON.stringify({ event: 'unsettled', ms: time, recipients: event.recipients, reason: describeFact(event.error, en), error: event.error });
    case 'deferred': {
      const { recipients, host, address, error } = event;
      // An MX host by its name and the address tried; a relay named by its address once, not twice.
      const where = host === address ? host : `${host} [${address}]`;
      return JSON.stringify({ event: 'deferred', ms: time, recipients, host: where, reason: describeFact(error, en), error });
    }
    case 'addresses':
      // Every field on every row, null where there is none, and the command line named as a source.
      return JSON.stringify({
        event: 'addresses',
        ms: time,
        addresses: event.addresses.map(({ address, envelope, header, blind, source }) => ({
          address,
          envelope: envelope ?? null,
          header: header ?? null,
          blind,
          source: source ?? 'command-line',
        })),
      });
    case 'mx-plan':
      // The plan's fields at the top, as --mx has always written them.
      return JSON.stringify({ event: 'mx-plan', ms: time, ...event.plan });
    case 'dns-answer': {
      // `ms` is the time since start on every line; the query's own time has its own name.
      const { ms: queryMs, ...rest } = event;
      return JSON.stringify({ event: 'dns-answer', ms: time, ...withoutKind(rest), queryMs });
    }
    default:
      return JSON.stringify({ event: event.kind, ms: time, ...withoutKind(event) });
  }
}

/** Why a run did not end with 0: a code (`MAILV_…`), where it happened, and the one-line reason. */
export interface RunFailure {
  readonly code: string;
  /** Undefined for a failure of mailv's own (MAILV_INTERNAL). */
  readonly stage: string | undefined;
  /** In the user's language, as standard error says it. */
  readonly message: string;
}

/**
 * The last line: the exit status and, when it is not 0, why: `error` (the one-line reason),
 * `code` and `stage`; all three are null for a run that ended with 0.
 */
export function jsonResult(status: number, failure: RunFailure | undefined, ms: number): string {
  return terminalSafeJson(
    JSON.stringify({
      event: 'result',
      ms: Math.round(ms * 10) / 10,
      status,
      error: failure?.message ?? null,
      code: failure?.code ?? null,
      stage: failure?.stage ?? null,
    }),
  );
}

function withoutKind<T extends { kind?: unknown }>(value: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}
