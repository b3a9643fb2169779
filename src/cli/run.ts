// The one place that touches process I/O: reads argv, env and stdin, runs the plan, prints the
// transcript and errors, and returns the exit status.
import { fstatSync } from 'node:fs';
import { InputError, InterruptedError, MailvError, exitCodeOf } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { ExitCode } from '../exit-codes.js';
import { deadLetterPath, saveDeadLetter } from '../delivery/dead-letter.js';
import { anyDelivered, exitCodeForResults } from '../delivery/outcome.js';
import type { ServerAddress } from '../delivery/submit.js';
import { formatEnvelope } from '../render/dry-run.js';
import { sanitize } from '../render/sanitize.js';
import { plainStyle, colourStyle, type Style } from '../render/style.js';
import { TranscriptRenderer } from '../render/transcript.js';
import { Timeouts } from '../smtp/timeouts.js';
import { readStream, removeSpoolsNow, type ReadInput } from './body-input.js';
import { localFqdn, localUser } from './local-host.js';
import { openAttachments, prepareInput, type OpenAttachments, type PreparedInput } from './message-input.js';
import { buildPlan, type Plan } from './options.js';
import { parseCommandLine } from './program.js';
import { decideColourLevel } from './terminal.js';

/** Prints the one line that says what went wrong; returns the exit status. */
function fail(error: unknown): number {
  const message = error instanceof MailvError ? error.message : `internal error: ${(error as Error)?.stack ?? String(error)}`;
  process.stderr.write(`mailv: ${sanitize(message)}\n`);
  return exitCodeOf(error);
}

/**
 * Runs mailv with the process's arguments and streams; resolves to the exit status. `version`
 * reads mailv's version, asked only for --version.
 */
export async function main(argv: readonly string[], version: () => string): Promise<number> {
  // A reader that goes away (`mailv … | head`) must not stop the message from being sent.
  process.stdout.on('error', () => {});
  let plan: Plan;
  try {
    const parsed = parseCommandLine(argv, argv.some((arg) => /^-(V|-version)$/.test(arg)) ? version() : '');
    if (parsed.kind === 'exit') {
      process.stdout.write(parsed.output);
      return ExitCode.OK;
    }
    plan = buildPlan(parsed.options, parsed.recipients, { fqdn: localFqdn(), user: localUser(process.env), env: process.env });
  } catch (error) {
    return fail(error);
  }
  return send(plan);
}

/**
 * SIGINT and SIGTERM abort the run through `controller`, so that it ends the way any failure
 * does (the message kept in dead.letter); a second signal ends the process at once.
 */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) return controller.abort(signal);
    removeSpoolsNow();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return () => process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
}

async function send(plan: Plan): Promise<number> {
  const interrupt = new AbortController();
  const stopWatching = abortOnSignals(interrupt);
  let files: OpenAttachments | undefined;
  let input: ReadInput | undefined;
  let prepared: PreparedInput | undefined;
  try {
    files = await openAttachments(plan.attachments);
    let subject = plan.subject;
    if (process.stdin.isTTY) {
      const { readInteractive } = await import('./interactive-input.js');
      const typed = await readInteractive(process.stdin, process.stderr, subject === undefined && !plan.readRecipients, interrupt.signal);
      input = typed.body;
      subject ??= typed.subject;
      if (typed.interrupted) {
        if (input.source.size > 0) prepared = await prepareInput({ ...plan, subject }, input, files.attachments, new Date());
        throw new InterruptedError(interrupt.signal.reason as NodeJS.Signals, 'input');
      }
    } else {
      if (fstatSync(0).isDirectory()) throw new InputError('standard input is a directory, not a message', ExitCode.NOINPUT);
      input = await readStream(process.stdin, { signal: interrupt.signal });
    }
    if (input.source.size === 0 && !plan.readRecipients && plan.verbosity > 0) {
      process.stderr.write("mailv: Null message body; hope that's ok\n"); // as mail(1) says
    }
    prepared = await prepareInput({ ...plan, subject }, input, files.attachments, new Date());
    if (plan.dryRun) return await dryRun(plan, prepared);
    return plan.demo ? await demo(plan, prepared, interrupt.signal) : await deliver(plan, prepared, plan.server, interrupt.signal);
  } catch (error) {
    const status = fail(error);
    if (prepared) await keepDeadLetter(prepared);
    return status;
  } finally {
    stopWatching();
    await input?.cleanup();
    await files?.close();
  }
}

