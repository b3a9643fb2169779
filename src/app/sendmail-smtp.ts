// mailv-sendmail -bs: an SMTP client on standard input and output (PHP's Symfony Mailer and
// Laravel run /usr/sbin/sendmail -bs by default). mailv keeps no queue: each transaction's message
// is read to its lone dot, then handed on as a piped one is, and the dot is answered with what
// became of it: 250 when someone got it (those who did not are said on standard error, and the
// message kept in dead.letter), 451 when it may go later, 554 when it will not. Replies are in
// English and ASCII, as every server's; standard output carries them alone.
import { readStream } from '../cli/body-input.js';
import { SmtpInput } from '../cli/smtp-input.js';
import { withinLimit } from '../cli/within-limit.js';
import { systemProblem } from '../cli/system-problem.js';
import { type ErrorFact, InputError, InterruptedError, LocalIoError } from '../errors.js';
import { ExitCode, signalStatus } from '../exit-codes.js';
import { parseMailbox } from '../message/address.js';
import { isAscii } from '../message/compose.js';
import type { Plan } from '../plan.js';
import { formatServerReply } from '../render/server-reply.js';
import { parseServerCommand } from '../smtp/server-command.js';
import { mailParameterProblem, type ParameterProblem, rcptParameterProblem } from '../smtp/server-parameters.js';
import { describeError, describeFact, wordsFor } from '../words/describe.js';
import { smtpServerWords as said } from '../words/en/smtp-server.js';
import type { Run } from './run.js';
import { sendRead } from './send.js';
import type { SendmailCommand } from './sendmail.js';

/** What the EHLO reply offers: commands pipelined are read in order; the message goes on as it came. */
const EXTENSIONS = ['PIPELINING', '8BITMIME', 'SMTPUTF8'];

/**
 * MAIL's SMTPUTF8 parameter: without it, an address that is not ASCII is refused 553 5.6.7, as
 * RFC 6531 §3.4 has a server do and Postfix does.
 */
function declaresUtf8(params: readonly string[]): boolean {
  return params.some((param) => param.toUpperCase() === 'SMTPUTF8');
}

/**
 * The reply to MAIL or RCPT parameters that cannot be taken. Those taken (the extensions offered,
 * SIZE, and DSN's) are read and dropped; any other is answered 555 as Postfix answers it, never
 * taken silently, and a value that does not parse 501.
 */
function parameterReply(problem: ParameterProblem): [number, string] {
  if (problem.kind === 'size-overflow') return [552, said.sizeOverflow];
  return problem.kind === 'unsupported' ? [555, said.unsupportedParameter(problem.parameter)] : [501, said.badParameter(problem.name)];
}

/** Recipients a transaction takes, as Postfix's smtpd_recipient_limit. */
export const MAX_RECIPIENTS = 1000;

/**
 * What standard error may take in all: Symfony reads it only once standard output has ended, and a
 * full pipe would block mailv's next write, and with it the dialogue, for good. Well under a
 * pipe's 64 KiB.
 */
const ERROR_OCTETS = 8 * 1024;

/** A failure in the words of a reply's text: English, as every reply is. */
function inEnglish(error: unknown): string {
  return describeError(error, wordsFor('en'));
}

/** A transaction, from MAIL; the sender is '' for `<>`. */
interface Transaction {
  readonly sender: string;
  readonly recipients: string[];
  /** MAIL declared SMTPUTF8: its addresses may be UTF-8. */
  readonly utf8: boolean;
}

/**
 * Serves the dialogue until QUIT, the end of standard input, or `commandTimeoutMs` (0: no limit)
 * in which the client sent nothing or read none of a reply; `planFor` makes each transaction's plan
 * from its envelope. The exit status is 0 when every message went to everyone, else that of the
 * first that did not; 65 when the client stopped or fell silent inside its message; 128 + its
 * number when a signal ends it.
 */
