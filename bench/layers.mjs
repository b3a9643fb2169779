#!/usr/bin/env node
// Where a connection's CPU goes in the load mode with a connection per message, layer by layer:
// the same dialogue (greeting, EHLO, MAIL RCPT DATA in one write, the message with QUIT) driven
// by bare Node sockets, by mailv's connection layer alone (src/smtp/connection.ts: replies read
// and checked, each wait with its time limit), by the session over it (src/smtp/session.ts: plans,
// capabilities, events) and by the whole load driver (src/load/driver.ts: counting, latencies).
// Each layer runs in a process of its own, ROUNDS times, interleaved; the medians of user and
// system CPU per connection are printed as a Markdown table. Needs `npm run build`.
//
//   node bench/layers.mjs PORT COUNT MESSAGE-FILE [ROUNDS]     # COUNT connections, 20 at once
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { replyReads } from './reply-lines.mjs';

const LAYERS = ['bare', 'connection', 'session', 'driver'];
const CONCURRENCY = 20;

if (process.argv[2] === '--layer') await runLayer(...process.argv.slice(3));
else report(...process.argv.slice(2));

function report(port, count, file, rounds = '5') {
  const runs = new Map(LAYERS.map((layer) => [layer, []]));
  for (let round = 0; round < Number(rounds); round++) {
    const order = round % 2 === 0 ? LAYERS : [...LAYERS].reverse();
    for (const layer of order) {
      const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--layer', layer, port, count, file], { encoding: 'utf8' });
      runs.get(layer).push(JSON.parse(out));
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const bare = median(runs.get('bare').map((run) => run.user + run.system));
  console.log(`${count} connections, ${CONCURRENCY} at once, one message each; medians of ${rounds} runs per layer, µs of CPU per connection`);
  console.log('');
  console.log('| layer | user | system | in all | over bare Node |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const layer of LAYERS) {
    const list = runs.get(layer);
    const user = median(list.map((run) => run.user));
    const system = median(list.map((run) => run.system));
    const all = median(list.map((run) => run.user + run.system));
    console.log(`| ${layer} | ${user.toFixed(0)} | ${system.toFixed(0)} | ${all.toFixed(0)} | ${layer === 'bare' ? '' : `+${(all - bare).toFixed(0)}`} |`);
  }
}

async function runLayer(layer, port, count, file) {
  const total = Number(count);
  const text = readFileSync(file, 'latin1').replace(/\r?\n/g, '\r\n');
  const whole = Buffer.from(text, 'latin1');
  const dist = new URL('../dist/', import.meta.url);
  const load = async (path) => import(new URL(path, dist));
  const { SmtpConnection } = await load('smtp/connection.js');
  const { SmtpSession } = await load('smtp/session.js');
  const { Timeouts } = await load('smtp/timeouts.js');
  const { runLoad } = await load('load/driver.js');
  const message = {
    size: whole.length,
    eightBit: false,
    whole,
    async *chunks() {
      yield whole;
    },
    async *lentChunks() {
      yield whole;
    },
  };
  const plan = {
    helo: 'bench.example.org',
    envelope: { from: 'bench@example.org', recipients: ['bench@example.org'] },
    prepare: () => message,
    timeouts: new Timeouts(undefined),
    echoBody: false,
    tls: 'off',
    pipelining: 'on',
    body: 'auto',
  };
  let issued = 0;
  const wait = 60_000;
  const layers = {
    bare: () =>
      new Promise((resolve) => {
        const next = () => {
          if (issued >= total) return resolve();
          issued++;
          const writes = [
            'EHLO bench.example.org\r\n',
            'MAIL FROM:<bench@example.org>\r\nRCPT TO:<bench@example.org>\r\nDATA\r\n',
            undefined,
            undefined,
            Buffer.concat([whole, Buffer.from('.\r\nQUIT\r\n')]),
          ];
          let replies = 0;
          const onReply = () => {
            const write = writes[replies++];
            if (write !== undefined) socket.write(write);
            if (replies === 7) socket.destroy();
          };
          const socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true, onread: replyReads(onReply) });
          socket.on('close', next);
        };
        next();
      }),
    connection: async () => {
      while (issued < total) {
        issued++;
        const connection = await SmtpConnection.open('127.0.0.1', Number(port), wait);
        await connection.readReply('greeting', wait);
        await connection.write('EHLO bench.example.org\r\n', 1, 'ehlo', wait);
        await connection.readReply('ehlo', wait);
        await connection.write('MAIL FROM:<bench@example.org>\r\nRCPT TO:<bench@example.org>\r\nDATA\r\n', 3, 'mail', wait);
        for (const stage of ['mail', 'rcpt', 'data']) await connection.readReply(stage, wait);
        await connection.write([whole, Buffer.from('.\r\nQUIT\r\n')], 2, 'body', wait);
        for (const stage of ['body', 'quit']) await connection.readReply(stage, wait);
        connection.close();
      }
    },
    session: async () => {
      while (issued < total) {
        issued++;
        const connection = await SmtpConnection.open('127.0.0.1', Number(port), wait);
        const session = new SmtpSession(connection, plan, () => {});
        const capabilities = await session.begin();
        await session.next(capabilities, { following: false, last: true });
        await session.end();
        connection.close();
      }
    },
  };
  const before = process.cpuUsage();
  if (layer === 'driver') {
    const server = { host: '127.0.0.1', port: Number(port), implicitTls: false };
    const result = await runLoad(server, { count: total, concurrency: CONCURRENCY, perConnection: 1, session: plan, message: () => message });
    if (result.accepted !== total) throw new Error(`${result.accepted} of ${total} accepted`);
  } else await Promise.all(Array.from({ length: CONCURRENCY }, layers[layer]));
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ layer, user: used.user / total, system: used.system / total }));
}
