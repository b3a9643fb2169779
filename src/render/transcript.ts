// The classic `mail -v` transcript: client lines behind `>>> `, server replies as received, and
// sendmail's notes (`x... Connecting to ...`, `x... Sent (...)`, `Closing connection to ...`).
import type { RecipientOutcome, SessionEvent } from '../events.js';
import { formatCommand } from '../smtp/command.js';
import { replyText, verdictText, type Reply } from '../smtp/reply.js';
import { absolute } from '../dns/name.js';
import { displayHost } from '../text/host.js';
import { formatRecord } from './dns-record.js';
import { formatMxHosts } from './mx-plan.js';
import { sanitize } from '../text/sanitize.js';
import type { Style } from './style.js';
import type { Words } from '../words/catalogue.js';
import { describeFact, describeNote } from '../words/describe.js';
import { en } from '../words/en/index.js';
import type { ErrorFact } from '../errors.js';
import type { Verbosity } from '../plan.js';

type Formatters = { [K in SessionEvent['kind']]: (event: Extract<SessionEvent, { kind: K }>) => string[] };

/** Turns events into transcript lines; keeps a partial message line between body events. */
export class TranscriptRenderer {
  private bodyCarry: string[] = [];
  private carryEndsInCr = false;
  /** This session's server announced ENHANCEDSTATUSCODES in its (last) EHLO reply. */
  private enhancedCodes = false;
  /**
   * The recipients this connection's `Deferred:` line named, and the reply it gave: a recipient
   * then said deferred by that same reply (a later round's, past the server's limit) is not said twice.
   */
  private deferredLine: { readonly recipients: ReadonlySet<string>; readonly reply: string } | undefined;
  private readonly formatters: Formatters;

