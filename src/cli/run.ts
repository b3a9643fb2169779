// The one place that touches process I/O: reads argv, env and stdin, runs the plan, prints the
// transcript and errors, and returns the exit status.
import { existsSync, fstatSync, readFileSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import type { AccountSettings } from '../config/config-file.js';
import { ConfigError, InputError, InterruptedError, MailvError, exitCodeOf } from '../errors.js';
import type { EmitEvent, SessionEvent } from '../events.js';
import { randomSource } from '../dns/seeded-random.js';
import { parseResolvConf, type ResolverConfig } from '../dns/resolv-conf.js';
import type { Resolver } from '../dns/resolver.js';
import type { RecipientResult, SessionPlan } from '../smtp/session.js';
import { probeNeedsNoMessage } from '../smtp/quit-points.js';
import type { AuthPlan } from '../smtp/authenticate.js';
import { formatMxPlan } from '../render/mx-plan.js';
import { ExitCode } from '../exit-codes.js';
import { deadLetterPath, saveDeadLetter } from '../delivery/dead-letter.js';
import { anyDelivered, exitCodeForResults } from '../delivery/outcome.js';
import type { ServerAddress } from '../delivery/submit.js';
import { formatEnvelope } from '../render/dry-run.js';
import { sanitize } from '../render/sanitize.js';
import { plainStyle, colourStyle, type Style } from '../render/style.js';
import { TranscriptRenderer, type Verbosity } from '../render/transcript.js';
import { describeError, wordsFor } from '../words/describe.js';
import { jsonLine, jsonMxPlan, jsonResult } from '../render/json-lines.js';
import { formatAddressTable, formatMessagePreview } from '../render/address-table.js';
import { TimingRecorder } from '../render/timing.js';
import { Timeouts } from '../smtp/timeouts.js';
import { readRegularFile, readStream, type ReadInput } from './body-input.js';
import { localFqdn, localUser } from './local-host.js';
import { openAttachments, prepareInput, type OpenAttachments, type PreparedInput } from './message-input.js';
import { buildPlan, type Plan } from './options.js';
import { CommandLineError, parseCommandLine } from './program.js';
import { decideColourLevel } from './terminal.js';
import { waitingSpinner, type WaitingSpinner } from './spinner.js';
import type { Stepper } from './step-prompt.js';

/**
 * Standard output, set up on first use (a quiet run never pays for it). A reader that goes away
 * (`mailv … | head`) must not stop the message from being sent: write errors are ignored.
 */
function stdout(): NodeJS.WriteStream {
  if (!stdoutReady) {
    process.stdout.on('error', () => {});
    stdoutReady = true;
  }
  return process.stdout;
}
let stdoutReady = false;

/** Standard output is a regular file or /dev/null, which a synchronous write never leaves waiting. */
function stdoutIsFileOrNull(): boolean {
  try {
    const output = fstatSync(1);
    return output.isFile() || (output.isCharacterDevice() && output.rdev === statSync('/dev/null').rdev);
  } catch {
    return false;
  }
}

/** The spinner of the transcript, if one may be on screen: cleared before any last word. */
let activeSpinner: WaitingSpinner | undefined;

/** Prints the one line that says what went wrong; returns the exit status. */
function fail(error: unknown): number {
  // A failure may come with no event after it: the spinner would stay, and keep the process alive.
  activeSpinner?.clear();
  const message = describeError(error, wordsFor('en'));
  failure = message;
  // Escaped line by line: the only line breaks kept are those mailv put between its own lines.
  const lines = error instanceof CommandLineError ? error.lines : [message];
  process.stderr.write(`mailv: ${lines.map(sanitize).join('\n')}\n`);
  return exitCodeOf(error);
}

/**
 * Runs mailv with the process's arguments and streams; resolves to the exit status. `version`
 * reads mailv's version, asked only for --version.
 */
export async function main(argv: readonly string[], version: () => string): Promise<number> {
  let plan: Plan;
  try {
    const parsed = parseCommandLine(argv, argv.some((arg) => /^-(V|-version)$/.test(arg)) ? version() : '');
    if (parsed.kind === 'exit') {
      stdout().write(parsed.output);
      return ExitCode.OK;
    }
    const { options } = parsed;
    const account = await accountSettings(options.config, options.account);
    plan = buildPlan(options, parsed.recipients, {
      fqdn: localFqdn(),
      user: localUser(process.env),
      env: process.env,
      account,
      accountChosen: options.account !== undefined,
    });
    if (plan.mxLookup !== undefined) {
      const status = await showMx(plan, plan.mxLookup).catch(fail);
      finishOutput(plan, status);
      return status;
    }
  } catch (error) {
    const status = fail(error);
    // --json was asked for even if the rest of the command line could not be used.
    if (argv.includes('--json')) stdout().write(`${jsonResult(status, failure, clock() - started)}\n`);
    return status;
  }
  const status = await send(plan);
  finishOutput(plan, status);
  if (hungUp) await endByHangup();
  return status;
}

/** Milliseconds on a monotonic clock: `performance` would load perf_hooks, ms of every start-up. */
function clock(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}

/** When mailv started, for --timing and --json. */
const started = clock();
/** --timing: what the run's events said about where the time went. */
let timing: TimingRecorder | undefined;
/** --json: the reason of a failure, for the result line. */
let failure: string | undefined;

/** The --timing summary, or the --json result line, after everything else. */
function finishOutput(plan: Plan, status: number): void {
  activeSpinner?.clear();
  const now = clock();
  if (plan.output.json) stdout().write(`${jsonResult(status, failure, now - started)}\n`);
  else if (timing && plan.verbosity > 0) stdout().write(`${timing.summary(now).join('\n')}\n`);
}

/**
 * The configuration file's settings: [default], under the --account chosen. No file at the
 * default place is no configuration; the module is loaded only when there is a file to read.
 */
async function accountSettings(explicitPath: string | undefined, account: string | undefined): Promise<AccountSettings | undefined> {
  const home = process.env['HOME'] || homedir();
  const { defaultConfigPath, selectAccount } = await import('../config/config-file.js');
  const path = explicitPath ?? defaultConfigPath(process.env, home);
  if (explicitPath === undefined && !existsSync(path)) {
    if (account !== undefined) throw new ConfigError(`no configuration file ${path}, so no account ${JSON.stringify(account)}`);
    return undefined;
  }
  const { loadConfig } = await import('../config/load-config.js');
  const config = await loadConfig(path, explicitPath !== undefined, home);
  return config === undefined ? undefined : selectAccount(config, account);
}

/** The signals that stop a run the way any failure does: hangup, Ctrl-C, Ctrl-\, kill. */
const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'] as const;

/**
 * SIGHUP, SIGINT, SIGQUIT and SIGTERM abort the run through `controller`, so that it ends the way
 * any failure does (the message kept in dead.letter, the terminal restored); a second signal ends
 * the process at once.
 */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP' && !hungUp) {
      hungUp = true;
      // Every write to a terminal that hung up fails: that must not end the run before the
      // message is kept.
      process.stderr.on('error', () => {});
    }
    if (!controller.signal.aborted) return controller.abort(signal);
    stopWatching();
    process.kill(process.pid, signal);
  };
  const stopWatching = () => STOP_SIGNALS.forEach((signal) => process.off(signal, onSignal));
  STOP_SIGNALS.forEach((signal) => process.on(signal, onSignal));
  return stopWatching;
}

