#!/usr/bin/env node
// A minimal SMTP sink for mailv's benchmarks: plain Node, no dependencies.
//
//   node bench/sink.mjs [PORT] [--once] [--max-seconds N]
//
// Listens on 127.0.0.1 (PORT, or a free port when PORT is 0 or absent) and prints
// the port alone on the first line of stdout. Then, for every message it accepts,
// one line of JSON: {"message":1,"bytes":N,"seconds":S}, where bytes counts the
// DATA content as it came over the wire (dot-stuffed, CRLF line ends, without the
// final ".\r\n") and seconds runs from the 354 reply to the end-of-data marker.
// Nothing is stored: the sink counts and throws away.
//
// It speaks just enough SMTP: a 220 greeting; EHLO offering PIPELINING, 8BITMIME
// and SIZE without a limit; HELO, MAIL, RCPT, RSET, NOOP 250; DATA 354; 250 after
// the dot; QUIT 221; anything else 502. Commands may arrive several per read
// (pipelining) and the end-of-data marker may be split across reads.
//
// --once: exit after the first connection closes.
// --max-seconds N: exit after N seconds whatever happens (default 1800), so that
// a sink left behind by an interrupted run stops by itself.
import net from 'node:net';

const args = process.argv.slice(2);
let port = 0;
let once = false;
let maxSeconds = 1800;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--once') once = true;
  else if (a === '--max-seconds') maxSeconds = Number(args[++i]);
  else if (/^\d+$/.test(a)) port = Number(a);
  else {
    process.stderr.write(`sink: unknown argument ${a}\nusage: node bench/sink.mjs [PORT] [--once] [--max-seconds N]\n`);
    process.exit(64);
  }
}
if (!(maxSeconds > 0)) {
  process.stderr.write('sink: --max-seconds needs a positive number\n');
  process.exit(64);
}

const EOD = Buffer.from('\r\n.\r\n');
const MAX_LINE = 64 * 1024;
let messages = 0;

function session(socket) {
  let mode = 'command';
  let pending = Buffer.alloc(0); // unfinished command line
  let tail = Buffer.alloc(0); // last bytes of data seen, to find a marker split across reads
  let count = 0; // data bytes received in this message so far
  let started = 0n;

  const reply = (text) => socket.write(`${text}\r\n`);

  function startData() {
    mode = 'data';
    count = 0;
    tail = Buffer.from('\r\n'); // the DATA line's own CRLF: lets ".\r\n" at once end an empty message
    started = process.hrtime.bigint();
    reply('354 End data with <CR><LF>.<CR><LF>');
  }

  function endData(consumedInChunk) {
    // The marker's CRLF ends the message's last line and is counted; ".\r\n" is not.
    const bytes = count + consumedInChunk - 3;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    messages += 1;
    process.stdout.write(`${JSON.stringify({ message: messages, bytes, seconds: Number(seconds.toFixed(3)) })}\n`);
    mode = 'command';
    tail = Buffer.alloc(0);
    reply('250 OK: message accepted and discarded');
  }

  // Feed data bytes; returns the bytes after the end-of-data marker (commands), or null.
  function onData(chunk) {
    // A marker that starts in the tail ends within the chunk's first 4 bytes.
    const head = Buffer.concat([tail, chunk.subarray(0, 4)]);
    let at = head.indexOf(EOD);
    let consumed = -1;
    if (at !== -1) {
      consumed = at + EOD.length - tail.length;
    } else {
      at = chunk.indexOf(EOD);
      if (at !== -1) consumed = at + EOD.length;
    }
    if (consumed === -1) {
      count += chunk.length;
      tail = chunk.length >= 4 ? Buffer.from(chunk.subarray(chunk.length - 4)) : Buffer.concat([tail, chunk]).subarray(-4);
      return null;
    }
    endData(consumed);
    return chunk.subarray(consumed);
  }

  function onCommand(line) {
    const verb = line.split(' ', 1)[0].toUpperCase();
    switch (verb) {
      case 'EHLO':
        reply('250-sink.localhost');
        reply('250-PIPELINING');
        reply('250-8BITMIME');
        reply('250 SIZE');
        break;
      case 'HELO':
        reply('250 sink.localhost');
        break;
      case 'MAIL':
      case 'RCPT':
      case 'RSET':
      case 'NOOP':
        reply('250 OK');
        break;
      case 'DATA':
        startData();
        break;
      case 'QUIT':
        reply('221 Bye');
        socket.end();
        mode = 'closed';
        break;
      default:
        reply('502 Command not implemented');
    }
  }

  // Feed command bytes; returns the bytes after a DATA line (message data), or null.
  function onCommands(chunk) {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) break;
      const line = buf.subarray(0, nl > 0 && buf[nl - 1] === 0x0d ? nl - 1 : nl).toString('latin1');
      buf = buf.subarray(nl + 1);
      onCommand(line);
      if (mode !== 'command') {
        pending = Buffer.alloc(0);
        return mode === 'data' ? buf : null;
      }
    }
    if (buf.length > MAX_LINE) {
      reply('500 Line too long');
      buf = Buffer.alloc(0);
    }
    pending = Buffer.from(buf);
    return null;
  }

  socket.on('data', (chunk) => {
    let rest = chunk;
    while (rest?.length) {
      if (mode === 'data') rest = onData(rest);
      else if (mode === 'command') rest = onCommands(rest);
      else rest = null;
    }
  });
  socket.on('error', () => {});
  reply('220 sink.localhost ESMTP mailv benchmark sink');
}

const server = net.createServer(session);
server.on('connection', (socket) => {
  if (once) socket.on('close', () => server.close(() => process.exit(0)));
});
server.on('error', (err) => {
  process.stderr.write(`sink: ${err.message}\n`);
  process.exit(69);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
setTimeout(() => {
  process.stderr.write(`sink: stopping after ${maxSeconds} s\n`);
  process.exit(0);
}, maxSeconds * 1000).unref();
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
