// Hostile servers keep mailv's memory bounded and never hold it past its time limit: each ends
// in a protocol error or a timeout (and replies within the limits are taken), with peak RSS
// measured by /usr/bin/time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAILV, freshHome } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { skipUnlessRunning } from '../helpers/service.js';

const TIME = '/usr/bin/time';
const RSS_LIMIT_KIB = 100 * 1024;

interface Measured {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly rssKib: number;
  readonly ms: number;
  readonly home: string;
}

/** Runs mailv under /usr/bin/time, its message from `stdinFile` or a one-line pipe; returns its status, output and peak RSS in KiB. */
function measured(args: string[], stdinFile?: string, home = freshHome()): Promise<Measured> {
  return new Promise((resolve) => {
    const started = Date.now();
    const stdin = stdinFile === undefined ? 'pipe' : openSync(stdinFile, 'r');
    const child = spawn(TIME, ['-f', 'peak-rss-kib=%M', process.execPath, MAILV, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' },
      stdio: [stdin, 'pipe', 'pipe'],
    });
    if (typeof stdin === 'number') closeSync(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => {
      const rss = /peak-rss-kib=(\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, rssKib: rss ? Number(rss[1]) : Number.NaN, ms: Date.now() - started, home });
    });
    child.stdin?.end('x\n');
  });
}

/** A reply of `lines` lines of `octets` octets each (CRLF aside); 512 of 8192 is the longest the reader takes (reply.ts). */
function multiLineReply(code: number, lines: number, octets: number): Buffer {
  const text = 'x'.repeat(octets - 4);
  return Buffer.from(`${`${code}-${text}\r\n`.repeat(lines - 1)}${code} ${text}\r\n`);
}

/** A file of `mib` MiB of short text lines, in a fresh directory. */
function largeMessage(mib: number): string {
  const path = join(freshHome(), 'large.txt');
  writeFileSync(path, `${'a'.repeat(75)}\n`.repeat((mib * 1024 * 1024) / 76));
  return path;
}

const CHUNKING = '250-scripted.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME';

async function hostile(onConnect: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onConnect(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('hostile servers', { skip: skipUnlessRunning(existsSync(TIME), `${TIME} is missing (Debian package time)`, 'sudo apt-get install time') }, () => {
  it('a 10 MB reply line without a newline: protocol error, bounded memory', async () => {
    const server = await hostile((socket) => {
      const block = Buffer.alloc(1024 * 1024, 'A');
      let sent = 0;
      const pump = () => {
        while (sent < 10 && socket.write(Buffer.concat([sent === 0 ? Buffer.from('220') : Buffer.alloc(0), block]))) sent++;
        if (sent < 10)
          socket.once('drain', () => {
            sent++;
            pump();
          });
      };
      pump();
    });
    try {
      const run = await measured(['--server', `127.0.0.1:${portOf(server)}`, '--timeout', '10', '-s', 'x', 'bob@example.org']);
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stderr, /reply line longer than 8192 octets/);
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      server.close();
    }
  });

  it('a reply of 10,000 lines: protocol error, bounded memory', async () => {
    const server = await hostile((socket) => socket.write('220-flood\r\n'.repeat(10_000) + '220 done\r\n'));
    try {
      const run = await measured(['--server', `127.0.0.1:${portOf(server)}`, '--timeout', '10', '-s', 'x', 'bob@example.org']);
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stderr, /reply of more than 512 lines/);
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      server.close();
    }
  });

  it('the longest replies to MAIL, 200 RCPTs and every BDAT while a large message goes out: 76 at the reply budget, bounded memory', async () => {
    const longest = multiLineReply(250, 512, 8192);
    const server = await startScriptedServer({
      replies: { EHLO: CHUNKING, MAIL: { raw: longest }, RCPT: { raw: longest }, BDAT: { raw: longest }, 'BDAT LAST': { raw: longest } },
    });
    try {
      const recipients = Array.from({ length: 200 }, (_, index) => `r${index}@example.org`);
      const run = await measured(['--server', `127.0.0.1:${server.port}`, '--timeout', '30', '-s', 'x', ...recipients], largeMessage(32));
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stderr, /^mailv: protocol error during body: the server sent more than 1 MiB of replies$/m);
      assert.match(run.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
      assert.ok(existsSync(join(run.home, 'dead.letter')));
      assert.ok(!server.commands.some((command) => / LAST$/.test(command)), 'the message was never committed');
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      await server.close();
    }
  });

  it('replies to BDAT chunks that pile up past the budget, each far from the reply limits: 76, bounded memory', async () => {
    // 100 KiB to each chunk of 1 MiB: the sum passes 1 MiB at the eleventh of 32 chunks.
    const server = await startScriptedServer({ replies: { EHLO: CHUNKING, BDAT: { raw: multiLineReply(250, 100, 1024) } } });
    try {
      const run = await measured(['--server', `127.0.0.1:${server.port}`, '--timeout', '30', '-s', 'x', 'bob@example.org'], largeMessage(32));
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stderr, /^mailv: protocol error during body: the server sent more than 1 MiB of replies$/m);
      assert.ok(!server.commands.some((command) => / LAST$/.test(command)), 'the message was never committed');
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      await server.close();
    }
  });

  it('long replies to MAIL and 200 RCPTs that stay within the budget are taken: sent, 0, bounded memory', async () => {
    const long = multiLineReply(250, 4, 1024);
    const server = await startScriptedServer({ replies: { EHLO: CHUNKING, MAIL: { raw: long }, RCPT: { raw: long } } });
    try {
      const recipients = Array.from({ length: 200 }, (_, index) => `r${index}@example.org`);
      const run = await measured(['--server', `127.0.0.1:${server.port}`, '--timeout', '30', '-s', 'x', ...recipients], largeMessage(32));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.split('\n').filter((line) => /\.\.\. Sent \(2\.0\.0 Ok: queued as S1\)$/.test(line)).length, 200);
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      await server.close();
    }
  });

  it('a server trickling one byte a second: the timeout ends it, on time', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const server = await hostile((socket) => {
      const greeting = '220 slow.test ESMTP ready\r\n';
      let index = 0;
      const timer = setInterval(() => {
        if (index < greeting.length && !socket.destroyed) socket.write(greeting[index++]!);
      }, 1000);
      timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });
    try {
      const run = await measured(['--server', `127.0.0.1:${portOf(server)}`, '--timeout', '2', '-s', 'x', 'bob@example.org']);
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stderr, /timed out after 2 s waiting for the reply \(greeting\)/);
      assert.ok(run.ms < 8000, `ended after ${run.ms} ms`);
      assert.ok(run.rssKib < RSS_LIMIT_KIB, `peak RSS ${run.rssKib} KiB`);
    } finally {
      timers.forEach(clearInterval);
      server.close();
    }
  });
});