/** SIGHUP was received: the terminal may be gone. */
let hungUp = false;

/**
 * Ends the run by SIGHUP itself (129 to a shell too) when a terminal on standard input or output
 * has hung up: at a normal exit, Node would restore the modes of that terminal, fail, and abort.
 */
async function endByHangup(): Promise<void> {
  const { isatty } = await import('node:tty');
  const nullDevice = statSync('/dev/null').rdev;
  // A terminal that hung up is still a device, but no longer a terminal to isatty().
  const hungUp = (fd: number) => {
    try {
      const device = fstatSync(fd);
      return device.isCharacterDevice() && device.rdev !== nullDevice && !isatty(fd);
    } catch {
      return false;
    }
  };
  if ([0, 1, 2].some(hungUp)) process.kill(process.pid, 'SIGHUP');
}

/**
 * What was typed or piped before reading stopped, prepared for dead.letter: as it would have been
 * sent, or, when that cannot be (a -t header block cut short), as the body of a plain message.
 */
async function prepareUnfinished(plan: Plan, input: ReadInput, files: OpenAttachments): Promise<PreparedInput> {
  try {
    return await prepareInput(plan, input, files.attachments, new Date());
  } catch {
    const [{ composeMessage }, { newMessageId }] = await Promise.all([import('../message/compose.js'), import('../message/identity.js')]);
    const draft = { from: plan.from, to: [], cc: [], subject: undefined, headers: [], body: input, attachments: [], date: new Date(), messageId: newMessageId(plan.fqdn) };
    return {
      envelope: { from: plan.from.address, recipients: [] },
      addresses: [],
      bccOnly: new Set(),
      compose: (eightBitMime) => composeMessage(draft, { eightBitMime }),
    };
  }
}

