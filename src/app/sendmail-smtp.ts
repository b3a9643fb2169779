// mailv-sendmail -bs: an SMTP client on standard input and output (PHP's Symfony Mailer and
// Laravel run /usr/sbin/sendmail -bs by default). mailv keeps no queue: each transaction's message
// is read to its lone dot, then handed on as a piped one is, and the dot is answered with what
// became of it: 250 when it went (to everyone, or to some, the others said on standard error),
// 451 when it may go later, 554 when it will not; the client keeps a message it did not see
// taken. Standard output carries the dialogue alone; each failure is also said on standard error.
import { readStream } from '../cli/body-input.js';
import { SmtpInput } from '../cli/smtp-input.js';
import { InterruptedError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseMailbox } from '../message/address.js';
import type { Plan } from '../plan.js';
import { formatServerReply } from '../render/server-reply.js';
import { parseServerCommand } from '../smtp/server-command.js';
import { describeError } from '../words/describe.js';
import type { Run } from './run.js';
import { sendRead } from './send.js';

/** What the EHLO reply offers: commands pipelined are read in order; the message goes on as it came. */
const EXTENSIONS = ['PIPELINING', '8BITMIME', 'SMTPUTF8'];

/**
 * Statuses after which the message may go later, so the client should keep it and try again (451):
 * deferred, and what failed here rather than at the server (I/O, mailv itself, a signal). The
 * others are the server's or the message's for good (554), as Postfix reads sendmail's statuses.
 */
function temporary(status: number): boolean {
  return status === ExitCode.TEMPFAIL || status === ExitCode.IOERR || status === ExitCode.SOFTWARE || status > 128;
}

/**
 * Serves the dialogue until QUIT or the end of standard input; `planFor` makes each transaction's
 * plan from its envelope. The exit status is 0 when every message went to everyone, else that of
 * the first that did not.
 */
export async function smtpDialogue(run: Run, base: Plan, planFor: (sender: string, recipients: readonly string[]) => Plan): Promise<number> {
  const { io } = run;
  const words = run.words.smtpServer;
  const reply = (code: number, ...lines: string[]) => run.output.out(formatServerReply(code, lines));
  const refusal = (error: unknown) => describeError(error, run.words);
  const signal = run.interrupt.signal;
  const stopWatching = io.signals.watch((stop) => run.stop(stop));
  // A signal or a failed write ends the wait for the client's next line.
  const stopReading = () => io.stdin.stream.destroy();
  signal.addEventListener('abort', stopReading, { once: true });
  const input = new SmtpInput(io.stdin.stream);
  let status: number = ExitCode.OK;
  /** The transaction under way: undefined before MAIL; the sender is '' for `<>`. */
  let sender: string | undefined;
  let recipients: string[] = [];
  const reset = () => {
    sender = undefined;
    recipients = [];
  };
  reply(220, `${base.fqdn} ${words.greeting}`);
  try {
    for (;;) {
      const line = await input.line();
      if (line.kind === 'end') break;
      if (line.kind === 'too-long') {
        reply(500, words.lineTooLong);
        continue;
      }
      const command = parseServerCommand(line.text);
      switch (command.kind) {
        case 'hello':
          reset();
          reply(250, base.fqdn, ...(command.extended ? EXTENSIONS : []));
          break;
        case 'mail':
          if (sender !== undefined) reply(503, words.nestedMail);
          else {
            try {
              // Checked as -f checks it, now, so that the client hears of it at MAIL.
              sender = command.path === '' ? '' : parseMailbox(command.path, base.fqdn).address;
              planFor(sender, []);
              reply(250, words.ok);
            } catch (error) {
              sender = undefined;
              reply(501, refusal(error));
            }
          }
          break;
        case 'rcpt':
          if (sender === undefined) reply(503, words.needMail);
          else {
            try {
              const recipient = parseMailbox(command.path, base.fqdn).address;
              planFor(sender, [recipient]);
              if (!recipients.includes(recipient)) recipients.push(recipient);
              reply(250, words.ok);
            } catch (error) {
              reply(501, refusal(error));
            }
          }
          break;
        case 'data': {
          if (sender === undefined) {
            reply(503, words.needMail);
            break;
          }
          if (recipients.length === 0) {
            reply(503, words.needRecipient);
            break;
          }
          reply(354, words.startData);
          const outcome = await transaction(run, input, planFor(sender, recipients), recipients.length);
          reset();
          if (outcome === undefined) return status; // the client went away before its lone dot
          if (status === ExitCode.OK) status = outcome.status;
          reply(outcome.code, outcome.text);
          break;
        }
        case 'rset':
          reset();
          reply(250, words.ok);
          break;
        case 'noop':
          reply(250, words.ok);
          break;
        case 'quit':
          reply(221, words.bye);
          return status;
        case 'help':
          reply(214, words.help);
          break;
        case 'vrfy':
          reply(252, words.vrfy);
          break;
        case 'not-offered':
          reply(502, words.notOffered(command.verb));
          break;
        case 'syntax':
          reply(501, words.syntax(command.verb));
          break;
        case 'unknown':
          reply(500, words.unknown);
          break;
      }
    }
  } catch (error) {
    // Standard input failed, or was closed under the wait by a signal: that is how the run ends.
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', stopReading);
    stopWatching();
  }
  if (signal.aborted && run.output.failure === undefined) return run.fail(new InterruptedError(signal.reason as NodeJS.Signals, 'input'));
  return status;
}

/**
 * Reads one message to its lone dot and hands it on; undefined when the client went away before
 * the dot (nothing is sent: the client never saw it taken). The reply to the dot comes from the
 * delivery's exit status and recorded result, never from its words.
 */
async function transaction(
  run: Run,
  input: SmtpInput,
  plan: Plan,
  recipients: number,
): Promise<{ readonly code: number; readonly text: string; readonly status: number } | undefined> {
  const read = await readStream(input.message(), { signal: run.interrupt.signal });
  try {
    if (read.unfinished) {
      const status = run.fail(read.unfinished);
      return { code: 451, text: run.failure!.message, status };
    }
    if (!input.complete()) return undefined;
    run.plan = plan;
    const status = await sendRead(run, plan, read);
    if (status === ExitCode.OK) return { code: 250, text: run.words.smtpServer.sent(false), status };
    const failure = run.failureFact?.fact;
    // Refused or deferred for some recipients only: the others have it, which is what 250 says.
    const some =
      failure !== undefined &&
      (failure.code === 'MAILV_RECIPIENTS_REFUSED' || failure.code === 'MAILV_RECIPIENTS_DEFERRED') &&
      failure.recipients.length < recipients;
    if (some) return { code: 250, text: run.words.smtpServer.sent(true), status };
    return { code: temporary(status) ? 451 : 554, text: run.failure?.message ?? '', status };
  } finally {
    await read.cleanup();
  }
}
