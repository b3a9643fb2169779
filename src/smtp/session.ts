// One SMTP mail transaction over an open connection (RFC 5321 §3.3, §4.1), with PIPELINING
// (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531). It emits events and
// never prints. Per-recipient outcomes are data; whole-transaction failures are typed errors.
import { AuthError, CapabilityError, LocalIoError, StepStop, MailvError, ProtocolError, SmtpReplyError, TlsError, type Stage } from '../errors.js';
import type { EmitEvent, RecipientOutcome } from '../events.js';
import { needsSmtpUtf8 } from '../message/address.js';
import type { ComposedMessage } from '../message/compose.js';
import type { Envelope } from '../message/envelope.js';
import type { AuthPlan } from './authenticate.js';
import type { QuitPoint } from './quit-points.js';
import { Capabilities } from './capabilities.js';
import { formatCommand, withheld } from './command.js';
import type { SmtpConnection } from './connection.js';
import { DotStuffer } from './dot-stuff.js';
import { replyText, type Reply } from './reply.js';
import type { Timeouts } from './timeouts.js';
import { WriteBuffer } from './write-buffer.js';

export type { Envelope } from '../message/envelope.js';

export interface SessionPlan {
  readonly helo: string;
  readonly envelope: Envelope;
  /** Builds the message once the server's capabilities (8BITMIME) are known. */
  prepare(capabilities: Capabilities): Promise<ComposedMessage>;
  readonly timeouts: Timeouts;
  /** Emit `body` events with the bytes written after DATA (-vv). */
  readonly echoBody: boolean;
  /**
   * STARTTLS (RFC 3207): `auto` uses it when offered and goes on in plaintext when it is not
   * (RFC 7435), the certificate reported but not enforced; `required` stops (TlsError) unless it
   * is offered, succeeds and the certificate verifies; `off` never uses it.
   */
  readonly tls: TlsMode;
  /** The name to present (SNI) and check the certificate against. */
  readonly tlsName?: string;
  /** smtps:// (RFC 8314): TLS from the first byte, with a certificate that must verify. */
  readonly implicitTls?: boolean;
  /** CA certificates trusted besides the system's (--ca). */
  readonly extraCa?: readonly Buffer[];
  /** --insecure: any certificate is accepted, for sending and for credentials, and a note says so. */
  readonly insecure?: boolean;
  /** --user: log in (RFC 4954) before the transaction. */
  readonly auth?: AuthPlan;
  /** --quit-after: end the session after this step, sending no message. */
  readonly quitAfter?: QuitPoint;
  /** --step: asked before each write of commands (or of the message); `quit` ends the session. */
  readonly step?: () => Promise<'go' | 'quit'>;
  /** How the message goes: `auto` is BDAT when CHUNKING is offered (RFC 3030), DATA otherwise. */
  readonly body?: BodyMode;
}

export type BodyMode = 'auto' | 'data' | 'bdat';


/** BDAT chunk size: large enough for few round trips, small enough to hold in memory. */
export const BDAT_CHUNK = 1024 * 1024;

/** One BDAT command and its octets, which are valid only until the next chunk is asked for. */
interface BdatChunk {
  readonly header: string;
  readonly data: Buffer;
  readonly last: boolean;
}

export type TlsMode = 'auto' | 'required' | 'off';

export interface RecipientResult {
  readonly recipient: string;
  readonly outcome: RecipientOutcome;
  readonly reply: Reply | undefined;
}

/** Message content goes out in writes of this size, gathered in one buffer: few system calls. */
const WRITE_BATCH = 1024 * 1024;

export class SmtpSession {
  /** QUIT already written (pipelined after the final dot): only its reply is left to read. */
  private quitSent = false;
  /** --step said quit: no more pauses, only the goodbye. */
  private stepping = true;
  /** Message content has started: QUIT would be read as part of it. */
  private inData = false;
  /** --quit-after data found no accepted recipient: the session ends with QUIT after all. */
  private probeEndedEarly = false;

  constructor(
    private readonly connection: SmtpConnection,
    private readonly plan: SessionPlan,
    private readonly emit: EmitEvent,
  ) {}

