#!/usr/bin/env node
// The least a Node program does to hand one small message to an SMTP server: node:net, the body
// from standard input, five header lines, EHLO, then MAIL, RCPT and DATA in one write and the
// message with QUIT in the next (as mailv sends them to a server with PIPELINING). No options, no
// checks, no words: a yardstick for bench/submission.sh, the floor under `mailv 25`, not a client.
// It exits 0 once the server said 221, and 1 at the first reply of 4xx or 5xx (a refused login, a
// refused recipient), so that a bench never times a send that failed.
//
// Given a CA file and a user, it makes the submission send too, the floor under `mailv 587`:
// STARTTLS with node:tls, the certificate verified against that CA (Node's default checks), EHLO
// again, AUTH PLAIN with the password from MAILV_PASSWORD. Given a session file as well, it offers
// the TLS session kept there and keeps the server's newest one there (mode 0600), as mailv's
// session cache does, with none of that cache's checks.
//
//   node bench/bare-send.cjs PORT FROM TO [CA USER [SESSION-FILE]] < body.txt
'use strict';
// CommonJS, as bin/mailv.js is: Node's ES module loader would cost the yardstick some 9 ms.
const { readFileSync, writeFileSync } = require('node:fs');
const { connect } = require('node:net');

const [port, from, to, ca, user, sessionFile] = process.argv.slice(2);
const body = readFileSync(0, 'latin1').replace(/\r?\n/g, '\r\n');
const headers = `From: <${from}>\r\nTo: <${to}>\r\nSubject: bench\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${process.pid}.${Date.now()}@bare.example.org>\r\n\r\n`;
let socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true });
const transaction = [
  () => socket.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`),
  () => {},
  () => {},
  () => socket.write(`${headers}${body}.\r\nQUIT\r\n`),
  () => {},
  () => socket.destroy(),
];
const submission = [
  () => socket.write('STARTTLS\r\n'),
  () => startTls(),
  () => socket.write(`AUTH PLAIN ${Buffer.from(`\0${user}\0${process.env.MAILV_PASSWORD ?? ''}`).toString('base64')}\r\n`),
];
const steps = [() => socket.write('EHLO bare.example.org\r\n'), ...(ca === undefined ? [] : submission), ...transaction];

function startTls() {
  let session;
  try {
    session = sessionFile === undefined ? undefined : readFileSync(sessionFile);
  } catch {
    // No session kept yet: a full handshake.
  }
  socket.removeListener('data', onData);
  const handshakeStarted = Date.now();
  socket = require('node:tls').connect({ socket, host: '127.0.0.1', ca: readFileSync(ca), session }, () =>
    afterFirstTicket(Math.min(40, Date.now() - handshakeStarted + 5)),
  );
  socket.on('data', onData);
  if (sessionFile !== undefined) socket.on('session', (ticket) => writeFileSync(sessionFile, ticket, { mode: 0o600 }));
}

// After a full handshake, EHLO waits for the server's first TLS 1.3 ticket, as mailv's does (40 ms
// at most, and no longer than the handshake took): Postfix writes its tickets, then holds its reply
// to a command sent before they were acknowledged until the client's delayed acknowledgement comes,
// 40 ms later. Without the wait, the yardstick would time that stall, not Node.
function afterFirstTicket(ms) {
  if (socket.isSessionReused()) return socket.write('EHLO bare.example.org\r\n');
  let sent = false;
  const ehlo = () => {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    setImmediate(() => socket.write('EHLO bare.example.org\r\n'));
  };
  const timer = setTimeout(ehlo, ms);
  socket.once('session', ehlo);
}

// bench/reply-lines.mjs's reply loop, repeated over 'data' events (the TLS socket has no `onread`):
// a module shared with it would be one more file to load in the very start-up this measures.
let buffered = '';
function onData(chunk) {
  buffered += chunk.toString('latin1');
  for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 2);
    if (line[0] === '4' || line[0] === '5') {
      process.exitCode = 1;
      return socket.destroy();
    }
    if (line[3] !== '-') steps.shift()?.();
  }
}
socket.on('data', onData);
