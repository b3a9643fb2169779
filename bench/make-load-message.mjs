#!/usr/bin/env node
// Writes a complete message of exactly OCTETS octets as sent (CRLF line ends), for bench/load.sh:
//
//   node bench/make-load-message.mjs FILE OCTETS
//
// Its header is what mailv -t would otherwise add to (From, To, Subject, Date, Message-ID), its
// body lines of X as smtp-source sends, so that both clients send the same amount.
import { writeFileSync } from 'node:fs';

const [file, octetsText] = process.argv.slice(2);
const octets = Number(octetsText);
if (!file || !Number.isInteger(octets) || octets < 300) {
  process.stderr.write('usage: node bench/make-load-message.mjs FILE OCTETS (at least 300)\n');
  process.exit(64);
}
const header = [
  'From: <bench@example.org>',
  'To: <bench@example.org>',
  'Subject: load',
  'Date: Thu, 3 Dec 2026 14:00:00 +0000',
  'Message-ID: <load.1@example.org>',
  '',
].join('\r\n');
const lines = [];
let size = Buffer.byteLength(header) + 2;
while (size < octets) {
  // Lines of up to 78 characters and CRLF, the last one shortened to land on the size exactly.
  const room = octets - size - 2;
  const length = room > 80 ? 78 : room;
  lines.push(`${lines.length + 1}`.padEnd(Math.max(length, 1), 'X').slice(0, Math.max(length, 0)));
  size += length + 2;
}
writeFileSync(file, `${header}\r\n${lines.join('\r\n')}\r\n`);
