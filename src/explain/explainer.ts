// --explain: for each transcript event, short lines saying what it means and where it is defined.
// Stateful because a reply only makes sense next to the command it answers: replies come back in
// the order commands went out (RFC 2920 §3.1), so sent commands wait in a queue until answered.
// Loaded only with --explain: keep it free of node:crypto and of anything heavy.
import { domainToUnicode } from 'node:url';
import type { MxPlan } from '../dns/mx.js';
import { triedAddresses } from '../dns/tried-addresses.js';
import type { DnsRecord } from '../dns/wire.js';
import type { Stage } from '../errors.js';
import type { Note, SessionEvent } from '../events.js';
import { envelopeKey, isAuthorField, mailboxKey, type AddressOrigin } from '../message/address-origin.js';
import { RepliesOwed } from '../replies-owed.js';
import { sanitize } from '../text/sanitize.js';
import { sizeLimitOf, type EhloOffer } from '../smtp/capabilities.js';
import type { Command as SmtpCommand } from '../smtp/command.js';
import type { Reply } from '../smtp/reply.js';
import type { Catalogue, TextKey } from './catalogue.js';
import { en } from './en.js';
import { fr } from './fr.js';

import type { Language } from '../words/language.js';
import { EHLO_UNACCEPTABLE } from '../smtp/ehlo-unacceptable.js';

export type { Language };

/** Lines to print before and after the event's own transcript lines. */
export interface Annotation {
  before: string[];
  after: string[];
  /** Shown though the event has no transcript line to stand by. */
  standalone?: boolean;
}

export function catalogueFor(lang: Language): Catalogue {
  return lang === 'fr' ? fr : en;
}

type CommandKind = 'ehlo' | 'helo' | 'starttls' | 'auth' | 'authCancel' | 'mail' | 'rcpt' | 'data' | 'dot' | 'bdat' | 'rset' | 'quit' | 'xclient' | 'proxy';

/** A command waiting for its reply, with what its reply needs to be read in context. */
interface Command {
  readonly kind: CommandKind;
  readonly stage: Stage;
  readonly address?: string;
  readonly octets?: number;
  readonly last?: boolean;
  /** EHLO repeated under TLS (RFC 3207 §4.2). */
  readonly again?: boolean;
  /** EHLO sent before the greeting (PIPECONNECT): refused, EHLO goes again after it, not HELO. */
  readonly early?: boolean;
}

/** The replies a server gives DATA or BDAT when no recipient was accepted (RFC 5321 §3.3). */
const NO_RECIPIENT_CODES: ReadonlySet<number> = new Set([503, 554]);

const CODES: Readonly<Record<number, TextKey>> = {
  211: 'code211',
  214: 'code214',
  220: 'code220',
  221: 'code221',
  235: 'code235',
  250: 'code250',
  251: 'code251',
  252: 'code252',
  334: 'code334',
  354: 'code354',
  421: 'code421',
  432: 'code432',
  450: 'code450',
  451: 'code451',
  452: 'code452',
  454: 'code454',
  455: 'code455',
  500: 'code500',
  501: 'code501',
  502: 'code502',
  503: 'code503',
  504: 'code504',
  521: 'code521',
  530: 'code530',
  534: 'code534',
  535: 'code535',
  538: 'code538',
  550: 'code550',
  551: 'code551',
  552: 'code552',
  553: 'code553',
  554: 'code554',
  555: 'code555',
  556: 'code556',
};

const REPLY_CLASSES: Readonly<Record<string, TextKey>> = { 2: 'replyClass2', 3: 'replyClass3', 4: 'replyClass4', 5: 'replyClass5' };
const REPLY_DIGITS: Readonly<Record<string, TextKey>> = { 0: 'replyDigit0', 1: 'replyDigit1', 2: 'replyDigit2', 5: 'replyDigit5' };

const ENHANCED: Readonly<Record<string, TextKey>> = {
  '2.0.0': 'enhanced2_0_0',
  '2.1.0': 'enhanced2_1_0',
  '2.1.5': 'enhanced2_1_5',
  '2.6.0': 'enhanced2_6_0',
  '2.7.0': 'enhanced2_7_0',
  '4.2.2': 'enhanced4_2_2',
  '4.3.1': 'enhanced4_3_1',
  '4.3.2': 'enhanced4_3_2',
  '4.4.1': 'enhanced4_4_1',
  '4.4.2': 'enhanced4_4_2',
  '4.4.5': 'enhanced4_4_5',
  '4.5.3': 'enhanced4_5_3',
  '4.7.0': 'enhanced4_7_0',
  '4.7.1': 'enhanced4_7_1',
  '5.0.0': 'enhanced5_0_0',
  '5.1.1': 'enhanced5_1_1',
  '5.1.2': 'enhanced5_1_2',
  '5.1.3': 'enhanced5_1_3',
  '5.1.6': 'enhanced5_1_6',
  '5.1.7': 'enhanced5_1_7',
  '5.1.8': 'enhanced5_1_8',
  '5.1.10': 'enhanced5_1_10',
  '5.2.1': 'enhanced5_2_1',
  '5.2.2': 'enhanced5_2_2',
  '5.2.3': 'enhanced5_2_3',
  '5.3.4': 'enhanced5_3_4',
  '5.4.4': 'enhanced5_4_4',
  '5.5.1': 'enhanced5_5_1',
  '5.5.2': 'enhanced5_5_2',
  '5.5.3': 'enhanced5_5_3',
  '5.5.4': 'enhanced5_5_4',
  '5.5.6': 'enhanced5_5_6',
  '5.6.7': 'enhanced5_6_7',
  '5.7.0': 'enhanced5_7_0',
  '5.7.1': 'enhanced5_7_1',
  '5.7.8': 'enhanced5_7_8',
  '5.7.9': 'enhanced5_7_9',
  '5.7.11': 'enhanced5_7_11',
  '5.7.23': 'enhanced5_7_23',
  '5.7.26': 'enhanced5_7_26',
  '5.7.27': 'enhanced5_7_27',
};

