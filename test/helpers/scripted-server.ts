// A scripted SMTP server on 127.0.0.1 for faults real servers will not produce on demand: each
// command's reply can be replaced, delayed, withheld, or the connection cut. serveScript plays the
// same script over any duplex stream, such as one end of an in-memory pair.
import { createServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * `raw` with `close` ends the connection after it, still reading what the client sends; with `abort`,
 * the server closes its socket once `raw` is written and reads nothing more, so that what the client
 * writes next meets a reset, as it would from a server that crashed.
 */
export type Action = string | { close: true } | { silent: true } | { raw: Buffer | string; close?: boolean; abort?: boolean };
export type Responder = Action | ((line: string) => Action);

export interface Script {
  /** What the server says on connect (a reply, or raw bytes); defaults to a 220. */
  greeting?: Action;
  /** Milliseconds to wait before the greeting. */
  greetingDelayMs?: number;
  /** How the server answers the client's TLS handshake: `garbage` breaks it. */
  afterStartTls?: 'garbage';
  host?: string;
  port?: number;
  /** Listen on this unix-domain socket instead of 127.0.0.1. */
  path?: string;
  /**
   * Replies by command verb (EHLO, HELO, MAIL, RCPT, DATA, RSET, QUIT), `.` for end of data (its
   * responder is given the message as received: dot-stuffed, up to the CRLF before the final dot),
   * `BDAT` and `BDAT LAST`; `*` answers any other line (such as the base64 answers of an AUTH exchange).
   */
  replies?: Partial<Record<string, Responder>>;
  /** A server without CHUNKING: BDAT is answered as a line like any other, and what follows it is read as commands. */
  noChunking?: boolean;
  /**
   * What changes for connection number `index` (from 1), merged over the rest: a greeting that
   * refuses every third connection, replies whose closures count one connection's messages.
   */
  perConnection?: (index: number) => Pick<Script, 'greeting' | 'greetingDelayMs' | 'replies'>;
}

export interface ScriptedServer {
  readonly port: number;
  /** Everything clients wrote, in order. */
  received(): Buffer;
  /** The same, as the socket delivered it: on loopback, one chunk a write the client made. */
  readonly chunks: readonly Buffer[];
  /** Command lines received (message content excluded). */
  readonly commands: string[];
  close(): Promise<void>;
}

const DEFAULTS: Record<string, Responder> = {
  EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 1000000\r\n250 ENHANCEDSTATUSCODES',
  HELO: '250 scripted.test',
  MAIL: '250 2.1.0 Ok',
  RCPT: '250 2.1.5 Ok',
  DATA: '354 End data with <CR><LF>.<CR><LF>',
  '.': '250 2.0.0 Ok: queued as S1',
  BDAT: '250 2.0.0 Ok: chunk received',
  'BDAT LAST': '250 2.0.0 Ok: queued as S1',
  RSET: '250 2.0.0 Ok',
  QUIT: '221 2.0.0 Bye',
};

/** Where a script keeps what the client wrote: every chunk, and the command lines. */
export interface Recording {
  readonly chunks: Buffer[];
  readonly commands: string[];
}

export async function startScriptedServer(script: Script = {}): Promise<ScriptedServer> {
  const chunks: Buffer[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const changes = script.perConnection?.(++connections);
    serveScript(socket, changes === undefined ? script : { ...script, ...changes, replies: { ...script.replies, ...changes.replies } }, { chunks, commands });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (script.path !== undefined) server.listen(script.path, () => resolve());
    else server.listen(script.port ?? 0, script.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    received: () => Buffer.concat(chunks),
    chunks,
    commands,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Plays `script` to the client at the other end of `socket`, from the greeting on. */
export function serveScript(socket: Duplex, script: Script, { chunks, commands }: Recording): void {
  socket.on('error', () => {});
  let buffered = '';
  let inData = false;
  let bdatRemaining = 0;
  let bdatCommand = '';
  // Replies wait while the client is not reading: megabytes of them written at once would fail
  // the server's own socket (ENOBUFS) before the client ever saw them.
  const queued: Action[] = [];
  let draining = false;
  let aborted = false;
  const flush = () => {
    // A server that has hung up says nothing more, whatever was still in its buffer.
    if (socket.destroyed || socket.writableEnded || aborted) queued.length = 0;
    while (!draining && queued.length > 0) {
      const action = queued.shift()!;
      if (typeof action === 'string') draining = !socket.write(action.endsWith('\r\n') ? action : `${action}\r\n`);
      else if ('close' in action && !('raw' in action)) socket.destroy();
      else if ('raw' in action && action.abort) {
        aborted = true;
        queued.length = 0;
        socket.write(action.raw, () => socket.destroy());
      } else if ('raw' in action) {
        draining = !socket.write(action.raw);
        if (action.close) socket.end();
      }
      if (draining) {
        socket.once('drain', () => {
          draining = false;
          flush();
        });
      }
    }
  };
  const act = (action: Action) => {
    queued.push(action);
    flush();
  };
  const respond = (verb: string, line: string) => {
    const responder = script.replies?.[verb] ?? DEFAULTS[verb] ?? script.replies?.['*'] ?? '502 5.5.2 Unknown command';
    const action = typeof responder === 'function' ? responder(line) : responder;
    act(action);
    return action;
  };
  // As a real server: what a client writes before the greeting is read only after it.
  let greeted = false;
  const greet = () => {
    act(script.greeting ?? '220 scripted.test ESMTP');
    greeted = true;
    serve();
  };
  if (script.greetingDelayMs) {
    // Not greeting a connection gone: its timer would keep the test process alive for nothing.
    const greeting = setTimeout(greet, script.greetingDelayMs);
    socket.once('close', () => clearTimeout(greeting));
  } else greet();
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.toString('latin1');
    if (greeted) serve();
  });
  function serve(): void {
    for (;;) {
      if (bdatCommand) {
        // RFC 3030: exactly the announced octets follow BDAT, no dot-stuffing, no end marker.
        const taken = Math.min(bdatRemaining, buffered.length);
        buffered = buffered.slice(taken);
        bdatRemaining -= taken;
        if (bdatRemaining > 0) return;
        const command = bdatCommand;
        bdatCommand = '';
        respond(/ LAST$/i.test(command) ? 'BDAT LAST' : 'BDAT', command);
        continue;
      }
      if (inData) {
        const end = buffered.indexOf('\r\n.\r\n');
        const startEnd = buffered.startsWith('.\r\n') ? 0 : -1;
        if (end === -1 && startEnd === -1) return;
        const message = startEnd === 0 ? '' : buffered.slice(0, end + 2);
        buffered = startEnd === 0 ? buffered.slice(3) : buffered.slice(end + 5);
        inData = false;
        respond('.', message);
        continue;
      }
      const eol = buffered.indexOf('\r\n');
      if (eol === -1) return;
      const line = buffered.slice(0, eol);
      buffered = buffered.slice(eol + 2);
      commands.push(line);
      const verb = line.split(/[ :]/)[0]!.toUpperCase();
      if (verb === 'BDAT' && !script.noChunking) {
        bdatCommand = line;
        bdatRemaining = Number(line.split(' ')[1]);
        continue;
      }
      const action = respond(verb, line);
      if (verb === 'STARTTLS' && script.afterStartTls === 'garbage') {
        // Answer the client's first handshake record with bytes that are not TLS.
        socket.removeAllListeners('data');
        socket.once('data', () => socket.end('this is not a TLS record\r\n'));
        return;
      }
      if (verb === 'DATA' && typeof action === 'string' && action.startsWith('354')) inData = true;
    }
  }
}
