// The load mode's express lane, for a connection per message: the dialogue a session had with the
// server on a connection that delivered its message (written down by the connection, see
// Recording) is played again, write for write, as long as the server answers as it did: the same
// reply codes, the same EHLO, no reply ahead of its command. At the first reply that differs, a
// hang-up, a time limit, a signal, a write the socket cannot take at once, the connection goes to a
// session (SmtpConnection.adopt), which reads again what came, takes the writes made as its own,
// and decides as it always does. The lane decides nothing but that all went as before; what it
// saves is the session's own work a connection (its promises, timers and events), most of a
// connection's CPU when it carries one message.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Stage } from '../errors.js';
import type { InterruptSignal } from '../interruption.js';
import { MAX_SESSION_REPLY_OCTETS, readLeftBehind, SmtpConnection, type ReadRelay, type Recording } from '../smtp/connection.js';
import { PlayedDialogue, type PlayedEnd } from '../smtp/played.js';
import { ReplyReader, ReplySyntaxError, sameLines, type Reply } from '../smtp/reply.js';
import { ReplyScanner } from '../smtp/reply-scanner.js';
import type { Timeouts } from '../smtp/timeouts.js';
import type { Flight } from './flight.js';

/** What a session wrote and was answered, on a connection that delivered its message: the lane plays it again. */
export interface Script {
  /** Each write, with the commands it holds (a reply owed each) and how many replies come before it. */
  readonly writes: readonly { readonly bytes: Buffer; readonly commands: number; readonly after: number }[];
  /** Each reply as it must come again: its code and enhanced code, and for EHLO its lines as received (the capabilities). */
  readonly replies: readonly ScriptReply[];
  /** The time limit of each reply's wait, as the session has it for the reply's stage; and the shortest. */
  readonly limits: readonly number[];
  readonly shortestLimit: number;
  /** The write that begins the transaction (MAIL), and the reply that is the verdict on the message. */
  readonly transaction: number;
  readonly verdict: number;
  /** Octets of an EHLO reply already found to hold the script's lines: the same octets again need no parse. */
  knownEhlo: Buffer | undefined;
}

/** A reply of the script: the code and enhanced code it must come with again; EHLO's lines too. */
export interface ScriptReply {
  readonly code: number;
  readonly enhanced: string | undefined;
  readonly raw: readonly string[] | undefined;
}

/** Stages a played dialogue may hold: the greeting, EHLO and one transaction, with QUIT. No TLS, no login. */
const PLAYABLE: ReadonlySet<Stage> = new Set<Stage>(['greeting', 'ehlo', 'mail', 'rcpt', 'data', 'body', 'quit']);

/**
 * The script of `recording`, made on a connection whose one message was delivered; undefined when
 * it is not one the lane can play: anything but the greeting, EHLO, one transaction and QUIT's 221,
 * or a reply other than a success.
 */
export function scriptOf(recording: Recording, timeouts: Timeouts): Script | undefined {
  const { writes, replies } = recording;
  const owed = 1 + writes.reduce((sum, write) => sum + write.commands, 0);
  if (replies.length !== owed || replies[0]?.stage !== 'greeting' || replies.at(-1)?.stage !== 'quit' || replies.at(-1)?.reply.code !== 221) return undefined;
  if (!replies.every(({ stage, reply }) => PLAYABLE.has(stage) && reply.code < 400) || !writes.every(({ stage }) => PLAYABLE.has(stage))) return undefined;
  const transactions = writes.filter(({ stage }) => stage === 'mail').length;
  const verdict = replies.map(({ stage }) => stage).lastIndexOf('body');
  if (transactions !== 1 || verdict === -1) return undefined;
  const limits = replies.map(({ stage }) => timeouts.forStage(stage));
  return {
    writes: writes.map(({ bytes, commands, after }) => ({ bytes, commands, after })),
    replies: replies.map(({ stage, reply }) => ({ code: reply.code, enhanced: reply.enhanced, raw: stage === 'ehlo' ? reply.raw : undefined })),
    limits,
    shortestLimit: Math.min(...limits),
    transaction: writes.findIndex(({ stage }) => stage === 'mail'),
    verdict,
    knownEhlo: undefined,
  };
}

