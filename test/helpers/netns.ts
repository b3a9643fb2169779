// The private "remote" network of test/services/netns.sh: the network namespace mailv-gate,
// reached from here at 198.18.0.2 over a veth pair and from nowhere else, and an SMTP server run
// inside it (test/helpers/namespaced-smtp-server.ts) that records every byte it receives. A
// server there has an address that is not loopback, yet nothing leaves the machine.
import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AuthAttempt, ServerState } from './namespaced-smtp-server.js';
import { skipUnlessRunning } from './service.js';

export type { AuthAttempt, ServerState };

export const GATE = { namespace: 'mailv-gate', hostAddress: '198.18.0.1', serverAddress: '198.18.0.2' } as const;

/** The main namespace's end of the veth pair: the only way to 198.18.0.2. */
export const GATE_HOST_INTERFACE = 'mvgate0';

/** The one account the namespaced server accepts. */
export const GATE_ACCOUNT = { user: 'alice', password: 'gate-Secret-9' } as const;

const SERVER_SCRIPT = fileURLToPath(new URL('./namespaced-smtp-server.js', import.meta.url));
const START_TIMEOUT_MS = 10_000;

function run(command: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5000 }, (error, stdout, stderr) => resolve({ ok: !error, stdout, stderr: stderr || (error?.message ?? '') }));
  });
}

/** Whether a TCP connection to address:9 is answered, accepted or refused, within 2 s. */
function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(9, address);
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

/**
 * What keeps the tests from using the gate, or undefined when it is ready. 198.18.0.2 is only
 * probed once it is known to be routed over mvgate0: otherwise it would go out of the machine.
 */
export async function gateProblem(): Promise<string | undefined> {
  const route = await run('ip', ['-o', '-4', 'route', 'get', GATE.serverAddress]);
  if (!route.ok || !new RegExp(` dev ${GATE_HOST_INTERFACE} `).test(`${route.stdout} `)) {
    return `${GATE.serverAddress} is not routed via ${GATE_HOST_INTERFACE}: the ${GATE.namespace} network namespace is not set up`;
  }
  const enter = await run('ip', ['netns', 'exec', GATE.namespace, 'true']);
  if (!enter.ok) return `cannot enter the ${GATE.namespace} network namespace (${enter.stderr.trim() || 'ip netns exec failed'}; it needs root)`;
  if (!(await answers(GATE.serverAddress))) return `${GATE.serverAddress} in the ${GATE.namespace} network namespace does not answer`;
  return undefined;
}

/** Skips outside CI (saying why) or fails in CI when the mailv-gate namespace is not ready. */
export async function gateSkipReason(): Promise<string | undefined> {
  const problem = await gateProblem();
  return skipUnlessRunning(problem === undefined, problem ?? '', 'sudo test/services/netns.sh start');
}

export interface NamespacedServerOptions {
  /** Port on 198.18.0.2; 0 for any free one (see NamespacedServer.port). */
  port: number;
  /** Offer STARTTLS, with smtp-server's built-in self-signed certificate. */
  tls: boolean;
  /** SASL mechanisms offered in EHLO, e.g. ['PLAIN', 'LOGIN']; [] offers no AUTH at all. */
  authMechanisms: string[];
}

export interface NamespacedServer {
  /** 198.18.0.2 */
  readonly address: string;
  /** The port it listens on. */
  readonly port: number;
  /** Everything received so far, fetched from the server. */
  state(): Promise<ServerState>;
  /** Everything clients sent, across connections, in latin1 (plaintext before STARTTLS,
   *  decrypted bytes after it). */
  received(): Promise<string>;
  /** Every complete AUTH exchange, accepted or not. */
  authAttempts(): Promise<AuthAttempt[]>;
  /** What the server wrote on stderr. */
  stderr(): string;
  /** Stops the server (closing its stdin; killed if it has not exited after 3 s). */
  close(): Promise<void>;
}

/**
 * Starts the recording SMTP server in the mailv-gate namespace, on 198.18.0.2, and resolves once
 * it listens. It accepts AUTH (with or without TLS) for GATE_ACCOUNT, and any mail.
 */
export function startServerInNamespace(options: NamespacedServerOptions): Promise<NamespacedServer> {
  const mechanisms = options.authMechanisms.length ? options.authMechanisms.join(',') : '-';
  const child = spawn(
    'ip',
    ['netns', 'exec', GATE.namespace, process.execPath, SERVER_SCRIPT, GATE.serverAddress, String(options.port), options.tls ? 'tls' : 'plain', mechanisms],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // A request written as the server dies must not crash the tests: its exit rejects it.
  child.stdin.on('error', () => {});
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));

  const pending = new Map<number, { resolve: (state: ServerState) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `the namespaced SMTP server exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`;
      for (const { reject } of pending.values()) reject(new Error(exited));
      pending.clear();
      resolve();
    });
  });

  const request = (): Promise<ServerState> => {
    if (exited) return Promise.reject(new Error(exited));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, request: 'state' })}\n`);
    });
  };

  const close = async (): Promise<void> => {
    if (!exited) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitedPromise;
      clearTimeout(timer);
    }
  };

  return new Promise((resolve, reject) => {
    let started = false;
    const fail = (message: string) => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}${stderr ? `; stderr: ${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`the namespaced SMTP server did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (error) => fail(`could not run ip netns exec: ${error.message}`));
    void exitedPromise.then(() => fail(exited ?? 'the namespaced SMTP server exited'));

    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { listening?: boolean; port?: number; error?: string; id?: number; state?: ServerState };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return; // not one of ours
      }
      if (message.id !== undefined) {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (!waiting) return;
        if (message.state) waiting.resolve(message.state);
        else waiting.reject(new Error(message.error ?? 'no state in the answer'));
        return;
      }
      if (started) return;
      if (message.error !== undefined) return fail(`the namespaced SMTP server could not listen on ${GATE.serverAddress}:${options.port}: ${message.error}`);
      if (message.listening && typeof message.port === 'number') {
        started = true;
        clearTimeout(timer);
        resolve({
          address: GATE.serverAddress,
          port: message.port,
          state: request,
          received: async () => (await request()).received,
          authAttempts: async () => (await request()).authAttempts,
          stderr: () => stderr,
          close,
        });
      }
    });
  });
}

/**
 * The forms in which `secret` shows in `text` (e.g. NamespacedServer.received()): as is, and
 * base64-encoded at each of the three alignments it can have inside a longer base64 string
 * (AUTH PLAIN's token). An empty list means the secret never arrived in either form.
 */
export function secretTraces(text: string, secret: string): string[] {
  const traces: string[] = [];
  if (text.includes(secret)) traces.push(`as is: ${secret}`);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const whole = Math.floor((bytes.length - offset) / 3) * 3;
    if (whole <= 0) continue;
    const core = bytes.subarray(offset, offset + whole).toString('base64');
    if (text.includes(core)) traces.push(`base64: ${core}`);
  }
  return traces;
}