const ENHANCED_CLASSES: Readonly<Record<string, TextKey>> = { 2: 'enhancedClass2', 4: 'enhancedClass4', 5: 'enhancedClass5' };
const ENHANCED_SUBJECTS: Readonly<Record<string, TextKey>> = {
  0: 'enhancedSubject0',
  1: 'enhancedSubject1',
  2: 'enhancedSubject2',
  3: 'enhancedSubject3',
  4: 'enhancedSubject4',
  5: 'enhancedSubject5',
  6: 'enhancedSubject6',
  7: 'enhancedSubject7',
};

/** EHLO keywords whose annotation takes no parameter. */
const EXTENSIONS: Readonly<Record<string, TextKey>> = {
  PIPELINING: 'extPipelining',
  '8BITMIME': 'ext8bitmime',
  SMTPUTF8: 'extSmtputf8',
  STARTTLS: 'extStarttls',
  DSN: 'extDsn',
  CHUNKING: 'extChunking',
  BINARYMIME: 'extBinarymime',
  ENHANCEDSTATUSCODES: 'extEnhancedStatusCodes',
  VRFY: 'extVrfy',
  ETRN: 'extEtrn',
  HELP: 'extHelp',
  EXPN: 'extExpn',
  DELIVERBY: 'extDeliverby',
  'MT-PRIORITY': 'extMtPriority',
  REQUIRETLS: 'extRequiretls',
  XCLIENT: 'extXclient',
  XFORWARD: 'extXforward',
  PIPECONNECT: 'extPipeconnect',
  VERB: 'extVerb',
};

const MECHANISMS: Readonly<Record<string, TextKey>> = {
  'SCRAM-SHA-256': 'mechScramSha256',
  'CRAM-MD5': 'mechCramMd5',
  PLAIN: 'mechPlain',
  LOGIN: 'mechLogin',
  XOAUTH2: 'mechXoauth2',
};

/** Server text is untrusted and unbounded: an annotation quotes only the start of it. */
const MAX_QUOTE = 60;

export class Explainer {
  private readonly pending = new RepliesOwed<Command>((command) => command.stage);
  /**
   * How this session was reached: a relay (or LMTP server) that cannot be reached has no next host
   * to try; under LMTP each reply after the message is a delivery into one mailbox (RFC 2033 §4.2).
   */
  private via: 'relay' | 'esmtp' | 'lmtp' = 'relay';
  /** The connection is to a submission port (587, 465). */
  private submission = false;
  /** The transaction under way, from its MAIL's reply: whether that refused it, and how many RCPTs were accepted. */
  private transaction: { mailRefused: boolean; recipientsTaken: number } | undefined;
  /** The greeting command sent, named where PIPELINING is said to be offered. */
  private hello: 'EHLO' | 'LHLO' = 'EHLO';
  private sentEhlo = false;
  /** TLS began after an EHLO (STARTTLS), so the next EHLO starts over (RFC 3207 §4.2). */
  private tlsAfterEhlo = false;
  /** A hello was taken (250) in this session: one refused after it (XCLIENT's EHLO) is no server without EHLO. */
  private helloTaken = false;
  private envelopeTold = false;
  /** The message's envelope addresses as they went and by their mailbox (see envelopeRow()), each with its row (the `addresses` event; none in an older record). */
  private envelopeRows = new Map<string, AddressOrigin>();
  /** The authors a header shows that are not the envelope sender, of one field (Resent-From first, as a resent message's reader sees it). */
  private shownAuthors: AddressOrigin[] = [];
  /** The addresses a recipient field shows that no RCPT carries: they do not get the message. */
  private headerOnlyRecipients: AddressOrigin[] = [];
  /** How the last DNS question went, for an answer an older record does not say it of. */
  private dnsTransport: 'udp' | 'tcp' = 'udp';
  /** EHLO went before the greeting (PIPECONNECT): the 220 that follows was not waited for. */
  private earlyHello = false;
  /** Chunks of the message under way sent before its last (BDAT without LAST). */
  private chunksSent = 0;
  /** Whether the server offers ENHANCEDSTATUSCODES (RFC 2034); undefined before its EHLO reply. */
  private enhancedOffered: boolean | undefined;
  /** The last plan was an address literal's: its one host is no MX. */
  private literalDomain = false;
  /** The A-label domains already said in their Unicode form. */
  private readonly idnaTold = new Set<string>();
  private bodyTold = false;
  /** A recipient of this connection got the message: only then is the work done when it closes. */
  private delivered = false;
  /** The host of this connection took the message for some recipient. */
  private hostTookIt = false;
  /** The recipients it put off and offered to the next address or host (`next`): the plan goes on for them. */
  private readonly offeredOn = new Set<string>();
  /** The host of the last connection: another host starts afresh. */
  private connectedHost: string | undefined;
  /** The code structure is told once per code, not under every reply. */
  private readonly codesSeen = new Set<number>();
  /** The hosts the MX answers named, lower-cased without the final dot: an alias among them is told. */
  private readonly mxHosts = new Set<string>();
  /**
   * The MX plan's attempts, host and address, not yet made, in order: a deferral settles its own and
   * every one before it, and leaves the next, if any (the queue the replies owed use).
   */
  private readonly triesLeft = new RepliesOwed<{ host: string; address: string }>(tryKey);