async function send(plan: Plan): Promise<number> {
  const interrupt = new AbortController();
  const stopWatching = abortOnSignals(interrupt);
  let files: OpenAttachments | undefined;
  let input: ReadInput | undefined;
  let prepared: PreparedInput | undefined;
  /** Reading stopped before the message ended: what dead.letter gets is only what was read. */
  let unfinished = false;
  try {
    files = await openAttachments(plan.attachments);
    let subject = plan.subject;
    const stdinKind = fstatSync(0);
    if (probeNeedsNoMessage(plan.quitAfter)) {
      // A probe that stops before MAIL sends no message: standard input is left alone.
      input = await readStream([]);
    } else if (!stdinKind.isFile() && !stdinKind.isFIFO() && process.stdin.isTTY) {
      const { readInteractive } = await import('./interactive-input.js');
      const typed = await readInteractive(process.stdin, process.stderr, subject === undefined && !plan.readRecipients, interrupt.signal);
      input = typed.body;
      subject ??= typed.subject;
      if (typed.interrupted) {
        unfinished = true;
        hungUp ||= typed.interrupted === 'SIGHUP';
        if (input.source.size > 0 || typed.subject) prepared = await prepareUnfinished({ ...plan, subject }, input, files);
        throw new InterruptedError(typed.interrupted, 'input');
      }
    } else {
      if (stdinKind.isDirectory()) throw new InputError('standard input is a directory, not a message', ExitCode.NOINPUT);
      // A file (`< message.eml`) is read directly, without setting up a stream or a spool.
      stdinIsFile = stdinKind.isFile();
      if (stdinKind.isFile()) input = await readRegularFile(0, { signal: interrupt.signal });
      else {
        const piped = await readStream(process.stdin, { signal: interrupt.signal });
        input = piped;
        if (piped.unfinished) {
          unfinished = true;
          if (input.source.size > 0) prepared = await prepareUnfinished({ ...plan, subject }, input, files);
          throw piped.unfinished;
        }
      }
    }
    if (input.source.size === 0 && !plan.readRecipients && plan.verbosity > 0 && plan.quitAfter === undefined) {
      process.stderr.write("mailv: Null message body; hope that's ok\n"); // as mail(1) says
    }
    prepared = await prepareInput({ ...plan, subject }, input, files.attachments, new Date());
    if (plan.dryRun) return await dryRun(plan, prepared);
    if (plan.step) stepper = await (await import('./step-prompt.js')).openStepper(interrupt.signal);
    if (plan.demo) return await demo(plan, prepared, interrupt.signal);
    if (plan.direct) return await deliverToMx(plan, prepared, interrupt.signal);
    return await deliver(plan, prepared, plan.server, interrupt.signal);
  } catch (error) {
    const status = fail(error);
    // A probe (--quit-after) never meant to send the message: nothing to keep.
    if (prepared && plan.quitAfter === undefined) await keepDeadLetter(prepared, unfinished);
    return status;
  } finally {
    stepper?.close();
    stopWatching();
    await input?.cleanup();
    await files?.close();
  }
}