export async function smtpDialogue(run: Run, { base, planFor, commandTimeoutMs }: Extract<SendmailCommand, { kind: 'smtp' }>): Promise<number> {
  const { io } = run;
  if (io.stdin.kind().kind === 'directory') throw new InputError({ code: 'MAILV_STDIN_DIRECTORY' }, ExitCode.NOINPUT);
  run.output.limitErrors(ERROR_OCTETS, run.words.output.errorsWithheld);
  const limit = commandTimeoutMs > 0 ? commandTimeoutMs : undefined;
  /** The client read none of a reply within the limit: it is given up, as one that sends nothing. */
  let unread = false;
  // Each reply waits until standard output takes it: a client that writes without reading would
  // otherwise have its replies pile up in memory. False once the client is given up for it.
  const reply = async (code: number, ...lines: string[]): Promise<boolean> => {
    if (unread) return false;
    const written = run.output.stream([Buffer.from(formatServerReply(code, lines))], run.interrupt.signal);
    if (limit === undefined || (await withinLimit(written, limit)).done) {
      await written;
      return true;
    }
    unread = true;
    // Nothing more is read, nor done of what was read already: the dialogue ends there (see below).
    io.stdin.stream.destroy();
    return false;
  };
  /**
   * The replies written so far, taken by the client within the limit: they may all sit in Node's
   * buffer, the last one included, with a pipe the client does not read; else it is given up.
   */
  const taken = async () => {
    if (limit === undefined || unread) return;
    if (!(await withinLimit(run.output.settle(), limit)).done) unread = true;
  };
  const signal = run.interrupt.signal;
  const stopWatching = io.signals.watch((stop) => run.stop(stop));
  // A signal (or a failed write) ends the wait for the client's next line.
  const stopReading = () => io.stdin.stream.destroy();
  signal.addEventListener('abort', stopReading, { once: true });
  const input = new SmtpInput(io.stdin.stream, limit);
  let status: number = ExitCode.OK;
  let unreadable: LocalIoError | undefined;
  let transaction: Transaction | undefined;
  /** The client fell silent inside its message: nothing of it was sent. */
  let silentInMessage = false;
  await reply(220, `${base.fqdn} ${said.greeting}`);
  try {
    // A client given up for reading nothing: not even the commands it sent before are carried out
    // (a message among them would go unconfirmed, and be sent again).
    while (!unread) {
      const line = await input.line();
      // Nobody is left to read the replies (standard output closed): nothing more is done.
      if (signal.aborted || line.kind === 'end' || !run.output.open('stdout')) break;
      if (line.kind === 'too-long' || line.kind === 'not-utf8') {
        await reply(500, line.kind === 'too-long' ? said.lineTooLong : said.notUtf8);
        continue;
      }
      const command = parseServerCommand(line.text);
      switch (command.kind) {
        case 'hello':
          transaction = undefined;
          await reply(250, base.fqdn, ...(command.extended ? EXTENSIONS : []));
          break;
        case 'mail': {
          const problem = mailParameterProblem(command.params);
          const utf8 = declaresUtf8(command.params);
          if (transaction !== undefined) await reply(503, said.nestedMail);
          else if (problem !== undefined) await reply(...parameterReply(problem));
          else if (!utf8 && !isAscii(command.path)) await reply(553, said.undeclaredUtf8);
          else {
            try {
              // Checked as -f checks it, now, so that the client hears of it at MAIL.
              const sender = command.path === '' ? '' : parseMailbox(command.path, base.mailDomain).address;
              planFor(sender, []);
              transaction = { sender, recipients: [], utf8 };
              await reply(250, said.ok);
            } catch (error) {
              await reply(501, inEnglish(error));
            }
          }
          break;
        }
        case 'rcpt': {
          const problem = rcptParameterProblem(command.params);
          if (transaction === undefined) await reply(503, said.needMail);
          else if (transaction.recipients.length >= MAX_RECIPIENTS) await reply(452, said.tooManyRecipients);
          else if (problem !== undefined) await reply(...parameterReply(problem));
          else if (!transaction.utf8 && !isAscii(command.path)) await reply(553, said.undeclaredUtf8);
          else {
            try {
              const recipient = parseMailbox(command.path, base.mailDomain).address;
              planFor(transaction.sender, [recipient]);
              transaction.recipients.push(recipient);
              await reply(250, said.ok);
            } catch (error) {
              await reply(501, inEnglish(error));
            }
          }
          break;
        }
        case 'data': {
          if (transaction === undefined) await reply(503, said.needMail);
          else if (transaction.recipients.length === 0) await reply(503, said.needRecipient);
          else if (command.argument) await reply(501, said.syntax('DATA'));
          else {
            const { sender, recipients } = transaction;
            transaction = undefined;
            const answer = await handOn(run, input, () => planFor(sender, recipients), reply);
            // Nothing to say: a signal ends the dialogue (below), or the client left before its dot,
            // which is its run's failure: nothing was sent.
            if (signal.aborted) break;
            if (answer === undefined) {
              // Nobody hears the replies any more (standard output closed), or the client fell
              // silent (said below): nothing more is done.
              if (!run.output.open('stdout')) break;
              // Fallen silent: inside its message, or before it, reading not even the 354.
              silentInMessage = input.idled;
              if (input.idled || unread) break;
              return run.fail(new InputError({ code: 'MAILV_MESSAGE_UNENDED' }, ExitCode.DATAERR));
            }
            if (status === ExitCode.OK) status = answer.status;
            await reply(answer.code, answer.text);
          }
          break;
        }
        case 'rset':
          transaction = undefined;
          await reply(250, said.ok);
          break;
        case 'noop':
          await reply(250, said.ok);
          break;
        case 'quit':
          await reply(221, said.bye);
          await taken();
          if (unread) break;
          return status;
        case 'help':
          await reply(214, said.help);
          break;
        case 'vrfy':
          await reply(252, said.vrfy);
          break;
        case 'not-offered':
          await reply(502, said.notOffered(command.verb));
          break;
        case 'syntax':
          await reply(501, said.syntax(command.verb));
          break;
        case 'unknown':
          await reply(500, said.unknown);
          break;
      }
    }
    // The client left: what it has not read of the replies is waited for, within the limit too.
    if (!signal.aborted && !input.idled && run.output.open('stdout')) await taken();
  } catch (error) {
    // Standard input failed, or was closed under the wait by a signal or for a client that reads nothing.
    if (!signal.aborted && !unread) unreadable = new LocalIoError({ code: 'MAILV_STDIN_UNREADABLE', ...systemProblem(error) }, 'input');
  } finally {
    signal.removeEventListener('abort', stopReading);
    // After QUIT the client may keep standard input open: it must not keep mailv waiting.
    io.stdin.stream.destroy();
  }
  // Watched until a stopped run has said so: a second signal close on the first waits for that.
  try {
    if (unreadable !== undefined) throw unreadable;
    if ((input.idled || unread) && !signal.aborted) {
      // As Postfix's smtpd says it at its smtpd_timeout; not waited for, nor anything left unread
      // when mailv ends: a client that fell silent may read nothing more.
      run.output.out(formatServerReply(421, [`4.4.2 ${base.fqdn} ${said.idle}`]));
      run.output.abandonStdout();
      const seconds = Math.round(commandTimeoutMs / 1000);
      // Inside a message, as a client that left before its dot: nothing of it was sent (65). Between
      // commands nothing is lost, as when a client leaves without QUIT: said, the status unchanged.
      if (silentInMessage) return run.fail(new InputError({ code: 'MAILV_CLIENT_IDLE', seconds }, ExitCode.DATAERR));
      run.note({ code: 'client-idle', seconds, unread });
    }
    if (!signal.aborted) return status;
    // Not waited for: a client that does not read must not hold the stopped run.
    run.output.out(formatServerReply(421, [`${base.fqdn} ${said.closing}`]));
    // Said once: a delivery the signal stopped has said it already.
    if (run.failureFact?.fact.code === 'MAILV_INTERRUPTED') return signalStatus(signal.reason as NodeJS.Signals);
    // Stopped by a write that failed, that failure is the run's, as after a send.
    return run.fail(run.output.failure ?? new InterruptedError(signal.reason as NodeJS.Signals, 'input'));
  } finally {
    stopWatching();
  }
}

