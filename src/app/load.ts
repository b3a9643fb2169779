// The load run (--count): the same message, or one per sequence number (--vary), sent many times
// through the submission server; no transcript, a summary at the end. Every failure is counted;
// the status is the worst one's (see src/load/driver.ts worse()).
import { prepareInput, type PreparedInput } from '../cli/message-input.js';
import { heldMessage, type AttachmentInput, type BodyInput, type ComposedMessage } from '../message/compose.js';
import type { LoadRequest, Plan } from '../plan.js';
import { loadSummaryJson, loadSummaryLines } from '../render/load-summary.js';
import { sessionPlan } from './deliver.js';
import type { Run } from './run.js';
import { gatherTrust } from './trust.js';

/** What a varied message is made from: the plan's subject and the input read once. */
export interface LoadSource {
  readonly body: BodyInput;
  readonly attachments: readonly AttachmentInput[];
}

export async function loadTest(run: Run, plan: Plan, load: LoadRequest, prepared: PreparedInput, source: LoadSource): Promise<number> {
  const signal = run.interrupt.signal;
  const trust = await gatherTrust(plan, signal);
  if (trust.auth) run.hide(trust.auth.credentials.secret);
  const [{ runLoad }, { capYoungGeneration }] = await Promise.all([import('../load/driver.js'), import('../load/young-generation.js')]);
  const stopWatching = capYoungGeneration();
  const date = run.io.clock.date();
  const session = { ...sessionPlan(run, plan, prepared, trust), implicitTls: plan.server.implicitTls, lmtp: plan.server.lmtp === true, step: undefined };
  // The same message every time: composed once per 8BITMIME answer, then sent from memory.
  const held = new Map<boolean, Promise<ComposedMessage>>();
  const same = (eightBit: boolean) => {
    const known = held.get(eightBit);
    if (known) return known;
    const message = prepared.compose(eightBit).then(heldMessage);
    held.set(eightBit, message);
    return message;
  };
  const report = await runLoad(
    plan.server,
    {
      count: load.count,
      concurrency: load.concurrency,
      perConnection: load.perConnection,
      session,
      message: async (sequence, capabilities) => {
        const eightBit = capabilities.has('8BITMIME');
        if (!load.vary || plan.readRecipients) return same(eightBit);
        const subject = `${plan.subject ?? ''} #${sequence}`.trimStart();
        const messageId = `<${sequence}.${Date.now().toString(36)}.load@${plan.fqdn}>`;
        const varied = await prepareInput({ ...plan, subject }, source.body, source.attachments, date, messageId);
        return varied.compose(eightBit);
      },
    },
    signal,
  );
  stopWatching();
  if (plan.output.json) run.output.out(`${loadSummaryJson(report)}\n`);
  else run.output.out(`${loadSummaryLines(report, run.words).join('\n')}\n`);
  return report.status;
}
