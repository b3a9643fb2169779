// The session as rows of a sequence diagram, from its events and their times alone (a live run or
// a recorded one): lanes for the client, the DNS server and each host tried, an arrow per command
// and per reply, the TLS handshake, the pipelined flights. Secrets are masked whatever the run was
// told: a diagram is made to be shown. Pure: no clock, no I/O; words come from the catalogue given.
import type { SessionEvent } from '../events.js';
import { absolute } from '../dns/name.js';
import type { Explainer } from '../explain/explainer.js';
import { formatCommand, secretText, withheld, type Command } from '../smtp/command.js';
import { REDACTED, Redactor, secretForms } from '../smtp/redact.js';
import type { Reply } from '../smtp/reply.js';
import { displayHost } from '../text/host.js';
import type { Words } from '../words/catalogue.js';
import { describeFact } from '../words/describe.js';
import { formatRecord } from './dns-record.js';

/** An event as a sink receives it: with the milliseconds since the run started. */
export interface TimedEvent {
  readonly event: SessionEvent;
  readonly at: number;
}

export type LaneKind = 'client' | 'dns' | 'server';

export interface Lane {
  readonly key: string;
  readonly kind: LaneKind;
  /** The heading: what the lane is, then who. */
  readonly title: readonly string[];
}

export type ReplyClass = 2 | 3 | 4 | 5;

interface RowBase {
  /** The lane the row goes to or comes from (never the client's). */
  readonly lane: string;
  readonly at: number;
  /** The lines written on the arrow or band, as the user reads them (not yet escaped for markup). */
  readonly lines: string[];
  /** --explain's annotations for it. */
  readonly notes: string[];
  /** After a TLS handshake on this connection. */
  readonly encrypted: boolean;
}

export type Row =
  | (RowBase & { readonly kind: 'command'; readonly flight: number | undefined })
  | (RowBase & { readonly kind: 'reply'; readonly code: number; readonly replyClass: ReplyClass })
  | (RowBase & { readonly kind: 'connect'; refused: string | undefined })
  | (RowBase & { readonly kind: 'dns-query' })
  | (RowBase & { readonly kind: 'dns-answer'; readonly failed: boolean })
  | (RowBase & { readonly kind: 'tls' })
  | (RowBase & { readonly kind: 'deferred' });

export interface Flight {
  readonly id: number;
  readonly commands: number;
}

export interface DiagramModel {
  readonly lanes: readonly Lane[];
  readonly rows: readonly Row[];
  readonly flights: readonly Flight[];
}

/** How the run ended, when known: the status, and the words of its failure. */
export interface DiagramOutcome {
  readonly status: number;
  readonly failure: string | undefined;
}

const CLIENT = 'client';
const DNS = 'dns';

/**
 * Builds the rows. `explainer`: --explain's, fed every event in order; undefined: no notes. `user`:
 * the login's user name, which the masking of secrets spares.
 */
