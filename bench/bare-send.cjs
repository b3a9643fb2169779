#!/usr/bin/env node
// The least a Node program does to hand one small message to an SMTP server: node:net, the body
// from standard input, five header lines, EHLO, then MAIL, RCPT and DATA in one write and the
// message with QUIT in the next (as mailv sends them to a server with PIPELINING). No options, no
// checks, no words: a yardstick for bench/submission.sh, the floor under `mailv 25`, not a client.
// It trusts every reply and exits 0 once the server said 221.
//
//   node bench/bare-send.cjs PORT FROM TO < body.txt
'use strict';
// CommonJS, as bin/mailv.js is: Node's ES module loader would cost the yardstick some 9 ms.
const { readFileSync } = require('node:fs');
const { connect } = require('node:net');

const [port, from, to] = process.argv.slice(2);
const body = readFileSync(0, 'latin1').replace(/\r?\n/g, '\r\n');
const headers = `From: <${from}>\r\nTo: <${to}>\r\nSubject: bench\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${process.pid}.${Date.now()}@bare.example.org>\r\n\r\n`;
const socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true });
const steps = [
  () => socket.write('EHLO bare.example.org\r\n'),
  () => socket.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`),
  () => {},
  () => {},
  () => socket.write(`${headers}${body}.\r\nQUIT\r\n`),
  () => {},
  () => socket.destroy(),
];
// bench/reply-lines.mjs's reply loop, repeated: a module shared with it would be one more file to load
// in the very start-up this measures.
let buffered = '';
socket.on('data', (chunk) => {
  buffered += chunk.toString('latin1');
  for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 2);
    if (line[3] !== '-') steps.shift()?.();
  }
});
