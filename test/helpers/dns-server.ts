// A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for the faults dnsmasq will not
// produce: truncation, wrong IDs, wrong questions, silence, error codes, garbage.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';

export type Query = ReturnType<typeof dnsPacket.decode>;
/** Replies to send (raw bytes), in order; an empty list is silence. */
export type Handler = (query: Query, transport: 'udp' | 'tcp') => Buffer[];

export interface ScriptedDns {
  readonly port: number;
  readonly queries: { name: string; type: string; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** A response to `query` (same ID and question unless overridden). */
export function reply(
  query: Query,
  fields: {
    answers?: dnsPacket.Answer[];
    authorities?: dnsPacket.Answer[];
    additionals?: dnsPacket.Answer[];
    rcode?: number;
    truncated?: boolean;
    id?: number;
    questionName?: string;
    questionClass?: dnsPacket.RecordClass;
    authoritative?: boolean;
  } = {},
): Buffer {
  const question = query.questions![0]!;
  return dnsPacket.encode({
    type: 'response',
    id: fields.id ?? query.id ?? 0,
    flags:
      (fields.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      (fields.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
      dnsPacket.RECURSION_AVAILABLE |
      (fields.rcode ?? 0),
    questions: [{ ...question, name: fields.questionName ?? question.name, class: fields.questionClass ?? question.class }],
    answers: fields.answers ?? [],
    authorities: fields.authorities ?? [],
    additionals: fields.additionals ?? [],
  });
}

export function mx(name: string, preference: number, exchange: string): dnsPacket.Answer {
  return { type: 'MX', name, ttl: 60, class: 'IN', data: { preference, exchange } };
}

export function a(name: string, address: string): dnsPacket.Answer {
  return { type: 'A', name, ttl: 60, class: 'IN', data: address };
}

export function cname(name: string, target: string): dnsPacket.Answer {
  return { type: 'CNAME', name, ttl: 60, class: 'IN', data: target };
}

export interface DnsOptions {
  /** Every reply is sent this long after its query, as a slow name server would. */
  readonly delayMs?: number;
}

/** Starts the server on a port free for both UDP and TCP (retrying when one is taken). */
export async function startDns(handler: Handler, options: DnsOptions = {}): Promise<ScriptedDns> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnFreshPort(handler, options.delayMs ?? 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
    }
  }
}

async function startOnFreshPort(handler: Handler, delayMs: number): Promise<ScriptedDns> {
  const queries: ScriptedDns['queries'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (send: () => void) => {
    if (delayMs === 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delayMs);
    timers.add(timer);
  };
  const tcp = createServer((socket) => {
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const query = dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      queries.push({ name: query.questions![0]!.name, type: query.questions![0]!.type, transport: 'tcp' });
      const answers = handler(query, 'tcp');
      later(() => {
        for (const answer of answers) {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(answer.length);
          if (!socket.destroyed) socket.write(Buffer.concat([length, answer]));
        }
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', resolve);
  });
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    queries.push({ name: query.questions![0]!.name, type: query.questions![0]!.type, transport: 'udp' });
    const answers = handler(query, 'udp');
    later(() => {
      for (const answer of answers) udp.send(answer, remote.port, remote.address);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    await new Promise((resolve) => tcp.close(resolve));
    throw error;
  }
  return {
    port,
    queries,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      udp.close();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}