  /**
   * `dnsShown`: the DNS exchange and the MX plan are shown from -v, or from the default verbosity
   * when --explain teaches them.
   */
  constructor(
    private readonly verbosity: Verbosity,
    private readonly style: Style,
    words: Words,
    dnsShown: boolean = verbosity >= 2,
  ) {
    this.formatters = {
      connecting: (e) => {
        // A new connection: what its server offers is yet to be learned.
        this.enhancedCodes = false;
        this.deferredLine = undefined;
        return [
          style.note(
            `${e.recipients.length > 0 ? `${sanitize(e.recipients.join(','))}... ` : ''}Connecting to ${sanitize(displayHost(e.host))}${e.port === 25 || e.port === 0 ? '' : ` port ${e.port}`} via ${e.via}...`,
          ),
        ];
      },
      connected: (e) => (verbosity >= 2 ? [style.note(words.transcript.connected(sanitize(displayHost(e.address)), e.port))] : []),
      flight: (e) => [...this.flushBody(), style.note(words.transcript.flight(e.commands))],
      send: (e) => [...this.flushBody(), style.client(`>>> ${sanitize(formatCommand(e.command))}`)],
      reply: (e) => {
        if (e.ehlo !== undefined) this.enhancedCodes = e.ehlo.extensions.some(({ keyword }) => keyword.toUpperCase() === 'ENHANCEDSTATUSCODES');
        return e.reply.raw.map((line) => style.reply(e.reply.code, sanitize(line)));
      },
      // As received, as any reply is shown: what broke the protocol is what one debugging needs to see.
      'unreadable-reply': (e) => e.lines.map((line) => style.reply(codeOf(line), sanitize(line))),
      body: (e) => (verbosity >= 3 ? this.bodyLines(e.bytes) : []),
      // The reply to the final dot or BDAT LAST says what became of it; the moment itself shows in --json.
      committed: () => [],
      recipient: (e) => {
        const said = this.deferredLine;
        if (e.outcome === 'deferred' && said?.recipients.has(e.recipient) === true && replyKey(e.reply) === said.reply) return [];
        // Said where its host gave it (`next`): its last word, once no other host took it, is not said twice.
        if (e.restated === true) return [];
        return [style.note(`${sanitize(e.recipient)}... ${outcomeText(e.outcome, e.reply, this.enhancedCodes)}`)];
      },
      note: (e) => {
        // Said on standard error with the failure it goes with (see openEvents).
        if (e.note.code === 'interrupted-unconfirmed') return [];
        const text = sanitize(describeNote(e.note, words));
        return [e.severity === 'warning' ? style.warning(words.transcript.warning + text) : style.note(text)];
      },
      closing: (e) => [style.note(`Closing connection to ${sanitize(displayHost(e.host))}`)],
      traffic: () => [],
      tls: (e) => {
        const client = words.tls.clientCertificate(e);
        // -v: what tells two certificates of one name apart (a renewed one, a swapped one), as msmtp --serverinfo shows it.
        const fingerprint = verbosity >= 2 ? words.tls.fingerprint(e) : undefined;
        return [
          (e.verified ? style.note : style.warning)(sanitize(words.tls.handshake(e))),
          style.note(sanitize(words.tls.certificate(e))),
          ...(fingerprint === undefined ? [] : [style.note(sanitize(fingerprint))]),
          ...(client === undefined ? [] : [style.note(sanitize(client))]),
        ];
      },
      deferred: (e) => {
        const reply = 'reply' in e.error ? replyKey(e.error.reply) : undefined;
        this.deferredLine = reply === undefined ? undefined : { recipients: new Set(e.recipients), reply };
        return [
          style.note(
            `${e.recipients.length > 0 ? `${sanitize(e.recipients.join(','))}... ` : ''}Deferred: ${sanitize(deferral(e.error))}${namesItsHost(e.error) ? '' : ` by ${sanitize(displayHost(e.host))}`}`,
          ),
        ];
      },
      // A name asked for may be an MX or CNAME target, whose labels may hold any octet; a replayed
      // record may hold anything where a server or a response code was.
      'dns-query': (e) =>
        dnsShown
          ? [style.note(words.transcript.dnsQuery(e.type, sanitize(absolute(e.name)), sanitize(e.server), e.transport.toUpperCase(), e.edns === false))]
          : [],
      'dns-answer': (e) =>
        dnsShown
          ? [
              style.note(
                words.transcript.dnsAnswer(e.type, sanitize(absolute(e.name)), sanitize(e.rcode), e.truncated, sanitize(e.server), e.ms, e.answers.length),
              ),
              ...e.answers.map((record) => style.note(`;;   ${formatRecord(record)}`)),
              ...e.additionals.map((record) => style.note(`;;   ${formatRecord(record)}   ${words.transcript.additional}`)),
            ]
          : [],
      'mx-plan': (e) => (dnsShown ? formatMxHosts(e.plan, words).map((line) => style.note(line)) : []),
      'null-mx': (e) => (dnsShown ? ['', style.note(words.dns.mxPlan.nullMx(sanitize(e.domain), e.invalid === true))] : []),
      // Said on standard error after the failure it follows, as mail(1) says it; --json has the event.
      'dead-letter': () => [],
      // Shown before the dialogue, as -v's table (app/preview.ts); --explain reads it beside MAIL and RCPT.
      addresses: () => [],
      // Said on standard error too, naming the recipients, as the failure it is; --json has the event.
      unsettled: () => [],
      // For the app's memory of servers (PIPECONNECT): the notes say what they changed.
      'ehlo-learned': () => [],
      'ehlo-forgotten': () => [],
      'dns-no-answer': (e) =>
        dnsShown ? [style.warning(words.transcript.dnsNoAnswer(e.type, sanitize(absolute(e.name)), sanitize(e.server), sanitize(words.dns.noAnswer(e))))] : [],
    };
  }

  /** The lines an event prints at this verbosity. */
  lines(event: SessionEvent): string[] {
    if (this.verbosity === 0) return [];
    return (this.formatters[event.kind] as (e: SessionEvent) => string[])(event);
  }

