// Builds the RFC 5322 / MIME message (RFC 2045-2047, RFC 2231, RFC 6152) as a sequence of
// segments whose sizes are known before a byte is sent, so SIZE= is exact and large parts stream.
// Deterministic given its inputs (date, Message-ID); no I/O of its own beyond reading sources.
import { isUtf8 } from 'node:buffer';
import { UsageError } from '../errors.js';
import { domainOf, parseAddressEntries, parseAddressList, type AddressEntry, type Mailbox } from './address.js';
import type { ShownField } from './address-origin.js';
import { contentTypeFor, takesCharset } from './content-type.js';
import { Base64Encoder, QuotedPrintableEncoder, base64EncodedSize } from './encoding.js';
import { encodeFieldText, encodePhrase, encodeUnstructured, foldHeader, formatMailbox, lineRoom } from './header.js';
import { boundaryFor, formatRfc5322Date } from './identity.js';
import { LineEndingNormalizer } from './line-endings.js';
import { BREAK_OCTETS, LineBreaker, foldLongLines } from './long-lines.js';
import { QUALIFIED_FIELDS, qualifyAddresses } from './qualify.js';
import { beingResent, fieldName, isResentName, type HeaderBlock } from './raw-message.js';
import { transformChunks, type ByteSource } from './source.js';
import { MAX_LINE_OCTETS, charsetOf, type TextCharset, type TextStats } from './text-stats.js';

/** A piece of the message in wire form (CRLF lines, not yet dot-stuffed) with its exact size. */
export interface Segment {
  readonly size: number;
  chunks(): AsyncIterable<Buffer>;
  /** The same octets, each chunk valid only until the next is asked for (see ByteSource). */
  lentChunks?(): AsyncIterable<Buffer>;
}

export interface ComposedMessage {
  /** Octets as RFC 1870 counts them: CRLF lines, before dot-stuffing. */
  readonly size: number;
  /** Carries 8-bit content: announce BODY=8BITMIME (RFC 6152). */
  readonly eightBit: boolean;
  /**
   * Its header holds UTF-8 that no encoding can carry (an address such as jörg@example.org in a
   * field, RFC 6532): announce SMTPUTF8 to a server that offers it (RFC 6531 §3.4).
   */
  readonly utf8Header?: boolean;
  chunks(): AsyncIterable<Buffer>;
  /**
   * The same octets, each chunk valid only until the next is asked for: for the sender, which
   * copies them into its own write buffer, so a large message reuses memory instead of touching
   * fresh pages for every chunk.
   */
  lentChunks(): AsyncIterable<Buffer>;
  /** The whole message, when it is held in memory (see heldMessage()). */
  readonly whole?: Buffer;
  /** The envelope recipients of this copy, where they are its own (a load run's --vary-recipients); else the session's. */
  readonly recipients?: readonly string[];
}

export interface BodyInput {
  readonly source: ByteSource;
  readonly stats: TextStats;
}

export interface AttachmentInput {
  readonly fileName: string;
  readonly source: ByteSource;
}

export interface Draft {
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly subject: string | undefined;
  /** -H headers; one named like a generated header replaces it. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: BodyInput;
  /** The body's text type (--content-type); text/plain when undefined. */
  readonly bodyType?: string | undefined;
  readonly attachments: readonly AttachmentInput[];
  readonly date: Date;
  readonly messageId: string;
}

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable';

/**
 * Headers whose values are mailboxes: given with -H, they are parsed and written as such (an
 * encoded-word may stand in a display name only, never in an address or a quoted string: RFC 2047
 * §5). Those a passed-through message's are qualified in, and the mailing lists' follow-up fields.
 */
const ADDRESS_HEADERS: ReadonlySet<string> = new Set([...QUALIFIED_FIELDS, 'mail-followup-to', 'mail-reply-to']);

/** Headers mailv writes from the MIME structure; -H may not set them. */
const STRUCTURAL_HEADERS = new Set(['mime-version', 'content-type', 'content-transfer-encoding']);

