// What -v and --explain show before the dialogue: the message as generated, with the size SIZE=
// will announce, and which address goes in the envelope, which in the header, and whence each
// came. The envelope decides delivery; the header is only what the reader sees.
import type { AddressOrigin } from '../cli/message-input.js';
import { sanitize } from './sanitize.js';

/** Lines of message shown before the dialogue; the rest is counted, not printed. */
const PREVIEW_LINES = 40;

export function formatAddressTable(addresses: readonly AddressOrigin[]): string[] {
  const rows = addresses.map((entry) => [
    sanitize(entry.address),
    `${entry.envelope}:<…>`,
    entry.header === undefined ? '(none: Bcc, envelope only)' : `${entry.header}:`,
    sanitize(entry.source),
  ]);
  const header = ['address', 'envelope', 'header', 'given by'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd();
  return ['Envelope and header (the envelope decides who gets the message):', line(header), ...rows.map(line)];
}

/** The message's first lines, then how much is left. */
export function formatMessagePreview(message: Buffer, size: number): string[] {
  const text = message.toString('utf8');
  const lines = text.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = lines.slice(0, PREVIEW_LINES);
  const shownOctets = Buffer.byteLength(shown.map((line) => `${line}\r\n`).join(''));
  return [
    `Message as generated: ${size} octets (the number SIZE= announces):`,
    ...shown.map((line) => `  | ${sanitize(line)}`),
    ...(size > shownOctets ? [`  | [… ${size - shownOctets} more octets not shown]`] : []),
  ];
}
