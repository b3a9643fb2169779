// mailv run as sendmail (mailv-sendmail, or mailv under the name `sendmail`): sendmail's command
// line into mailv's plan. The message on standard input is always a whole one; nothing is printed
// unless -v, and failures end with sendmail's statuses and a dead.letter, as for mailv.
import { localFqdn, localUser } from '../cli/local-host.js';
import { buildPlan } from '../cli/options.js';
import { assertHeaderText } from '../message/header.js';
import { parseSendmailLine } from '../cli/sendmail-line.js';
import type { Plan } from '../plan.js';
import { chooseLanguage } from '../words/language.js';
import { accountSettings } from './config.js';
import type { Run } from './run.js';

/** The plan of a sendmail-style run. Throws UsageError (64) or ConfigError (78). */
export async function sendmailPlan(run: Run): Promise<Plan> {
  const { io } = run;
  const line = parseSendmailLine(io.argv);
  run.language = chooseLanguage(undefined, io.env);
  const account = await accountSettings(io.env, line.options.config, line.options.account);
  const plan = buildPlan(line.options, line.recipients, {
    fqdn: localFqdn(io.host.name()),
    user: () => localUser(io.env, () => io.host.user()),
    env: io.env,
    account,
    accountChosen: line.options.account !== undefined,
  });
  if (line.fullName !== undefined) assertHeaderText('From', line.fullName, 'fullname-option');
  return {
    ...plan,
    // -F names the sender in a From: the message lacks; -F '' names nobody.
    from: line.fullName === undefined || line.fullName.trim() === '' ? plan.from : { ...plan.from, name: line.fullName },
    dsn: line.dsn,
    sendmail: { recipientsFromHeaders: line.recipientsFromHeaders, endsAtDotLine: line.endsAtDotLine },
  };
}