  /**
   * `secretsShowable`: false where no secret is ever shown, whatever the options (a diagram, a
   * replay of a record, which keeps none): a masked answer then says so, not that --show-secrets
   * would show it, and a decoded SASL step, never drawn, is not announced.
   */
  constructor(
    private readonly catalogue: Catalogue,
    private readonly secretsShowable = true,
  ) {}

  /**
   * Call it for every event, shown or not, so that replies keep their context; print the lines
   * only for events the transcript shows (a `body` at -vv, a `dns-*` at -v).
   */
  annotate(event: SessionEvent): Annotation {
    const { before, after, standalone } = this.explain(event);
    return { before: before.map(sanitize), after: after.map(sanitize), ...(standalone === true ? { standalone } : {}) };
  }

  private explain(event: SessionEvent): Annotation {
    const c = this.catalogue;
    switch (event.kind) {
      case 'connecting': {
        this.newConnection();
        this.via = event.via;
        if (event.host !== this.connectedHost) {
          this.hostTookIt = false;
          this.offeredOn.clear();
        }
        this.connectedHost = event.host;
        const host = quote(event.host);
        // LMTP has no port of its own (RFC 2033 §5): the SMTP ports' meanings do not apply to it.
        if (event.via === 'lmtp') return none([c.connectingLmtp({ host })]);
        // --demo: a port taken at random, where no standard says anything.
        if (event.demo === true) return none([c.connectingDemo({ host }), c.portDemo({ port: event.port })]);
        // The port as the connection uses it: 465 spoken in clear is a mistake worth naming (an
        // older record does not say, and is read as the port's own use).
        const port465 = event.implicitTls === false ? c.port465Plain : c.port465;
        const standard = event.port === 25 ? c.port25 : event.port === 465 ? port465 : event.port === 587 ? c.port587 : undefined;
        // Delivery to MX hosts is always to 25: another port there is the user's --port. A
        // unix-domain socket has no port (0).
        const port =
          event.via === 'esmtp'
            ? event.port === 25
              ? c.port25
              : c.portDirect({ port: event.port })
            : (standard ?? (event.port > 0 ? c.portOther({ port: event.port }) : undefined));
        // Submission is 587 and 465 (RFC 6409, RFC 8314); on 25 (between servers) or any other port (a
        // test's, a content filter's) the server delivers the message or relays it (RFC 5321 §2.3.10).
        this.submission = event.port === 587 || event.port === 465;
        const relay = this.submission ? c.connectingSubmission : c.connectingServer;
        const direct = this.literalDomain ? c.connectingLiteral : c.connectingEsmtp;
        return none([event.via === 'relay' ? relay({ host }) : direct({ host }), ...optional(port)]);
      }
      case 'connected':
        return none([c.connected]);
      case 'addresses': {
        // Said beside the MAIL and RCPT commands that carry them, not here. Kept by key, once: a
        // replayed record may hold many rows and many RCPTs.
        this.envelopeRows = new Map();
        // By the address as it went (Bob@ and bob@ are two RCPTs), and by its mailbox in any case.
        for (const row of event.addresses) {
          if (row.envelope === undefined) continue;
          for (const key of [`= ${row.envelope} ${envelopeKey(row.address)}`, `~ ${row.envelope} ${mailboxKey(row.address)}`])
            if (!this.envelopeRows.has(key)) this.envelopeRows.set(key, row);
        }
        const authors = event.addresses.filter((row) => row.envelope === undefined && isAuthorField(row.header));
        const field = authors.some((row) => row.header === 'Resent-From') ? 'Resent-From' : 'From';
        this.shownAuthors = authors.filter((row) => row.header === field);
        this.headerOnlyRecipients = event.addresses.filter((row) => row.envelope === undefined && row.header !== undefined && !isAuthorField(row.header));
        return none([]);
      }
      case 'flight':
        return none([c.pipelinedGroup({ count: event.commands, hello: this.hello })]);
      case 'send':
        return this.send(event);
      case 'reply':
        return this.reply(event);
      case 'committed':
        // Told by the reply that follows: what became of the message.
        return none([]);
      case 'body': {
        if (this.bodyTold) return none([]);
        this.bodyTold = true;
        return { before: [c.bodyStart], after: [] };
      }
      case 'recipient': {
        // Its last word said again, where no other host took it: the line is not shown twice.
        if (event.restated === true) return none([c.recipientDeferredStays({ recipient: quote(event.recipient) })]);
        if (event.outcome === 'sent') this.delivered = true;
        if (event.outcome === 'sent' && this.via === 'esmtp') this.hostTookIt = true;
        if (event.next === true) this.offeredOn.add(event.recipient);
        const recipient = quote(event.recipient);
        const sent = this.via === 'lmtp' ? c.recipientDelivered : c.recipientSent;
        const deferred = event.next === true ? c.recipientDeferredNext : c.recipientDeferred;
        const line = { sent, refused: c.recipientRefused, deferred }[event.outcome]({ recipient });
        return none([line]);
      }
      case 'note':
        return none(this.note(event.note));
      case 'traffic':
        return none([]);
      case 'unreadable-reply':
        return none([c.unreadableReply]);
      case 'closing':
        // A QUIT that rode with the message is already out: the session ends with its 221.
        // "Work done" only after a shown delivery: a refusal, a probe or q at --step ends it early.
        if (this.pending.has('quit')) return none([c.closingQuitSent]);
        return none([this.delivered ? c.closing : c.closingEarly]);
      case 'tls': {
        this.tlsAfterEhlo = this.sentEhlo;
        const protocol = event.protocol === 'TLSv1.3' ? c.tls13 : event.protocol === 'TLSv1.2' ? c.tls12 : c.tlsOld({ protocol: quote(event.protocol) });
        const client = event.clientCertificate === undefined ? [] : [event.clientCertificate === 'not-asked' ? c.tlsClientNotAsked : c.tlsClientAsked];
        // A resumed session showed no certificate now: the one it was made with was checked then.
        const checked = event.resumed ? [c.tlsResumed] : [event.verified ? c.tlsVerified : c.tlsNotVerified, c.tlsCertificate];
        return none([protocol, c.tlsCipher({ cipher: quote(event.cipher) }), ...checked, ...client]);
      }
      case 'deferred': {
        // The next host is tried only where the plan still has one: not after the last; a relay has none.
        if (this.via === 'relay') return none([c.deferredRelay({ host: quote(event.host), submission: this.submission })]);
        if (this.via === 'lmtp') return none([c.deferredLmtp({ host: quote(event.host) })]);
        const tried = this.triesLeft.answer(tryKey(event));
        // A host that took the message gets the rest of it (rounds past its limit): no other is
        // tried, unless a recipient it put off goes on to the next (`next`).
        const goesOn = !this.hostTookIt || event.recipients.some((recipient) => this.offeredOn.has(recipient));
        const next = tried !== undefined && goesOn ? this.triesLeft.first : undefined;
        // The same host's next address comes before the next host (RFC 5321 §5.1).
        if (next?.host === event.host) return none([c.deferredAddress({ host: quote(event.host), address: quote(next.address) })]);
        return none([(next !== undefined ? c.deferredHost : c.deferredLast)({ host: quote(event.host) })]);
      }
      case 'dns-query': {
        const name = quote(event.name);
        const query = event.type === 'MX' ? c.dnsQueryMx({ name }) : event.type === 'A' ? c.dnsQueryA({ name }) : c.dnsQueryAaaa({ name });
        this.dnsTransport = event.transport;
        return none([
          query,
          // The domain typed in Unicode is asked for in A-labels (--mx bücher.test); an MX host's name is not.
          ...(event.type === 'MX' ? this.idnaDomain(event.name) : []),
          ...optional(event.transport === 'tcp' ? c.dnsOverTcp : undefined),
          ...optional(event.edns === false ? c.dnsWithoutEdns : undefined),
        ]);
      }
      case 'dns-answer':
        return none(this.dnsAnswer(event));
      case 'dns-no-answer':
        return none([c.dnsNoAnswer({ server: quote(event.server) })]);
      case 'mx-plan':
        this.literalDomain = event.plan.literal === true;
        // The plan's first connection starts afresh (see 'connecting').
        this.connectedHost = undefined;
        this.triesLeft.clear();
        for (const host of event.plan.hosts) for (const address of triedAddresses(event.plan, host)) this.triesLeft.push({ host: host.name, address });
        return none(this.mxPlan(event.plan));
      case 'null-mx':
        return none([(event.invalid ? c.planNoMxHost : c.planNullMx)({ domain: quote(event.domain) })]);
      // Said under the EHLO reply it follows, which the transcript shows no line of its own for.
      case 'ehlo-learned':
        return {
          before: [],
          after: [event.notEarly === 'tls-follows' ? c.ehloKeptTlsFollows : event.notEarly === 'no-pipelining' ? c.ehloKeptNoPipelining : c.ehloKept],
          standalone: true,
        };
      case 'ehlo-forgotten':
      case 'dead-letter':
        return none([]);
      case 'unsettled':
        // The transcript shows no line for it (standard error names the recipients): the explanation stands alone.
        return { before: [], after: [event.error.code === 'MAILV_UNCONFIRMED' ? c.unsettledUnconfirmed : c.unsettledNotSent], standalone: true };
    }
  }