/** Prints the transcript of each event, and each recipient that did not get the message on stderr. */
async function transcriptEmitter(plan: Plan, verbosity = plan.verbosity): Promise<EmitEvent> {
  const reportRefusal = (event: SessionEvent) => {
    if (event.kind === 'recipient' && event.outcome !== 'sent' && event.reply) {
      process.stderr.write(`mailv: not delivered to ${sanitize(event.recipient)}: ${sanitize(event.reply.raw.join(' '))}\n`);
    }
  };
  if (plan.output.json) {
    return (event: SessionEvent) => {
      stdout().write(`${jsonLine(event, clock() - started)}\n`);
      reportRefusal(event);
    };
  }
  const style = await styleFor(plan);
  const renderer = new TranscriptRenderer(verbosity, style, wordsFor(plan.output.explain ?? 'en'));
  const explain = plan.output.explain === undefined || verbosity === 0 ? undefined : await explainer(plan.output.explain, style);
  if (plan.output.timing) timing ??= new TimingRecorder(started);
  // --step waits for the user, not the server: no spinner there.
  const spinner = verbosity > 0 && !plan.step ? await waitingSpinner() : undefined;
  activeSpinner = spinner;
  return (event: SessionEvent) => {
    const at = clock();
    spinner?.clear();
    timing?.record(event, at);
    let lines = renderer.lines(event);
    if (explain) lines = explain(event, lines);
    if (timing && lines.length > 0) lines = lines.map((line, index) => (index === 0 ? timing!.stamp(at) : timing!.blank) + line);
    if (lines.length > 0) stdout().write(lines.join('\n') + '\n');
    reportRefusal(event);
    spinner?.after(event);
  };
}

/** What logging in and checking certificates need from outside: the secret, the --ca file. */
interface Trust {
  readonly extraCa: readonly Buffer[] | undefined;
  readonly auth: AuthPlan | undefined;
}

/** Reads the --ca file and the secret before any connection is made. */
async function gatherTrust(plan: Plan, signal: AbortSignal): Promise<Trust> {
  const extraCa = plan.ca === undefined ? undefined : [readCaFile(plan.ca)];
  if (plan.auth === undefined || plan.direct) return { extraCa, auth: undefined };
  const { readSecret } = await import('./secret-input.js');
  const request = plan.auth;
  return {
    extraCa,
    auth: {
      credentials: { user: request.user, secret: await readSecret(request.secret, signal) },
      mechanism: request.mechanism,
      token: request.token,
      insecure: plan.insecure,
      allowPlaintextAuth: request.allowPlaintextAuth,
      showSecrets: request.showSecrets,
    },
  };
}

function readCaFile(path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new InputError(`cannot read --ca ${path}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}`, ExitCode.NOINPUT);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError(`--ca ${path} holds no PEM certificate`, ExitCode.DATAERR);
  return pem;
}

/**
 * --explain: each shown line with its annotations, indented and dimmed. Every event goes through
 * the explainer, so that it keeps the context (the command a reply answers); only the annotations
 * of lines actually shown are printed.
 */
async function explainer(language: 'fr' | 'en', style: Style): Promise<(event: SessionEvent, lines: string[]) => string[]> {
  const { Explainer, catalogueFor } = await import('../explain/explainer.js');
  const explainer = new Explainer(catalogueFor(language));
  const annotate = (text: string) => style.note(`      ↳ ${text}`);
  return (event, lines) => {
    const { before, after } = explainer.annotate(event);
    if (lines.length === 0) return lines;
    return [...before.map(annotate), ...lines, ...after.map(annotate)];
  };
}

/** --step: the terminal that paces the session, opened once per run. */
let stepper: Stepper | undefined;

