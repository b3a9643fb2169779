// What --dry-run prints before the message: the envelope as the server would be told it, which is
// not the same as the headers (Bcc recipients appear only here).
import { needsSmtpUtf8 } from '../message/address.js';
import type { Envelope } from '../smtp/session.js';

export function formatEnvelope(envelope: Envelope, size: number, eightBit: boolean, bccOnly: ReadonlySet<string>): string {
  const utf8 = [envelope.from, ...envelope.recipients].some(needsSmtpUtf8);
  const lines = [
    'Envelope (what a server offering SIZE is told):',
    `  MAIL From:<${envelope.from}> SIZE=${size}${eightBit ? ' BODY=8BITMIME' : ''}${utf8 ? ' SMTPUTF8' : ''}`,
    ...envelope.recipients.map((recipient) => `  RCPT To:<${recipient}>${bccOnly.has(recipient) ? '   (Bcc: envelope only)' : ''}`),
    `Message (${size} octets${eightBit ? ', 8-bit, as sent to a server that offers 8BITMIME' : ''}):`,
  ];
  return lines.join('\n') + '\n';
}