  /** The plan: why this order, which hosts were shuffled, what sends mailv on to the next host. */
  private mxPlan(plan: MxPlan): string[] {
    const c = this.catalogue;
    const several = plan.hosts.length > 1;
    const preferences = [...new Set(plan.hosts.map((host) => host.preference))];
    const lines = [
      plan.literal
        ? c.planLiteral({ domain: quote(plan.domain) })
        : plan.hosts[0]?.implicit
          ? c.planImplicit({ domain: quote(plan.domain) })
          : several
            ? c.planPreference({ preferences })
            : c.planOneHost,
    ];
    for (const tie of plan.ties) lines.push(c.planTie({ hosts: tie.hosts.map(quote), preference: tie.preference }));
    if (several) lines.push(c.planNextHost);
    lines.push(c.planFinalReply, c.planHelloRefused, c.planNoneTook);
    return lines;
  }

  /** Whatever was pending belongs to the connection that ended. */
  private newConnection(): void {
    this.pending.clear();
    this.sentEhlo = false;
    this.tlsAfterEhlo = false;
    this.envelopeTold = false;
    this.bodyTold = false;
    this.delivered = false;
    this.hello = 'EHLO';
    this.earlyHello = false;
    this.chunksSent = 0;
    this.enhancedOffered = undefined;
    this.transaction = undefined;
  }

  private send(event: Extract<SessionEvent, { kind: 'send' }>): Annotation {
    const { command, lines } = this.command(event.command, event.stage, event.pipelined);
    this.pending.push(command);
    return none(lines);
  }

