// Servers on several 127.0.0.x addresses at one port, as the MX hosts of one test zone need
// (mailv --direct --port N connects to port N of every host).
import { createServer } from 'node:net';
import { startScriptedServer, type Script, type ScriptedServer } from './scripted-server.js';
import { startSink, type SmtpSink } from './smtp-sink.js';

type Started = { readonly port: number; close(): Promise<void> };

/** Starts one server per address, all on the first one's free port, retrying when it is taken. */
async function onOnePort<T extends Started>(addresses: readonly string[], start: (host: string, port: number | undefined) => Promise<T>): Promise<T[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await start(addresses[0]!, undefined);
    const servers = [first];
    try {
      for (const host of addresses.slice(1)) servers.push(await start(host, first.port));
      return servers;
    } catch {
      await Promise.all(servers.map((server) => server.close())); // the port was taken on another address
    }
  }
  throw new Error(`no common free port on ${addresses.join(', ')}`);
}

export function sinksOnOnePort(addresses: readonly string[], options: Parameters<typeof startSink>[0] = {}): Promise<SmtpSink[]> {
  return onOnePort(addresses, (host, port) => startSink({ ...options, host, ...(port === undefined ? {} : { port }) }));
}

export function scriptedOnOnePort(addresses: readonly string[], script: Script): Promise<ScriptedServer[]> {
  return onOnePort(addresses, (host, port) => startScriptedServer({ ...script, host, ...(port === undefined ? {} : { port }) }));
}

/** A port on 127.0.0.1 with nothing behind it: taken, then given back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
