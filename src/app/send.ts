// The send run: what needs no message is checked first (--step's terminal, the attachments, and at
// a terminal the certificate files), then the message is read, prepared and handed over (or shown, with
// --dry-run). Whatever stops it, the message read so far is kept in dead.letter, unless nothing was
// ever to be sent: a probe, a dry run, or a usage error.
import { readStream, type ReadInput } from '../cli/body-input.js';
import { openAttachments, prepareInput, type OpenAttachments, type PreparedInput } from '../cli/message-input.js';
import { ExitCode } from '../exit-codes.js';
import { RefusedThenFailedError } from '../errors.js';
import type { Plan } from '../plan.js';
import { probeNeedsNoMessage } from '../smtp/quit-points.js';
import { deliver, deliverToMx, type DeliveryEnd } from './deliver.js';
import { demo } from './demo.js';
import { openDiagram } from './diagram-sink.js';
import { dryRun } from './dry-run.js';
import { keepDeadLetter } from './keep.js';
import { loadTest } from './load.js';
import type { Run } from './run.js';
import { readMessage } from './standard-input.js';
import { readTrustFiles } from './trust.js';

export async function sendMessage(run: Run, plan: Plan): Promise<number> {
  const { io } = run;
  const signal = run.interrupt.signal;
  const stopWatching = io.signals.watch((stop) => run.stop(stop));
  let files: OpenAttachments | undefined;
  let input: ReadInput | undefined;
  let prepared: PreparedInput | undefined;
  /** Reading stopped before the message ended: what dead.letter gets is only what was read. */
  let unfinished = false;
  /** A -t message was read whole: from here a usage error (its own recipients unusable) keeps it too. */
  let read = false;
  try {
    // Found before standard input is read: a usage error must not wait for a message, or keep one.
    if (plan.step && !plan.dryRun) run.stepper = await io.openStepper(signal, plan.language);
    // A dry run sends nothing, so there is no session to draw.
    if (plan.diagram && !plan.dryRun)
      run.sinks.push(await openDiagram(run, { language: plan.language, explain: plan.output.explain !== undefined, timing: plan.output.timing }, plan.diagram));
    files = await openAttachments(plan.attachments);
    // So are the files of --ca, --tls-cert and --tls-key, at a terminal: nobody types a message only
    // to learn then that it cannot go. A message piped has no other copy: it is read, and kept.
    const trustFiles = plan.ca !== undefined || plan.clientCert !== undefined;
    if (trustFiles && !probeNeedsNoMessage(plan.quitAfter) && typedAtTerminal(io)) await readTrustFiles(plan);
    let subject = plan.subject;
    if (probeNeedsNoMessage(plan.quitAfter)) {
      // A probe that stops before MAIL sends no message: standard input is left alone.
      input = await readStream([]);
    } else {
      // mail(1) asks for a subject only when it has none: -H 'Subject: …' gives one too.
      const subjectGiven = subject !== undefined || plan.headers.some(([name]) => name.toLowerCase() === 'subject');
      const message = await readMessage(io, !subjectGiven && !plan.readRecipients, signal, run.words.cli.typing, plan.sendmail?.endsAtDotLine);
      input = message.input;
      subject ??= message.typedSubject;
      run.stdinIsFile = message.fromFile;
      if (message.unfinished) {
        unfinished = true;
        // A terminal that hung up takes no more lines: nothing is lost by it, nothing is told.
        if (message.unfinished.fact.code === 'MAILV_INTERRUPTED' && message.unfinished.fact.signal === 'SIGHUP') run.output.hangUp();
        if (input.source.size > 0 || message.typedSubject !== undefined)
          prepared = await prepareUnfinished(run, { ...plan, subject }, input, files.attachments);
        throw message.unfinished;
      }
      // A whole message read: one of -t, whose own recipients may be what cannot be used, or one
      // piped to mailv-sendmail, the program's only copy (no recipient at all is a usage error found now).
      read = plan.sendmail !== undefined || plan.readRecipients;
    }
    if (plan.sendmail?.configRefused !== undefined) {
      read = true;
      throw plan.sendmail.configRefused;
    }
    if (input.source.size === 0 && plan.skipEmpty && plan.quitAfter === undefined) {
      // -E: nothing sent, nothing kept; said as the transcript would be (not with -q).
      if (plan.verbosity > 0) run.note({ code: 'empty-not-sent' });
      return ExitCode.OK;
    }
    if (input.source.size === 0 && !plan.readRecipients && plan.verbosity > 0 && plan.quitAfter === undefined) run.note({ code: 'null-body' });
    // Labelled unknown-8bit (see bodyCharset): the one who typed it may have meant another charset.
    if (!input.stats.utf8 && !plan.readRecipients && plan.verbosity > 0) run.note({ code: 'body-not-utf8' });
    prepared = await prepareInput({ ...plan, subject }, input, files.attachments, io.clock.date());
    // A dry run checks them too, which a send would refuse.
    if (plan.dryRun) {
      if (trustFiles) await readTrustFiles(plan);
      return await dryRun(run, plan, prepared);
    }
    if (plan.load) return await loadTest(run, plan, plan.load, prepared, { body: input, attachments: files.attachments });
    if (plan.demo) return await demo(run, plan, prepared);
    return (plan.direct ? await deliverToMx(run, plan, prepared) : await deliver(run, plan, prepared, plan.server)).status;
  } catch (error) {
    // A failed write stopped the run: that is its failure, whatever the interruption became.
    const failure = run.output.failure ?? error;
    const status = run.fail(failure);
    // A message refused before it could be prepared (a NUL, a line SMTP cannot carry) is kept all
    // the same: the program that piped it has nothing else to fall back on. So is one refused for
    // a reason found once it was read (no password and no terminal to ask at, as under cron).
    const keeps = keepsWhatWasRead(plan, status, read || prepared !== undefined);
    if (!prepared && input !== undefined && input.source.size > 0 && files !== undefined && keeps) {
      prepared = await prepareUnfinished(run, plan, input, files.attachments).catch(() => undefined);
    }
    if (prepared && keeps) await keepDeadLetter(run, prepared, unfinished);
    return status;
  } finally {
    run.stepper?.close();
    stopWatching();
    await input?.cleanup();
    await files?.close();
  }
}

