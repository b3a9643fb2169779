// -v and --explain: before the dialogue, the message as generated (its first lines) with the size
// SIZE= announces, and the table of envelope and header addresses, in the run's language.
import type { PreparedInput } from '../cli/message-input.js';
import type { AddressOrigin } from '../message/address-origin.js';
import type { Plan } from '../plan.js';
import { formatAddressTable, formatMessagePreview } from '../render/address-table.js';
import { tableLabelsFor } from '../render/table-labels.js';
import { styleFor, type ShownPlan } from './events-out.js';
import type { Run } from './run.js';

export async function showMessageAndAddresses(run: Run, plan: Plan, prepared: PreparedInput): Promise<void> {
  // A probe sends no message (--quit-after): there is none to show.
  if (!tableShown(plan) || plan.quitAfter !== undefined) return;
  const message = await prepared.compose(true);
  const head: Buffer[] = [];
  let length = 0;
  for await (const chunk of message.chunks()) {
    head.push(chunk);
    length += chunk.length;
    if (length >= 16 * 1024) break; // the preview needs the beginning only, whatever the size
  }
  const labels = tableLabelsFor(run.language);
  const lines = [...formatMessagePreview(Buffer.concat(head), message.size, labels, message.eightBit), ...formatAddressTable(prepared.addresses, labels), ''];
  await showLines(run, plan, lines);
}

/** A replay: the table a live run showed before the dialogue (a record keeps no message to show above it). */
export async function showRecordedAddresses(run: Run, plan: ShownPlan, addresses: readonly AddressOrigin[]): Promise<void> {
  if (!tableShown(plan)) return;
  await showLines(run, plan, [...formatAddressTable(addresses, tableLabelsFor(run.language)), '']);
}

/** -v and --explain show the message and its addresses before the dialogue; --json and -q do not. */
function tableShown(plan: ShownPlan): boolean {
  return !plan.output.json && plan.verbosity > 0 && (plan.verbosity >= 2 || plan.output.explain !== undefined);
}

async function showLines(run: Run, plan: ShownPlan, lines: readonly string[]): Promise<void> {
  const style = await styleFor(run, plan);
  run.output.out(`${lines.map((line) => style.note(line)).join('\n')}\n`);
}