async function deliver(plan: Plan, prepared: PreparedInput, server: ServerAddress, signal: AbortSignal): Promise<number> {
  const renderer = new TranscriptRenderer(plan.verbosity, await styleFor(plan));
  const emit = (event: SessionEvent) => {
    const lines = renderer.lines(event);
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    if (event.kind === 'recipient' && event.outcome !== 'sent' && event.reply) {
      process.stderr.write(`mailv: not delivered to ${sanitize(event.recipient)}: ${sanitize(event.reply.raw.join(' '))}\n`);
    }
  };
  const { submit } = await import('../delivery/submit.js');
  const session = {
    helo: plan.helo,
    envelope: prepared.envelope,
    prepare: (capabilities: { has(keyword: string): boolean }) => prepared.compose(capabilities.has('8BITMIME')),
    timeouts: new Timeouts(plan.timeoutMs),
    echoBody: plan.verbosity >= 3,
  };
  const results = await submit(server, session, emit, signal);
  if (!anyDelivered(results)) await keepDeadLetter(prepared);
  return exitCodeForResults(results);
}

async function demo(plan: Plan, prepared: PreparedInput, signal: AbortSignal): Promise<number> {
  const { startDemoServer } = await import('../demo/demo-server.js');
  const server = await startDemoServer(plan.fqdn);
  try {
    const status = await deliver(plan, prepared, { host: '127.0.0.1', port: server.port }, signal);
    for (const message of plan.verbosity > 0 ? server.received : []) {
      const recipients = message.recipients.map((recipient) => `<${recipient}>`).join(', ');
      await writeOut([
        Buffer.from(`\n--- The demo server received ${message.data.length} octets from <${message.from}> for ${recipients}:\n`),
        message.data,
        Buffer.from('--- end of message\n'),
      ]);
    }
    return status;
  } finally {
    await server.close();
  }
}

async function dryRun(plan: Plan, prepared: PreparedInput): Promise<number> {
  const message = await prepared.compose(true);
  const envelope = formatEnvelope(prepared.envelope, message.size, message.eightBit, prepared.bccOnly);
  async function* output() {
    if (plan.verbosity > 0) yield Buffer.from(envelope);
    yield* message.chunks();
  }
  await writeOut(output());
  return ExitCode.OK;
}

/** Streams to stdout with back-pressure; a reader that has gone away just ends the output. */
async function writeOut(chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  const [{ Readable }, { pipeline }] = await Promise.all([import('node:stream'), import('node:stream/promises')]);
  try {
    await pipeline(Readable.from(chunks), process.stdout, { end: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

/** Appends the message to dead.letter, saying where, so that nothing typed is ever lost. */
async function keepDeadLetter(prepared: PreparedInput): Promise<void> {
  const path = deadLetterPath(process.env);
  try {
    const message = await prepared.compose(true);
    await saveDeadLetter(path, prepared.envelope.from, message.chunks());
    process.stderr.write(`mailv: the message was saved in ${path}\n`);
  } catch (error) {
    process.stderr.write(`mailv: ${sanitize((error as Error).message)}; the message is lost\n`);
  }
}

async function styleFor(plan: Plan): Promise<Style> {
  const level = decideColourLevel(plan.color, {
    isTTY: process.stdout.isTTY === true,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
    env: process.env,
  });
  if (level === 0) return plainStyle;
  const { Chalk } = await import('chalk');
  return colourStyle(new Chalk({ level }));
}
