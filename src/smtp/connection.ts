// The SMTP client's socket: connects with TCP_NODELAY, writes with back-pressure, and hands out
// replies one at a time, each with its own time limit. The only place the session touches a socket.
import { connect, type Socket } from 'node:net';
import { HostLookupError, ProtocolError, TransportError, type Stage } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ReplyReader, ReplySyntaxError, type Reply } from './reply.js';

export class SmtpConnection {
  private readonly reader = new ReplyReader();
  private readonly replies: Reply[] = [];
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      this.fail(new Error('connection closed by the server'));
    });
  }

  /** Opens a TCP connection. Throws HostLookupError or TransportError. */
  static open(host: string, port: number, timeoutMs: number): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      // Nagle would hold each pipelined group back until the previous ACK: a 40 ms stall per step.
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError(`timed out after ${timeoutMs / 1000} s connecting to ${host} port ${port}`, 'connect'));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SmtpConnection(socket, host));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectError(error, host, port));
      });
    });
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.host;
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  /** Writes bytes, waiting while the socket's buffer is full. Throws TransportError. */
  async write(data: Buffer | string, stage: Stage, timeoutMs: number): Promise<void> {
    this.throwIfFailed(stage);
    if (this.socket.write(data)) return;
    await this.waitFor(() => this.socket.writableNeedDrain === false, stage, timeoutMs, 'sending data', 'drain');
  }

  /** The next reply, in order. Throws TransportError (closed, timeout) or ProtocolError. */
  async readReply(stage: Stage, timeoutMs: number): Promise<Reply> {
    await this.waitFor(() => this.replies.length > 0, stage, timeoutMs, 'waiting for the reply');
    return this.replies.shift()!;
  }

  /** Closes our side and releases the socket. */
  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      this.replies.push(...this.reader.push(chunk));
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
    this.wake();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private waitFor(ready: () => boolean, stage: Stage, timeoutMs: number, doing: string, socketEvent?: 'drain'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) return finish(undefined);
        try {
          this.throwIfFailed(stage);
        } catch (error) {
          return finish(error as Error);
        }
        this.waiter = check;
      };
      const onDrain = () => check();
      const timer = setTimeout(
        () => finish(new TransportError(`timed out after ${timeoutMs / 1000} s ${doing} (${stage})`, stage)),
        timeoutMs,
      );
      const finish = (error: Error | undefined) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (socketEvent) this.socket.off(socketEvent, onDrain);
        if (error) reject(error);
        else resolve();
      };
      if (socketEvent) this.socket.on(socketEvent, onDrain);
      check();
    });
  }

  private throwIfFailed(stage: Stage): void {
    const failure = this.failure;
    if (!failure) return;
    if (failure instanceof ReplySyntaxError) throw new ProtocolError(`protocol error during ${stage}: ${failure.message}`, stage);
    const code = (failure as NodeJS.ErrnoException).code;
    const what = code === 'ECONNRESET' ? 'connection reset by the server' : failure.message;
    const partial = this.closed && this.reader.hasPartial ? ' (in the middle of a reply)' : '';
    throw new TransportError(`${what} during ${stage}${partial}`, stage);
  }
}

function connectError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host} port ${port}`;
  switch (error.code) {
    case 'ENOTFOUND':
      return new HostLookupError(`host ${host} not found`, ExitCode.NOHOST);
    case 'EAI_AGAIN':
      return new HostLookupError(`temporary failure looking up ${host}`, ExitCode.TEMPFAIL);
    case 'ECONNREFUSED':
      return new TransportError(`connection refused by ${where}`, 'connect');
    default:
      return new TransportError(`cannot connect to ${where}: ${error.message}`, 'connect');
  }
}