  private command(sent: SmtpCommand, stage: Stage, pipelined: boolean): { command: Command; lines: string[] } {
    const c = this.catalogue;
    switch (sent.verb) {
      // LHLO (RFC 2033 §4.1) is LMTP's EHLO and is answered the same way.
      case 'EHLO':
      case 'LHLO': {
        const again = this.tlsAfterEhlo;
        const early = this.earlyHello && !this.sentEhlo;
        this.sentEhlo = true;
        this.hello = sent.verb;
        const greet = (sent.verb === 'LHLO' ? c.cmdLhlo : c.cmdEhlo)({ name: quote(sent.domain) });
        return { command: { kind: 'ehlo', stage, again, early }, lines: [greet, ...optional(again ? c.cmdEhloAgain : undefined)] };
      }
      case 'HELO':
        // HELO negotiates no extension: no enhanced status codes either.
        this.enhancedOffered = false;
        return { command: { kind: 'helo', stage }, lines: [c.cmdHelo({ name: quote(sent.domain) })] };
      case 'STARTTLS':
        return { command: { kind: 'starttls', stage }, lines: [c.cmdStarttls] };
      case 'AUTH':
        return { command: { kind: 'auth', stage }, lines: this.auth(sent) };
      // Inside AUTH, every line but the command itself answers a 334 challenge (RFC 4954 §4).
      case 'SASL': {
        const { text } = sent.response;
        if (text === '*') return { command: { kind: 'authCancel', stage }, lines: [c.authCancel] };
        const answer = text === undefined ? (this.secretsShowable ? c.authAnswerRedacted : c.authAnswerHidden) : text === '' ? c.authAnswerEmpty : c.authAnswer;
        return { command: { kind: 'auth', stage }, lines: [answer] };
      }
      case 'MAIL':
        return this.mail(sent, stage);
      case 'RCPT': {
        const lines = [c.cmdRcptTo({ recipient: quote(sent.to) })];
        for (const param of sent.params) {
          const [name = '', value = ''] = param.split('=', 2);
          const upper = name.toUpperCase();
          lines.push(upper === 'NOTIFY' ? c.paramNotify({ value }) : upper === 'ORCPT' ? c.paramOrcpt : c.paramOther({ param: quote(param) }));
        }
        lines.push(...this.idna(sent.to), ...this.recipientInHeaders(sent.to));
        if (!this.envelopeTold) lines.push(c.envelopeNotHeaders);
        this.envelopeTold = true;
        return { command: { kind: 'rcpt', stage, address: sent.to }, lines };
      }
      case 'DATA':
        return { command: { kind: 'data', stage }, lines: [c.cmdData, ...this.headerRecipientsLeftOut()] };
      case '.':
        return { command: { kind: 'dot', stage }, lines: [this.noRecipientTaken ? c.cmdDataEndEmpty : c.cmdDataEnd] };
      case 'BDAT': {
        const { size: octets, last } = sent;
        // A chunk that is no flight's, sent without waiting: its reply comes later, with the others.
        const notAwaited = !last && pipelined ? [c.bdatNotAwaited] : [];
        // The last chunk of a message sent whole in one is its only one, not "the last octets".
        const said = last ? (this.chunksSent === 0 ? c.cmdBdatOnly({ octets }) : c.cmdBdatLast({ octets })) : c.cmdBdat({ octets });
        const leftOut = this.chunksSent === 0 ? this.headerRecipientsLeftOut() : [];
        this.chunksSent = last ? 0 : this.chunksSent + 1;
        return { command: { kind: 'bdat', stage, octets, last }, lines: [said, ...notAwaited, ...leftOut] };
      }
      case 'RSET':
        return { command: { kind: 'rset', stage }, lines: [c.cmdRset] };
      case 'XCLIENT':
        return { command: { kind: 'xclient', stage }, lines: [c.cmdXclient] };
      case 'PROXY':
        return { command: { kind: 'proxy', stage }, lines: [sent.header.version === 'v1' ? c.cmdProxyV1 : c.cmdProxyV2] };
      case 'QUIT':
        // RFC 2920 §3.1: a pipelined QUIT leaves with the end of the message, before the verdict.
        return { command: { kind: 'quit', stage }, lines: [pipelined ? c.cmdQuitInFlight : c.cmdQuit] };
    }
  }

  /** `AUTH <mechanism> [initial response]`: the command, the mechanism, the initial response. */
  private auth(sent: Extract<SmtpCommand, { verb: 'AUTH' }>): string[] {
    const c = this.catalogue;
    const name = sent.mechanism.toUpperCase();
    const key = MECHANISMS[name];
    const lines = [c.cmdAuth({ mechanism: quote(name) }), key ? c[key] : c.mechOther({ mechanism: quote(name) })];
    const initial = sent.initial;
    const hidden = this.secretsShowable ? c.authInitialRedacted : c.authInitialHidden;
    if (initial !== undefined) lines.push(initial.text === undefined ? hidden : initial.text === '=' ? c.authInitialEmpty : c.authInitial);
    return lines;
  }

  /** `MAIL From:<sender> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]`: one line for the sender, one per parameter. */
  private mail(sent: Extract<SmtpCommand, { verb: 'MAIL' }>, stage: Stage): { command: Command; lines: string[] } {
    const c = this.catalogue;
    this.bodyTold = false;
    this.chunksSent = 0;
    const sender = sent.from;
    const lines = [sender === '' ? c.cmdMailFromNull : c.cmdMailFrom({ sender: quote(sender) })];
    for (const param of sent.params) {
      const [name = '', value = ''] = param.split('=', 2);
      switch (name.toUpperCase()) {
        case 'SIZE':
          lines.push(c.paramSize({ octets: Number(value) }));
          break;
        case 'BODY':
          lines.push(value.toUpperCase() === '8BITMIME' ? c.paramBody8bit : c.paramOther({ param: quote(param) }));
          break;
        case 'SMTPUTF8':
          lines.push(c.paramSmtputf8);
          break;
        case 'RET':
          lines.push(c.paramRet({ value: value.toUpperCase() }));
          break;
        case 'ENVID':
          lines.push(c.paramEnvid);
          break;
        default:
          lines.push(c.paramOther({ param: quote(param) }));
      }
    }
    return { command: { kind: 'mail', stage, address: sender }, lines: [...lines, ...this.idna(sender), ...this.senderInHeaders(sender)] };
  }