/** Standard input is a terminal, where the message will be typed (a descriptor that cannot be asked is not). */
function typedAtTerminal(io: Run['io']): boolean {
  try {
    return io.stdin.kind().kind === 'terminal';
  } catch {
    // Reading it will say why.
    return false;
  }
}

/**
 * A whole message already read (one transaction of mailv-sendmail -bs), handed over as a piped
 * one is: how its delivery ended, the failure said and recorded, the message kept in dead.letter
 * (by the delivery) when anyone did not get it.
 */
export async function sendRead(run: Run, plan: Plan, input: ReadInput): Promise<DeliveryEnd> {
  let prepared: PreparedInput | undefined;
  try {
    prepared = await prepareInput(plan, input, [], run.io.clock.date());
    return plan.direct ? await deliverToMx(run, plan, prepared) : await deliver(run, plan, prepared, plan.server);
  } catch (error) {
    const status = run.fail(run.output.failure ?? error);
    if (keepsWhatWasRead(plan, status, true) && input.source.size > 0) {
      prepared ??= await prepareUnfinished(run, plan, input, []).catch(() => undefined);
      if (prepared) await keepDeadLetter(run, prepared, false);
    }
    // Refused for some, the rest put off for now: those may take it later (mailv-sendmail -bs says 451);
    // refused all, nobody is left to take it.
    const putOff = error instanceof RefusedThenFailedError && (prepared?.envelope.recipients ?? []).some((recipient) => !error.refused.includes(recipient));
    return { status, someoneGotIt: false, someoneMayLater: putOff };
  }
}

/**
 * Whether a run that failed keeps its message: not a probe (--quit-after never meant to send it),
 * not a dry run (it sends nothing), not a usage error (the command was wrong, not the delivery),
 * unless the message was read (`read`: a -t message, whose own recipients could not be used, or a
 * message prepared before the error was found): the one who typed or piped it has no other copy.
 */
function keepsWhatWasRead(plan: Plan, status: number, read: boolean): boolean {
  return plan.quitAfter === undefined && !plan.dryRun && (status !== ExitCode.USAGE || read);
}

/**
 * What was typed or piped before reading stopped, prepared for dead.letter: as it would have been
 * sent, or, when that cannot be, a whole message (-t, mailv-sendmail) as it was read, and anything
 * else as the body of a plain message.
 */
async function prepareUnfinished(run: Run, plan: Plan, input: ReadInput, attachments: OpenAttachments['attachments']): Promise<PreparedInput> {
  const date = run.io.clock.date();
  try {
    return await prepareInput(plan, input, attachments, date);
  } catch {
    const [{ composeMessage, messageAsRead }, { newMessageId }] = await Promise.all([import('../message/compose.js'), import('../message/identity.js')]);
    const draft = { from: plan.from, to: [], cc: [], subject: undefined, headers: [], body: input, attachments: [], date, messageId: newMessageId(plan.fqdn) };
    return {
      envelope: { from: plan.returnPath, recipients: [] },
      addresses: [],
      bccOnly: new Set(),
      compose: (eightBitMime) => composeMessage(draft, { eightBitMime }),
      // A whole message that could not be prepared (its recipients unusable, a NUL, a header block
      // too long or cut short) is kept octet for octet, to be sent again once mended.
      ...(plan.readRecipients || plan.sendmail !== undefined ? { asRead: messageAsRead(input) } : {}),
    };
  }
}
