// An SMTP server run as a child process, normally inside the mailv-gate network namespace (see
// test/helpers/netns.ts), that records every byte its clients send and every AUTH attempt.
//
//   node namespaced-smtp-server.js ADDRESS PORT tls|plain MECHANISMS
//
// MECHANISMS is a comma-separated list (e.g. PLAIN,LOGIN), or '-' for no AUTH at all. STARTTLS,
// when on, uses smtp-server's built-in self-signed certificate: a client can only accept it
// unverified. AUTH is offered and accepted with or without TLS (alice / gate-Secret-9), so
// nothing but the client itself stands between a password and this server.
//
// Talks to its parent in JSON lines: on stdout {"listening":true,"address":...,"port":...} once
// it listens (or {"error":"..."}); on stdin {"id":N,"request":"state"}, answered on stdout with
// {"id":N,"state":{...}}. Exits when stdin closes.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerAuthentication } from 'smtp-server';
import { GATE_ACCOUNT } from './netns.js';

/** One AUTH exchange that reached the server's onAuth (a complete SASL exchange). */
export interface AuthAttempt {
  readonly method: string;
  readonly username: string | undefined;
  /** PLAIN and LOGIN: the password sent; XOAUTH2: the access token; CRAM-MD5: the response. */
  readonly secret: string | undefined;
  readonly accepted: boolean;
  /** Whether the connection was under TLS at the time. */
  readonly secure: boolean;
}

export interface ServerState {
  /** Everything clients sent, connection after connection, in latin1: the plaintext before
   *  STARTTLS and the decrypted bytes after it (never the TLS records themselves). */
  readonly received: string;
  readonly connections: number;
  readonly authAttempts: AuthAttempt[];
}

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function main(argv: string[]): void {
  const [address, portText, tlsMode, mechanismList] = argv;
  const port = Number(portText);
  if (!address || !Number.isInteger(port) || port < 0 || port > 65535 || (tlsMode !== 'tls' && tlsMode !== 'plain') || !mechanismList) {
    process.stderr.write('usage: namespaced-smtp-server.js ADDRESS PORT tls|plain MECHANISMS|-\n');
    process.exit(2);
  }
  const mechanisms = mechanismList === '-' ? [] : mechanismList.split(',').filter(Boolean);

  // Per connection, in accepting order; each entry is the list of chunks received.
  const connections: Buffer[][] = [];
  const authAttempts: AuthAttempt[] = [];
  const chunksById = new Map<string, Buffer[]>();

  class RecordingServer extends SMTPServer {
    // smtp-server pipes the socket into its parser synchronously within connect(), so a 'data'
    // listener added right after it sees every chunk and changes nothing in the flow. At
    // STARTTLS smtp-server removes all listeners of the raw socket, so the TLS records are never
    // recorded; onSecure below taps the decrypted side instead.
    override connect(socket: Socket | TLSSocket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
      const id = socketOptions?.id ?? randomUUID();
      const chunks: Buffer[] = [];
      connections.push(chunks);
      chunksById.set(id, chunks);
      super.connect(socket, { ...socketOptions, id });
      socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    }
  }

  const disabledCommands: string[] = [];
  if (tlsMode !== 'tls') disabledCommands.push('STARTTLS');
  if (mechanisms.length === 0) disabledCommands.push('AUTH');

  const server = new RecordingServer({
    name: 'gate.test',
    secure: false,
    logger: false,
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands,
    ...(mechanisms.length ? { authMethods: mechanisms } : {}),
    onSecure(socket, session, callback) {
      // Called with the TLS socket, right before smtp-server pipes it into its parser.
      const chunks = chunksById.get(session.id);
      if (chunks) socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
      callback();
    },
    onAuth(auth: SMTPServerAuthentication, session, callback) {
      let accepted = false;
      let secret: string | undefined;
      if (auth.method === 'CRAM-MD5') {
        secret = auth.challengeResponse;
        accepted = auth.username === GATE_ACCOUNT.user && auth.validatePassword(GATE_ACCOUNT.password);
      } else if (auth.method === 'XOAUTH2') {
        secret = auth.accessToken;
      } else {
        secret = auth.password ?? undefined;
        accepted = auth.username === GATE_ACCOUNT.user && auth.password === GATE_ACCOUNT.password;
      }
      authAttempts.push({ method: auth.method, username: auth.username, secret, accepted, secure: session.secure });
      if (!accepted) return callback(new Error('Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => callback(null, 'Ok: queued'));
    },
  });

  server.on('error', (error: Error) => process.stderr.write(`namespaced-smtp-server: ${error.message}\n`));
  server.server.once('error', (error: Error) => {
    send({ error: error.message });
    process.exit(1);
  });
  server.listen(port, address, () => {
    const bound = server.server.address();
    send({ listening: true, address, port: typeof bound === 'object' && bound ? bound.port : port });
  });

  const state = (): ServerState => ({
    received: Buffer.concat(connections.flat()).toString('latin1'),
    connections: connections.length,
    authAttempts,
  });
  const requests = createInterface({ input: process.stdin });
  requests.on('line', (line) => {
    let request: { id?: unknown; request?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      send({ error: `not JSON: ${line}` });
      return;
    }
    if (request.request === 'state') send({ id: request.id, state: state() });
    else send({ id: request.id, error: `unknown request: ${String(request.request)}` });
  });
  // The parent going away (or closing our stdin) ends the server, connections and all.
  requests.on('close', () => process.exit(0));
}

main(process.argv.slice(2));