/** A date-time (RFC 5322 §3.3, §4.3): `[Mon, ]1 Jan 2024 09:00[:00] +0000`, in any case, the obsolete years and zone names too. */
const DATE_TIME =
  /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(?:[+-]\d\d(\d\d)|UT|GMT|[ECMP][SD]T|[A-IK-Z])(?:\s*\([^()]*\))?$/i;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date-time of that form that names a real moment (RFC 5322 §3.3): a day the month has, an hour,
 * minute and second that exist (60 for a leap second), a zone's minutes under 60, and the weekday,
 * when given, the date's own. A two- or three-digit year is read as §4.3 reads it.
 */
function isDateTime(text: string): boolean {
  const parts = DATE_TIME.exec(text);
  if (parts === null) return false;
  const [, weekday, day, month, yearText, hour, minute, second, zoneMinutes] = parts;
  const year = yearText!.length === 4 ? Number(yearText) : yearText!.length === 3 || Number(yearText) >= 50 ? 1900 + Number(yearText) : 2000 + Number(yearText);
  const monthIndex = MONTHS.indexOf(month!.toLowerCase());
  const date = new Date(Date.UTC(year, monthIndex, Number(day)));
  // Date.UTC reads years 0 to 99 as 1900 to 1999: set again, whole.
  date.setUTCFullYear(year, monthIndex, Number(day));
  if (date.getUTCMonth() !== monthIndex || Number(day) === 0) return false;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 60 || Number(zoneMinutes ?? 0) > 59) return false;
  return weekday === undefined || WEEKDAYS[date.getUTCDay()] === weekday.toLowerCase();
}
/** A msg-id (RFC 5322 §3.6.4): `<left@right>`, printable ASCII without spaces or angle brackets. */
const MSG_ID = '<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>';
/** One msg-id or more, as In-Reply-To and References hold them. */
const MSG_IDS = new RegExp(`^${MSG_ID}(?:\\s*${MSG_ID})*$`);
const MSG_ID_ALONE = new RegExp(`^${MSG_ID}$`);
const VALUE_FORMS: Readonly<Record<string, { readonly holds: (text: string) => boolean; readonly wanted: 'date' | 'msg-id' | 'msg-ids' }>> = {
  date: { holds: isDateTime, wanted: 'date' },
  'resent-date': { holds: isDateTime, wanted: 'date' },
  'message-id': { holds: (text) => MSG_ID_ALONE.test(text), wanted: 'msg-id' },
  'resent-message-id': { holds: (text) => MSG_ID_ALONE.test(text), wanted: 'msg-id' },
  'in-reply-to': { holds: (text) => MSG_IDS.test(text), wanted: 'msg-ids' },
  references: { holds: (text) => MSG_IDS.test(text), wanted: 'msg-ids' },
};

/** Fields a message has at most once (RFC 5322 §3.6, its table; Bcc is never given with -H). */
const ONCE_ONLY = new Set(['date', 'from', 'sender', 'reply-to', 'to', 'cc', 'message-id', 'in-reply-to', 'references', 'subject']);

/** Fields of mailboxes only, no group (RFC 5322 §3.6.2): the authors, and the one who sent it. */
const MAILBOX_FIELDS = new Set(['from', 'resent-from', 'sender', 'resent-sender']);

/**
 * Throws UsageError for -H headers that would contradict the envelope or the MIME structure, or
 * whose addresses RFC 5322 §3.6 would not have: none at all, a group among the authors, several
 * authors with nobody named as the sender. A bare local name gets `defaultDomain`.
 */
