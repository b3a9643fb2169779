// Two ends of an in-memory byte stream, as a connected socket pair: what one end writes the
// other reads, and ending or destroying one ends the other. Each end keeps its writes as they
// were made (a corked group of pieces counts as one), so a test can tell one flight from several.
import { Duplex } from 'node:stream';

export class MemoryEnd extends Duplex {
  peer!: MemoryEnd;
  /** Every write this end made, in order: a writev (cork … uncork) is one. */
  readonly writes: Buffer[] = [];
  /** Writes from this one on (counted from 0) are refused at once, as the kernel refuses them after a reset. */
  refuseFrom = Number.POSITIVE_INFINITY;
  private attempts = 0;

  constructor() {
    // Like a TCP socket whose peer has closed: once the other side ends, this one ends too.
    super({ allowHalfOpen: false });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Copied, as a socket hands its octets to the kernel: the writer may reuse its memory once told.
    this.deliver(Buffer.from(chunk), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.deliver(Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.peer.readableEnded) this.peer.push(null);
    callback(error);
  }

  private deliver(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed || this.attempts++ >= this.refuseFrom) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      return;
    }
    this.writes.push(data);
    this.peer.push(data);
    callback();
  }
}

/** A connected pair: [client end, server end]. */
export function memoryPair(): [MemoryEnd, MemoryEnd] {
  const client = new MemoryEnd();
  const server = new MemoryEnd();
  client.peer = server;
  server.peer = client;
  return [client, server];
}