  /**
   * Runs greeting to QUIT. Returns every recipient's outcome when the transaction ran its course
   * (possibly with refusals); throws a MailvError when it could not.
   */
  async run(): Promise<RecipientResult[]> {
    try {
      if (this.plan.quitAfter === 'connect') {
        this.emit({ kind: 'note', note: { code: 'quit-after', point: 'connect' }, severity: 'info' });
        return [];
      }
      const results = await this.transaction();
      if (this.plan.quitAfter === 'data' && !this.probeEndedEarly) {
        // After 354 every line is message content, QUIT included: only hanging up ends it unsent.
        this.emit({ kind: 'note', note: { code: 'quit-after', point: 'data' }, severity: 'info' });
        return results;
      }
      await this.quit();
      return results;
    } catch (error) {
      // The server is still listening after a refusal: say goodbye properly.
      if (error instanceof SmtpReplyError || error instanceof CapabilityError || error instanceof AuthError) await this.quit();
      if (error instanceof StepStop && !this.quitSent && !this.inData) await this.quit();
      throw error;
    } finally {
      this.connection.close();
      this.emit({ kind: 'traffic', sent: this.connection.bytesSent, received: this.connection.bytesReceived });
    }
  }

  private async transaction(): Promise<RecipientResult[]> {
    if (this.plan.insecure) {
      this.emit({ kind: 'note', note: { code: 'certificates-unchecked' }, severity: 'warning' });
    }
    if (this.plan.implicitTls) await this.handshake('smtps://');
    const greeting = await this.read('greeting');
    if (greeting.code !== 220) throw refusal('the server refused the connection', 'greeting', greeting);
    if (this.stopsAfter('greeting')) return [];
    const capabilities = await this.hello();
    if (this.stopsAfter('ehlo') || this.stopsAfter('starttls')) return [];
    if (this.plan.auth) await this.logIn(this.plan.auth, capabilities);
    if (this.stopsAfter('auth')) return [];
    const { quitAfter } = this.plan;
    if (quitAfter === 'mail' || quitAfter === 'rcpt' || quitAfter === 'data') return this.probeTransaction(capabilities, quitAfter);
    const message = await this.plan.prepare(capabilities);
    const mail = this.mailCommand(capabilities, message);
    const { from, recipients } = this.plan.envelope;
    const rcpts = recipients.map((recipient) => `RCPT To:<${recipient}>`);
    const body = this.plan.body ?? 'auto';
    if (body === 'bdat' && !capabilities.has('CHUNKING')) {
      throw new CapabilityError('the server does not offer CHUNKING (--body bdat)', 'mail');
    }
    if (body !== 'data' && capabilities.has('CHUNKING')) return this.chunkedTransaction(capabilities, message, mail, rcpts);

    let mailReply: Reply;
    const rcptReplies: Reply[] = [];
    let dataReply: Reply | undefined;
    if (capabilities.has('PIPELINING')) {
      // RFC 2920 §3.1: MAIL, RCPT and DATA go out as one group; replies come back in order.
      await this.sendGroup([mail, ...rcpts, 'DATA'], ['mail', ...rcpts.map((): Stage => 'rcpt'), 'data']);
      mailReply = await this.read('mail');
      for (const recipient of recipients) rcptReplies.push(await this.read('rcpt', recipient));
      dataReply = await this.readDataReply();
    } else {
      mailReply = await this.command('mail', mail);
      if (isPositive(mailReply)) {
        for (const [index, recipient] of recipients.entries()) rcptReplies.push(await this.command('rcpt', rcpts[index]!, recipient));
        if (rcptReplies.some(isPositive)) dataReply = await this.dataCommand();
      }
    }

    if (!isPositive(mailReply)) {
      await this.abandonData(dataReply);
      throw refusal(`the server refused the sender <${from}>`, 'mail', mailReply);
    }
    const results = recipients.map((recipient, index) => this.rcptOutcome(recipient, rcptReplies[index]!));
    const accepted = results.filter((result) => result.outcome === 'sent');
    if (accepted.length === 0) {
      await this.abandonData(dataReply);
      return results;
    }
    if (dataReply === undefined || dataReply.code !== 354) {
      throw refusal('the server refused DATA', 'data', dataReply!);
    }
    // RFC 2920 §3.1: QUIT may end a pipelined group, so it rides with the final dot.
    await this.sendBody(message, capabilities.has('PIPELINING'));
    const final = await this.read('body');
    if (!isPositive(final)) throw refusal('the server did not accept the message', 'body', final);
    for (const result of accepted) this.emit({ kind: 'recipient', recipient: result.recipient, outcome: 'sent', reply: final });
    return results.map((result) => (result.outcome === 'sent' ? { ...result, reply: final } : result));
  }