export function assertExtraHeaders(headers: readonly (readonly [string, string])[], defaultDomain: string): void {
  const named = (wanted: string) => headers.some(([name]) => name.toLowerCase() === wanted);
  const seen = new Set<string>();
  for (const [name, value] of headers) {
    assertExtraHeaderAllowed(name);
    const lower = name.toLowerCase();
    if (ONCE_ONLY.has(lower) && seen.has(lower)) throw new UsageError({ code: 'MAILV_HEADER_TWICE', name });
    seen.add(lower);
    // Structured fields of the forms mailv would write itself: an encoded-word may not stand in one
    // (RFC 2047 §5), so a value not of its form cannot be carried as text either.
    const form = VALUE_FORMS[lower];
    if (form !== undefined && !form.holds(value.trim())) throw new UsageError({ code: 'MAILV_HEADER_VALUE_FORM', name, value, wanted: form.wanted });
    // An identifier is never folded inside, nor encoded (RFC 2047 §5): one longer than its line
    // leaves room for could be written in no form a reader takes.
    const longest = lineRoom(name);
    const tooLong = form === undefined || form.wanted === 'date' ? undefined : value.match(/<[^<>\s]*>/g)?.find((id) => id.length > longest);
    if (tooLong !== undefined) throw new UsageError({ code: 'MAILV_HEADER_ID_TOO_LONG', name, length: tooLong.length, longest });
    if (!ADDRESS_HEADERS.has(lower)) continue;
    const entries = parseAddressEntries(value, defaultDomain);
    if (entries.length === 0) throw new UsageError({ code: 'MAILV_HEADER_ADDRESS_EMPTY', name, groupAllowed: !MAILBOX_FIELDS.has(lower) });
    if (!MAILBOX_FIELDS.has(lower)) continue;
    if (entries.some((entry) => entry.kind === 'group')) throw new UsageError({ code: 'MAILV_HEADER_ADDRESS_GROUP', name });
    if (lower.endsWith('sender') && entries.length > 1) throw new UsageError({ code: 'MAILV_HEADER_ADDRESS_ONE', name, count: entries.length });
    if (lower.endsWith('from') && entries.length > 1 && !named(lower.replace('from', 'sender'))) {
      throw new UsageError({ code: 'MAILV_HEADER_SENDER_NEEDED', name: lower === 'from' ? 'From' : 'Resent-From', count: entries.length });
    }
  }
}

/** Throws UsageError for a -H header that would contradict the envelope or the MIME structure. */
function assertExtraHeaderAllowed(name: string): void {
  const lower = name.toLowerCase();
  // Resent-Bcc (RFC 5322 §3.6.6) would show its blind copies just as well.
  if (lower === 'bcc' || lower === 'resent-bcc') throw new UsageError({ code: 'MAILV_HEADER_BCC' });
  // RFC 5321 §4.4: only final delivery writes it, from MAIL FROM; a client's own would mislead.
  if (lower === 'return-path') throw new UsageError({ code: 'MAILV_HEADER_RETURN_PATH' });
  if (STRUCTURAL_HEADERS.has(lower)) throw new UsageError({ code: 'MAILV_HEADER_STRUCTURAL', name });
}

/** 7bit when plain ASCII in short lines; 8bit when the server takes it (8BITMIME); QP otherwise. */
export function chooseTransferEncoding(stats: TextStats, eightBitMime: boolean): TransferEncoding {
  if (stats.hasNul || stats.longestLine > MAX_LINE_OCTETS) return 'quoted-printable';
  if (stats.ascii) return '7bit';
  return eightBitMime ? '8bit' : 'quoted-printable';
}

/**
 * The charset the body is labelled with: ASCII, UTF-8, or, for octets that are neither (Latin-1 typed
 * in a UTF-8 locale, a binary file piped), RFC 1428's unknown-8bit, which claims nothing untrue.
 */
export function bodyCharset(stats: TextStats): 'us-ascii' | 'utf-8' | 'unknown-8bit' {
  return stats.ascii ? 'us-ascii' : stats.utf8 ? 'utf-8' : 'unknown-8bit';
}

/** Composes the message for a server that does (or does not) offer 8BITMIME. */
export async function composeMessage(draft: Draft, options: { eightBitMime: boolean }): Promise<ComposedMessage> {
  const encoding = chooseTransferEncoding(draft.body.stats, options.eightBitMime);
  const textHeaders =
    `Content-Type: ${draft.bodyType ?? 'text/plain'}; charset=${bodyCharset(draft.body.stats)}\r\n` + `Content-Transfer-Encoding: ${encoding}\r\n`;
  const body = await textSegment(draft.body, encoding);
  const top = topHeaders(draft);
  let segments: Segment[];
  if (draft.attachments.length === 0) {
    segments = [bytesSegment(`${top}MIME-Version: 1.0\r\n${textHeaders}\r\n`), body];
  } else {
    const boundary = boundaryFor(draft.messageId);
    segments = [
      bytesSegment(
        `${top}MIME-Version: 1.0\r\n` +
          foldHeader('Content-Type', `multipart/mixed; boundary="${boundary}"`) +
          // A multipart entity is as wide as its widest part (RFC 2045 §6.4): left out, it says 7bit.
          (encoding === '8bit' ? 'Content-Transfer-Encoding: 8bit\r\n' : '') +
          `\r\nThis is a multi-part message in MIME format.\r\n\r\n--${boundary}\r\n${textHeaders}\r\n`,
      ),
      body,
    ];
    // RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary, so each part's own
    // final line break (the text's last newline) is followed by one more.
    for (const attachment of draft.attachments) {
      const headers = attachmentHeaders(attachment.fileName, await attachmentCharset(attachment));
      segments.push(bytesSegment(`\r\n--${boundary}\r\n${headers}\r\n`), base64Segment(attachment.source));
    }
    segments.push(bytesSegment(`\r\n--${boundary}--\r\n`));
  }
  return joinSegments(segments, encoding === '8bit', !isAscii(top));
}

