// From the plan and what was read on standard input to the envelope and a message factory: the
// composed message (flags) or the user's own (-t), built once the server's 8BITMIME is known.
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CapabilityError, InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseAddressList, type Mailbox } from '../message/address.js';
import { commasBetweenWords } from './sendmail-line.js';
import {
  composeMessage,
  isAscii,
  messageAsRead,
  passThroughMessage,
  shownMailboxes,
  type AttachmentInput,
  type BodyInput,
  type ComposedMessage,
  type KeptMessage,
} from '../message/compose.js';
import { newMessageId } from '../message/identity.js';
import { beingResent, fieldValues, readHeaderBlock } from '../message/raw-message.js';
import { bufferSource, fileSource } from '../message/source.js';
import { statsOf } from '../message/text-stats.js';
import type { Envelope } from '../message/envelope.js';
import {
  AUTHOR_FIELDS,
  RECIPIENT_FIELDS,
  SHOWN_FIELDS,
  isAuthorField,
  envelopeKey,
  mailboxKey,
  sameMailbox,
  type AddressOrigin,
  type RecipientField,
  type ShownField,
} from '../message/address-origin.js';
import type { Plan } from './options.js';
import { probeNeedsNoMessage } from '../smtp/quit-points.js';
import { systemProblem } from './system-problem.js';

export interface PreparedInput {
  readonly envelope: Envelope;
  /** Each address, where it goes (envelope, header) and where it came from: for -v and --explain. */
  readonly addresses: readonly AddressOrigin[];
  /** Where each envelope recipient came from, for -v and the dry run. */
  readonly bccOnly: ReadonlySet<string>;
  compose(eightBitMime: boolean): Promise<ComposedMessage>;
  /**
   * A complete message of the user's own (-t, or sendmail's standard input) as it was read, Bcc
   * and all: what dead.letter keeps of it, so that it can be sent again as it was meant.
   */
  readonly asRead?: KeptMessage;
  /** The message without its attachments: what dead.letter keeps when an attachment can no longer be read. */
  readonly withoutAttachments?: () => Promise<ComposedMessage>;
}

export interface OpenAttachments {
  readonly attachments: AttachmentInput[];
  /** Closes the files. */
  close(): Promise<void>;
}

/** Opens every -a file before anything is read or sent. Throws InputError (66). */
export async function openAttachments(paths: readonly string[]): Promise<OpenAttachments> {
  const handles: FileHandle[] = [];
  const close = async () => {
    await Promise.all(handles.map((handle) => handle.close().catch(() => {})));
  };
  const attachments: AttachmentInput[] = [];
  if (paths.length === 0) return { attachments, close };
  const { open, stat } = await import('node:fs/promises'); // not loaded at all for a plain message
  for (const path of paths) {
    const notFile = () => new InputError({ code: 'MAILV_ATTACHMENT_NOT_FILE', path }, ExitCode.NOINPUT);
    try {
      // The kind is checked before the open and again on the handle: opening a FIFO would wait for
      // a writer (O_NONBLOCK, should one be put in place meanwhile), and opening a device may act.
      if (!(await stat(path)).isFile()) throw notFile();
      const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
      handles.push(handle);
      const info = await handle.stat();
      if (!info.isFile()) throw notFile();
      // A file that says it is empty may not be (/proc's, /sys's): it is read now, whole, as a pipe
      // is, up to a limit, rather than attached empty.
      const source =
        info.size === 0
          ? bufferSource(await readUnsized(handle, path))
          : // A file changed while it is sent would go out as neither version: checked after its last octet.
            fileSource(handle, { kind: 'file', path }, 0, info.size, { size: info.size, mtimeMs: info.mtimeMs });
      attachments.push({ fileName: basename(path), source });
    } catch (error) {
      await close();
      if (error instanceof InputError) throw error;
      throw new InputError({ code: 'MAILV_ATTACHMENT_UNREADABLE', path, ...systemProblem(error) }, ExitCode.NOINPUT);
    }
  }
  return { attachments, close };
}

/** What a file that says it is empty may hold at most, read into memory (a /proc file holds a few KB). */
const MAX_UNSIZED_ATTACHMENT = 16 * 1024 * 1024;

/** The whole of an attachment whose size its file does not tell; InputError (66) past the limit. */
async function readUnsized(handle: FileHandle, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, null);
    if (bytesRead === 0) return Buffer.concat(chunks, length);
    chunks.push(buffer.subarray(0, bytesRead));
    length += bytesRead;
    if (length > MAX_UNSIZED_ATTACHMENT)
      throw new InputError({ code: 'MAILV_ATTACHMENT_UNSIZED_TOO_LARGE', path, limit: MAX_UNSIZED_ATTACHMENT }, ExitCode.NOINPUT);
  }
}