/**
 * After DATA: the plan, the 354, the message read to its lone dot and handed on. Undefined when
 * there is nothing to say to the dot: the client went away before it (nothing is sent), or a
 * signal stopped the run.
 */
async function handOn(
  run: Run,
  input: SmtpInput,
  plan: () => Plan,
  reply: (code: number, ...lines: string[]) => Promise<boolean>,
): Promise<{ readonly code: number; readonly text: string; readonly status: number } | undefined> {
  let transactionPlan: Plan;
  try {
    transactionPlan = plan();
  } catch (error) {
    // Each address was checked as it came; together they may still make no plan.
    const status = run.fail(error);
    return { code: 554, text: inEnglish(error), status };
  }
  // A client that did not read the 354: its message, already sent or not, is not taken.
  if (!(await reply(354, said.startData))) return undefined;
  const read = await readStream(input.message(), { signal: run.interrupt.signal });
  try {
    if (run.interrupt.signal.aborted) return undefined;
    if (read.unfinished) {
      // Reading stopped short (no room to spool it): what is left of the message is skipped to its
      // dot, never read as commands, and the client told to keep it and try later.
      for await (const _ of input.message(true));
      if (!input.complete()) return undefined;
      const status = run.fail(read.unfinished);
      return { code: 451, text: inEnglish(read.unfinished), status };
    }
    // Left before its dot, or can no longer hear the verdict (standard output closed): not sent, as
    // the client would send it again.
    if (!input.complete() || !run.output.open('stdout')) return undefined;
    run.plan = transactionPlan;
    const end = await sendRead(run, transactionPlan, read);
    if (end.status === ExitCode.OK) return { code: 250, text: said.sent(false), status: end.status };
    if (end.someoneGotIt) return { code: 250, text: said.sent(true), status: end.status };
    const fact = run.failureFact?.fact;
    const failure = fact === undefined ? '' : describeFact(fact, wordsFor('en'));
    // Refused for some and put off for others, the status says the refusal; the 451 is for those put
    // off, whom the client tries again for: they are named first.
    const deferred = end.deferred ?? [];
    const putOff = deferred.length > 0 && fact?.code === 'MAILV_RECIPIENTS_REFUSED';
    const text = putOff ? `${describeFact({ code: 'MAILV_RECIPIENTS_DEFERRED', recipients: deferred }, wordsFor('en'))}; ${failure}` : failure;
    // A recipient deferred may take it later, whoever refused it for good: the client tries again.
    return { code: end.someoneMayLater || mayGoLater(end.status, fact) ? 451 : 554, text, status: end.status };
  } finally {
    await read.cleanup();
  }
}

/**
 * Whether the client should keep the message and try again (451) rather than give it up (554): a
 * server's own 4xx says so (a deferred recipient, a 454 to AUTH), and so does a failure of this
 * machine's rather than of the message or the server: its disk, its configuration, mailv itself.
 */
function mayGoLater(status: number, fact: ErrorFact | undefined): boolean {
  const reply = fact !== undefined && 'reply' in fact ? fact.reply : undefined;
  if (reply !== undefined && reply.code >= 400 && reply.code < 500) return true;
  return (
    status === ExitCode.TEMPFAIL ||
    status === ExitCode.IOERR ||
    status === ExitCode.SOFTWARE ||
    status === ExitCode.CONFIG ||
    status === ExitCode.CANTCREAT ||
    status > 128
  );
}