/**
 * -t: the user's own message, passed through but for CRLF, a removed Bcc and Return-Path, and Date, Message-ID and
 * From added when missing. `sequence` (a load run's --vary): the Subject ends with ` #sequence` and
 * the message's own Message-ID gives way to `messageId`, so that each copy is a distinct message.
 */
export function passThroughMessage(
  headerFields: readonly string[],
  headerBlockWireOctets: number,
  whole: BodyInput,
  bodySource: ByteSource,
  additions: { date: Date; messageId: string; from: Mailbox; sequence?: number | undefined; localDomain?: string | undefined },
  /** Breaks the body's lines past 998 octets take (its own TextStats.overlongBreaks). */
  bodyOverlongBreaks = 0,
): ComposedMessage {
  const names = headerFields.map(fieldName);
  const { sequence } = additions;
  // Bcc and Resent-Bcc (RFC 5322 §3.6.3, §3.6.6) name who must stay unseen: never sent, as
  // sendmail and Postfix remove both. Return-Path is final delivery's to write, from the envelope
  // (RFC 5321 §4.4: an originating system should not send one); Postfix drops it too.
  const dropped = (name: string | undefined) =>
    name === 'bcc' || name === 'resent-bcc' || name === 'return-path' || (sequence !== undefined && name === 'message-id');
  const { localDomain } = additions;
  const kept = headerFields
    .flatMap((field, index) => {
      const name = names[index]!;
      if (dropped(name)) return [];
      if (sequence !== undefined && name === 'subject') return [foldLongLines(numbered(field, sequence))];
      // cron's `To: root`: qualified as Postfix qualifies it, for servers refuse a From: without a domain.
      if (localDomain !== undefined && QUALIFIED_FIELDS.has(name)) {
        const colon = field.indexOf(':');
        return [foldLongLines(field.slice(0, colon + 1) + qualifyAddresses(field.slice(colon + 1), localDomain))];
      }
      return [foldLongLines(field)];
    })
    .join('');
  let added = '';
  // A message being resent (a Resent- field) gets the resent block's date, id and author (RFC 5322
  // §3.6.6), its own header left as it came, as Postfix's cleanup reads it; any other, its own.
  const prefix = beingResent(headerFields) ? 'Resent-' : '';
  const missing = (name: string) => !names.includes(`${prefix}${name}`.toLowerCase());
  if (missing('Date')) added += foldHeader(`${prefix}Date`, formatRfc5322Date(additions.date));
  if (missing('Message-ID') || (sequence !== undefined && prefix === '')) added += foldHeader(`${prefix}Message-ID`, additions.messageId);
  if (sequence !== undefined && !names.includes('subject')) added += foldHeader('Subject', `#${sequence}`);
  if (missing('From')) added += foldHeader(`${prefix}From`, formatMailbox(additions.from)); // RFC 5322 §3.6: required
  const header = Buffer.concat([Buffer.from(kept, 'latin1'), Buffer.from(`${added}\r\n`, 'utf8')]);
  const bodyOctets = bodySource.size === 0 ? 0 : whole.stats.wireOctets - headerBlockWireOctets;
  const body: Segment =
    bodyOverlongBreaks === 0
      ? { size: bodyOctets, chunks: () => crlfText(bodySource, false), lentChunks: () => crlfText(bodySource, true) }
      : { size: bodyOctets + BREAK_OCTETS * bodyOverlongBreaks, chunks: () => brokenLines(crlfText(bodySource, false)) };
  // Raw 8-bit that is not UTF-8 (Latin-1 headers) is no SMTPUTF8 message: servers check what it announces.
  const utf8Header = (!isAscii(kept) && isUtf8(Buffer.from(kept, 'latin1'))) || !isAscii(added);
  return joinSegments([bytesSegment(header), body], !whole.stats.ascii, utf8Header);
}