  /** The table's row of an envelope address: the one as it went, else one of the same mailbox in another case. */
  private envelopeRow(envelope: 'MAIL From' | 'RCPT To', address: string): AddressOrigin | undefined {
    return this.envelopeRows.get(`= ${envelope} ${envelopeKey(address)}`) ?? this.envelopeRows.get(`~ ${envelope} ${mailboxKey(address)}`);
  }

  /** The envelope sender that From: (or Resent-From:) does not show: the reader sees one address, bounces go to the other (RFC 5321 §3.3). */
  private senderInHeaders(sender: string): string[] {
    if (sender === '') return [];
    const row = this.envelopeRow('MAIL From', sender);
    const [first] = this.shownAuthors;
    if (row === undefined || first === undefined) return [];
    // A resent message's reader sees who resent it: the sender its original From: shows is not that.
    const resent = first.header === 'Resent-From';
    if (row.header === 'Resent-From' || (row.header === 'From' && !resent)) return [];
    // Several authors (RFC 5322 §3.6.2) are named together, as the field shows them.
    const from = quote(this.shownAuthors.map((author) => author.address).join('>, <'));
    return [this.catalogue.senderNotFrom({ field: resent ? 'Resent-From' : 'From', from })];
  }

  /** Said once a message, with DATA or its first BDAT: the addresses a recipient field shows that get nothing. */
  private headerRecipientsLeftOut(): string[] {
    const told = this.headerOnlyRecipients.map((row) => this.catalogue.headerNotEnvelope({ recipient: quote(row.address), field: row.header! }));
    this.headerOnlyRecipients = [];
    return told;
  }

  /** A recipient that no destination field names: a blind copy on purpose (Bcc), or one the envelope alone holds. */
  private recipientInHeaders(recipient: string): string[] {
    const row = this.envelopeRow('RCPT To', recipient);
    if (row === undefined) return [];
    if (row.header === 'Cc' || row.header === 'Resent-Cc') return [this.catalogue.rcptCc({ recipient: quote(recipient) })];
    if (row.header !== undefined) return [];
    return [(row.blind ? this.catalogue.rcptBlind : this.catalogue.rcptEnvelopeOnly)({ recipient: quote(recipient) })];
  }

  /** An address's domain in A-labels, said once a domain: what the user typed became xn--… on the wire. */
  private idna(address: string): string[] {
    return this.idnaDomain(address.slice(address.lastIndexOf('@') + 1));
  }

  /** A domain in A-labels (an address's, the one --mx looks up), said once in its Unicode form. */
  private idnaDomain(name: string): string[] {
    const domain = name.toLowerCase().replace(/\.$/, '');
    if (!/(^|\.)xn--/.test(domain) || this.idnaTold.has(domain)) return [];
    this.idnaTold.add(domain);
    const unicode = domainToUnicode(domain);
    // A label that is not valid Punycode decodes to nothing: there is no typed form to show.
    if (unicode === '' || unicode === domain) return [];
    return [this.catalogue.idnaDomain({ ascii: quote(domain), unicode: quote(unicode) })];
  }

  private reply(event: Extract<SessionEvent, { kind: 'reply' }>): Annotation {
    const c = this.catalogue;
    const { reply } = event;
    const command = this.answered(event.stage);
    const after: string[] = [];
    // What the transaction's own replies decided, for the replies after them in the same group.
    if (command?.kind === 'mail') this.transaction = { mailRefused: reply.code >= 400, recipientsTaken: 0 };
    if (command?.kind === 'rcpt' && reply.code < 400 && this.transaction !== undefined) this.transaction.recipientsTaken++;

    const generic = CODES[reply.code];
    const meaning = outOfPlace(reply.code, command)
      ? c.replyOutOfPlace({ code: reply.code })
      : (this.inContext(reply, command, event) ?? (generic ? c[generic] : undefined));
    if (meaning !== undefined) after.push(meaning);
    if (generic === undefined || !this.codesSeen.has(reply.code)) after.push(this.structure(reply.code));
    this.codesSeen.add(reply.code);
    // An EHLO reply tells whether the server offers ENHANCEDSTATUSCODES: without it, a code such as
    // 2.0.0 is only text (RFC 2034), as the verdict line reads it; before any EHLO reply, read as one.
    if (event.ehlo !== undefined) this.enhancedOffered = event.ehlo.extensions.some(({ keyword }) => keyword.toUpperCase() === 'ENHANCEDSTATUSCODES');
    if (reply.enhanced !== undefined && this.enhancedOffered !== false) after.push(this.enhanced(reply.enhanced, command));

    if (command?.kind === 'ehlo' && event.ehlo !== undefined) for (const line of this.extensions(event.ehlo, command.again === true)) after.push(line);
    // HELO follows only a first EHLO, never an LHLO (RFC 2033 §4.1) nor the EHLO after STARTTLS or XCLIENT.
    if (command?.kind === 'ehlo' && this.firstHello(command) && this.hello === 'EHLO' && EHLO_UNACCEPTABLE.has(reply.code)) {
      after.push(c.ehloFallback);
    }
    if (command?.kind === 'ehlo' && reply.code === 250) this.helloTaken = true;
    return { before: [], after };
  }

  /** The session's first hello, sent after the greeting: none taken before it (STARTTLS's, XCLIENT's), nor sent early. */
  private firstHello(command: Command): boolean {
    return command.again !== true && command.early !== true && !this.helloTaken;
  }

  /** MAIL, or every RCPT, of the transaction was refused: a DATA or BDAT after them goes to no one. */
  private get noRecipientTaken(): boolean {
    return this.transaction !== undefined && (this.transaction.mailRefused || this.transaction.recipientsTaken === 0);
  }

  /** The command this reply answers: the oldest pending one of the same stage. */
  private answered(stage: Stage): Command | undefined {
    return this.pending.answer(stage);
  }