export function buildModel(
  events: readonly TimedEvent[],
  words: Words,
  explainer: Explainer | undefined,
  outcome?: DiagramOutcome,
  user?: string,
): DiagramModel {
  const said = words.diagram;
  const servers = new Map<string, Lane>();
  let dnsUsed = false;
  const rows: Row[] = [];
  const flights: Flight[] = [];
  const secrets = new SecretMask(user);
  // Flights as the session announces them (`flight` events): the commands of one write.
  let flightLeft = 0;
  let currentFlight: Flight | undefined;
  let lane: string | undefined;
  let encrypted = false;
  let connectRow: Extract<Row, { kind: 'connect' }> | undefined;
  /** Annotations of events drawn as no row: they go with the row they speak of. */
  let waiting: string[] = [];
  /** The next EHLO was written before the greeting (PIPECONNECT): said under its arrow. */
  let earlyEhlo = false;

  for (const { event: raw, at } of events) {
    const event = secrets.masked(raw);
    const annotation = explainer?.annotate(event) ?? { before: [], after: [] };
    const notes = [...annotation.before, ...annotation.after];
    const add = (row: Row) => {
      // Every row starts without notes (base): those waiting for a row come first.
      append(row.notes, waiting);
      append(row.notes, notes);
      waiting = [];
      rows.push(row);
    };
    const base = (lines: string[]) => ({ lane: lane ?? CLIENT, at, lines, notes: [] as string[], encrypted });
    switch (event.kind) {
      case 'connecting': {
        const key = `server:${event.host}`;
        if (!servers.has(key)) servers.set(key, { key, kind: 'server', title: [said.server, displayHost(event.host)] });
        lane = key;
        encrypted = false;
        connectRow = { ...base([said.connect(displayHost(event.host), event.port)]), kind: 'connect', refused: undefined };
        add(connectRow);
        break;
      }
      case 'connected':
        if (connectRow) {
          connectRow.lines.push(said.connected(displayHost(event.address), event.port));
          connectRow.notes.push(...notes);
        }
        connectRow = undefined;
        break;
      case 'deferred': {
        const why = describeFact(event.error, words);
        if (connectRow) {
          // The connection itself failed: the arrow that tried it ends refused.
          connectRow.refused = why;
          connectRow.notes.push(...notes);
        } else {
          add({ ...base([said.deferred(why)]), kind: 'deferred' });
        }
        connectRow = undefined;
        break;
      }
      case 'flight':
        flightLeft = event.commands;
        currentFlight = event.commands > 1 ? { id: flights.length, commands: event.commands } : undefined;
        if (currentFlight) flights.push(currentFlight);
        break;
      case 'send': {
        let flight: number | undefined;
        if (flightLeft > 0) {
          flightLeft--;
          flight = currentFlight?.id;
        }
        const early = earlyEhlo && event.command.verb === 'EHLO';
        if (early) earlyEhlo = false;
        add({ ...base([formatCommand(event.command), ...(early ? [said.earlyEhlo] : [])]), kind: 'command', flight });
        break;
      }
      case 'reply': {
        const replyClass = Math.min(5, Math.max(2, Math.floor(event.reply.code / 100))) as ReplyClass;
        add({ ...base([...event.reply.raw]), kind: 'reply', code: event.reply.code, replyClass });
        break;
      }
      case 'unreadable-reply':
        // An arrow from the server all the same, in the colour of a failure: it broke the dialogue.
        add({ ...base([...event.lines]), kind: 'reply', code: 0, replyClass: 5 });
        break;
      case 'tls':
        encrypted = true;
        add({
          ...base([
            said.handshake,
            words.tls.handshake(event),
            words.tls.certificate(event),
            ...[words.tls.clientCertificate(event)].filter((line) => line !== undefined),
          ]),
          kind: 'tls',
        });
        break;
      case 'dns-query':
        dnsUsed = true;
        add({ ...base([`${event.type} ${absolute(event.name)}? @${event.server} (${event.transport.toUpperCase()})`]), lane: DNS, kind: 'dns-query' });
        break;
      case 'dns-answer':
        dnsUsed = true;
        add({
          ...base([
            `${event.rcode}${event.truncated ? ' (TC)' : ''}, ${event.ms} ms`,
            ...event.answers.map((record) => formatRecord(record).replaceAll('\t', ' ')),
            ...event.additionals.map((record) => `${formatRecord(record).replaceAll('\t', ' ')} ${words.transcript.additional}`),
          ]),
          lane: DNS,
          kind: 'dns-answer',
          // An answer without records (NODATA, say no AAAA beside an A) is an answer: only an error code failed.
          failed: event.rcode !== 'NOERROR',
        });
        break;
      case 'dns-no-answer':
        dnsUsed = true;
        add({ ...base([words.dns.noAnswer(event)]), lane: DNS, kind: 'dns-answer', failed: true });
        break;
      case 'closing':
        // Told beside the QUIT that follows it.
        append(waiting, notes);
        break;
      default: {
        if (event.kind === 'note' && event.note.code === 'pipeconnect-early') earlyEhlo = true;
        // Notes, outcomes, the commit, traffic: their annotations go with the row they follow.
        const last = rows.at(-1);
        append(last?.notes ?? waiting, notes);
      }
    }
  }
  const last = rows.at(-1);
  if (last) append(last.notes, waiting);
  // A connection that failed with nothing after it (a submission server refusing it): the run's
  // failure says why.
  if (connectRow && outcome?.failure !== undefined && outcome.status !== 0) connectRow.refused = outcome.failure;
  const lanes: Lane[] = [{ key: CLIENT, kind: 'client', title: [said.client] }];
  if (dnsUsed) lanes.push({ key: DNS, kind: 'dns', title: [said.dns] });
  for (const server of servers.values()) lanes.push(server);
  return { lanes, rows, flights };
}

/**
 * Secrets masked always, --show-secrets or not: a secret response of AUTH is never shown, and
 * what it held (in base64 and decoded, each part of a PLAIN response) is masked in every reply;
 * but the user name alone (LOGIN's first step, PLAIN's middle part), which the dialogue shows too.
 */
class SecretMask {
  private readonly redactor = new Redactor();

  /** LOGIN's first step, the user name alone, went by. */
  private userSpared = false;

  constructor(private readonly user: string | undefined) {}

  masked(event: SessionEvent): SessionEvent {
    if (event.kind === 'send') {
      this.learn(event.command);
      return { ...event, command: withheld(event.command, false) };
    }
    if (event.kind === 'reply') return { ...event, reply: this.reply(event.reply) };
    if (event.kind === 'recipient' && event.reply) return { ...event, reply: this.reply(event.reply) };
    if (event.kind === 'unreadable-reply') return { ...event, lines: event.lines.map((line) => this.redactor.text(line)) };
    // The decoded steps of --show-secrets are the secret itself.
    if (event.kind === 'note' && event.note.code === 'sasl-decoded') return { ...event, note: { ...event.note, text: REDACTED } };
    return event;
  }

  private learn(command: Command): void {
    const secret = secretText(command);
    if (secret === undefined) return;
    const decoded = Buffer.from(secret, 'base64').toString('utf8');
    // The user name is spared once: a password that is the user name again is masked all the same.
    if (decoded === this.user && !this.userSpared) {
      this.userSpared = true;
      return;
    }
    const parts = decoded.split('\0');
    // PLAIN's user spared when it is there once: not when the password is the name again.
    const spared = decoded !== this.user && parts.filter((part) => part === this.user).length === 1 ? this.user : undefined;
    // Each part in its base64 forms too: a server may quote a piece of what AUTH sent.
    for (const each of [secret, decoded, ...parts]) if (each !== spared) for (const form of secretForms(each)) this.redactor.hide(form);
  }

  private reply(reply: Reply): Reply {
    const mask = (text: string) => this.redactor.text(text);
    return { ...reply, lines: reply.lines.map(mask), raw: reply.raw.map(mask) };
  }
}

/** `items` added at the end of `target`, one by one: a spread call's arguments are limited (a replayed record may hold 100,000 notes). */
function append(target: string[], items: readonly string[]): void {
  for (const item of items) target.push(item);
}