/** A message the lane delivered (its replies the script's), and when its greeting, its transaction and its verdict came. */
export interface Played {
  readonly kind: 'played';
  readonly socket: Socket;
  readonly greetingAt: number;
  readonly begunAt: number;
  readonly verdictAt: number;
}

/** The connection taken over by a session, for the driver to carry on as any other. */
export interface HandedOver {
  readonly kind: 'handed-over';
  readonly connection: SmtpConnection;
}

/**
 * Plays `script` on `socket`, just connected (its reads come through `reads`): `done` is called
 * when the message was delivered as recorded, or when the connection was handed over. `stopped`:
 * the run starts no new message (asked before the transaction begins: the session decides then).
 */
export function play(
  socket: Socket,
  host: string,
  reads: ReadRelay,
  script: Script,
  flight: Flight,
  stopped: () => boolean,
  signal: InterruptSignal | undefined,
  done: (outcome: Played | HandedOver) => void,
): void {
  new Player(socket, host, reads, script, flight, stopped, signal, done).start();
}

class Player {
  private readonly scanner = new ReplyScanner();
  private readonly dialogue = new PlayedDialogue();
  /** Replies read, each as the script has it. */
  private replied = 0;
  /** Replies the server owes: the greeting's, and one a command written. A reply beyond them came unasked. */
  private owed = 1;
  private written = 0;
  private timer: NodeJS.Timeout | undefined;
  /** What the timer runs for, from its start or its last refresh. */
  private timerMs = 0;
  /** The reply awaited: since when, for how long at most. */
  private awaitedSince = 0;
  private limit = 0;
  private errno: string | undefined;
  private over = false;
  private greetingAt = 0;
  private begunAt = 0;
  private verdictAt = 0;
  private readonly onAbort = () => this.handOver({ kind: 'interrupted', signal: this.signal!.reason as NodeJS.Signals });

  constructor(
    private readonly socket: Socket,
    private readonly host: string,
    private readonly reads: ReadRelay,
    private readonly script: Script,
    private readonly flight: Flight,
    private readonly stopped: () => boolean,
    private readonly signal: InterruptSignal | undefined,
    private readonly resolve: (outcome: Played | HandedOver) => void,
  ) {}