/**
 * A complete message of the user's own as it was read, Bcc and all, its lines ended with CRLF,
 * without the `leading` mbox From line (sendmail mode): what dead.letter keeps of it. Its header
 * (`block`, when it was read as one) as its fields were read: a CR alone inside a line there is a
 * space, as in what is sent, not a line break that would make a field of its own once resent.
 */
export function messageAsRead(whole: BodyInput, block?: Pick<HeaderBlock, 'fields' | 'inputOctets' | 'wireOctets'>): KeptMessage {
  if (block === undefined) return { size: whole.stats.wireOctets, chunks: () => crlfText(whole.source, false) };
  const header = Buffer.from(`${block.fields.join('')}\r\n`, 'latin1');
  const body = whole.source.slice(block.inputOctets);
  return {
    size: header.length + (body.size === 0 ? 0 : whole.stats.wireOctets - block.wireOctets),
    chunks: async function* () {
      yield header;
      yield* crlfText(body, false);
    },
  };
}

/** Octets to keep, CRLF-ended, as dead.letter takes them. */
export interface KeptMessage {
  readonly size: number;
  chunks(): AsyncIterable<Buffer>;
}

/**
 * The mailboxes the message's `field` shows, as topHeaders() writes it: mailv's own, unless -H
 * names the field. Each -H replaces a field mailv writes (the last one stays); with none to
 * replace (no To: without recipients for it), every -H of that name is added.
 */
export function shownMailboxes(draft: Pick<Draft, 'from' | 'to' | 'cc' | 'headers'>, field: ShownField): readonly Mailbox[] {
  // mailv writes a Resent-From of its own beside a Resent- field -H gives (see topHeaders()), no other.
  const author = field === 'From' || (field === 'Resent-From' && givesResentField(draft.headers));
  const generated = author ? [draft.from] : field === 'To' ? draft.to : field === 'Cc' ? draft.cc : [];
  const given = draft.headers
    .filter(([name]) => name.toLowerCase() === field.toLowerCase())
    .map(([, value]) => parseAddressList(value, domainOf(draft.from.address)));
  if (given.length === 0) return generated;
  return generated.length > 0 ? given.at(-1)! : given.flat();
}

/**
 * A Subject field (ending with CRLF, see readHeaderBlock, maybe folded already) with ` #sequence`
 * at the end of its value; on a line of its own (folded) when its last line would pass the 998
 * octets a line may hold (RFC 5322 §2.1.1).
 */
function numbered(field: string, sequence: number): string {
  const value = field.slice(0, -2);
  const fold = value.lastIndexOf('\r\n');
  const lastLine = fold === -1 ? value.length : value.length - fold - 2;
  const number = ` #${sequence}`;
  return `${value}${lastLine + number.length > MAX_LINE_OCTETS ? '\r\n' : ''}${number}\r\n`;
}

function topHeaders(draft: Draft): string {
  // -H Resent-…: the resent block gets the date and author every one must have, the fields grouped
  // before the others (RFC 5322 §3.6.6), as a message being resent has them.
  const resent: [string, string][] = givesResentField(draft.headers)
    ? [
        ['Resent-Date', formatRfc5322Date(draft.date)],
        ['Resent-From', formatMailbox(draft.from)],
      ]
    : [];
  const generated: [string, string][] = [
    ['Date', formatRfc5322Date(draft.date)],
    ['From', formatMailbox(draft.from)],
  ];
  if (draft.to.length > 0) generated.push(['To', draft.to.map(formatMailbox).join(', ')]);
  if (draft.cc.length > 0) generated.push(['Cc', draft.cc.map(formatMailbox).join(', ')]);
  if (draft.subject !== undefined) generated.push(['Subject', encodeUnstructured(draft.subject, lineRoom('Subject'))]);
  generated.push(['Message-ID', draft.messageId]);
  const extra: [string, string][] = [];
  for (const [name, value] of draft.headers) {
    const lower = name.toLowerCase();
    // Message identifiers glued together (`<a@b><c@d>`) get the space between them that folding needs.
    const text = VALUE_FORMS[lower]?.wanted === 'msg-ids' ? value.trim().replace(/>\s*</g, '> <') : value;
    const encoded = ADDRESS_HEADERS.has(lower) ? formatAddressEntries(parseAddressEntries(value, domainOf(draft.from.address))) : encodeFieldText(name, text);
    const replaced = [...resent, ...generated].find(([generatedName]) => generatedName.toLowerCase() === lower);
    if (replaced) replaced[1] = encoded;
    else (isResentName(lower) ? resent : extra).push([name, encoded]);
  }
  return [...resent, ...generated, ...extra].map(([name, value]) => foldHeader(name, value)).join('');
}