function sessionPlan(plan: Plan, prepared: PreparedInput, trust: Trust = { extraCa: undefined, auth: undefined }): SessionPlan {
  return {
    helo: plan.helo,
    envelope: prepared.envelope,
    prepare: (capabilities) => prepared.compose(capabilities.has('8BITMIME')),
    timeouts: new Timeouts(plan.timeoutMs),
    echoBody: plan.verbosity >= 3,
    tls: plan.tls,
    body: plan.body,
    extraCa: trust.extraCa,
    insecure: plan.insecure,
    auth: trust.auth,
    quitAfter: plan.quitAfter,
    step: stepper ? () => stepper!.ask() : undefined,
  };
}

/**
 * -v and --explain: before the dialogue, the message as generated (its first lines) with the size
 * SIZE= announces, and the table of envelope and header addresses.
 */
async function showMessageAndAddresses(plan: Plan, prepared: PreparedInput): Promise<void> {
  if (plan.output.json || plan.verbosity === 0 || (plan.verbosity < 2 && plan.output.explain === undefined)) return;
  if (plan.quitAfter !== undefined) return;
  const message = await prepared.compose(true);
  const head: Buffer[] = [];
  let length = 0;
  for await (const chunk of message.chunks()) {
    head.push(chunk);
    length += chunk.length;
    if (length >= 16 * 1024) break; // the preview needs the beginning only, whatever the size
  }
  const { tableLabelsFor } = await import('../explain/table-labels.js');
  const labels = tableLabelsFor(plan.output.explain ?? 'en');
  const lines = [...formatMessagePreview(Buffer.concat(head), message.size, labels), ...formatAddressTable(prepared.addresses, labels), ''];
  const style = await styleFor(plan);
  stdout().write(lines.map((line) => style.note(line)).join('\n') + '\n');
}

async function deliver(plan: Plan, prepared: PreparedInput, server: ServerAddress, signal: AbortSignal): Promise<number> {
  const trust = await gatherTrust(plan, signal);
  await showMessageAndAddresses(plan, prepared);
  const emit = await transcriptEmitter(plan);
  const { submit } = await import('../delivery/submit.js');
  const results = await submit(server, { ...sessionPlan(plan, prepared, trust), implicitTls: server.implicitTls }, emit, signal);
  if (plan.quitAfter !== undefined) return probeStatus(results);
  if (!anyDelivered(results)) await keepDeadLetter(prepared);
  return exitCodeForResults(results);
}

/** A probe went as far as asked: 0, or what the recipients' replies say when it reached RCPT. */
function probeStatus(results: readonly RecipientResult[]): number {
  return results.length === 0 ? ExitCode.OK : exitCodeForResults(results);
}

async function deliverToMx(plan: Plan, prepared: PreparedInput, signal: AbortSignal): Promise<number> {
  await showMessageAndAddresses(plan, prepared);
  const emit = await transcriptEmitter(plan);
  const [{ deliverDirect }, resolver] = await Promise.all([import('../delivery/direct.js'), makeResolver(plan, emit, signal)]);
  const outcomes = await deliverDirect(sessionPlan(plan, prepared, await gatherTrust(plan, signal)), emit, {
    resolver,
    random: randomSource(plan.seed),
    port: plan.mxPort,
    signal,
  });
  const failures = outcomes.flatMap((outcome) => ('error' in outcome ? [outcome] : []));
  const results = outcomes.flatMap((outcome) => ('results' in outcome ? outcome.results : []));
  for (const failure of failures) {
    process.stderr.write(`mailv: not delivered to ${sanitize(failure.recipients.join(', '))}: ${sanitize(describeError(failure.error, wordsFor('en')))}\n`);
  }
  if (plan.quitAfter !== undefined && failures.length === 0) return probeStatus(results);
  if (!anyDelivered(results) && plan.quitAfter === undefined) await keepDeadLetter(prepared);
  // Refused recipients (67) first, then the first domain that failed whole, as documented.
  const resultStatus = exitCodeForResults(results);
  if (resultStatus === ExitCode.NOUSER || failures.length === 0) return resultStatus;
  return failures[0]!.error.exitCode;
}