  /** The reply's meaning where the command it answers changes it; undefined for the generic one. */
  private inContext(reply: Reply, command: Command | undefined, event: Extract<SessionEvent, { kind: 'reply' }>): string | undefined {
    const c = this.catalogue;
    const code = reply.code;
    // LMTP: after the message, one reply per accepted recipient, each its delivery (RFC 2033 §4.2).
    if (this.via === 'lmtp' && event.stage === 'body' && event.recipient !== undefined) {
      return code === 250 ? c.code250Delivered({ recipient: quote(event.recipient) }) : undefined;
    }
    if (command === undefined) {
      if (event.stage !== 'greeting') return undefined;
      if (code === 554) return this.earlyHello ? c.code554AfterEarlyEhlo : c.code554Greeting;
      return code === 220 ? (this.earlyHello ? c.code220AfterEarlyEhlo : c.code220Greeting) : undefined;
    }
    switch (command.kind) {
      case 'ehlo':
        if (code === 250) return this.hello === 'LHLO' ? c.code250Lhlo : c.code250Ehlo;
        // The generic 550 speaks of a mailbox, which a refused hello is not about.
        if (code >= 500 && command.early === true) return c.codeEhloRefusedEarly({ code });
        // A first EHLO a server does not know (no extensions): HELO follows (see the fallback line).
        if (this.firstHello(command) && this.hello === 'EHLO' && (code === 500 || code === 502)) return c.codeEhloUnknown({ code });
        if (code >= 500) return c.codeEhloRefused({ code, verb: this.hello });
        return undefined;
      case 'helo':
        return code === 250 ? c.code250Helo : undefined;
      case 'starttls':
        return code === 220 ? c.code220Tls : code === 454 ? c.code454Tls : undefined;
      case 'auth':
        return code === 334 && (reply.lines[0] ?? '').trim() === '' ? c.code334Empty : undefined;
      case 'authCancel':
        return code === 501 ? c.code501Cancel : undefined;
      case 'mail':
        return code === 250 ? c.code250Mail({ sender: quote(command.address ?? '') }) : undefined;
      case 'rcpt':
        if (code === 503 && this.transaction?.mailRefused === true) return c.code503AfterMailRefused;
        // 554's generic reading (the transaction failed) is wrong here: RCPT refuses one recipient (RFC 5321 §4.1.1.3).
        if (code === 554) return c.code5xxRcpt({ code });
        return code === 250 ? c.code250Rcpt({ recipient: quote(event.recipient ?? command.address ?? '') }) : undefined;
      case 'data':
        return NO_RECIPIENT_CODES.has(code) && this.noRecipientTaken ? c.codeNoRecipientTaken({ code }) : undefined;
      case 'dot':
        if (code !== 250) return undefined;
        return this.noRecipientTaken ? c.code250Empty : c.code250Message;
      case 'bdat':
        if (NO_RECIPIENT_CODES.has(code) && this.noRecipientTaken) return c.codeNoRecipientTaken({ code });
        if (code !== 250) return undefined;
        // The last chunk of a message that goes to no one (every recipient refused): nothing is delivered.
        if (command.last && this.noRecipientTaken) return c.code250Empty;
        return command.last ? c.code250LastChunk : c.code250Chunk({ octets: command.octets ?? 0 });
      case 'rset':
        return code === 250 ? c.code250Rset : undefined;
      case 'xclient':
        return code === 220 ? c.code220Xclient : undefined;
      default:
        return undefined;
    }
  }

  /** The code read digit by digit (RFC 5321 §4.2.1). */
  private structure(code: number): string {
    const c = this.catalogue;
    const severity = REPLY_CLASSES[String(Math.floor(code / 100))];
    const category = REPLY_DIGITS[String(Math.floor(code / 10) % 10)] ?? 'replyDigitUnspecified';
    return c.replyStructure({ code, severity: severity ? c[severity] : '', category: c[category] });
  }

  /** A detail known by name, else its class and subject (RFC 3463 §2); X.1.0 names the address the command gave. */
  private enhanced(code: string, command: Command | undefined): string {
    const c = this.catalogue;
    if (code === '2.1.0' && command?.kind === 'mail') return c.enhanced2_1_0Sender;
    const known = ENHANCED[code];
    if (known) return c[known];
    const [klass = '', subject = ''] = code.split('.');
    const severity = ENHANCED_CLASSES[klass];
    return c.enhancedGeneric({ code, severity: severity ? c[severity] : '', subject: c[ENHANCED_SUBJECTS[subject] ?? 'enhancedSubjectOther'] });
  }

  /** The EHLO reply as the session read it: the server's name, then one line per keyword, each naming its keyword. */
  private extensions(offer: EhloOffer, underTls: boolean): string[] {
    const c = this.catalogue;
    const lines = [
      offer.domain === '' ? c.ehloNoServerName : c.ehloServerName({ name: quote(offer.domain) }),
      ...optional(underTls ? c.ehloAfterTls : undefined),
    ];
    for (const { keyword: word, params } of offer.extensions) {
      const keyword = word.toUpperCase();
      const known = EXTENSIONS[keyword];
      if (known) lines.push(c[known]);
      else if (keyword === 'SIZE') lines.push(sizeExplained(c, params[0]));
      else if (keyword === 'AUTH') lines.push(c.extAuth({ mechanisms: quote(params.join(' ')) }));
      else if (keyword.startsWith('AUTH=')) lines.push(c.extAuthLegacy({ keyword: quote(word) }));
      else if (keyword === 'LIMITS') lines.push(c.extLimits({ limits: quote(params.join(' ')) }));
      else lines.push(c.extUnknown({ keyword: quote(word) }));
    }
    return lines;
  }