/** Whether -H gives a Resent- field: the message is then written as one being resent. */
function givesResentField(headers: Draft['headers']): boolean {
  return headers.some(([name]) => isResentName(name.toLowerCase()));
}

/** An address field's value, its groups kept: `Friends: a@example.org, b@example.org;`, `undisclosed-recipients:;`. */
function formatAddressEntries(entries: readonly AddressEntry[]): string {
  return entries
    .map((entry) =>
      entry.kind === 'mailbox'
        ? formatMailbox(entry.mailbox)
        : `${spacedAfter(encodePhrase(entry.name))}:${entry.members.length === 0 ? '' : ` ${entry.members.map(formatMailbox).join(', ')}`};`,
    )
    .join(', ');
}

/** A phrase before a special (a group's colon): an encoded-word at its end is followed by a space (RFC 2047 §5 (3)). */
function spacedAfter(phrase: string): string {
  return phrase.endsWith('?=') ? `${phrase} ` : phrase;
}

/** Each text attachment's charset, found once however often the message is composed. */
const charsets = new WeakMap<ByteSource, Promise<TextCharset>>();

/** The charset a text attachment declares; undefined for other types. Reads the file once. */
function attachmentCharset(attachment: AttachmentInput): Promise<TextCharset> {
  if (!takesCharset(contentTypeFor(attachment.fileName))) return Promise.resolve(undefined);
  let charset = charsets.get(attachment.source);
  if (charset === undefined) {
    charset = charsetOf(attachment.source.lentChunks());
    charsets.set(attachment.source, charset);
  }
  return charset;
}

function attachmentHeaders(fileName: string, charset: TextCharset): string {
  const type = contentTypeFor(fileName) + (charset === undefined ? '' : `; charset=${charset}`);
  const ascii = /^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName);
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, escapeRfc2231);
  const parameter = (key: string) => {
    const whole = ascii ? `${key}="${fileName}"` : `${key}*=UTF-8''${encoded}`;
    if (whole.length <= LONGEST_PARAMETER) return whole;
    // RFC 2231 §3: a long value in numbered sections, each folded onto a line of its own.
    const sections = ascii ? sectionsOf(fileName) : sectionsOf(encoded, true);
    return sections.map((section, index) => (ascii ? `${key}*${index}="${section}"` : `${key}*${index}*=${index === 0 ? "UTF-8''" : ''}${section}`)).join('; ');
  };
  return (
    foldHeader('Content-Type', `${type}; ${parameter('name')}`) +
    foldHeader('Content-Disposition', `attachment; ${parameter('filename')}`) +
    'Content-Transfer-Encoding: base64\r\n'
  );
}

/** A parameter longer than this is cut in sections, so that the header's lines stay under 78 characters. */
const LONGEST_PARAMETER = 60;
const SECTION = 48;

/** `value` cut in pieces of at most SECTION characters; `encoded`: never inside a `%XX`. */
function sectionsOf(value: string, encoded = false): string[] {
  const sections: string[] = [];
  for (let start = 0; start < value.length; ) {
    let end = Math.min(value.length, start + SECTION);
    if (encoded && end < value.length) {
      const percent = value.lastIndexOf('%', end - 1);
      if (percent > end - 3 && percent >= start) end = percent;
      // Nor inside a character: a reader may decode each section alone, and %C3 then %84 apart are no Ä.
      while (end > start + 3 && isContinuationEscape(value, end)) end -= 3;
    }
    sections.push(value.slice(start, end));
    start = end;
  }
  return sections;
}

