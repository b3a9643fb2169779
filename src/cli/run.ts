// The one place that touches process I/O: reads argv, env and stdin, runs the plan, prints the
// transcript and errors, and returns the exit status.
import { fstatSync, readFileSync } from 'node:fs';
import { InputError, LocalIoError, MailvError, exitCodeOf } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { ExitCode } from '../exit-codes.js';
import { deadLetterPath, saveDeadLetter } from '../delivery/dead-letter.js';
import { anyDelivered, exitCodeForResults } from '../delivery/outcome.js';
import type { ServerAddress } from '../delivery/submit.js';
import { parseAddressList } from '../message/address.js';
import type { ComposedMessage } from '../message/compose.js';
import { formatEnvelope } from '../render/dry-run.js';
import { sanitize } from '../render/sanitize.js';
import { plainStyle, colourStyle, type Style } from '../render/style.js';
import { TranscriptRenderer } from '../render/transcript.js';
import { Timeouts } from '../smtp/timeouts.js';
import { readStream, removeSpoolsNow, type ReadInput } from './body-input.js';
import { localFqdn, localUser } from './local-host.js';
import { openAttachments, prepareInput, type PreparedInput } from './message-input.js';
import { buildPlan, type Plan } from './options.js';
import { parseCommandLine } from './program.js';
import { decideColourLevel } from './terminal.js';

function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function fail(error: unknown): number {
  const message = error instanceof MailvError ? error.message : `internal error: ${(error as Error)?.stack ?? String(error)}`;
  process.stderr.write(`mailv: ${sanitize(message)}\n`);
  if (error instanceof MailvError && error.exitCode === ExitCode.USAGE && error.stage === 'options') {
    process.stderr.write("Try 'mailv --help' for more information.\n");
  }
  return exitCodeOf(error);
}

/** Runs mailv with the process's arguments and streams; resolves to the exit status. */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  // A reader that goes away (`mailv … | head`) must not stop the message from being sent.
  process.stdout.on('error', () => {});
  let plan: Plan;
  let positional: string[];
  try {
    const parsed = parseCommandLine(argv, argv.some((arg) => /^-(V|-version)$/.test(arg)) ? packageVersion() : '');
    if (parsed.kind === 'exit') {
      process.stdout.write(parsed.output);
      return ExitCode.OK;
    }
    const fqdn = localFqdn();
    plan = buildPlan(parsed.options, parsed.recipients, { fqdn, user: localUser(process.env), env: process.env });
    positional = parsed.recipients;
  } catch (error) {
    return fail(error);
  }
  return send(plan, positional);
}

/** Ctrl-C or a kill while a large body is spooled must not leave the spool file behind. */
function removeSpoolOnSignals(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    removeSpoolsNow();
    process.kill(process.pid, signal); // the listener is gone: the default action ends the process
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

async function send(plan: Plan, positional: readonly string[]): Promise<number> {
  removeSpoolOnSignals();
  let input: ReadInput | undefined;
  let prepared: PreparedInput | undefined;
  try {
    const attachments = await openAttachments(plan.attachments);
    let subject = plan.subject;
    if (process.stdin.isTTY) {
      const { readInteractive } = await import('./interactive-input.js');
      const typed = await readInteractive(process.stdin, process.stderr, subject === undefined && !plan.readRecipients);
      input = typed.body;
      subject ??= typed.subject;
    } else {
      if (fstatSync(0).isDirectory()) throw new InputError('standard input is a directory, not a message', ExitCode.NOINPUT);
      input = await readStream(process.stdin);
    }
    if (input.source.size === 0 && !plan.readRecipients && plan.verbosity > 0) {
      process.stderr.write("mailv: Null message body; hope that's ok\n"); // as mail(1) says
    }
    const planWithSubject = { ...plan, subject };
    const recipients = plan.readRecipients ? positional.flatMap((value) => parseAddressList(value, plan.fqdn)) : [];
    prepared = await prepareInput(planWithSubject, input, attachments, recipients, new Date());
    if (plan.dryRun) return await dryRun(plan, prepared);
    const status = plan.demo ? await demo(plan, prepared) : await deliver(plan, prepared, plan.server);
    return status;
  } catch (error) {
    const status = fail(error);
    if (prepared) await keepDeadLetter(prepared);
    return status;
  } finally {
    await input?.cleanup();
  }
}

async function deliver(plan: Plan, prepared: PreparedInput, server: ServerAddress): Promise<number> {
  const renderer = new TranscriptRenderer(plan.verbosity, await styleFor(plan));
  const emit = (event: SessionEvent) => {
    const lines = renderer.lines(event);
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
  };
  const { submit } = await import('../delivery/submit.js');
  const results = await submit(
    server,
    {
      helo: plan.helo,
      envelope: prepared.envelope,
      prepare: (capabilities) => prepared.compose(capabilities.has('8BITMIME')),
      timeouts: new Timeouts(plan.timeoutMs),
      echoBody: plan.verbosity >= 3,
    },
    emit,
  );
  for (const result of results) {
    if (result.outcome !== 'sent' && result.reply) {
      process.stderr.write(`mailv: not delivered to ${result.recipient}: ${sanitize(result.reply.raw.join(' '))}\n`);
    }
  }
  if (!anyDelivered(results)) await keepDeadLetter(prepared);
  return exitCodeForResults(results);
}

async function demo(plan: Plan, prepared: PreparedInput): Promise<number> {
  const { startDemoServer } = await import('../demo/demo-server.js');
  const server = await startDemoServer(plan.fqdn);
  try {
    const status = await deliver(plan, prepared, { host: '127.0.0.1', port: server.port });
    for (const message of plan.verbosity > 0 ? server.received : []) {
      process.stdout.write(
        `\n--- The demo server received ${message.data.length} octets from <${message.from}> for ` +
          `${message.recipients.map((recipient) => `<${recipient}>`).join(', ')}:\n`,
      );
      process.stdout.write(message.data);
      process.stdout.write('--- end of message\n');
    }
    return status;
  } finally {
    await server.close();
  }
}

async function dryRun(plan: Plan, prepared: PreparedInput): Promise<number> {
  const message = await prepared.compose(true);
  if (plan.verbosity > 0) process.stdout.write(formatEnvelope(prepared.envelope, message.size, message.eightBit, prepared.bccOnly));
  for await (const chunk of message.chunks()) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  return ExitCode.OK;
}

async function keepDeadLetter(prepared: PreparedInput): Promise<void> {
  const path = deadLetterPath(process.env);
  let message: ComposedMessage;
  try {
    message = await prepared.compose(true);
    await saveDeadLetter(path, prepared.envelope.from, message.chunks());
    process.stderr.write(`mailv: the message was saved in ${path}\n`);
  } catch (error) {
    const why = error instanceof LocalIoError ? error.message : (error as Error).message;
    process.stderr.write(`mailv: ${why}; the message is lost\n`);
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
