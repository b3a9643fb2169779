// mailv as an application: the command line into a plan, then the run it asks for (an MX lookup,
// or a message to send), then how it ended. Everything it reads or writes outside files comes in
// `io`; its state lives in one Run per call, so runs never share anything.
import { localFqdn, localMailDomain, localUser } from '../cli/local-host.js';
import { buildPlan } from '../cli/options.js';
import { asksForJson, mailvProgram, parseCommandLine, parseReplayCommandLine, replayProgram } from '../cli/program.js';
import { buildReplayPlan } from '../cli/replay-options.js';
import { assertTypedPaths } from '../cli/typed-paths.js';
import { ExitCode } from '../exit-codes.js';
import { LocalIoError } from '../errors.js';
import type { Plan } from '../plan.js';
import { chooseLanguage } from '../words/language.js';
import { emptyQueue } from '../words/en/mail-queue.js';
import { accountSettings } from './config.js';
import type { AppIo } from './io.js';
import { showMx } from './mx-lookup.js';
import { Run } from './run.js';
import { namesSameFile } from './run-inputs.js';
import { sendMessage } from './send.js';

/** Runs mailv once; resolves to its exit status. Never rejects: every failure is a status. */
export async function runMailv(io: AppIo): Promise<number> {
  const run = new Run(io);
  const stopWatchingFaults = io.faults.watch((error) => run.faulted(error));
  try {
    let status: number;
    try {
      status = await dispatch(run);
    } catch (error) {
      status = run.fail(error); // a bug of mailv's (70): said as one line all the same
    }
    return await run.finish(status);
  } finally {
    stopWatchingFaults();
  }
}

async function dispatch(run: Run): Promise<number> {
  const { io } = run;
  // `mailv replay FILE`; a recipient named replay comes after `--` (after an option, the word is refused: cli/program.ts).
  if (io.argv[0] === 'replay' && !io.sendmail) return replayCommand(run);
  // `mailv completion bash|zsh|fish`; a recipient named completion comes after `--`, as for replay.
  if (io.argv[0] === 'completion' && !io.sendmail) return (await import('./completion.js')).completionCommand(run);
  let plan: Plan;
  // Known once the command line was read; before, asksForJson() reads it again.
  let jsonAsked: boolean | undefined;
  try {
    if (io.sendmail) {
      const { sendmailCommand } = await import('./sendmail.js');
      const command = await sendmailCommand(run);
      if (command.kind === 'queue') {
        run.output.out(`${emptyQueue}\n`);
        return ExitCode.OK;
      }
      if (command.kind === 'nothing') return ExitCode.OK;
      plan = command.kind === 'message' ? command.plan : command.base;
      run.plan = plan;
      run.language = plan.language;
      if (command.kind === 'smtp') return await (await import('./sendmail-smtp.js')).smtpDialogue(run, command);
      return await sendMessage(run, plan);
    }
    const parsed = parseCommandLine(io.argv, io.argv.some((arg) => /^-(V|-version)$/.test(arg)) ? io.version() : '', run.words.help);
    if (parsed.kind === 'exit') {
      run.output.out(parsed.output);
      return ExitCode.OK;
    }
    const { options } = parsed;
    jsonAsked = options.json === true;
    run.language = chooseLanguage(options.lang, io.env);
    assertTypedPaths(
      [
        ...options.attach.map((file) => ['--attach', file] as const),
        ['--ca', options.ca],
        ['--tls-cert', options.tlsCert],
        ['--tls-key', options.tlsKey],
        ['--password-file', options.passwordFile],
        ['--oauth2-token-file', options.oauth2TokenFile],
        ['--config', options.config],
        ['--diagram', options.diagram],
        ['--record', options.record],
      ],
      io.host,
    );
    const account = await accountSettings(io.env, options.config, options.account);
    plan = buildPlan(options, parsed.recipients, {
      fqdn: localFqdn(io.host.name()),
      mailDomain: localMailDomain(io.host.mailName(), io.host.name()),
      user: () => localUser(io.env, () => io.host.user()),
      env: io.env,
      typedAsIs: (text) => io.host.typedAsIs(text),
      openFilesLimit: () => io.host.openFilesLimit(),
      account,
      accountChosen: options.account !== undefined,
    });
  } catch (error) {
    // --json was asked for even if the rest of the command line could not be used (sendmail's has none).
    run.json = !io.sendmail && (jsonAsked ?? asksForJson(io.argv, mailvProgram('')));
    return run.fail(error);
  }
  run.plan = plan;
  run.language = plan.language;
  run.json = plan.output.json;
  if (plan.record !== undefined) {
    // Before the message is read or any event can come: a record that cannot be made sends nothing.
    try {
      // The diagram named as the record too: refused before the record is made over it.
      if (plan.diagram !== undefined && namesSameFile(plan.diagram.path, plan.record))
        throw new LocalIoError({ code: 'MAILV_DIAGRAM_IS_INPUT', path: plan.diagram.path, input: 'own-record' }, 'output');
      const { openRecord } = await import('./record-sink.js');
      run.sinks.push(openRecord(run, plan.record));
    } catch (error) {
      return run.fail(error);
    }
  }
  if (plan.mxLookup !== undefined) {
    try {
      return await showMx(run, plan, plan.mxLookup);
    } catch (error) {
      return run.fail(run.output.failure ?? error);
    }
  }
  return sendMessage(run, plan);
}

async function replayCommand(run: Run): Promise<number> {
  const { io } = run;
  try {
    const parsed = parseReplayCommandLine(io.argv.slice(1), run.words.help);
    if (parsed.kind === 'exit') {
      run.output.out(parsed.output);
      return ExitCode.OK;
    }
    assertTypedPaths(
      [
        ['mailv replay', parsed.file],
        ['--diagram', parsed.options.diagram],
      ],
      io.host,
    );
    const plan = buildReplayPlan(parsed.options, parsed.file);
    if (plan.language !== undefined) run.language = plan.language;
    const { replay } = await import('./replay.js');
    return await replay(run, plan);
  } catch (error) {
    run.json ||= asksForJson(io.argv.slice(1), replayProgram());
    return run.fail(run.output.failure ?? error);
  }
}