/** `%80` to `%BF` at `at`: the escape of a UTF-8 continuation octet, which cannot begin a section. */
function isContinuationEscape(value: string, at: number): boolean {
  return value[at] === '%' && /^[89AB]$/i.test(value[at + 1] ?? '');
}

function escapeRfc2231(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

async function textSegment(body: BodyInput, encoding: TransferEncoding): Promise<Segment> {
  if (encoding !== 'quoted-printable') {
    return { size: body.stats.wireOctets, chunks: () => crlfText(body.source, false), lentChunks: () => crlfText(body.source, true) };
  }
  const chunks = () => quotedPrintable(body.source);
  let size = 0;
  for await (const chunk of chunks()) size += chunk.length; // QP's size is only known by encoding
  return { size, chunks };
}

function bytesSegment(content: string | Buffer): Segment {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    size: data.length,
    async *chunks() {
      yield data;
    },
  };
}

function base64Segment(source: ByteSource): Segment {
  // The encoder copies: it may always read lent chunks.
  const encoded = (lend: boolean) => {
    const base64 = new Base64Encoder({ reuseOutput: lend });
    return transformChunks(
      source.lentChunks(),
      (chunk) => base64.push(chunk),
      () => base64.end(),
    );
  };
  return { size: base64EncodedSize(source.size), chunks: () => encoded(false), lentChunks: () => encoded(true) };
}

/**
 * CRLF-normalised text that always ends with a line break (unless empty). The normaliser copies,
 * so the source may always lend its buffers. `lend`: the output is lent too; otherwise each chunk
 * is the caller's to keep, and one passed through unchanged is copied before the source reuses it.
 */
async function* crlfText(source: ByteSource, lend: boolean): AsyncIterable<Buffer> {
  const normalizer = new LineEndingNormalizer({ reuseOutput: lend });
  const normalize = (chunk: Buffer) => {
    const piece = normalizer.push(chunk);
    return lend || piece.buffer !== chunk.buffer ? piece : Buffer.from(piece);
  };
  let last = 0x0a;
  for await (const piece of transformChunks(source.lentChunks(), normalize, () => normalizer.end())) {
    last = piece[piece.length - 1]!;
    yield piece;
  }
  if (last !== 0x0a) yield Buffer.from('\r\n');
}

/** CRLF text with its lines past 998 octets broken, as Postfix's SMTP client breaks them. */
function brokenLines(text: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const breaker = new LineBreaker();
  return transformChunks(
    text,
    (chunk) => breaker.push(chunk),
    () => Buffer.alloc(0),
  );
}

function quotedPrintable(source: ByteSource): AsyncIterable<Buffer> {
  const encoder = new QuotedPrintableEncoder();
  return transformChunks(
    crlfText(source, false),
    (chunk) => encoder.push(chunk),
    () => encoder.end(),
  );
}

function joinSegments(segments: readonly Segment[], eightBit: boolean, utf8Header: boolean): ComposedMessage {
  return {
    size: segments.reduce((total, segment) => total + segment.size, 0),
    eightBit,
    utf8Header,
    async *chunks() {
      for (const segment of segments) yield* segment.chunks();
    },
    async *lentChunks() {
      for (const segment of segments) yield* segment.lentChunks?.() ?? segment.chunks();
    },
  };
}

/** A composed message read once into memory, to be sent many times without composing it again. */
export async function heldMessage(message: ComposedMessage): Promise<ComposedMessage> {
  const pieces: Buffer[] = [];
  for await (const chunk of message.chunks()) pieces.push(chunk);
  const octets = Buffer.concat(pieces);
  async function* whole(): AsyncIterable<Buffer> {
    yield octets;
  }
  return { size: octets.length, eightBit: message.eightBit, utf8Header: message.utf8Header, chunks: whole, lentChunks: whole, whole: octets };
}

/** Only US-ASCII: the header text (read as latin1 or composed) needs nothing of SMTPUTF8. */
export function isAscii(text: string): boolean {
  return !/[^\x00-\x7f]/.test(text);
}
