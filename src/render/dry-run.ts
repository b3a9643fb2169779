// What --dry-run prints before the message: the envelope as the server would be told it, which is
// not the same as the headers (Bcc recipients appear only here). The commands are shown as they
// would be sent; the headings are in the user's language.
import { needsSmtpUtf8 } from '../message/address.js';
import type { Envelope } from '../message/envelope.js';
import type { OutputWords } from '../words/output-words.js';

export function formatEnvelope(
  envelope: Envelope,
  size: number,
  message: { readonly eightBit: boolean; readonly utf8Header?: boolean | undefined },
  bccOnly: ReadonlySet<string>,
  words: OutputWords,
): string {
  const said = words.dryRun;
  const eightBit = message.eightBit || message.utf8Header === true;
  // A header in UTF-8 asks for SMTPUTF8 as the addresses do: shown as a server offering it is told.
  const utf8 = message.utf8Header === true || [envelope.from, ...envelope.recipients].some(needsSmtpUtf8);
  const lines = [
    said.envelope,
    `  MAIL From:<${envelope.from}> SIZE=${size}${eightBit ? ' BODY=8BITMIME' : ''}${utf8 ? ' SMTPUTF8' : ''}`,
    ...envelope.recipients.map((recipient) => `  RCPT To:<${recipient}>${bccOnly.has(recipient) ? `   ${said.bccOnly}` : ''}`),
    said.message(size, eightBit),
  ];
  return lines.join('\n') + '\n';
}
