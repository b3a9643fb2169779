// --timing: the elapsed time in front of each line, and a summary of where the time went: round
// trips (each time mailv had to wait for the server), octets each way, time per step. Pure: the
// caller passes the clock.
import type { SessionEvent } from '../events.js';
import { RepliesOwed } from '../replies-owed.js';
import type { TimingWords } from '../words/catalogue.js';

/** Columns a stamp takes before a line, `[  12.3 ms] `, under 100 s. */
export const STAMP_WIDTH = 13;

export class TimingRecorder {
  private connectingAt: number | undefined;
  private connectedAt: number | undefined;
  /** When the first command of the current flight was written; undefined while nothing is owed. */
  private flightStart: number | undefined;
  private lastReplyAt: number | undefined;
  private starttlsAnsweredAt: number | undefined;
  private roundTrips = 0;
  private sent = 0;
  private received = 0;
  private greetingAfter: number | undefined;
  private greetingFrom: number | undefined;
  /** The step whose reply the open flight waits for: its time is that step's, even if no reply comes. */
  private awaited: string | undefined;
  /**
   * The steps of the commands written and not answered yet, oldest first: after a group's first reply
   * (or a greeting that came after an early EHLO) the wait goes on, and is the next one's.
   */
  private readonly owed = new RepliesOwed<string>((stage) => stage);
  /** STARTTLS was answered 220 and its handshake has not ended (yet). */
  private handshakeFrom: number | undefined;
  private readonly perStep = new Map<string, number>();
  /** A connection was asked for and is not made yet: a refused or silent connect is the connect step's time. */
  private connectPending = false;
  /** Connections made (another MX host, again without TLS or without an early EHLO): the steps sum them all. */
  private connections = 0;
  /** LMTP: the message's end is answered once per recipient accepted (RFC 2033 §4.2). */
  private lmtp = false;
  /** The transaction's RCPTs answered 2xx, and (LMTP) its replies after the message so far. */
  private recipientsTaken = 0;
  private endReplies = 0;

  constructor(private readonly start: number) {}

  /** `[  12.3 ms] `: the time since the start, before a transcript line, its decimal mark the language's. */
  stamp(at: number, words: TimingWords): string {
    return words.stamp((at - this.start).toFixed(1).padStart(7));
  }

  /** Blank space as wide as a stamp, for the lines that follow the first of an event. */
  blank(words: TimingWords): string {
    return ' '.repeat(this.stamp(this.start, words).length);
  }

  record(event: SessionEvent, at: number): void {
    switch (event.kind) {
      case 'connecting':
        // A new connection (another host, or again without TLS): what the last one left waiting ends here.
        this.giveUpWaits(at);
        this.lmtp = event.via === 'lmtp';
        this.connectingAt = at;
        this.connectPending = true;
        return;
      case 'deferred':
      case 'unsettled':
        // mailv gave up the connection (a time limit, a hang-up): its waits end now, not when the
        // run ends after writing dead.letter or trying another host.
        this.giveUpWaits(at);
        return;
      case 'connected':
        this.connectPending = false;
        this.connections++;
        this.connectedAt = at;
        this.greetingFrom = undefined;
        this.greetingAfter = undefined;
        // The TCP handshake; a unix-domain socket (port 0) has none to wait for.
        if (event.port !== 0) this.roundTrips++;
        if (this.connectingAt !== undefined) this.add('connect', at - this.connectingAt);
        this.flightStart = at; // the server owes its greeting
        this.awaited = 'greeting';
        return;
      case 'send':
        if (event.stage === 'mail') {
          this.recipientsTaken = 0;
          this.endReplies = 0;
        }
        // A PROXY header is answered by none.
        if (event.command.verb !== 'PROXY') this.owed.push(event.stage);
        if (this.flightStart === undefined) {
          this.flightStart = at;
          this.awaited = event.stage;
        }
        return;
      case 'tls':
        this.handshakeFrom = undefined;
        this.roundTrips++; // TLS 1.3 needs one; TLS 1.2 two, counted as one here
        this.add('tls', at - (this.starttlsAnsweredAt ?? this.connectedAt ?? at));
        this.lastReplyAt = at;
        // smtps://: the greeting is awaited from the end of the handshake, not from connect.
        if (this.greetingAfter === undefined && this.flightStart !== undefined) {
          this.flightStart = at;
          this.greetingFrom = at;
        }
        return;
      case 'reply': {
        this.answer(event.stage, event.reply.code);
        if (this.flightStart !== undefined) {
          this.roundTrips++;
          this.add(event.stage, at - this.flightStart);
          this.flightStart = undefined;
        } else {
          this.add(event.stage, at - (this.lastReplyAt ?? at));
        }
        if (event.stage === 'greeting') this.greetingAfter = at - (this.greetingFrom ?? this.connectedAt ?? at);
        if (event.stage === 'starttls') this.starttlsAnsweredAt = at;
        if (event.stage === 'starttls' && event.reply.code === 220) this.handshakeFrom = at;
        this.lastReplyAt = at;
        return;
      }
      case 'traffic':
        this.sent += event.sent;
        this.received += event.received;
        return;
      case 'committed':
        // The message is out; the wait for its reply is counted with the reply.
        return;
      case 'note':
        // mailv itself hung up (--quit-after connect, data): what it did not wait for is no wait.
        if (event.note.code === 'quit-after') this.forgetWaits();
        return;
      default:
        return;
    }
  }

