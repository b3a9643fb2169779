// The build's last step: one plain send, as `mailv -q --server HOST < message` makes it, to a
// loopback SMTP server that answers as Postfix does (PIPELINING, CHUNKING, 8BITMIME), so that the
// V8 code cache bin/mailv.js writes after it holds the functions of that path: the message read
// from a file, BDAT, QUIT in the same flight. Then one dry run of the same message, for the cache
// bin/mailv.js keeps for dry runs. A cache warmed by --demo (smtp-server: no CHUNKING,
// the message from a pipe) left some of them to be compiled on every run and held others no
// plain send needs. The server only replies; it keeps nothing, and listens on 127.0.0.1 alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EHLO = [
  '250-warm-up.invalid',
  '250-PIPELINING',
  '250-SIZE 10240000',
  '250-VRFY',
  '250-ETRN',
  '250-ENHANCEDSTATUSCODES',
  '250-8BITMIME',
  '250-DSN',
  '250-SMTPUTF8',
  '250 CHUNKING',
];

/** Answers one connection: a reply per command line, BDAT's octets taken as they come. */
function answer(socket) {
  let pending = Buffer.alloc(0);
  /** Octets of the current BDAT chunk still to come. */
  let chunk = 0;
  let inData = false;
  const say = (lines) => socket.write(`${lines.join('\r\n')}\r\n`);
  socket.on('data', (data) => {
    pending = Buffer.concat([pending, data]);
    for (;;) {
      if (chunk > 0) {
        const taken = Math.min(chunk, pending.length);
        pending = pending.subarray(taken);
        chunk -= taken;
        if (chunk > 0) return;
        continue;
      }
      const end = pending.indexOf('\r\n');
      if (end < 0) return;
      const line = pending.subarray(0, end).toString('latin1');
      pending = pending.subarray(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          say(['250 2.0.0 Ok: queued']);
        }
        continue;
      }
      const [verb = '', size = '0'] = line.toUpperCase().split(' ');
      if (verb === 'EHLO') say(EHLO);
      else if (verb === 'MAIL') say(['250 2.1.0 Ok']);
      else if (verb === 'RCPT') say(['250 2.1.5 Ok']);
      else if (verb === 'BDAT') {
        chunk = Number(size);
        say([line.toUpperCase().endsWith(' LAST') ? '250 2.0.0 Ok: queued' : '250 2.0.0 Ok']);
      } else if (verb === 'DATA') {
        inData = true;
        say(['354 End data with <CR><LF>.<CR><LF>']);
      } else if (verb === 'RSET' || verb === 'NOOP') say(['250 2.0.0 Ok']);
      else if (verb === 'QUIT') {
        say(['221 2.0.0 Bye']);
        socket.end();
        return;
      } else say(['502 5.5.2 Error: command not recognized']);
    }
  });
  socket.on('error', () => {});
  say(['220 warm-up.invalid ESMTP']);
}

/**
 * Runs `launcher` once as a plain send to the loopback server, then once as a dry run, each with a
 * one-line message on standard input as a file, and a home and cache of their own; rejects unless
 * both exit 0.
 */
export async function warmUp(launcher, cwd) {
  const server = createServer(answer);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const home = mkdtempSync(join(tmpdir(), 'mailv-warm-up-'));
  const message = join(home, 'message.txt');
  writeFileSync(message, 'Hello from the build.\n');
  try {
    const to = ['-s', 'warm-up', 'warm-up@example.org'];
    await run(launcher, cwd, home, message, ['-q', '--server', `127.0.0.1:${server.address().port}`, '-r', 'build@example.org', ...to], 'send');
    // As a dry run is mostly made, to see what would go: the sender left to mailv.
    await run(launcher, cwd, home, message, ['--dry-run', '-q', ...to], 'dry run');
  } finally {
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs `launcher` with `args`, `message` on standard input as a file; rejects unless it exits 0. */
async function run(launcher, cwd, home, message, args, what) {
  const input = openSync(message, 'r');
  try {
    const child = spawn(process.execPath, [launcher, ...args], {
      cwd,
      // A user named, as a login shell names one: a build whose user the password file lacks still warms.
      env: { PATH: process.env.PATH ?? '', HOME: home, USER: 'build', XDG_CACHE_HOME: join(home, 'cache'), LANG: 'C', TZ: 'UTC' },
      // A dry run prints the message: not the build's to show.
      stdio: [input, 'ignore', 'inherit'],
    });
    const [status, signal] = await new Promise((resolve) => child.on('close', (...ended) => resolve(ended)));
    if (status !== 0) throw new Error(`the warm-up ${what} failed (${signal ?? `exit status ${status}`})`);
  } finally {
    closeSync(input);
  }
}