  /**
   * RFC 3030: the message in BDAT chunks, with no dot-stuffing. With PIPELINING, MAIL, every RCPT,
   * every BDAT with its data and QUIT go out in one flight, and the replies are read in order.
   */
  private async chunkedTransaction(capabilities: Capabilities, message: ComposedMessage, mail: string, rcpts: string[]): Promise<RecipientResult[]> {
    const { from, recipients } = this.plan.envelope;
    const pipelined = capabilities.has('PIPELINING');
    let mailReply: Reply;
    const rcptReplies: Reply[] = [];
    const chunkReplies: Reply[] = [];
    if (pipelined) {
      await this.sendGroup([mail, ...rcpts], ['mail', ...rcpts.map((): Stage => 'rcpt')]);
      const chunks = await this.sendChunks(message, true);
      mailReply = await this.read('mail');
      for (const recipient of recipients) rcptReplies.push(await this.read('rcpt', recipient));
      for (let index = 0; index < chunks; index++) chunkReplies.push(await this.read(index === chunks - 1 ? 'body' : 'data'));
    } else {
      mailReply = await this.command('mail', mail);
      if (isPositive(mailReply)) {
        for (const [index, recipient] of recipients.entries()) rcptReplies.push(await this.command('rcpt', rcpts[index]!, recipient));
        if (rcptReplies.some(isPositive)) chunkReplies.push(...(await this.sendChunksOneByOne(message)));
      }
    }
    if (!isPositive(mailReply)) throw refusal(`the server refused the sender <${from}>`, 'mail', mailReply);
    const results = recipients.map((recipient, index) => this.rcptOutcome(recipient, rcptReplies[index]!));
    const accepted = results.filter((result) => result.outcome === 'sent');
    if (accepted.length === 0) return results;
    const refusedChunk = chunkReplies.find((reply) => !isPositive(reply));
    if (refusedChunk) throw refusal('the server did not accept the message', 'body', refusedChunk);
    const final = chunkReplies[chunkReplies.length - 1]!;
    for (const result of accepted) this.emit({ kind: 'recipient', recipient: result.recipient, outcome: 'sent', reply: final });
    return results.map((result) => (result.outcome === 'sent' ? { ...result, reply: final } : result));
  }

  /** Writes every chunk (and, when pipelining, QUIT after the last); returns how many. */
  private async sendChunks(message: ComposedMessage, withQuit: boolean): Promise<number> {
    let count = 0;
    for await (const chunk of this.chunksOf(message)) {
      count++;
      await this.writeChunk(chunk, true, chunk.last && withQuit);
    }
    return count;
  }

  /** Without PIPELINING each chunk waits for its reply; a refused chunk ends the message. */
  private async sendChunksOneByOne(message: ComposedMessage): Promise<Reply[]> {
    const replies: Reply[] = [];
    for await (const chunk of this.chunksOf(message)) {
      await this.writeChunk(chunk, false, false);
      const reply = await this.read(chunk.last ? 'body' : 'data');
      replies.push(reply);
      if (!isPositive(reply)) break;
    }
    return replies;
  }

