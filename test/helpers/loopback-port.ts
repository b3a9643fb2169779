// SMTP servers on several 127.0.0.x addresses at one port, as MX hosts of one test zone need
// (mailv --direct --port N connects to port N of every host).
import { startScriptedServer, type Script, type ScriptedServer } from './scripted-server.js';
import { startSink, type SmtpSink } from './smtp-sink.js';

/** Starts one sink per address, all on the same free port. */
export async function sinksOnOnePort(addresses: readonly string[], options: Parameters<typeof startSink>[0] = {}): Promise<SmtpSink[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await startSink({ ...options, host: addresses[0]! });
    const sinks = [first];
    try {
      for (const host of addresses.slice(1)) sinks.push(await startSink({ ...options, host, port: first.port }));
      return sinks;
    } catch {
      await Promise.all(sinks.map((sink) => sink.close())); // the port was taken on another address
    }
  }
  throw new Error(`no common free port on ${addresses.join(', ')}`);
}

/** Scripted servers on several addresses, all on the same free port. */
export async function scriptedOnOnePort(addresses: readonly string[], script: Script): Promise<ScriptedServer[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await startScriptedServer({ ...script, host: addresses[0]! });
    const servers = [first];
    try {
      for (const host of addresses.slice(1)) servers.push(await startScriptedServer({ ...script, host, port: first.port }));
      return servers;
    } catch {
      await Promise.all(servers.map((server) => server.close()));
    }
  }
  throw new Error(`no common free port on ${addresses.join(', ')}`);
}
