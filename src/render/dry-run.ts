// What --dry-run prints before the message: the envelope as the server would be told it, which is
// not the same as the headers (Bcc recipients appear only here).
import type { Envelope } from '../smtp/session.js';

export function formatEnvelope(envelope: Envelope, size: number, eightBit: boolean, bccOnly: ReadonlySet<string>): string {
  const lines = [
    'Envelope (what the server is told):',
    `  MAIL From:<${envelope.from}> SIZE=${size}${eightBit ? ' BODY=8BITMIME' : ''}`,
    ...envelope.recipients.map((recipient) => `  RCPT To:<${recipient}>${bccOnly.has(recipient) ? '   (Bcc: envelope only)' : ''}`),
    `Message (${size} octets${eightBit ? ', 8-bit, as sent to a server that offers 8BITMIME' : ''}):`,
  ];
  return lines.join('\n') + '\n';
}
