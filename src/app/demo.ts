// --demo: the message goes to an embedded SMTP server on 127.0.0.1, and what that server received
// is shown after the dialogue.
import type { PreparedInput } from '../cli/message-input.js';
import type { Plan } from '../plan.js';
import { sanitize, terminalLines } from '../text/sanitize.js';
import { deliver } from './deliver.js';
import type { Run } from './run.js';

export async function demo(run: Run, plan: Plan, prepared: PreparedInput): Promise<number> {
  const { startDemoServer } = await import('../demo/demo-server.js');
  const server = await startDemoServer(plan.fqdn, plan.auth !== undefined);
  try {
    const { status } = await deliver(run, plan, prepared, { host: '127.0.0.1', port: server.port, implicitTls: false, demo: true });
    const said = run.words.output.demo;
    for (const message of plan.verbosity > 0 && !plan.output.json ? server.received : []) {
      const recipients = message.recipients.map((recipient) => `<${sanitize(recipient)}>`).join(', ');
      // A terminal gets the message escaped, as --dry-run shows it: none of it steers the terminal.
      const data = run.io.stdout.terminal ? terminalLines([message.data]) : [message.data];
      await run.output.stream(
        (async function* () {
          yield Buffer.from(`\n${said.received(message.data.length, `<${sanitize(message.from)}>`, recipients)}\n`);
          yield* data;
          yield Buffer.from(`${said.end}\n`);
        })(),
      );
    }
    return status;
  } finally {
    await server.close();
  }
}
