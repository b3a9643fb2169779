// -v and --explain: before the dialogue, the message as generated (its first lines) with the size
// SIZE= announces, and the table of envelope and header addresses, in the run's language.
import type { PreparedInput } from '../cli/message-input.js';
import type { Plan } from '../plan.js';
import { formatAddressTable, formatMessagePreview } from '../render/address-table.js';
import { tableLabelsFor } from '../render/table-labels.js';
import { styleFor } from './events-out.js';
import type { Run } from './run.js';

export async function showMessageAndAddresses(run: Run, plan: Plan, prepared: PreparedInput): Promise<void> {
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
  const labels = tableLabelsFor(run.language);
  const lines = [...formatMessagePreview(Buffer.concat(head), message.size, labels, message.eightBit), ...formatAddressTable(prepared.addresses, labels), ''];
  const style = await styleFor(run, plan);
  run.output.out(`${lines.map((line) => style.note(line)).join('\n')}\n`);
}
