// Reading a record back (mailv replay): each line parsed and every field checked against the types
// of events, commands, replies and DNS records, since a record is as untrusted as what a server
// says. A decoder per event kind and per verb: a new kind without one is a compile error. Throws
// InputError (65) naming the line and what is wrong with it.
import type { ProxyEndpoint, ProxyVersion } from '../smtp/proxy-header.js';
import type { DnsRecord, QueryType } from '../dns/wire.js';
import type { NoAddress, NoAddressReason, NoAnswer, ServerFailure } from '../dns/facts.js';
import type { MxHost, MxPlan } from '../dns/mx.js';
import { SHOWN_FIELDS, isAuthorField, type AddressOrigin } from '../message/address-origin.js';
import { InputError, type ErrorFact, type Stage } from '../errors.js';
import type { Note, SessionEvent } from '../events.js';
import { ExitCode } from '../exit-codes.js';
import type { EhloOffer } from '../smtp/capabilities.js';
import type { EhloKey } from '../smtp/remembered.js';
import type { Command, SaslResponse, Verb } from '../smtp/command.js';
import type { CertificateProblem } from '../smtp/facts.js';
import { makeReply, type Reply } from '../smtp/reply.js';
import { REDACTED } from '../smtp/redact.js';
import type { Language } from '../words/language.js';
import type { ExpectedValue, RecordProblem } from './facts.js';
import { RECORD_FORMAT, RECORD_VERSION, type RecordedEnd, type RecordedEntry, type RecordedFailure, type Recording, type RecordHeader } from './format.js';

/** The codes mailv has words for: a note or failure of another code cannot be shown. */
export interface KnownCodes {
  isNote(code: string): boolean;
  isError(code: string): boolean;
}