/** The resolver of --dns servers, else of /etc/resolv.conf; --timeout caps each try. */
async function makeResolver(plan: Plan, emit: EmitEvent, signal?: AbortSignal): Promise<Resolver> {
  const { Resolver } = await import('../dns/resolver.js');
  let config: ResolverConfig;
  if (plan.dnsServers.length > 0) {
    config = { servers: plan.dnsServers, timeoutMs: 5000, attempts: 2 };
  } else {
    let text = '';
    try {
      text = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // No resolv.conf: the C library then asks the local name server, and so does mailv.
    }
    config = parseResolvConf(text);
  }
  if (plan.timeoutMs !== undefined) config = { ...config, timeoutMs: Math.min(config.timeoutMs, plan.timeoutMs) };
  return new Resolver(config, emit, signal);
}

/** --mx: the DNS exchange and the delivery plan; nothing is read or sent. */
async function showMx(plan: Plan, domain: string): Promise<number> {
  const emit = await transcriptEmitter(plan, (plan.verbosity === 0 ? 0 : Math.max(plan.verbosity, 2)) as Verbosity);
  const resolver = await makeResolver(plan, emit);
  const { planMx } = await import('../dns/mx.js');
  const mx = await planMx(domain, resolver, randomSource(plan.seed));
  if (plan.output.json) stdout().write(`${jsonMxPlan(mx, clock() - started)}\n`);
  else stdout().write(formatMxPlan(mx, plan.mxPort, wordsFor('en')).join('\n') + '\n');
  return ExitCode.OK;
}

async function demo(plan: Plan, prepared: PreparedInput, signal: AbortSignal): Promise<number> {
  const { startDemoServer } = await import('../demo/demo-server.js');
  const server = await startDemoServer(plan.fqdn, plan.auth !== undefined);
  try {
    const status = await deliver(plan, prepared, { host: '127.0.0.1', port: server.port, implicitTls: false }, signal);
    for (const message of plan.verbosity > 0 && !plan.output.json ? server.received : []) {
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
  if (stdoutIsFileOrNull()) {
    // A file or /dev/null: plain writes, without loading the stream machinery (a dry run's cost).
    for await (const chunk of chunks) {
      for (let written = 0; written < chunk.length; ) written += writeSync(1, chunk, written);
    }
    return;
  }
  const [{ Readable }, { pipeline }] = await Promise.all([import('node:stream'), import('node:stream/promises')]);
  try {
    await pipeline(Readable.from(chunks), stdout(), { end: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

/** The message came from a file on standard input: if dead.letter fails, that file still holds it. */
let stdinIsFile = false;

/**
 * Appends the message to dead.letter, saying where, so that nothing typed is ever lost;
 * `unfinished`: only what was read of it before reading stopped.
 */
async function keepDeadLetter(prepared: PreparedInput, unfinished = false): Promise<void> {
  const path = deadLetterPath(process.env);
  try {
    const message = await prepared.compose(true);
    await saveDeadLetter(path, prepared.envelope.from, message.chunks());
    process.stderr.write(`mailv: ${unfinished ? 'what was read of the message' : 'the message'} was saved in ${sanitize(path)}\n`);
  } catch (error) {
    const fate = stdinIsFile ? 'it is only in the file given on standard input' : 'the message is lost';
    process.stderr.write(`mailv: ${sanitize(describeError(error, wordsFor('en')))}; ${fate}\n`);
  }
}

async function styleFor(plan: Plan): Promise<Style> {
  if (plan.verbosity === 0) return plainStyle; // -q writes no transcript: stdout is not even opened
  const level = decideColourLevel(plan.color, {
    isTTY: process.stdout.isTTY === true,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
    env: process.env,
  });
  if (level === 0) return plainStyle;
  const { Chalk } = await import('chalk');
  return colourStyle(new Chalk({ level }));
}