  summary(end: number, words: TimingWords): string[] {
    const perStep = new Map(this.perStep);
    for (const [step, ms] of this.openWaits(end)) perStep.set(step, (perStep.get(step) ?? 0) + ms);
    const steps = [...perStep].map(([step, ms]) => [step, ms.toFixed(1)] as const);
    return [
      words.total(this.roundTrips, this.sent, this.received, (end - this.start).toFixed(1)),
      ...(this.greetingAfter === undefined ? [] : [words.greeting(this.greetingAfter.toFixed(1), this.greetingFrom !== undefined, this.connections)]),
      ...(steps.length === 0 ? [] : [words.steps(steps, this.connections)]),
    ];
  }

  /**
   * The waits no reply or handshake has ended by `until` (a time limit, a hang-up), each with its
   * step: still that step's time, where a debugger most wants the figure.
   */
  private openWaits(until: number): [string, number][] {
    const waits: [string, number][] = [];
    if (this.connectPending && this.connectingAt !== undefined) waits.push(['connect', until - this.connectingAt]);
    if (this.flightStart !== undefined && this.awaited !== undefined) waits.push([this.awaited, until - this.flightStart]);
    else if (this.owed.first !== undefined && this.lastReplyAt !== undefined) waits.push([this.owed.first, until - this.lastReplyAt]);
    if (this.handshakeFrom !== undefined) waits.push(['tls', until - this.handshakeFrom]);
    return waits;
  }

  /** A reply read: the command it answers is owed no more, and after a closing reply nothing is (RFC 5321 §3.8). */
  private answer(stage: string, code: number): void {
    if (stage === 'rcpt' && code < 400) this.recipientsTaken++;
    // LMTP: one reply after the message for each recipient accepted; the next is still owed.
    const more = this.lmtp && stage === 'body' && this.owed.has(stage) && ++this.endReplies < this.recipientsTaken;
    this.owed.answer(stage, more);
    if (code === 421 || (code === 221 && stage !== 'quit')) this.owed.clear();
  }

  /** What was awaited is given up at `at`: counted to then, and nothing more is. */
  private giveUpWaits(at: number): void {
    for (const [step, ms] of this.openWaits(at)) this.add(step, ms);
    this.forgetWaits();
    // A reply that still comes (a 221 to a QUIT after the line that gave up) counts from here, not twice.
    this.lastReplyAt = at;
  }

  /** Nothing is awaited any more. */
  private forgetWaits(): void {
    this.flightStart = undefined;
    this.awaited = undefined;
    this.owed.clear();
    this.handshakeFrom = undefined;
    this.connectPending = false;
  }

  private add(step: string, ms: number): void {
    this.perStep.set(step, (this.perStep.get(step) ?? 0) + ms);
  }
}
