// Hostile servers keep mailv's memory bounded and never hold it past its time limit: each ends
// in a protocol error or a timeout, with peak RSS measured by /usr/bin/time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { MAILV, freshHome } from '../helpers/cli.js';

const TIME = '/usr/bin/time';
const RSS_LIMIT_KIB = 100 * 1024;

/** Runs mailv under /usr/bin/time; returns its status, stderr and peak RSS in KiB. */
function measured(args: string[]): Promise<{ code: number | null; stderr: string; rssKib: number; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(TIME, ['-f', 'peak-rss-kib=%M', process.execPath, MAILV, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => {
      const rss = /peak-rss-kib=(\d+)/.exec(stderr);
      resolve({ code, stderr, rssKib: rss ? Number(rss[1]) : Number.NaN, ms: Date.now() - started });
    });
    child.stdin.end('x\n');
  });
}

async function hostile(onConnect: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onConnect(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('hostile servers', { skip: existsSync(TIME) ? false : 'needs /usr/bin/time (Debian package time), as .ci/run installs' }, () => {
  it('a 10 MB reply line without a newline: protocol error, bounded memory', async () => {
    const server = await hostile((socket) => {
      const block = Buffer.alloc(1024 * 1024, 'A');
      let sent = 0;
      const pump = () => {
        while (sent < 10 && socket.write(Buffer.concat([sent === 0 ? Buffer.from('220') : Buffer.alloc(0), block]))) sent++;
        if (sent < 10) socket.once('drain', () => (sent++, pump()));
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
