// The load run (--count): the same message, or one per sequence number (--vary), sent many times
// (to recipients numbered for each, with --vary-recipients)
// through the submission server, or through the first MX host of the recipients' domain that
// takes a connection (--direct); no transcript, a live line on a terminal, a summary at the end.
// Every failure is counted; the status is the worst one's (see src/load/tally.ts worse()).
import { prepareInput, type PreparedInput } from '../cli/message-input.js';
import type { ServerAddress } from '../delivery/submit.js';
import { randomSource } from '../dns/seeded-random.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Witness } from '../load/witness.js';
import type { MxTarget } from '../load/mx-target.js';
import { numberedRecipients, numberingProblem, unnumberedRecipient } from '../load/numbered-recipients.js';
import { heldMessage, type AttachmentInput, type BodyInput, type ComposedMessage } from '../message/compose.js';
import type { LoadRequest, Plan } from '../plan.js';
import type { SessionEvent } from '../events.js';
import { loadSummaryJson, loadSummaryLines } from '../render/load-summary.js';
import { TranscriptRenderer } from '../render/transcript.js';
import type { SessionPlan } from '../smtp/session.js';
import { sessionPlan } from './deliver.js';
import { styleFor } from './events-out.js';
import { openProgressLine } from './load-progress.js';
import { makeResolver } from './resolver.js';
import type { Run } from './run.js';
import { keepDeadLetter } from './keep.js';
import { gatherTrust } from './trust.js';

/** What a varied message is made from: the plan's subject and the input read once. */
export interface LoadSource {
  readonly body: BodyInput;
  readonly attachments: readonly AttachmentInput[];
}

export async function loadTest(run: Run, plan: Plan, load: LoadRequest, prepared: PreparedInput, source: LoadSource): Promise<number> {
  const signal = run.interrupt.signal;
  if (load.varyRecipients) {
    const problem = numberingProblem(prepared.envelope.recipients, load.count);
    if (problem !== undefined) throw new UsageError({ code: 'MAILV_LOAD_NUMBERING', problem });
  }
  const trust = await gatherTrust(run, plan);
  if (trust.auth) run.hide(trust.auth.credentials.secret);
  const [{ runLoad }, { capYoungGeneration }] = await Promise.all([import('../load/driver.js'), import('../load/young-generation.js')]);
  const stopWatching = capYoungGeneration();
  const date = run.io.clock.date();
  // No message content is echoed in a load run (-vvv): the witness shows no body.
  const base = { ...sessionPlan(run, plan, prepared, trust), step: undefined, echoBody: false };
  const found = plan.direct ? await mxTarget(run, plan, prepared, base) : undefined;
  const target = found?.target;
  const server: ServerAddress = target === undefined ? plan.server : { host: target.address, port: target.port, implicitTls: false };
  const session: SessionPlan = {
    ...base,
    implicitTls: server.implicitTls,
    lmtp: server.lmtp === true,
    // The certificate and the transcript's host name are the MX host's, as --direct has them.
    // An address literal's is its address (no host name ever starts with `[`).
    ...(target === undefined ? {} : { tlsName: target.host.startsWith('[') ? target.address : target.host.replace(/\.$/, ''), serverName: target.host }),
  };
  // The same message every time: composed once per 8BITMIME answer, then sent from memory, and
  // handed over as it is (no promise) once composed.
  const held = new Map<boolean, ComposedMessage | Promise<ComposedMessage>>();
  const same = (eightBit: boolean) => {
    const known = held.get(eightBit);
    if (known) return known;
    const message = prepared.compose(eightBit).then(heldMessage);
    held.set(eightBit, message);
    void message.then(
      (composed) => held.set(eightBit, composed),
      () => {},
    );
    return message;
  };
  /** --vary: message number `sequence`, its own Subject and Message-ID. */
  const varied = async (sequence: number, eightBit: boolean) => {
    const messageId = `<${sequence}.${Date.now().toString(36)}.load@${plan.fqdn}>`;
    // -t: the message's own Subject gets the number; otherwise the one mailv writes.
    const input = plan.readRecipients
      ? await prepareInput(plan, source.body, source.attachments, date, messageId, sequence)
      : await prepareInput({ ...plan, subject: `${plan.subject ?? ''} #${sequence}`.trimStart() }, source.body, source.attachments, date, messageId);
    return input.compose(eightBit);
  };
  const progress = openProgressLine(run, plan);
  /** -v (never with --json): the dialogue of the first connection on which a message failed, shown before the summary. */
  let witnessed: Witness | undefined;
  const witness =
    plan.verbosity >= 2
      ? (seen: Witness) => {
          witnessed = seen;
        }
      : undefined;
  let report: Awaited<ReturnType<typeof runLoad>>;
  try {
    report = await runLoad(
      server,
      {
        count: load.count,
        concurrency: load.concurrency,
        perConnection: load.perConnection,
        rate: load.rate,
        stopOnError: load.stopOnError,
        session,
        opened: found?.opened,
        witness,
        unnumbered: load.varyRecipients ? (recipient) => unnumberedRecipient(session.envelope.recipients, load.count, recipient) : undefined,
        sameMessage: !load.vary && !load.varyRecipients,
        ...(progress === undefined ? {} : { observe: (reader) => progress.observe(reader) }),
        message: (sequence, capabilities) => {
          const eightBit = capabilities.has('8BITMIME');
          const message = load.vary ? varied(sequence, eightBit) : same(eightBit);
          if (!load.varyRecipients) return message;
          const recipients = numberedRecipients(session.envelope.recipients, sequence);
          return message instanceof Promise ? message.then((composed) => toRecipients(composed, recipients)) : toRecipients(message, recipients);
        },
      },
      signal,
    );
  } finally {
    progress?.close();
    stopWatching();
    found?.opened.connection.close();
  }
  if (target !== undefined) report = { ...report, target };
  if (witnessed !== undefined) await showWitness(run, plan, witnessed);
  if (plan.output.json) run.output.out(`${loadSummaryJson(report)}\n`);
  else run.output.out(`${loadSummaryLines(report, run.words).join('\n')}\n`);
  if (report.status === ExitCode.OK) return ExitCode.OK;
  // As after any send that did not get through: one line on standard error, --json's result says
  // why, and a message that reached nobody at all is kept (once, as read: not one copy a try).
  // Cut short by mailv's own failure, the run says that failure itself (see Run.faulted and finish).
  const status =
    report.cutShort !== undefined
      ? report.status
      : report.interrupted !== undefined
        ? run.failWith({ code: 'MAILV_INTERRUPTED', signal: report.interrupted.signal }, report.status)
        : run.failWith({ code: 'MAILV_LOAD_FAILED', failed: report.failed, count: report.count, decidedBy: report.decidedBy! }, report.status);
  if (!report.reachedSomeone) await keepDeadLetter(run, prepared, false);
  return status;
}