  /** Notes worth a word: the ones that teach something beyond their own text. */
  private note(note: Note): string[] {
    const c = this.catalogue;
    switch (note.code) {
      case 'sasl-decoded':
        return this.secretsShowable ? [c.noteDecoded] : [];
      case 'starttls-refused':
        return [c.noteStarttlsRefused];
      case 'tls-retry-plain':
        return [c.noteRetryWithoutTls];
      case 'tls-retry-without-certificate':
        return [c.noteRetryWithoutCertificate];
      case 'pipeconnect-early':
        this.earlyHello = true;
        return [c.notePipeconnect];
      case 'tls-resumption-failed':
        return [c.noteResumptionFailed];
      default:
        return [];
    }
  }

  /**
   * What an MX answer's records mean: a null MX only as the single record `0 .` (RFC 7505 §3);
   * other records naming no host are passed over; an alias alone is followed, not read as no MX.
   */
  private mxAnswer(records: readonly DnsRecord[], alias: boolean): string[] {
    const c = this.catalogue;
    const mx = records.filter((record): record is Extract<DnsRecord, { type: 'MX' }> => record.type === 'MX');
    for (const record of mx) this.mxHosts.add(hostKey(record.exchange));
    if (mx.length === 0) return alias ? [] : [c.dnsNoMx];
    const noHost = mx.filter((record) => isRootName(record.exchange));
    if (mx.length === 1 && noHost.length === 1 && mx[0]!.preference === 0) return [c.dnsNullMx];
    const hosts = mx.length - noHost.length;
    return [...optional(noHost.length > 0 ? c.dnsMxNoHost : undefined), ...optional(hosts > 1 ? c.dnsMxPreference : hosts === 1 ? c.dnsMxSingle : undefined)];
  }

  private dnsAnswer(event: Extract<SessionEvent, { kind: 'dns-answer' }>): string[] {
    const c = this.catalogue;
    const rcode =
      event.rcode === 'NOERROR'
        ? c.dnsNoError
        : event.rcode === 'NXDOMAIN'
          ? c.dnsNxdomain({ name: quote(chainEnd(event.answers, event.name)) })
          : event.rcode === 'SERVFAIL'
            ? c.dnsServfail
            : event.rcode === 'REFUSED'
              ? c.dnsRefused
              : c.dnsRcodeOther({ rcode: quote(event.rcode) });
    const lines = [rcode];
    // An older record does not say how the answer came: the query just before says it, mostly.
    if (event.truncated) lines.push((event.transport ?? this.dnsTransport) === 'tcp' ? c.dnsTruncatedTcp : c.dnsTruncated);
    const alias = event.answers.some((record) => record.type === 'CNAME');
    if (alias) {
      lines.push(c.dnsCname);
      if (event.type !== 'MX' && this.mxHosts.has(hostKey(event.name))) lines.push(c.dnsMxHostAlias);
    }
    if (event.referral === true) lines.push(c.dnsReferral);
    else if (event.rcode === 'NOERROR' && !event.truncated) {
      const found = event.answers.filter((record) => record.type === event.type);
      if (event.type === 'MX') {
        lines.push(...this.mxAnswer(found, alias));
      } else if (found.length === 0) {
        lines.push(c.dnsNoData);
      }
    }
    if (event.additionals.some((record) => record.type === 'A' || record.type === 'AAAA')) lines.push(c.dnsAdditional);
    return lines;
  }
}

/** One attempt of the MX plan: a host at one of its addresses. */
function tryKey({ host, address }: { host: string; address: string }): string {
  return `${host}\0${address}`;
}

/** Where the CNAMEs of `answers` lead from `name`: the name an NXDOMAIN is about (RFC 6604 §3). */
function chainEnd(answers: readonly DnsRecord[], name: string): string {
  const aliases = new Map<string, string>();
  for (const record of answers) if (record.type === 'CNAME' && !aliases.has(hostKey(record.name))) aliases.set(hostKey(record.name), record.target);
  let end = name;
  for (let hop = 0; hop < answers.length; hop++) {
    const target = aliases.get(hostKey(end));
    if (target === undefined) break;
    end = target;
  }
  return end;
}

function hostKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function isRootName(name: string): boolean {
  return name === '' || name === '.';
}

/** SIZE's value as RFC 1870 writes it (none, or 0: no fixed limit), or one mailv cannot read as a limit. */
function sizeExplained(c: Catalogue, value: string | undefined): string {
  const limit = sizeLimitOf(value);
  // 0 (or 00) is RFC 1870's "no fixed limit"; a long value is cut where shown, and said cut.
  if (limit === undefined && value !== undefined && !/^0+$/.test(value)) {
    return c.extSizeUnreadable({ value: quote(value.length > 30 ? `${value.slice(0, 29)}…` : value) });
  }
  return c.extSize({ limit });
}

function none(after: string[]): Annotation {
  return { before: [], after };
}

function optional(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

/** The start of an untrusted string, marked as cut when it is. */
function quote(text: string): string {
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1)}…` : text;
}

/**
 * A reply the command cannot have (RFC 5321 §4.3.2): a 3xx to anything but DATA or an AUTH step, a
 * 221 to anything but QUIT, a positive reply to STARTTLS other than 220 (RFC 3207 §4). The session
 * stops there: its generic meaning would teach the opposite.
 */
function outOfPlace(code: number, command: Command | undefined): boolean {
  if (command === undefined) return false;
  if (code >= 300 && code < 400) return command.kind !== 'data' && command.kind !== 'auth';
  // 221 where the verdict on the message was due: the server closing, as the session takes it (it may have the message).
  if (code === 221) return command.kind !== 'quit' && command.kind !== 'dot' && !(command.kind === 'bdat' && command.last === true);
  return command.kind === 'starttls' && code < 400 && code !== 220;
}
