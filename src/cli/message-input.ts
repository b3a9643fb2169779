// From the plan and what was read on standard input to the envelope and a message factory: the
// composed message (flags) or the user's own (-t), built once the server's 8BITMIME is known.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseAddressList, type Mailbox } from '../message/address.js';
import { composeMessage, passThroughMessage, type AttachmentInput, type BodyInput, type ComposedMessage } from '../message/compose.js';
import { newMessageId } from '../message/identity.js';
import { fieldValues, readHeaderBlock } from '../message/raw-message.js';
import { fileSource } from '../message/source.js';
import type { Envelope } from '../smtp/session.js';
import type { Plan } from './options.js';

export interface PreparedInput {
  readonly envelope: Envelope;
  /** Where each envelope recipient came from, for -v and the dry run. */
  readonly bccOnly: ReadonlySet<string>;
  compose(eightBitMime: boolean): Promise<ComposedMessage>;
}

/** Checks every -a file before anything is read or sent. Throws InputError (66). */
export async function openAttachments(paths: readonly string[]): Promise<AttachmentInput[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        const info = await stat(path);
        if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
        await access(path, constants.R_OK);
        return { fileName: basename(path), source: fileSource(path, 0, info.size) };
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
        throw new InputError(`cannot attach ${path}: ${reason}`, ExitCode.NOINPUT);
      }
    }),
  );
}

/** Builds the envelope and the message factory. Throws UsageError or InputError. */
export async function prepareInput(
  plan: Plan,
  body: BodyInput,
  attachments: readonly AttachmentInput[],
  positional: readonly Mailbox[],
  now: Date,
): Promise<PreparedInput> {
  const messageId = newMessageId(plan.fqdn);
  if (!plan.readRecipients) {
    const envelope = {
      from: plan.from.address,
      recipients: unique([...plan.to, ...plan.cc, ...plan.bcc].map((mailbox) => mailbox.address)),
    };
    const draft = {
      from: plan.from,
      to: plan.to,
      cc: plan.cc,
      subject: plan.subject,
      headers: plan.headers,
      body,
      attachments,
      date: now,
      messageId,
    };
    return { envelope, bccOnly: bccOnly(plan.bcc, [...plan.to, ...plan.cc]), compose: (eightBitMime) => composeMessage(draft, { eightBitMime }) };
  }
  const block = await readHeaderBlock(body.source);
  const fromHeaders = (name: string) => fieldValues(block.fields, name).flatMap((value) => parseAddressList(value, plan.fqdn));
  const shown = [...fromHeaders('To'), ...fromHeaders('Cc')];
  const hidden = fromHeaders('Bcc');
  const recipients = unique([...shown, ...hidden, ...positional, ...plan.bcc].map((mailbox) => mailbox.address));
  if (recipients.length === 0) throw new UsageError('-t: the message has no To, Cc or Bcc and no recipient was given');
  const message = passThroughMessage(block.fields, block.wireOctets, body, body.source.slice(block.inputOctets), {
    date: now,
    messageId,
    from: plan.from,
  });
  return {
    envelope: { from: plan.from.address, recipients },
    bccOnly: bccOnly([...hidden, ...plan.bcc], [...shown, ...positional]),
    compose: async () => message,
  };
}

function bccOnly(hidden: readonly Mailbox[], shown: readonly Mailbox[]): Set<string> {
  const visible = new Set(shown.map((mailbox) => mailbox.address.toLowerCase()));
  return new Set(hidden.map((mailbox) => mailbox.address).filter((address) => !visible.has(address.toLowerCase())));
}

function unique(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
