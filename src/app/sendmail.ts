// mailv run as sendmail (mailv-sendmail, or mailv under the name `sendmail`): sendmail's command
// line into mailv's plan. The message on standard input is always a whole one; nothing is printed
// unless -v, and failures end with sendmail's statuses and a dead.letter, as for mailv. With -bs,
// an SMTP client on standard input and output gives the envelope and the messages instead.
import { localFqdn, localMailDomain, localUser } from '../cli/local-host.js';
import { buildPlan, NULL_REVERSE_PATH } from '../cli/options.js';
import { CommandLineError } from '../cli/program.js';
import { assertHeaderText } from '../message/header.js';
import { parseSendmailLine, type SendmailCommandLine } from '../cli/sendmail-line.js';
import { assertTypedPaths } from '../cli/typed-paths.js';
import type { Plan } from '../plan.js';
import { chooseLanguage } from '../words/language.js';
import type { AccountSettings } from '../config/config-file.js';
import { ConfigError, UsageError } from '../errors.js';
import { accountSettings } from './config.js';
import type { Run } from './run.js';

/** What a sendmail command line asks: one message from standard input, or an SMTP dialogue there. */
export type SendmailCommand =
  | { readonly kind: 'message'; readonly plan: Plan }
  /** -bs: `planFor` makes each transaction's plan from its envelope ('' the null sender). */
  | { readonly kind: 'smtp'; readonly base: Plan; readonly commandTimeoutMs: number; planFor(sender: string, recipients: readonly string[]): Plan }
  /** -bp: the queue listed, which is always empty; nothing is read or sent. */
  | { readonly kind: 'queue' }
  /** -bi, -I, -bh, -bH: nothing to do, nothing read or sent. */
  | { readonly kind: 'nothing' };

/** The command of a sendmail-style run. Throws UsageError (64) or ConfigError (78). */
export async function sendmailCommand(run: Run): Promise<SendmailCommand> {
  const { io } = run;
  const line = parseSendmailLine(io.argv);
  if (line.listQueue) return { kind: 'queue' };
  run.language = chooseLanguage(undefined, io.env);
  // Silent otherwise, as Postfix's warnings reach only a terminal: a program reads no such line.
  if (line.options.verbose > 0) for (const { option, value } of line.ignored) run.note({ code: 'sendmail-option-ignored', option, value });
  if (line.nothingToDo !== undefined) {
    if (line.options.verbose > 0) run.note({ code: 'sendmail-nothing-to-do', what: line.nothingToDo });
    return { kind: 'nothing' };
  }
  // The host's names, read once: -bs makes a plan at every MAIL and RCPT.
  const here: HostNames = { fqdn: localFqdn(io.host.name()), mailDomain: localMailDomain(io.host.mailName(), io.host.name()) };
  // A refusal said once the message piped, the program's only copy, is read and kept (SendmailInput).
  // The plan only carries the message to dead.letter: what the command line gave wrong (a sender, a
  // recipient, a name) is left out of it, so that it cannot fail again.
  const keptThenRefused = (refusal: ConfigError | UsageError): SendmailCommand => {
    const plan = keptPlan(run, { ...line, fullName: undefined }, here);
    return { kind: 'message', plan: { ...plan, sendmail: { ...plan.sendmail!, configRefused: refusal } } };
  };
  if (line.valueMissing !== undefined) {
    const refusal = new CommandLineError({ code: 'MAILV_OPTION_VALUE_MISSING', option: line.valueMissing });
    if (line.smtp) throw refusal;
    return keptThenRefused(refusal);
  }
  if (line.dashedRecipient !== undefined) {
    const refusal = new UsageError({ code: 'MAILV_SENDMAIL_DASH_RECIPIENT', recipient: line.dashedRecipient });
    if (line.smtp) throw refusal;
    return keptThenRefused(refusal);
  }
  // Postfix's sendmail takes -C from the super-user only: whoever gets an option into a program's
  // command line (a PHP mail()'s fifth argument) would otherwise choose the server and the password
  // command of a file of their own.
  if (line.options.config !== undefined && !io.host.superUser()) {
    const refusal = new UsageError({ code: 'MAILV_SENDMAIL_CONFIG_NOT_SUPERUSER' });
    if (line.smtp) throw refusal;
    return keptThenRefused(refusal);
  }
  let account: AccountSettings | undefined;
  try {
    assertTypedPaths([['-C', line.options.config]], io.host);
    account = await accountSettings(io.env, line.options.config, line.options.account);
  } catch (error) {
    if (!(error instanceof ConfigError || (error instanceof UsageError && error.fact.code === 'MAILV_PATH_NOT_UTF8')) || line.smtp) throw error;
    return keptThenRefused(error);
  }
  if (!line.smtp) {
    try {
      return { kind: 'message', plan: planOf(run, line, here, account, line.options.from, line.recipients) };
    } catch (error) {
      // A recipient or -f that cannot be used (a cron job's MAILTO mistyped, a script's empty
      // "$ADMIN"), or an accounts file found unusable only now (a password and no user): the
      // report it pipes is kept all the same.
      if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
      return keptThenRefused(error);
    }
  }
  const planFor = (sender: string, recipients: readonly string[]) => planOf(run, line, here, account, sender === '' ? NULL_REVERSE_PATH : sender, recipients);
  return { kind: 'smtp', base: sessionPlanOf(run, line, here, account), commandTimeoutMs: line.commandTimeoutMs, planFor };
}