  private bodyLines(bytes: Buffer): string[] {
    const text = bytes.toString('utf8');
    // A chunk that ends no line (nor a CR the chunk before left) is only kept: the carry is read once, when a line ends.
    if (!text.includes('\r\n') && !(this.carryEndsInCr && text.startsWith('\n'))) {
      if (text !== '') {
        this.bodyCarry.push(text);
        this.carryEndsInCr = text.endsWith('\r');
      }
      return [];
    }
    const lines = (this.bodyCarry.join('') + text).split('\r\n');
    const rest = lines.pop()!;
    this.bodyCarry = rest === '' ? [] : [rest];
    this.carryEndsInCr = rest.endsWith('\r');
    return lines.map((line) => this.style.client(`>>> ${sanitize(line)}`));
  }

  private flushBody(): string[] {
    if (this.bodyCarry.length === 0) return [];
    const line = this.bodyCarry.join('');
    this.bodyCarry = [];
    this.carryEndsInCr = false;
    return [this.style.client(`>>> ${sanitize(line)}`)];
  }
}

/**
 * Whether a deferral's words name the host already: a reply (said alone, as sendmail says it), a
 * lookup that failed, a connection that failed otherwise than refused or timed out (`cannot
 * connect to /run/lmtp: no such socket`, which `by /run/lmtp` would only repeat).
 */
function namesItsHost(error: ErrorFact): boolean {
  if ('reply' in error || error.code === 'MAILV_HOST_LOOKUP_FAILED') return true;
  return error.code === 'MAILV_CONNECT_FAILED' && error.reason !== 'refused' && error.reason !== 'timeout';
}

/**
 * Why a host was passed over: a failed connection in sendmail's words, anything else as its error
 * says, in sendmail's English as the `Deferred:` frame around it (--explain says it in French).
 */
function deferral(error: ErrorFact): string {
  if (error.code === 'MAILV_CONNECT_FAILED' && error.reason === 'refused') return 'Connection refused';
  if (error.code === 'MAILV_CONNECT_FAILED' && error.reason === 'timeout') return 'Connection timed out';
  // sendmail's words for a name its resolver could not look up for now.
  if (error.code === 'MAILV_HOST_LOOKUP_FAILED') return `Name server: ${error.host}: host name lookup failure`;
  // A reply is said as sendmail says it, the reply alone (`Deferred: 421 4.4.5 Too busy`), never `by` a host after its text.
  if ('reply' in error && error.reply !== undefined) return `${error.reply.code} ${replyText(error.reply)}`;
  return describeFact(error, en);
}

function outcomeText(outcome: RecipientOutcome, reply: Reply | undefined, enhancedCodes: boolean): string {
  const text = reply ? sanitize(replyText(reply)) : '';
  // A record may hold an outcome without its reply: the word alone, no empty parentheses.
  const full = reply ? ` (${reply.code} ${text})` : '';
  switch (outcome) {
    case 'sent':
      return `Sent${reply ? ` (${sanitize(verdictText(reply, enhancedCodes))})` : ''}`;
    case 'deferred':
      return `Deferred${full}`;
    case 'refused':
      return `${isUnknownUser(reply) ? 'User unknown' : 'Refused'}${full}`;
  }
}

/** A reply's lines as one string, to tell two replies apart; undefined without one (a record's error facts are not checked). */
function replyKey(reply: Reply | undefined): string | undefined {
  return Array.isArray(reply?.raw) ? reply.raw.join('\n') : undefined;
}

function isUnknownUser(reply: Reply | undefined): boolean {
  return reply?.enhanced === '5.1.1' || (reply?.enhanced === undefined && reply?.code === 550 && /unknown/i.test(replyText(reply)));
}

/** The reply code a line starts with, for its colour; 0 (a failure's) when it starts with none. */
function codeOf(line: string): number {
  return /^[2-5]\d\d/.test(line) ? Number(line.slice(0, 3)) : 0;
}
