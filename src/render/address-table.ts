// What -v and --explain show before the dialogue: the message as generated, with the size SIZE=
// will announce, and which address goes in the envelope, which in the header, and whence each
// came. The envelope decides delivery; the header is only what the reader sees.
import type { AddressOrigin } from '../message/address-origin.js';
import type { TableLabels } from './table-labels.js';
import { sanitize } from '../text/sanitize.js';
import { displayWidth } from '../text/display-width.js';

/** Lines of message shown before the dialogue; the rest is counted, not printed. */
const PREVIEW_LINES = 40;

export function formatAddressTable(addresses: readonly AddressOrigin[], labels: TableLabels): string[] {
  const rows = addresses.map((entry) => [
    // The null reverse-path is shown as it goes on the wire.
    entry.address === '' ? '<>' : sanitize(entry.address),
    entry.envelope === undefined ? labels.headerOnly : `${entry.envelope}:<…>`,
    entry.header === undefined
      ? entry.envelope === 'MAIL From'
        ? labels.notInHeader
        : entry.blind
          ? labels.blindCopy
          : labels.envelopeOnly
      : `${entry.header}:`,
    entry.source === undefined
      ? labels.commandLine
      : entry.source === 'config-file'
        ? labels.configFile
        : entry.source === 'user'
          ? labels.userVariable
          : labels.messageField(entry.source),
  ]);
  const header = [labels.address, labels.envelope, labels.header, labels.givenBy];
  // A loop, not Math.max(...lengths): a replayed record may hold more rows than a call takes arguments.
  // In columns, as a terminal shows them: a CJK character takes two, a combining accent none.
  const widths = header.map((title, column) => rows.reduce((widest, row) => Math.max(widest, displayWidth(row[column]!)), displayWidth(title)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell + ' '.repeat(widths[column]! - displayWidth(cell))).join('  ')}`.trimEnd();
  return [labels.addressesTitle, line(header), ...rows.map(line)];
}

/** The message's first lines, then how much is left; `eightBit`: it holds 8-bit text, which a server without 8BITMIME gets otherwise. */
export function formatMessagePreview(message: Buffer, size: number, labels: TableLabels, eightBit = false): string[] {
  const text = message.toString('utf8');
  const lines = text.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = lines.slice(0, PREVIEW_LINES);
  const shownOctets = Buffer.byteLength(shown.map((line) => `${line}\r\n`).join(''));
  return [
    labels.messageTitle(size, eightBit),
    ...(eightBit ? [`  ${labels.eightBitNote}`] : []),
    ...shown.map((line) => `  | ${sanitize(line)}`),
    ...(size > shownOctets ? [`  | ${labels.moreOctets(size - shownOctets)}`] : []),
  ];
}