  /** `BDAT n [LAST]` and its octets in one write, QUIT too when it is to end the flight. */
  private async writeChunk(chunk: BdatChunk, pipelined: boolean, withQuit: boolean): Promise<void> {
    // Paused before anything of the chunk is shown: what is shown is what gets sent.
    await this.step();
    this.emit({ kind: 'send', stage: chunk.last ? 'body' : 'data', line: chunk.header, pipelined });
    if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(chunk.data) });
    const pieces = [Buffer.from(`${chunk.header}\r\n`), chunk.data];
    if (withQuit) pieces.push(this.pipelinedQuit());
    // Until taken: the chunk's memory is reused for the next one.
    await this.connection.write(pieces, withQuit ? 2 : 1, 'body', this.plan.timeouts.dataBlock, true);
  }

  /** RFC 2920 §3.1: QUIT may end a pipelined group; returns its bytes for the caller's write. */
  private pipelinedQuit(): Buffer {
    this.emit({ kind: 'closing', host: this.connection.host });
    this.emit({ kind: 'send', stage: 'quit', line: 'QUIT', pipelined: true });
    this.quitSent = true;
    return Buffer.from('QUIT\r\n');
  }

  /**
   * The message cut into BDAT chunks; sizes come from the exact message size. The last chunk is
   * given only once the message has ended, so a source that turns out longer or shorter than its
   * announced size fails before `BDAT n LAST` can commit a wrong message.
   */
  private async *chunksOf(message: ComposedMessage): AsyncIterable<BdatChunk> {
    let unsent = message.size;
    const staged = new WriteBuffer(Math.max(1, Math.min(BDAT_CHUNK, unsent)));
    for await (const piece of message.lentChunks()) {
      for (let from = 0; from < piece.length; ) {
        const size = Math.min(BDAT_CHUNK, unsent);
        if (staged.length === size) throw grewPastSize(message.size);
        from += staged.fill(piece, from, size);
        if (staged.length === size && size < unsent) {
          unsent -= size;
          yield { header: `BDAT ${size}`, data: staged.contents(), last: false };
          staged.reset();
        }
      }
    }
    if (staged.length < unsent) throw endedShort(unsent - staged.length);
    yield { header: `BDAT ${unsent} LAST`, data: staged.contents(), last: true };
  }

  /** --step: waits for the user's go; `q` stops the session (StepStop), QUIT still said. */
  private async step(): Promise<void> {
    if (!this.plan.step || !this.stepping) return;
    if ((await this.plan.step()) === 'go') return;
    this.stepping = false;
    throw new StepStop();
  }

  /** --quit-after this step: says so; the caller returns and QUIT follows. */
  private stopsAfter(point: QuitPoint): boolean {
    if (this.plan.quitAfter !== point) return false;
    this.emit({ kind: 'note', note: { code: 'quit-after', point }, severity: 'info' });
    return true;
  }

  /**
   * --quit-after mail, rcpt or data: the envelope up to that step, grouped when PIPELINING allows,
   * and never a byte of the message. Refusals are reported as in a real transaction.
   */
  private async probeTransaction(capabilities: Capabilities, point: 'mail' | 'rcpt' | 'data'): Promise<RecipientResult[]> {
    const message = await this.plan.prepare(capabilities);
    const mail = this.mailCommand(capabilities, message);
    const { from, recipients } = this.plan.envelope;
    const rcpts = point === 'mail' ? [] : recipients.map((recipient) => `RCPT To:<${recipient}>`);
    const withData = point === 'data';
    let mailReply: Reply;
    const rcptReplies: Reply[] = [];
    let dataReply: Reply | undefined;
    if (capabilities.has('PIPELINING')) {
      // Every reply of the group is read before any is judged, so none is left for QUIT to take.
      const lines = [mail, ...rcpts, ...(withData ? ['DATA'] : [])];
      await this.sendGroup(lines, ['mail', ...rcpts.map((): Stage => 'rcpt'), ...(withData ? (['data'] as const) : [])]);
      mailReply = await this.read('mail');
      for (const [index] of rcpts.entries()) rcptReplies.push(await this.read('rcpt', recipients[index]));
      if (withData) dataReply = await this.readDataReply();
    } else {
      mailReply = await this.command('mail', mail);
      if (isPositive(mailReply)) {
        for (const [index, rcpt] of rcpts.entries()) rcptReplies.push(await this.command('rcpt', rcpt, recipients[index]));
        if (withData && rcptReplies.some(isPositive)) dataReply = await this.dataCommand();
      }
    }
    if (!isPositive(mailReply)) {
      await this.abandonData(dataReply);
      throw refusal(`the server refused the sender <${from}>`, 'mail', mailReply);
    }
    const results = rcpts.map((_, index) => this.rcptOutcome(recipients[index]!, rcptReplies[index]!));
    if (withData && !results.some((result) => result.outcome === 'sent')) {
      // As in a real send: nobody to deliver to is the recipients' outcome (67), not DATA's.
      await this.abandonData(dataReply);
      this.emit({ kind: 'note', note: { code: 'quit-before-data', point: 'data' }, severity: 'info' });
      this.probeEndedEarly = true;
      return results;
    }
    if (withData && dataReply?.code !== 354) throw refusal('the server refused DATA', 'data', dataReply!);
    // After data, run() says how the session ends: by hanging up.
    if (point !== 'data') this.stopsAfter(point);
    return results;
  }

  /** EHLO, or HELO when the server does not know EHLO (RFC 5321 §4.1.4); then STARTTLS if due. */
  private async hello(): Promise<Capabilities> {
    const ehlo = await this.command('ehlo', `EHLO ${this.plan.helo}`);
    if (ehlo.code !== 250) return this.heloFallback(ehlo);
    const capabilities = Capabilities.fromEhlo(ehlo);
    if (this.plan.quitAfter === 'ehlo') return capabilities;
    if (this.plan.tls === 'off' || this.connection.tls) return capabilities;
    if (capabilities.has('STARTTLS')) return this.startTls(capabilities);
    if (this.plan.tls === 'required') await this.refuseTls('the server does not offer STARTTLS');
    return capabilities;
  }

  private async heloFallback(ehlo: Reply): Promise<Capabilities> {
    if (ehlo.code !== 500 && ehlo.code !== 502) throw refusal('the server refused EHLO', 'ehlo', ehlo);
    const helo = await this.command('ehlo', `HELO ${this.plan.helo}`);
    if (helo.code !== 250) throw refusal('the server refused HELO', 'ehlo', helo);
    if (this.plan.tls === 'required') await this.refuseTls('the server does not know EHLO, so it cannot offer STARTTLS');
    return Capabilities.none();
  }

  /**
   * RFC 3207: STARTTLS, the handshake, then EHLO again, forgetting every capability learned
   * before. A refusal leaves the session in plaintext, as opportunistic TLS allows (RFC 7435).
   */
  private async startTls(before: Capabilities): Promise<Capabilities> {
    const reply = await this.command('starttls', 'STARTTLS');
    if (reply.code !== 220) {
      if (this.plan.tls === 'required') await this.refuseTls(`the server refused STARTTLS: ${reply.code} ${replyText(reply)}`);
      this.emit({ kind: 'note', note: { code: 'starttls-refused', reply }, severity: 'warning' });
      return before;
    }
    await this.handshake(this.plan.tls === 'required' ? '--tls required' : undefined);
    const ehlo = await this.command('ehlo', `EHLO ${this.plan.helo}`);
    if (ehlo.code !== 250) throw refusal('the server refused EHLO after STARTTLS', 'ehlo', ehlo);
    return Capabilities.fromEhlo(ehlo);
  }

  /**
   * The TLS handshake and its note. `enforcedBy` names what demands a verified certificate
   * (`--tls required`, `smtps://`); --insecure lifts the demand.
   */
  private async handshake(enforcedBy: string | undefined): Promise<void> {
    const name = this.plan.tlsName ?? this.connection.host;
    let details;
    try {
      details = await this.connection.startTls(name, this.plan.timeouts.forStage('starttls'), this.plan.extraCa);
    } catch (error) {
      if (!(error instanceof TlsError)) throw error;
      // No silent retry in plaintext: the user decides, and is told how.
      const hint = this.plan.implicitTls ? 'smtps:// expects TLS from the first byte; smtp:// uses STARTTLS' : '--tls off sends without TLS';
      throw new TlsError(`${error.message} (${hint})`, 'starttls');
    }
    this.emit({ kind: 'tls', ...details });
    if (details.verified || enforcedBy === undefined || this.plan.insecure) return;
    const why = `the certificate of ${name} is NOT verified: ${details.problem ?? 'unknown reason'} (${enforcedBy}; --ca <file> trusts its CA, --insecure accepts any)`;
    // Implicit TLS has no greeting yet, so no QUIT: the connection just ends.
    if (enforcedBy === 'smtps://') throw new TlsError(why, 'starttls');
    await this.quit();
    throw new TlsError(why, 'starttls');
  }

  /** --tls required and no verified TLS: say goodbye, then stop (TlsError, 75). */
  private async refuseTls(why: string): Promise<never> {
    await this.quit();
    throw new TlsError(`${why} (--tls required)`, 'starttls');
  }

  /** AUTH, the secrets redacted from the transcript, and from every reply after, unless --show-secrets. */
  private async logIn(plan: AuthPlan, capabilities: Capabilities): Promise<void> {
    const { authenticate } = await import('./authenticate.js');
    await authenticate(
      {
        send: async (command) => {
          this.emit({ kind: 'send', stage: 'auth', line: formatCommand(withheld(command, plan.showSecrets)), pipelined: false });
          await this.step();
          await this.connection.write(`${formatCommand(command)}\r\n`, 1, 'auth', this.plan.timeouts.forStage('auth'));
        },
        read: () => this.connection.readReply('auth', this.plan.timeouts.forStage('auth')),
        show: (reply) => this.emit({ kind: 'reply', stage: 'auth', reply, recipient: undefined }),
        note: (note) => this.emit({ kind: 'note', note, severity: 'info' }),
        hide: (secret) => this.connection.hide(secret),
      },
      plan,
      capabilities,
      this.plan.tlsName ?? this.connection.host,
      { remoteAddress: this.connection.remoteAddress, tls: this.connection.tls },
    );
  }

  private mailCommand(capabilities: Capabilities, message: ComposedMessage): string {
    const { from, recipients } = this.plan.envelope;
    const limit = capabilities.sizeLimit;
    if (limit !== undefined && message.size > limit) {
      throw new CapabilityError(`the message is ${message.size} octets; the server takes at most ${limit} (SIZE)`, 'mail');
    }
    const utf8 = [from, ...recipients].some(needsSmtpUtf8);
    if (utf8 && !capabilities.has('SMTPUTF8')) {
      throw new CapabilityError('an address is not ASCII and the server does not offer SMTPUTF8', 'mail');
    }
    let command = `MAIL From:<${from}>`;
    if (capabilities.has('SIZE')) command += ` SIZE=${message.size}`;
    if (message.eightBit && capabilities.has('8BITMIME')) command += ' BODY=8BITMIME';
    if (utf8) command += ' SMTPUTF8';
    return command;
  }

  private rcptOutcome(recipient: string, reply: Reply): RecipientResult {
    if (isPositive(reply)) return { recipient, outcome: 'sent', reply };
    const outcome: RecipientOutcome = reply.code >= 500 ? 'refused' : 'deferred';
    this.emit({ kind: 'recipient', recipient, outcome, reply });
    return { recipient, outcome, reply };
  }

  /**
   * Nobody is to get the message, but a pipelined DATA may have been accepted anyway: send an
   * empty message and reset, so nothing is delivered (RFC 2920 §3.1).
   */
  private async abandonData(dataReply: Reply | undefined): Promise<void> {
    if (dataReply?.code !== 354) return;
    this.inData = true;
    await this.send('body', '.', false);
    this.inData = false;
    await this.read('body');
    await this.command('data', 'RSET');
  }

  private async sendBody(message: ComposedMessage, withQuit: boolean): Promise<void> {
    // One pause for the whole message: after 354 the server waits for all of it, and reads even
    // QUIT as part of it, so stopping here means hanging up.
    this.inData = true;
    await this.step();
    const stuffer = new DotStuffer();
    const timeout = this.plan.timeouts.dataBlock;
    const staged = new WriteBuffer(Math.max(1, Math.min(WRITE_BATCH, message.size)));
    const flush = async () => {
      if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(staged.contents()) });
      await this.connection.write(staged.contents(), 0, 'body', timeout, true);
      staged.reset();
    };
    let content = 0;
    for await (const chunk of message.lentChunks()) {
      content += chunk.length;
      const stuffed = stuffer.push(chunk);
      for (let from = 0; from < stuffed.length; ) {
        from += staged.fill(stuffed, from);
        if (staged.length === staged.capacity) await flush();
      }
    }
    // Without the final dot the server discards what it has: a message that is not the one
    // announced never ends.
    if (content > message.size) throw grewPastSize(message.size);
    if (content < message.size) throw endedShort(message.size - content);

    // The end-of-data marker rides in the same write as the last of the content.
    if (this.plan.echoBody) this.emit({ kind: 'body', bytes: Buffer.from(staged.contents()) });
    this.emit({ kind: 'send', stage: 'body', line: '.', pipelined: withQuit });
    const pieces = [staged.contents(), stuffer.end()];
    if (withQuit) pieces.push(this.pipelinedQuit());
    await this.connection.write(pieces, withQuit ? 2 : 1, 'body', timeout, true);
  }

  /** QUIT and its reply; a server that hangs up without 221 earns a warning, not a failure. */
  private async quit(): Promise<void> {
    try {
      if (!this.quitSent) {
        this.emit({ kind: 'closing', host: this.connection.host });
        this.quitSent = true;
        await this.send('quit', 'QUIT', false);
      }
      await this.read('quit');
    } catch (error) {
      if (!(error instanceof MailvError)) throw error;
      // The transaction is over: a broken goodbye is worth a warning, not a failure.
      this.emit({ kind: 'note', note: { code: error instanceof ProtocolError ? 'quit-unexpected' : 'quit-unanswered', error: error.fact }, severity: 'warning' });
    }
  }

  private async command(stage: Stage, line: string, recipient?: string): Promise<Reply> {
    await this.send(stage, line, false);
    return this.read(stage, recipient);
  }

  /** DATA and its reply, the one intermediate reply (354) of a transaction. */
  private async dataCommand(): Promise<Reply> {
    await this.send('data', 'DATA', false);
    return this.readDataReply();
  }

  private readDataReply(): Promise<Reply> {
    return this.read('data', undefined, true);
  }

  private async send(stage: Stage, line: string, pipelined: boolean): Promise<void> {
    this.emit({ kind: 'send', stage, line, pipelined });
    await this.step();
    await this.connection.write(`${line}\r\n`, 1, stage, this.plan.timeouts.forStage(stage));
  }

  /** One write for the whole group: with Nagle off, each write would be its own packet. */
  private async sendGroup(lines: readonly string[], stages: readonly Stage[]): Promise<void> {
    lines.forEach((line, index) => this.emit({ kind: 'send', stage: stages[index]!, line, pipelined: true }));
    await this.step();
    await this.connection.write(lines.map((line) => `${line}\r\n`).join(''), lines.length, stages[0]!, this.plan.timeouts.forStage('mail'));
  }

  /**
   * The next reply, shown. RFC 5321 §4.2.1: a 3xx asks for more, and only DATA asks (354); a 3xx
   * anywhere else (354 to RCPT, to BDAT, to RSET) leaves client and server out of step: ProtocolError.
   */
  private async read(stage: Stage, recipient?: string, intermediate = false): Promise<Reply> {
    const reply = await this.connection.readReply(stage, this.plan.timeouts.forStage(stage));
    this.emit({ kind: 'reply', stage, reply, recipient });
    if (!intermediate && reply.code >= 300 && reply.code < 400) throw unexpected(stage, reply);
    return reply;
  }
}

function isPositive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** A refusal (4xx, 5xx), or a protocol error when the code makes no sense where it came. */
function refusal(what: string, stage: Stage, reply: Reply): SmtpReplyError | ProtocolError {
  if (reply.code < 400) return unexpected(stage, reply);
  return new SmtpReplyError(`${what}: ${reply.code} ${replyText(reply)}`, stage, reply);
}

function unexpected(stage: Stage, reply: Reply): ProtocolError {
  return new ProtocolError(`unexpected reply during ${stage}: ${reply.code} ${replyText(reply)}`, stage);
}

function grewPastSize(size: number): LocalIoError {
  return new LocalIoError(`the message grew past its announced size of ${size} octets while it was being sent`, 'body');
}

function endedShort(missing: number): LocalIoError {
  return new LocalIoError(`the message ended ${missing} octets short of its announced size`, 'body');
}