/** `message` for `recipients` of its own: the same octets, whatever object holds them. */
function toRecipients(message: ComposedMessage, recipients: readonly string[]): ComposedMessage {
  return {
    size: message.size,
    eightBit: message.eightBit,
    utf8Header: message.utf8Header,
    chunks: () => message.chunks(),
    lentChunks: () => message.lentChunks(),
    whole: message.whole,
    recipients,
  };
}

/** The witness's events as one send's transcript shows them, under a line that says what they are. */
async function showWitness(run: Run, plan: Plan, { opening, omitted, last, broke }: Witness): Promise<void> {
  const renderer = new TranscriptRenderer(1, await styleFor(run, plan), run.words, false);
  const lines = (events: readonly SessionEvent[]) => events.flatMap((event) => renderer.lines(event));
  const cut = omitted > 0 ? [run.words.load.witnessOmitted(omitted)] : [];
  const heading = broke ? run.words.load.witnessBroken : run.words.load.witness;
  run.output.out(`${[heading, ...lines(opening), ...cut, ...lines(last)].join('\n')}\n\n`);
}

/** --direct: the one recipient domain's MX plan, once, and its first host that takes a connection, with that connection. */
async function mxTarget(run: Run, plan: Plan, prepared: PreparedInput, session: SessionPlan): Promise<MxTarget> {
  // Loaded only here: a dry run or a plain send pays nothing for the MX machinery.
  const [{ groupByDomain }, { findMxTarget }] = await Promise.all([import('../delivery/direct.js'), import('../load/mx-target.js')]);
  const domains = [...groupByDomain(prepared.envelope.recipients).keys()];
  if (domains.length !== 1) throw new UsageError({ code: 'MAILV_LOAD_DIRECT_DOMAINS', domains });
  const signal = run.interrupt.signal;
  const resolver = await makeResolver(plan, () => undefined, signal);
  return findMxTarget(domains[0]!, session, { resolver, random: randomSource(plan.seed), port: plan.mxPort, signal });
}