/**
 * -bs: the session's own plan, which names this host (its greeting, its EHLO reply): each MAIL names
 * its sender, so a $USER that makes no address refuses no session (PHP's and Symfony's `sendmail
 * -bs` give no -f); a transaction that needs an author (MAIL FROM:<>, a message without From:) is
 * refused in its turn.
 */
function sessionPlanOf(run: Run, line: SendmailCommandLine, here: HostNames, account: AccountSettings | undefined): Plan {
  try {
    return planOf(run, line, here, account, line.options.from, []);
  } catch (error) {
    if (line.options.from !== undefined || !(error instanceof UsageError) || error.fact.code !== 'MAILV_SENDER_FROM_USER') throw error;
    return planOf(run, line, here, account, 'MAILER-DAEMON', []);
  }
}

/**
 * The plan that keeps a refused message: its sender made from $USER as a send's is, or, when that
 * makes no address (the refusal itself, often), from the account's name, else MAILER-DAEMON's: the
 * copy is kept whatever the sender, which only a From: the message lacks would name.
 */
function keptPlan(run: Run, line: SendmailCommandLine, here: HostNames): Plan {
  try {
    return planOf(run, line, here, undefined, undefined, []);
  } catch (error) {
    if (!(error instanceof UsageError) || error.fact.code !== 'MAILV_SENDER_FROM_USER') throw error;
  }
  try {
    return planOf(run, line, here, undefined, run.io.host.user(), []);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
  }
  return planOf(run, line, here, undefined, 'MAILER-DAEMON', []);
}

/** This host's name for EHLO, and the domain bare local names get. */
interface HostNames {
  readonly fqdn: string;
  readonly mailDomain: string;
}

function planOf(
  run: Run,
  line: SendmailCommandLine,
  here: HostNames,
  account: AccountSettings | undefined,
  from: string | undefined,
  recipients: readonly string[],
): Plan {
  const { io } = run;
  const plan = buildPlan({ ...line.options, from }, recipients, {
    ...here,
    user: () => localUser(io.env, () => io.host.user()),
    env: io.env,
    typedAsIs: (text) => io.host.typedAsIs(text),
    openFilesLimit: () => io.host.openFilesLimit(),
    account,
    accountChosen: line.options.account !== undefined,
    sendmail: true,
  });
  if (line.fullName !== undefined) assertHeaderText('From', line.fullName, 'fullname-option');
  return {
    ...plan,
    // -F names the sender in a From: the message lacks; -F '' names nobody.
    from: line.fullName === undefined || line.fullName.trim() === '' ? plan.from : { ...plan.from, name: line.fullName },
    dsn: line.dsn,
    // -bs: a transaction's recipients are those of its RCPTs, its message ends at the lone dot.
    sendmail: line.smtp
      ? { recipientsFromHeaders: false, endsAtDotLine: false, fromDialogue: true }
      : { recipientsFromHeaders: line.recipientsFromHeaders, endsAtDotLine: line.endsAtDotLine },
  };
}
