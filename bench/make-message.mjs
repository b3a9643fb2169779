#!/usr/bin/env node
// Writes a complete RFC 5322 message for mailv's benchmarks:
//
//   node bench/make-message.mjs FILE [MiB]
//
// Header fields From: bench@example.org, To: bench@discard.test, Subject, Date and
// Message-ID, then a body of ordinary text lines (about 70 characters, LF line
// ends, none starting with a dot) until the file is MiB mebibytes (default 50),
// give or take one line. The text comes from a fixed seed: every run writes the
// same body.
import { openSync, writeSync, closeSync } from 'node:fs';

const [file, mib = '50'] = process.argv.slice(2);
if (!file || !(Number(mib) > 0)) {
  process.stderr.write('usage: node bench/make-message.mjs FILE [MiB]\n');
  process.exit(64);
}
const target = Math.round(Number(mib) * 1024 * 1024);

const words = (
  'the of and to in is was that for on with as by at from his her this which are be had ' +
  'not but have were one all their there been they more when will would can said who ' +
  'message mail server letter post office morning evening report meeting garden river ' +
  'window table paper number second minute weather market station village summer winter ' +
  'quietly slowly carefully always often never perhaps almost already together between'
).split(' ');

let seed = 0x2545f491;
const next = () => {
  // xorshift32: deterministic and quick
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};

function line() {
  let s = '';
  const width = 64 + Math.floor(next() * 12); // 64..75 characters
  while (s.length < width) {
    let w = words[Math.floor(next() * words.length)];
    if (s.length === 0) w = w[0].toUpperCase() + w.slice(1);
    s += s.length === 0 ? w : ` ${w}`;
  }
  return `${s.slice(0, width).trimEnd()}.\n`;
}

const header =
  'From: bench@example.org\n' +
  'To: bench@discard.test\n' +
  `Subject: mailv benchmark, ${mib} MiB of text\n` +
  `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\n` +
  `Message-ID: <bench.${Date.now()}.${process.pid}@example.org>\n` +
  'MIME-Version: 1.0\n' +
  'Content-Type: text/plain; charset=us-ascii\n' +
  '\n';

const fd = openSync(file, 'w');
writeSync(fd, header);
let size = Buffer.byteLength(header);
const chunk = [];
let chunkSize = 0;
while (size < target) {
  const l = line();
  chunk.push(l);
  chunkSize += l.length;
  size += l.length;
  if (chunkSize >= 1 << 20) {
    writeSync(fd, chunk.join(''));
    chunk.length = 0;
    chunkSize = 0;
  }
}
if (chunk.length) writeSync(fd, chunk.join(''));
closeSync(fd);
process.stdout.write(`${size}\n`);