/** Builds the envelope and the message factory. Throws UsageError or InputError. */
export async function prepareInput(
  plan: Plan,
  body: BodyInput,
  attachments: readonly AttachmentInput[],
  now: Date,
  messageId = newMessageId(plan.fqdn),
  /** -t in a load run with --vary: this copy's number, for its Subject (see passThroughMessage). */
  sequence?: number,
): Promise<PreparedInput> {
  if (!plan.readRecipients) {
    const envelope = {
      from: plan.returnPath,
      recipients: unique([...plan.to, ...plan.cc, ...plan.bcc].map((mailbox) => mailbox.address)),
    };
    // An argument such as `undisclosed-recipients:;` or `-c ''` names nobody.
    if (envelope.recipients.length === 0 && !probeNeedsNoMessage(plan.quitAfter)) throw new UsageError({ code: 'MAILV_NO_RECIPIENT' });
    const draft = {
      from: plan.from,
      to: plan.to,
      cc: plan.cc,
      subject: plan.subject,
      headers: plan.headers,
      body,
      bodyType: plan.bodyType,
      attachments,
      date: now,
      messageId,
    };
    const addresses = addressTable({
      sender: { address: plan.returnPath, source: senderSource(plan) },
      recipients: [
        ...[...plan.to, ...plan.cc].map((m) => ({ address: m.address, source: undefined, blind: false })),
        ...plan.bcc.map((m) => ({ address: m.address, source: undefined, blind: true })),
      ],
      // -H may name other mailboxes than the envelope's in From:, To: or Cc:.
      shown: {
        From: shownMailboxes(plan, 'From'),
        To: shownMailboxes(plan, 'To'),
        Cc: shownMailboxes(plan, 'Cc'),
        'Resent-From': shownMailboxes(plan, 'Resent-From'),
        'Resent-To': shownMailboxes(plan, 'Resent-To'),
        'Resent-Cc': shownMailboxes(plan, 'Resent-Cc'),
      },
      // With the null sender, From: names the author apart from the envelope (unless -H gave it).
      // The author fields mailv writes itself (Resent-From beside a Resent- field of -H's) name who -r or $USER says.
      headerSource: (field) =>
        isAuthorField(field) && !plan.headers.some(([name]) => name.toLowerCase() === field.toLowerCase()) ? authorSource(plan) : undefined,
    });
    return {
      envelope,
      addresses,
      bccOnly: bccOnly(plan.bcc, [...plan.to, ...plan.cc]),
      compose: (eightBitMime) => composeMessage(draft, { eightBitMime }),
      ...(attachments.length === 0 ? {} : { withoutAttachments: () => composeMessage({ ...draft, attachments: [] }, { eightBitMime: true }) }),
    };
  }
  const block = await readHeaderBlock(body.source, plan.sendmail !== undefined, plan.sendmail?.fromDialogue !== true);
  // mailv-sendmail reads a field's addresses as its arguments, as Postfix does: `To: a@x b@x` names two.
  const listOf = (value: string) => (plan.sendmail === undefined ? value : commasBetweenWords(value));
  const fromHeaders = (name: string) =>
    fieldValues(block.fields, name).flatMap((value) => {
      // Read as UTF-8, octets that are not leave U+FFFD in their place: an address no one has, and
      // not the one the header shows (a name in Latin-1 beside an address goes on as it stands).
      const notUtf8 = () => new InputError({ code: 'MAILV_MESSAGE_ADDRESS_NOT_UTF8', field: name }, ExitCode.DATAERR);
      let mailboxes: Mailbox[];
      try {
        mailboxes = parseAddressList(listOf(value), plan.mailDomain);
      } catch (error) {
        // An address that holds one is malformed for that reason, said as such; another's fault is its own.
        const heldOne = error instanceof UsageError && Object.values(error.fact).some((fact) => typeof fact === 'string' && fact.includes('\uFFFD'));
        throw heldOne ? notUtf8() : error;
      }
      if (mailboxes.some((mailbox) => mailbox.address.includes('\uFFFD'))) throw notUtf8();
      return mailboxes;
    });
  // What a field shows but does not decide (From, and To or Cc without -t) is read only for the
  // address table of -v: a value mailv cannot read there is left out of the table, not a reason to
  // refuse a message Postfix would pass on as it stands (cron's `From: root (Cron Daemon`).
  const shownBy = (name: string) =>
    fieldValues(block.fields, name).flatMap((value) => {
      try {
        return parseAddressList(listOf(value), plan.mailDomain, { shownOnly: true });
      } catch (error) {
        if (error instanceof UsageError) return [];
        throw error;
      }
    });
  // sendmail without -t sends to its arguments only, whatever the headers say.
  const headersCount = plan.sendmail?.recipientsFromHeaders ?? true;
  // A message being resent names its new recipients in Resent-To, Resent-Cc and Resent-Bcc: then
  // only those count, as sendmail and Postfix read them (the To and Cc are the first sending's).
  const resending = RESENT_FIELDS.some((name) => fieldValues(block.fields, name).length > 0);
  const fieldFor = (name: 'To' | 'Cc' | 'Bcc'): RecipientField => (resending ? `Resent-${name}` : name);
  const recipientsIn = (name: 'To' | 'Cc' | 'Bcc') => (headersCount ? fromHeaders(fieldFor(name)) : []);
  const shown = [...recipientsIn('To'), ...recipientsIn('Cc')];
  const hidden = recipientsIn('Bcc');
  const recipients = unique([...shown, ...hidden, ...plan.to, ...plan.bcc].map((mailbox) => mailbox.address));
  if (recipients.length === 0 && !probeNeedsNoMessage(plan.quitAfter)) {
    throw new UsageError({ code: headersCount ? 'MAILV_MESSAGE_NO_RECIPIENT' : 'MAILV_NO_RECIPIENT' });
  }
  if (body.stats.hasNul) throw new InputError({ code: 'MAILV_MESSAGE_NUL' }, ExitCode.DATAERR);
  // A From: (or Resent-From:) to be made, with no author to make it from (see Plan.authorRefused).
  const resentBlock = beingResent(block.fields);
  const authorAdded = (field: ShownField) =>
    (field === 'From' && !resentBlock && fieldValues(block.fields, 'From').length === 0) ||
    (field === 'Resent-From' && resentBlock && fieldValues(block.fields, 'Resent-From').length === 0);
  if (plan.authorRefused !== undefined && (authorAdded('From') || authorAdded('Resent-From'))) throw plan.authorRefused;
  const bodySource = body.source.slice(block.inputOctets);
  // Lines past 998 octets are broken as Postfix breaks them: those of the body are counted apart
  // (read once more, only then), for SIZE= to be exact. So is whether the body is 8-bit when the
  // header is: a UTF-8 header alone needs no 8BITMIME (RFC 6532 §3.1: it goes all the same).
  const headerIsAscii = block.fields.every(isAscii);
  const bodyStats = body.stats.overlongBreaks === 0 && (body.stats.ascii || headerIsAscii) ? undefined : await statsOf(bodySource.lentChunks());
  const bodyOverlongBreaks = bodyStats?.overlongBreaks ?? 0;
  const bodyEightBit = bodyStats === undefined ? !body.stats.ascii : !bodyStats.ascii;
  const message = passThroughMessage(
    block.fields,
    block.wireOctets,
    body,
    bodySource,
    {
      date: now,
      messageId,
      from: plan.from,
      sequence,
      // Bare names in its address fields get this host, as the recipients read from them do.
      localDomain: plan.mailDomain,
    },
    bodyOverlongBreaks,
  );
  const fromMessage = (name: 'To' | 'Cc' | 'Bcc') => recipientsIn(name).map((m) => ({ address: m.address, source: fieldFor(name), blind: name === 'Bcc' }));
  const messageFrom = shownBy('From');
  // A message being resent gets a Resent-From (the envelope sender's) when it has none, its From:
  // left as it came; any other message gets a From: when it has none (see passThroughMessage).
  return {
    envelope: { from: plan.returnPath, recipients },
    addresses: addressTable({
      sender: { address: plan.returnPath, source: senderSource(plan) },
      recipients: [
        ...fromMessage('To'),
        ...fromMessage('Cc'),
        ...plan.to.map((m) => ({ address: m.address, source: undefined, blind: false })),
        ...fromMessage('Bcc'),
        ...plan.bcc.map((m) => ({ address: m.address, source: undefined, blind: true })),
      ],
      // A message without From: gets the envelope sender as its From: (see passThroughMessage). The
      // header's To: and Cc: count even when they do not make the envelope (sendmail without -t).
      shown: {
        From: authorAdded('From') ? [plan.from] : messageFrom,
        'Resent-From': authorAdded('Resent-From') ? [plan.from] : shownBy('Resent-From'),
        To: shownBy('To'),
        Cc: shownBy('Cc'),
        'Resent-To': shownBy('Resent-To'),
        'Resent-Cc': shownBy('Resent-Cc'),
      },
      // A From: the message lacked was made from the sender given: its source is that one's.
      headerSource: (field) => (authorAdded(field) ? authorSource(plan) : field),
    }),
    bccOnly: bccOnly([...hidden, ...plan.bcc], [...shown, ...plan.to]),
    // Kept as read only when it reads back as a message: a header block ended by a blank line.
    ...(block.complete && block.fields.length > 0 ? { asRead: messageAsRead(body, block) } : {}),
    compose: async (eightBitMime) => {
      // An 8-bit header still goes as it is (announced with BODY=8BITMIME where offered); an 8-bit
      // body would go unannounced to a server that never said it takes one (RFC 6152 §3).
      if (bodyEightBit && !eightBitMime) {
        throw new CapabilityError({ code: 'MAILV_NO_8BITMIME' }, 'mail');
      }
      return message;
    },
  };
}

