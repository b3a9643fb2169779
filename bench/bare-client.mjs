#!/usr/bin/env node
// The least a Node client does to send a load: the dialogue of mailv's load mode (EHLO once, then
// each message's MAIL, RCPT and DATA in the write of the message before it) over C connections,
// with nothing else: no events, no reply objects, no checks. A yardstick for bench/load.sh, not a
// client: it trusts every reply.
//
//   node bench/bare-client.mjs PORT COUNT CONCURRENCY MESSAGE-FILE [per-message]
//
// With `per-message`, each message has a connection of its own (greeting, EHLO, the envelope, the
// message with QUIT, as mailv --per-connection 1 sends it). Prints the messages per second.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { replyReads } from './reply-lines.mjs';

const [port, count, concurrency, file, mode] = process.argv.slice(2);
const total = Number(count);
const message = Buffer.from(`${readFileSync(file, 'latin1').replace(/\r?\n/g, '\r\n')}.\r\n`);
const envelope = Buffer.from('MAIL FROM:<bench@example.org>\r\nRCPT TO:<bench@example.org>\r\nDATA\r\n');
const quit = Buffer.from('QUIT\r\n');
let issued = 0;
let done = 0;
const started = process.hrtime.bigint();

function finished() {
  console.log((total / (Number(process.hrtime.bigint() - started) / 1e9)).toFixed(0));
}

function session() {
  let state = 'greeting';
  let owed = 0;
  const next = () => {
    const more = issued < total && ++issued;
    socket.write(Buffer.concat([message, more ? envelope : quit]));
    state = more ? 'message+envelope' : 'message';
    owed = more ? 4 : 1;
  };
  const onReply = () => {
    if (state === 'greeting') {
      socket.write('EHLO bench.example.org\r\n');
      state = 'ehlo';
    } else if (state === 'ehlo') {
      if (issued < total && ++issued) {
        socket.write(envelope);
        state = 'envelope';
        owed = 3;
      } else socket.end(quit);
    } else if (state === 'envelope' || state === 'message+envelope') {
      if (state === 'message+envelope' && owed === 4) done++;
      if (--owed === 0) next();
    } else if (state === 'message') {
      done++;
      state = 'quit';
      if (done === total) finished();
    } else socket.destroy();
  };
  const socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true, onread: replyReads(onReply) });
}

/** A connection for one message: when it ends, the next one opens. */
function oneMessage() {
  if (issued >= total) return;
  issued++;
  let state = 'greeting';
  let owed = 0;
  const onReply = () => {
    if (state === 'greeting') {
      socket.write('EHLO bench.example.org\r\n');
      state = 'ehlo';
    } else if (state === 'ehlo') {
      socket.write(envelope);
      state = 'envelope';
      owed = 3;
    } else if (state === 'envelope') {
      if (--owed > 0) return;
      socket.write(Buffer.concat([message, quit]));
      state = 'message';
    } else if (state === 'message') {
      done++;
      state = 'quit';
    } else {
      socket.destroy();
      if (done === total) finished();
      oneMessage();
    }
  };
  const socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true, onread: replyReads(onReply) });
}

for (let index = 0; index < Number(concurrency); index++) (mode === 'per-message' ? oneMessage : session)();