/** A problem found at some depth of a line; the line number is added where the line is known. */
class Damage extends Error {
  constructor(readonly problem: RecordProblem) {
    super(problem.kind);
  }
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value a union of literals may take, listed once: a value missing from the list is a compile error. */
function choicesOf<T extends string>(all: { readonly [K in T]: true }): readonly T[] {
  return Object.keys(all) as T[];
}

const STAGES = choicesOf<Stage>({
  options: true,
  resolve: true,
  input: true,
  compose: true,
  connect: true,
  greeting: true,
  ehlo: true,
  starttls: true,
  auth: true,
  mail: true,
  rcpt: true,
  data: true,
  body: true,
  rset: true,
  quit: true,
  output: true,
  run: true,
});
const QUERY_TYPES = choicesOf<QueryType>({ MX: true, A: true, AAAA: true });
const TRANSPORTS = choicesOf<'udp' | 'tcp'>({ udp: true, tcp: true });
const LANGUAGES = choicesOf<Language>({ en: true, fr: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The fields of one JSON object, each read as the type it must have; `path` names it in a problem. */
class Fields {
  private constructor(
    private readonly value: Json,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Fields {
    if (!isObject(value)) throw new Damage({ kind: 'bad-field', field: path, expected: 'object' });
    return new Fields(value, path);
  }

  has(name: string): boolean {
    return this.value[name] !== undefined && this.value[name] !== null;
  }

  raw(name: string): unknown {
    return this.value[name];
  }

  /** The object as it is. */
  get whole(): Json {
    return this.value;
  }

  field(name: string): string {
    return `${this.path}.${name}`;
  }

  private bad(name: string, expected: ExpectedValue): never {
    throw new Damage({ kind: 'bad-field', field: this.field(name), expected });
  }

  string(name: string): string {
    const value = this.value[name];
    if (typeof value !== 'string') this.bad(name, 'string');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  boolean(name: string): boolean {
    const value = this.value[name];
    if (typeof value !== 'boolean') this.bad(name, 'boolean');
    return value;
  }

  number(name: string): number {
    const value = this.value[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) this.bad(name, 'number');
    return value;
  }

  integer(name: string): number {
    const value = this.value[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) this.bad(name, 'integer');
    return value;
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    const value = this.string(name);
    if (!(choices as readonly string[]).includes(value)) throw new Damage({ kind: 'bad-value', field: this.field(name), value, choices });
    return value as T;
  }

  array(name: string): { value: unknown; path: string }[] {
    const value = this.value[name];
    if (!Array.isArray(value)) this.bad(name, 'array');
    return value.map((each, index) => ({ value: each, path: `${this.field(name)}[${index}]` }));
  }

  strings(name: string): string[] {
    return this.array(name).map(({ value, path }) => {
      if (typeof value !== 'string') throw new Damage({ kind: 'bad-field', field: path, expected: 'string' });
      return value;
    });
  }

  object(name: string): Fields {
    return Fields.of(this.value[name], this.field(name));
  }

  base64(name: string): Buffer {
    const value = this.value[name];
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) this.bad(name, 'base64');
    return Buffer.from(value, 'base64');
  }
}

function reply(fields: Fields): Reply {
  const code = fields.raw('code');
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 200 || code > 599) {
    throw new Damage({ kind: 'bad-field', field: fields.field('code'), expected: 'reply-code' });
  }
  const recorded: Reply = { code, enhanced: fields.optionalString('enhanced'), lines: fields.strings('lines'), raw: fields.strings('raw') };
  // A record edited by hand (a 250 made a 550 in raw only) would replay a reply and explain another.
  // One whose secret mailv masked (a password that reads `235`) can no longer be read back whole:
  // it is taken as it is.
  if ([...recorded.raw, ...recorded.lines, recorded.enhanced ?? ''].some((text) => text.includes(REDACTED))) return recorded;
  // A bare code (`354`) is a whole reply too (see reply.ts).
  const read = recorded.raw.length === 0 || !/^\d{3}(?:[ -]|$)/.test(recorded.raw[0]!) ? undefined : makeReply(recorded.raw);
  const agrees =
    read !== undefined &&
    read.code === recorded.code &&
    read.enhanced === recorded.enhanced &&
    read.lines.length === recorded.lines.length &&
    read.lines.every((line, index) => line === recorded.lines[index]);
  if (!agrees) throw new Damage({ kind: 'bad-field', field: fields.field('raw'), expected: 'reply-of-its-lines' });
  return recorded;
}

function checkedAs(fields: Fields): { name: string; given: 'option' | 'config' } {
  return { name: fields.string('name'), given: fields.choice('given', ['option', 'config'] as const) };
}

function ehloKey(fields: Fields): EhloKey {
  return {
    host: fields.string('host'),
    address: fields.string('address'),
    port: fields.integer('port'),
    tls: fields.choice('tls', ['clear', 'starttls', 'implicit'] as const),
    helo: fields.string('helo'),
    ...(fields.has('tlsName') ? { tlsName: fields.string('tlsName') } : {}),
  };
}

function ehloOffer(fields: Fields): EhloOffer {
  return {
    domain: fields.string('domain'),
    extensions: fields.array('extensions').map(({ value, path }) => {
      const extension = Fields.of(value, path);
      return { keyword: extension.string('keyword'), params: extension.strings('params') };
    }),
  };
}

function saslResponse(fields: Fields): SaslResponse {
  // A record keeps no secret (see record/secrets.ts): a text beside `secret` is an edit, dropped.
  const secret = fields.boolean('secret');
  return { text: secret ? undefined : fields.optionalString('text'), secret };
}

type CommandDecoders = { readonly [V in Verb]: (fields: Fields) => Command & { readonly verb: V } };

const COMMANDS: CommandDecoders = {
  EHLO: (fields) => ({ verb: 'EHLO', domain: fields.string('domain') }),
  HELO: (fields) => ({ verb: 'HELO', domain: fields.string('domain') }),
  LHLO: (fields) => ({ verb: 'LHLO', domain: fields.string('domain') }),
  STARTTLS: () => ({ verb: 'STARTTLS' }),
  DATA: () => ({ verb: 'DATA' }),
  RSET: () => ({ verb: 'RSET' }),
  QUIT: () => ({ verb: 'QUIT' }),
  '.': () => ({ verb: '.' }),
  MAIL: (fields) => ({ verb: 'MAIL', from: fields.string('from'), params: fields.strings('params') }),
  RCPT: (fields) => ({ verb: 'RCPT', to: fields.string('to'), params: fields.strings('params') }),
  BDAT: (fields) => ({ verb: 'BDAT', size: fields.integer('size'), last: fields.boolean('last') }),
  AUTH: (fields) => ({
    verb: 'AUTH',
    mechanism: fields.string('mechanism'),
    initial: fields.has('initial') ? saslResponse(fields.object('initial')) : undefined,
  }),
  SASL: (fields) => ({ verb: 'SASL', response: saslResponse(fields.object('response')) }),
  XCLIENT: (fields) => ({
    verb: 'XCLIENT',
    attributes: fields.array('attributes').map(({ value, path }) => {
      const attribute = Fields.of(value, path);
      return { name: attribute.string('name'), value: attribute.string('value') };
    }),
  }),
  PROXY: (fields) => {
    const header = fields.object('header');
    return {
      verb: 'PROXY',
      header: {
        version: header.choice('version', PROXY_VERSIONS),
        source: endpoint(header.object('source')),
        destination: endpoint(header.object('destination')),
      },
    };
  },
};

const PROXY_VERSIONS = choicesOf<ProxyVersion>({ v1: true, v2: true });

function endpoint(fields: Fields): ProxyEndpoint {
  return { address: fields.string('address'), port: fields.integer('port') };
}

function command(fields: Fields): Command {
  const verb = fields.string('verb');
  if (!Object.hasOwn(COMMANDS, verb)) throw new Damage({ kind: 'unknown-kind', field: fields.field('verb'), value: verb });
  return COMMANDS[verb as Verb](fields);
}

const RECORD_TYPES = choicesOf<DnsRecord['type']>({ MX: true, A: true, AAAA: true, CNAME: true, OTHER: true });

function dnsRecord(fields: Fields): DnsRecord {
  const type = fields.choice('type', RECORD_TYPES);
  const name = fields.string('name');
  const ttl = fields.integer('ttl');
  switch (type) {
    case 'MX':
      return { type, name, ttl, preference: fields.integer('preference'), exchange: fields.string('exchange') };
    case 'A':
    case 'AAAA':
      return { type, name, ttl, address: fields.string('address') };
    case 'CNAME':
      return { type, name, ttl, target: fields.string('target') };
    case 'OTHER':
      return { type, name, ttl, rrtype: fields.string('rrtype') };
  }
}

function dnsRecords(fields: Fields, name: string): DnsRecord[] {
  return fields.array(name).map(({ value, path }) => dnsRecord(Fields.of(value, path)));
}

const PROBLEM_KINDS = choicesOf<CertificateProblem['kind']>({
  'self-signed': true,
  'self-signed-in-chain': true,
  expired: true,
  'not-yet-valid': true,
  'unknown-ca': true,
  'name-mismatch': true,
  other: true,
});

function certificateProblem(fields: Fields): CertificateProblem {
  const kind = fields.choice('kind', PROBLEM_KINDS);
  if (kind === 'name-mismatch') return { kind, altNames: fields.optionalString('altNames') };
  if (kind === 'other') return { kind, code: fields.string('code') };
  if (kind === 'unknown-ca' && fields.has('caGiven') && fields.boolean('caGiven')) return { kind, caGiven: true };
  return { kind };
}

const NO_ANSWER_REASONS = choicesOf<NoAnswer['reason']>({
  timeout: true,
  refused: true,
  network: true,
  closed: true,
  oversize: true,
  mismatched: true,
  malformed: true,
  truncated: true,
  referral: true,
});

function noAnswer(fields: Fields): NoAnswer {
  const reason = fields.choice('reason', NO_ANSWER_REASONS);
  switch (reason) {
    case 'timeout':
      return {
        reason,
        transport: fields.choice('transport', TRANSPORTS),
        timeoutMs: fields.number('timeoutMs'),
        ...(fields.has('malformed') ? { malformed: fields.integer('malformed') } : {}),
      };
    case 'refused':
      return { reason, transport: fields.choice('transport', TRANSPORTS) };
    case 'network':
      return { reason, transport: fields.choice('transport', TRANSPORTS), errno: fields.string('errno') };
    default:
      return { reason };
  }
}

/**
 * Notes and failures come in a hundred shapes, each with its words: the code must be one mailv
 * knows, and the replay shows every line once before it starts, so that a field of the wrong type
 * is found there (as `unshowable`) rather than halfway through the transcript.
 */
function coded<T>(fields: Fields, known: (code: string) => boolean): T {
  const code = fields.string('code');
  if (!known(code)) throw new Damage({ kind: 'unknown-kind', field: fields.field('code'), value: code });
  // Checked for good by showing it: see above. A fact nests a few levels (a note's failure's reply's
  // lines); thousands, which only an edit makes, would exhaust the stack of whatever walks them.
  if (nestedDeeperThan(fields.whole, MAX_FACT_DEPTH)) throw new Damage({ kind: 'unshowable' });
  return fields.whole as T;
}

const MAX_FACT_DEPTH = 12;

/** Whether `value` holds arrays or objects more than `levels` deep; stops looking at that depth. */
function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((each) => nestedDeeperThan(each, levels - 1));
}

type EventDecoders = { readonly [K in SessionEvent['kind']]: (fields: Fields, codes: KnownCodes) => Extract<SessionEvent, { kind: K }> };

const ADDRESS_SOURCES = choicesOf<NonNullable<AddressOrigin['source']>>({
  From: true,
  'Resent-From': true,
  To: true,
  Cc: true,
  Bcc: true,
  'Resent-To': true,
  'Resent-Cc': true,
  'Resent-Bcc': true,
  'config-file': true,
  user: true,
});

function addressOrigin(fields: Fields): AddressOrigin {
  const row: AddressOrigin = {
    address: fields.string('address'),
    envelope: fields.has('envelope') ? fields.choice('envelope', ['MAIL From', 'RCPT To'] as const) : undefined,
    header: fields.has('header') ? fields.choice('header', SHOWN_FIELDS) : undefined,
    blind: fields.boolean('blind'),
    source: fields.has('source') ? fields.choice('source', ADDRESS_SOURCES) : undefined,
  };
  // A row the table could hold, as the explanations read it: an edit that makes a blind copy of a
  // To: recipient, or a sender of a Cc:, would have them say what no message ever was.
  const author = isAuthorField(row.header);
  const holds =
    row.envelope === undefined
      ? row.header !== undefined && !row.blind
      : row.envelope === 'MAIL From'
        ? !row.blind && (row.header === undefined || author)
        : row.header === undefined || (!author && !row.blind);
  if (!holds) throw new Damage({ kind: 'bad-field', field: fields.path, expected: 'address-row' });
  return row;
}

const EVENTS: EventDecoders = {
  addresses: (fields) => ({ kind: 'addresses', addresses: fields.array('addresses').map(({ value, path }) => addressOrigin(Fields.of(value, path))) }),
  connecting: (fields) => ({
    kind: 'connecting',
    recipients: fields.strings('recipients'),
    host: fields.string('host'),
    port: fields.integer('port'),
    via: fields.choice('via', ['relay', 'esmtp', 'lmtp'] as const),
    ...(fields.has('implicitTls') ? { implicitTls: fields.boolean('implicitTls') } : {}),
    ...(fields.has('demo') && fields.boolean('demo') ? { demo: true as const } : {}),
  }),
  connected: (fields) => ({ kind: 'connected', address: fields.string('address'), port: fields.integer('port') }),
  send: (fields) => ({
    kind: 'send',
    stage: fields.choice('stage', STAGES),
    command: command(fields.object('command')),
    pipelined: fields.boolean('pipelined'),
  }),
  flight: (fields) => ({ kind: 'flight', commands: fields.integer('commands') }),
  reply: (fields) => ({
    kind: 'reply',
    stage: fields.choice('stage', STAGES),
    reply: reply(fields.object('reply')),
    recipient: fields.optionalString('recipient'),
    ...(fields.has('ehlo') ? { ehlo: ehloOffer(fields.object('ehlo')) } : {}),
  }),
  'unreadable-reply': (fields) => ({ kind: 'unreadable-reply', lines: fields.strings('lines') }),
  body: (fields) => ({ kind: 'body', bytes: fields.base64('bytes') }),
  committed: (fields) => ({ kind: 'committed', verb: fields.choice('verb', ['DATA', 'BDAT'] as const), size: fields.integer('size') }),
  recipient: (fields) => ({
    kind: 'recipient',
    recipient: fields.string('recipient'),
    outcome: fields.choice('outcome', ['sent', 'refused', 'deferred'] as const),
    reply: fields.has('reply') ? reply(fields.object('reply')) : undefined,
    ...(fields.has('next') && fields.boolean('next') ? { next: true as const } : {}),
    ...(fields.has('restated') && fields.boolean('restated') ? { restated: true as const } : {}),
  }),
  note: (fields, codes) => ({
    kind: 'note',
    note: coded<Note>(fields.object('note'), codes.isNote),
    severity: fields.choice('severity', ['info', 'warning'] as const),
  }),
  'ehlo-learned': (fields) => ({
    kind: 'ehlo-learned',
    key: ehloKey(fields.object('key')),
    offer: ehloOffer(fields.object('offer')),
    ...(fields.has('notEarly') ? { notEarly: fields.choice('notEarly', ['tls-follows', 'no-pipelining'] as const) } : {}),
  }),
  // Recordings made before `lasting` was kept said the server was forgotten, no more.
  'ehlo-forgotten': (fields) => ({ kind: 'ehlo-forgotten', key: ehloKey(fields.object('key')), lasting: fields.has('lasting') && fields.boolean('lasting') }),
  closing: (fields) => ({ kind: 'closing', host: fields.string('host') }),
  traffic: (fields) => ({ kind: 'traffic', sent: fields.integer('sent'), received: fields.integer('received') }),
  tls: (fields) => ({
    kind: 'tls',
    protocol: fields.string('protocol'),
    cipher: fields.string('cipher'),
    subject: fields.string('subject'),
    issuer: fields.string('issuer'),
    validFrom: fields.string('validFrom'),
    validTo: fields.string('validTo'),
    verified: fields.boolean('verified'),
    problem: fields.has('problem') ? certificateProblem(fields.object('problem')) : undefined,
    ...(fields.has('resumed') && fields.boolean('resumed') ? { resumed: true as const } : {}),
    ...(fields.has('clientCertificate')
      ? { clientCertificate: fields.choice('clientCertificate', ['offered', 'unsuitable', 'none', 'withheld', 'not-asked'] as const) }
      : {}),
    ...(fields.has('clientSubject') ? { clientSubject: fields.string('clientSubject') } : {}),
    ...(fields.has('fingerprint') ? { fingerprint: fields.string('fingerprint') } : {}),
    ...(fields.has('checkedAs') ? { checkedAs: checkedAs(fields.object('checkedAs')) } : {}),
  }),
  unsettled: (fields, codes) => ({
    kind: 'unsettled',
    recipients: fields.strings('recipients'),
    error: coded<ErrorFact>(fields.object('error'), codes.isError),
  }),
  deferred: (fields, codes) => ({
    kind: 'deferred',
    recipients: fields.strings('recipients'),
    host: fields.string('host'),
    address: fields.string('address'),
    error: coded<ErrorFact>(fields.object('error'), codes.isError),
  }),
  'dns-query': (fields) => ({
    kind: 'dns-query',
    name: fields.string('name'),
    type: fields.choice('type', QUERY_TYPES),
    server: fields.string('server'),
    transport: fields.choice('transport', TRANSPORTS),
    ...(fields.has('edns') && !fields.boolean('edns') ? { edns: false as const } : {}),
  }),
  'dns-answer': (fields) => ({
    kind: 'dns-answer',
    name: fields.string('name'),
    type: fields.choice('type', QUERY_TYPES),
    server: fields.string('server'),
    rcode: fields.string('rcode'),
    truncated: fields.boolean('truncated'),
    ...(fields.has('transport') ? { transport: fields.choice('transport', TRANSPORTS) } : {}),
    answers: dnsRecords(fields, 'answers'),
    additionals: dnsRecords(fields, 'additionals'),
    ...(fields.has('referral') && fields.boolean('referral') ? { referral: true as const } : {}),
    ms: fields.number('ms'),
  }),
  'dead-letter': (fields) => ({ kind: 'dead-letter', path: fields.string('path'), size: fields.integer('size'), unfinished: fields.boolean('unfinished') }),
  'dns-no-answer': (fields) => ({
    kind: 'dns-no-answer',
    name: fields.string('name'),
    type: fields.choice('type', QUERY_TYPES),
    server: fields.string('server'),
    ...noAnswer(fields),
  }),
  'mx-plan': (fields) => ({ kind: 'mx-plan', plan: mxPlan(fields.object('plan')) }),
  'null-mx': (fields) => ({
    kind: 'null-mx',
    domain: fields.string('domain'),
    ...(fields.has('invalid') && fields.boolean('invalid') ? { invalid: true as const } : {}),
  }),
};

const NO_ADDRESS_REASONS = choicesOf<NoAddressReason>({
  'no-such-host': true,
  'no-record': true,
  'not-a-host-name': true,
  'lookup-failed': true,
  'out-of-time': true,
});

function serverFailure(fields: Fields): ServerFailure {
  const server = fields.string('server');
  if (fields.string('reason') === 'rcode') return { server, reason: 'rcode', rcode: fields.string('rcode') };
  return { server, ...noAnswer(fields) };
}

function noAddress(fields: Fields): NoAddress {
  const reason = fields.choice('reason', NO_ADDRESS_REASONS);
  if (reason !== 'lookup-failed') return { reason };
  const failure = fields.object('failure');
  const kind = failure.choice('kind', ['servers', 'cname-chain'] as const);
  if (kind === 'cname-chain') return { reason, failure: { kind, limit: failure.integer('limit') } };
  return { reason, failure: { kind, failures: failure.array('failures').map(({ value, path }) => serverFailure(Fields.of(value, path))) } };
}

function mxHost(fields: Fields): MxHost {
  return {
    name: fields.string('name'),
    preference: fields.integer('preference'),
    addresses: fields.strings('addresses'),
    implicit: fields.boolean('implicit'),
    noAddress: fields.has('noAddress') ? fields.choice('noAddress', NO_ADDRESS_REASONS) : undefined,
    problem: fields.has('problem') ? noAddress(fields.object('problem')) : undefined,
  };
}

/** -4 or -6, as a plan records it. */
function family(fields: Fields): 4 | 6 {
  const value = fields.integer('family');
  if (value !== 4 && value !== 6) throw new Damage({ kind: 'bad-field', field: fields.field('family'), expected: 'address-family' });
  return value;
}

function mxPlan(fields: Fields): MxPlan {
  return {
    domain: fields.string('domain'),
    ...(fields.has('literal') && fields.boolean('literal') ? { literal: true as const } : {}),
    hosts: fields.array('hosts').map(({ value, path }) => mxHost(Fields.of(value, path))),
    ignored: fields.integer('ignored'),
    ties: fields.array('ties').map(({ value, path }) => {
      const tie = Fields.of(value, path);
      return { preference: tie.integer('preference'), hosts: tie.strings('hosts') };
    }),
    ...(fields.has('family') ? { family: family(fields) } : {}),
  };
}

function event(fields: Fields, codes: KnownCodes): SessionEvent {
  const kind = fields.string('kind');
  if (!Object.hasOwn(EVENTS, kind)) throw new Damage({ kind: 'unknown-kind', field: fields.field('kind'), value: kind });
  return (EVENTS[kind as SessionEvent['kind']] as (fields: Fields, codes: KnownCodes) => SessionEvent)(fields, codes);
}

function header(value: unknown): RecordHeader {
  if (!isObject(value) || value['format'] !== RECORD_FORMAT) throw new Damage({ kind: 'not-a-record' });
  const fields = Fields.of(value, 'header');
  const version = value['version'];
  if (version !== RECORD_VERSION) throw new Damage({ kind: 'unknown-version', version: JSON.stringify(version ?? null), supported: RECORD_VERSION });
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    mailv: fields.string('mailv'),
    started: fields.string('started'),
    language: fields.choice('language', LANGUAGES),
    ...(fields.has('mxLookup') ? { mxLookup: mxLookup(fields.object('mxLookup')) } : {}),
  };
}

function mxLookup(fields: Fields): NonNullable<RecordHeader['mxLookup']> {
  const port = fields.integer('port');
  if (port < 1 || port > 65535) throw new Damage({ kind: 'bad-field', field: fields.field('port'), expected: 'integer' });
  return { domain: fields.string('domain'), port };
}

function end(fields: Fields, at: number, line: number, codes: KnownCodes): RecordedEnd {
  const status = fields.integer('status');
  if (status > 255) throw new Damage({ kind: 'bad-field', field: fields.field('status'), expected: 'integer' });
  return { at, line, status, failure: fields.has('failure') ? failure(fields.object('failure'), codes) : undefined };
}

function failure(fields: Fields, codes: KnownCodes): RecordedFailure {
  return { fact: coded<ErrorFact>(fields.object('fact'), codes.isError), stage: fields.has('stage') ? fields.choice('stage', STAGES) : undefined };
}

/** The whole record in `text`, read from `path` (`-`: standard input); throws InputError (65). */
export function decodeRecord(given: string, path: string, codes: KnownCodes): Recording {
  // An editor's byte-order mark before the first line is no part of it (a record is UTF-8).
  const text = given.startsWith('\uFEFF') ? given.slice(1) : given;
  const lines = text.split('\n');
  // A record ends each line with a newline: a last line without one was cut short, unless it reads whole.
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  let number = 0;
  const damaged = (problem: RecordProblem, line = number) => new InputError({ code: 'MAILV_RECORD_DAMAGED', path, line, problem }, ExitCode.DATAERR);
  let found: RecordHeader | undefined;
  let ending: RecordedEnd | undefined;
  const entries: RecordedEntry[] = [];
  /** The time of the line before. */
  let previous = 0;
  for (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw damaged({ kind: number === lines.length && !complete ? 'truncated' : 'not-json' });
    }
    try {
      if (found === undefined) {
        found = header(value);
        continue;
      }
      if (!isObject(value)) throw new Damage({ kind: ending === undefined ? 'unknown-line' : 'after-end' });
      // Said before anything else it lacks: two records joined read as one otherwise fail on `at`, or after the end.
      if (value['format'] === RECORD_FORMAT) throw new Damage({ kind: 'second-header' });
      if (ending !== undefined) throw new Damage({ kind: 'after-end' });
      const fields = Fields.of(value, 'line');
      const at = value['at'];
      // Beyond 2^53 ms the run's clock (its start plus `at`) loses the time, or becomes Infinity.
      if (typeof at !== 'number' || !Number.isFinite(at) || at < 0 || at > Number.MAX_SAFE_INTEGER) {
        throw new Damage({ kind: 'bad-field', field: 'at', expected: 'time' });
      }
      // Times that go back would make --timing's durations negative.
      if (at < previous) throw new Damage({ kind: 'bad-field', field: 'at', expected: 'later-time' });
      previous = at;
      if (fields.has('event')) entries.push({ kind: 'event', at, line: number, event: event(Fields.of(value['event'], 'event'), codes) });
      else if (fields.has('note')) entries.push({ kind: 'note', at, line: number, note: coded<Note>(Fields.of(value['note'], 'note'), codes.isNote) });
      else if (fields.has('failure')) entries.push({ kind: 'failure', at, line: number, failure: failure(Fields.of(value['failure'], 'failure'), codes) });
      else if (fields.has('end')) ending = end(Fields.of(value['end'], 'end'), at, number, codes);
      else throw new Damage({ kind: 'unknown-line' });
    } catch (error) {
      if (error instanceof Damage) throw damaged(error.problem);
      throw error;
    }
  }
  if (found === undefined) throw damaged({ kind: 'empty' }, Math.max(number, 1));
  if (ending === undefined) throw damaged({ kind: 'no-end' }, number + 1);
  return { header: found, entries, end: ending };
}