const RESENT_FIELDS = ['Resent-To', 'Resent-Cc', 'Resent-Bcc'] as const;

interface AddressTableInput {
  readonly sender: { readonly address: string; readonly source: AddressOrigin['source'] };
  /** The envelope's recipients, those named for a header first: a duplicate keeps its first row. */
  readonly recipients: readonly { readonly address: string; readonly source: AddressOrigin['source']; readonly blind: boolean }[];
  /** The mailboxes the message's header fields show. */
  readonly shown: Readonly<Record<ShownField, readonly Mailbox[]>>;
  /** Who named a mailbox that only the header shows: -H (the command line) or the message's own field. */
  readonly headerSource: (field: ShownField) => AddressOrigin['source'];
}

/**
 * The table of -v: each envelope address with the header field that shows it, if one does, then
 * each mailbox the header shows that is in no envelope. Built from what the header actually
 * shows, so that -H From:/To:/Cc: and a message's own header are told as they are.
 */
function addressTable({ sender, recipients, shown, headerSource }: AddressTableInput): AddressOrigin[] {
  // The field that shows the address as it went, else the one that shows its mailbox in another case.
  const shownIn = (address: string, fields: readonly ShownField[]) =>
    fields.find((field) => shown[field].some((m) => envelopeKey(m.address) === envelopeKey(address))) ??
    fields.find((field) => shown[field].some((m) => sameMailbox(m.address, address)));
  const rows: AddressOrigin[] = [
    // A resent message's author is who resent it (RFC 5322 §3.6.6): Resent-From: first.
    {
      address: sender.address,
      envelope: 'MAIL From',
      header: shownIn(sender.address, shown['Resent-From'].length > 0 ? ['Resent-From', 'From'] : AUTHOR_FIELDS),
      blind: false,
      source: sender.source,
    },
  ];
  // A row for each RCPT; the mailboxes they reach, for the header's rows after them.
  const rcptRows = new Set<string>();
  const inEnvelope = new Set<string>();
  for (const { address, source, blind } of recipients) {
    if (rcptRows.has(envelopeKey(address))) continue;
    rcptRows.add(envelopeKey(address));
    inEnvelope.add(mailboxKey(address));
    const header = shownIn(address, RECIPIENT_FIELDS);
    // A blind copy that a header names anyway is not hidden: the header says so.
    rows.push({ address, envelope: 'RCPT To', header, blind: blind && header === undefined, source });
  }
  const headerOnly = new Set<string>();
  for (const field of SHOWN_FIELDS) {
    for (const { address } of shown[field]) {
      const key = `${field} ${mailboxKey(address)}`;
      const enveloped = isAuthorField(field) ? sameMailbox(address, sender.address) : inEnvelope.has(mailboxKey(address));
      if (enveloped || headerOnly.has(key)) continue;
      headerOnly.add(key);
      rows.push({ address, envelope: undefined, header: field, blind: false, source: headerSource(field) });
    }
  }
  return rows;
}

function bccOnly(hidden: readonly Mailbox[], shown: readonly Mailbox[]): Set<string> {
  const visible = new Set(shown.map((mailbox) => mailbox.address.toLowerCase()));
  return new Set(hidden.map((mailbox) => mailbox.address).filter((address) => !visible.has(address.toLowerCase())));
}

/**
 * Each address once. A local part's case is the destination's to judge (RFC 5321 §2.4): `Bob@` and
 * `bob@` may be two mailboxes, and both go; the domain was written in lower case when parsed.
 */
function unique(addresses: readonly string[]): string[] {
  return [...new Set(addresses)];
}

/** Where the envelope sender came from, for the table of -v: the command line (the null one too), the configuration file or $USER. */
function senderSource(plan: Plan): AddressOrigin['source'] {
  return plan.returnPath === '' ? undefined : authorSource(plan);
}

/** Where the author of From: came from: the command line, the configuration file or $USER. */
function authorSource(plan: Plan): AddressOrigin['source'] {
  return plan.fromOrigin === 'option' ? undefined : plan.fromOrigin;
}