  start(): void {
    this.reads.to = (bytes, length) => this.read(bytes, length);
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errno ??= error.code;
    });
    this.socket.on('close', () => this.handOver({ kind: 'closed', errno: this.errno }));
    if (this.signal?.aborted) {
      this.onAbort();
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.writeDue()) this.arm(performance.now());
  }

  private read(bytes: Buffer, length: number): void {
    if (this.over) return;
    const now = performance.now();
    // Kept for a session that takes over; scanned in take().
    this.dialogue.read(bytes, length, now);
    const replied = this.dialogue.octetsRead > MAX_SESSION_REPLY_OCTETS ? undefined : this.take(now);
    if (replied === undefined) this.handOver(undefined);
    else if (this.replied === this.script.replies.length) this.finish();
    else if (replied > 0 && this.writeDue()) this.arm(now);
  }

  /** How many replies the last read completed, each as the script has it; undefined at the first that is not, or at a fault in the stream. */
  private take(now: number): number | undefined {
    const { octets, octetsRead } = this.dialogue;
    const scanner = this.scanner;
    let replies = 0;
    for (let scanned = scanner.next(octets, octetsRead); scanned !== 'more'; scanned = scanner.next(octets, octetsRead)) {
      const index = this.replied;
      const expected = this.script.replies[index];
      if (scanned === 'fault' || index === this.owed || expected === undefined) return undefined;
      if (scanner.code !== expected.code || !scanner.enhancedIs(octets, expected.enhanced)) return undefined;
      if (expected.raw !== undefined && !this.sameEhlo(octets, scanner.start, scanner.end, expected.raw)) return undefined;
      this.replied++;
      replies++;
      if (index === 0) this.greetingAt = now;
      if (index === this.script.verdict) {
        this.verdictAt = now;
        this.flight.inTransaction = false;
      }
    }
    return replies;
  }

  /** Whether an EHLO reply, octets `[start, end)` of `octets`, holds the script's lines: the same octets as one that did, or read so. */
  private sameEhlo(octets: Buffer, start: number, end: number, lines: readonly string[]): boolean {
    const known = this.script.knownEhlo;
    if (known?.length === end - start && octets.compare(known, 0, known.length, start, end) === 0) return true;
    const reply = octets.subarray(start, end);
    let read: readonly Reply[];
    try {
      read = new ReplyReader().push(reply);
    } catch (error) {
      if (error instanceof ReplySyntaxError) return false;
      throw error;
    }
    if (read.length !== 1 || !sameLines(read[0]!.raw, lines)) return false;
    this.script.knownEhlo = Buffer.from(reply);
    return true;
  }

  /** Makes the writes due after the replies read; false when the connection was handed over. */
  private writeDue(): boolean {
    const { writes, transaction } = this.script;
    for (let next = writes[this.written]; next !== undefined && next.after <= this.replied; next = writes[this.written]) {
      if (this.written === transaction) {
        if (this.stopped()) {
          this.handOver(undefined);
          return false;
        }
        this.begunAt = performance.now();
        this.flight.inTransaction = true;
      }
      this.written++;
      this.owed += next.commands;
      this.dialogue.wrote(next.bytes);
      // No callback: one a write holds the socket's objects from one scavenge to the next (see markTaken()).
      this.socket.write(next.bytes);
      if (this.socket.errored !== null) {
        // Refused by the kernel: what the server said before it closed is still there, read now as a session would.
        this.dialogue.lastWriteRefused();
        readLeftBehind(this.socket, (left) => {
          this.dialogue.read(left, left.length, performance.now());
          return true;
        });
        this.handOver(undefined);
        return false;
      }
      if (this.socket.writableNeedDrain) {
        this.dialogue.lastWriteNeedsDrain();
        this.handOver(undefined);
        return false;
      }
    }
    return true;
  }

  /** The time limit of the reply awaited next, from now. */
  private arm(now: number): void {
    this.awaitedSince = now;
    this.limit = this.script.limits[this.replied]!;
    // One timer a connection, of the script's shortest limit, refreshed at each reply; a longer
    // limit is waited out in more than one run of it (see onTimer).
    if (this.timer !== undefined && this.timerMs <= this.limit) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timerMs = Math.min(this.limit, this.script.shortestLimit);
    this.timer = setTimeout(this.onTimer, this.timerMs);
  }

  private readonly onTimer = () => {
    // Whole milliseconds, as Node's timers count them.
    const left = Math.ceil(this.limit - (performance.now() - this.awaitedSince));
    if (left <= 0) {
      this.handOver({ kind: 'overdue' });
      return;
    }
    this.timerMs = left;
    this.timer = setTimeout(this.onTimer, left);
  };

  private release(): void {
    this.over = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /**
   * Which writes the socket has handed to the kernel: all but one it refused, when nothing waits in
   * it; else the last is taken when an empty write after it is (the socket writes in order). Only a
   * message's write is waited for so (a session waits until its lent buffers are taken), the last.
   */
  private markTaken(): void {
    const writes = this.dialogue.events.filter((event) => event.kind === 'write');
    for (const write of writes) write.taken = !write.refused;
    const last = writes.at(-1);
    // A socket that failed takes nothing more: a session waiting for it meets the failure.
    if (last === undefined || last.refused || this.socket.writableLength === 0 || this.socket.destroyed || this.socket.errored !== null) return;
    last.taken = false;
    this.socket.write(Buffer.alloc(0), (error) => {
      if (error) return;
      last.taken = true;
      last.onTaken?.();
    });
  }

  private finish(): void {
    this.release();
    this.resolve({ kind: 'played', socket: this.socket, greetingAt: this.greetingAt, begunAt: this.begunAt, verdictAt: this.verdictAt });
  }

  private handOver(end: PlayedEnd): void {
    if (this.over) return;
    this.release();
    this.dialogue.end = end;
    this.markTaken();
    this.resolve({ kind: 'handed-over', connection: SmtpConnection.adopt(this.socket, this.host, this.signal, this.reads, this.dialogue) });
  }
}
