// Asking one name server one question: over UDP, and over TCP when the UDP answer is truncated
// (RFC 1035 §4.2, RFC 7766). The only place the DNS client opens sockets. Answers whose ID or
// question do not match are ignored, as are malformed datagrams: a spoofer must guess both.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { InterruptedError } from '../errors.js';
import { ipVersion } from '../ip-address.js';
import type { NoAnswer } from './facts.js';
import { answersQuery, decodeResponse, encodeQuery, type DnsResponse, type Question } from './wire.js';
import type { NameServer } from './resolv-conf.js';
import type { InterruptSignal } from '../interruption.js';

export type DnsTransport = 'udp' | 'tcp';

/** No answer in time (or a broken one over TCP): worth asking the next server. */
export class DnsExchangeError extends Error {
  constructor(readonly failure: NoAnswer) {
    super(failure.reason);
  }
}

/** A TCP answer may be at most 64 KiB (two-octet length), so memory stays bounded. */
const MAX_TCP_MESSAGE = 65535;

/** One query: its ID, its question, and whether it carries EDNS (a server that refused it is asked without). */
export interface Query {
  readonly id: number;
  readonly question: Question;
  readonly edns: boolean;
}

/**
 * Sends `query` to `server` and resolves with the matching response. Throws DnsExchangeError,
 * or InterruptedError when `signal` aborts.
 */
export function exchange(server: NameServer, query: Query, transport: DnsTransport, timeoutMs: number, signal?: InterruptSignal): Promise<DnsResponse> {
  return transport === 'udp' ? overUdp(server, query, timeoutMs, signal) : overTcp(server, query, timeoutMs, signal);
}

/**
 * One exchange's life: `start` gets `finish`, which settles once, clears the time limit, stops
 * listening to `signal` and releases the socket. Silence past `timeoutMs` is a DnsExchangeError;
 * an abort is an InterruptedError.
 */
function settleOnce(
  timeoutMs: number,
  transport: DnsTransport,
  signal: InterruptSignal | undefined,
  release: () => void,
  start: (finish: (error: Error | undefined, response?: DnsResponse) => void) => void,
  malformed: () => number = () => 0,
): Promise<DnsResponse> {
  return new Promise((resolve, reject) => {
    const onAbort = () => finish(new InterruptedError(signal!.reason as NodeJS.Signals, 'resolve'));
    let settled = false;
    const finish = (error: Error | undefined, response?: DnsResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release();
      if (error) reject(error);
      else resolve(response!);
    };
    const timedOut = () => {
      const ignored = malformed();
      finish(new DnsExchangeError({ reason: 'timeout', transport, timeoutMs, ...(ignored > 0 ? { malformed: ignored } : {}) }));
    };
    const timer = setTimeout(timedOut, timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    start(finish);
  });
}

function overUdp(server: NameServer, { id, question, edns }: Query, timeoutMs: number, signal: InterruptSignal | undefined): Promise<DnsResponse> {
  const socket = createSocket(ipVersion(server.address) === 6 ? 'udp6' : 'udp4');
  // Counted, so that a server whose every answer was broken is not said to have been silent.
  let malformed = 0;
  return settleOnce(
    timeoutMs,
    'udp',
    signal,
    () => socket.close(),
    (finish) => {
      // A connected socket: the kernel passes on datagrams from the server's address and port only.
      socket.on('message', (message) => {
        let response: DnsResponse;
        try {
          response = decodeResponse(message);
        } catch {
          malformed++;
          return; // wait for a real answer: a spoofer's garbage must not end the wait
        }
        if (answersQuery(response, id, question)) finish(undefined, response);
      });
      socket.on('error', (error) => finish(new DnsExchangeError(socketFailure(error, 'udp'))));
      socket.connect(server.port, server.address, () => socket.send(encodeQuery(id, question, edns)));
    },
    () => malformed,
  );
}

function overTcp(server: NameServer, { id, question, edns }: Query, timeoutMs: number, signal: InterruptSignal | undefined): Promise<DnsResponse> {
  const socket = connect({ host: server.address, port: server.port });
  let received = Buffer.alloc(0);
  return settleOnce(
    timeoutMs,
    'tcp',
    signal,
    () => socket.destroy(),
    (finish) => {
      socket.on('connect', () => {
        const query = encodeQuery(id, question, edns);
        const length = Buffer.alloc(2);
        length.writeUInt16BE(query.length);
        socket.write(Buffer.concat([length, query]));
      });
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length > MAX_TCP_MESSAGE + 2) return finish(new DnsExchangeError({ reason: 'oversize' }));
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        let response: DnsResponse;
        try {
          response = decodeResponse(received.subarray(2, 2 + length));
        } catch {
          return finish(new DnsExchangeError({ reason: 'malformed' }));
        }
        if (!answersQuery(response, id, question)) return finish(new DnsExchangeError({ reason: 'mismatched' }));
        finish(undefined, response);
      });
      socket.on('error', (error) => finish(new DnsExchangeError(socketFailure(error, 'tcp'))));
      socket.on('close', () => finish(new DnsExchangeError({ reason: 'closed' })));
    },
  );
}

/** A socket's failure by its system error code: refused (nothing listens there), or another. */
function socketFailure(error: NodeJS.ErrnoException, transport: DnsTransport): NoAnswer {
  if (error.code === 'ECONNREFUSED') return { reason: 'refused', transport };
  return { reason: 'network', transport, errno: error.code ?? 'EIO' };
}
