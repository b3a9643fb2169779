// mailv replay in this process: it opens no socket of any kind, and --step waits where a live run
// waits, before each write (a pipelined flight being one), q ending the replay there.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { freshHome } from '../helpers/cli.js';
import { runApp } from '../helpers/app.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const FIXTURE = new URL('../../test/fixtures/record-small.jsonl', import.meta.url).pathname;

/** A --step terminal that answers Enter `go` times, then q; it counts the questions. */
function stepper(go: number) {
  const state = { asked: 0, writes: [] as { content: number | undefined; verbs: string[] }[] };
  const open = async () => ({
    ask: async (next: { content: number | undefined; commands: readonly { verb: string }[] }) => {
      state.writes.push({ content: next.content, verbs: next.commands.map((command) => command.verb) });
      return ++state.asked > go ? ('quit' as const) : ('go' as const);
    },
    close: () => {},
  });
  return { state, open };
}

describe('mailv replay in memory', () => {
  it('opens no socket: no TCP, no UDP (no DNS)', async () => {
    const opened: string[] = [];
    const connect = net.Socket.prototype.connect;
    const createSocket = dgram.createSocket;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      opened.push('tcp');
      return (connect as (...each: unknown[]) => net.Socket).apply(this, args);
    } as typeof connect;
    (dgram as { createSocket: unknown }).createSocket = (...args: unknown[]) => {
      opened.push('udp');
      return (createSocket as (...each: unknown[]) => dgram.Socket)(...args);
    };
    try {
      const run = await runApp(['replay', '-vv', '--timing', FIXTURE]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /221 2\.0\.0 Bye/);
      assert.equal(opened.join(' '), '', 'sockets opened by the replay');
      // The same patch sees a live run's socket: the check can fail.
      const live = await runApp(['--server', '127.0.0.1:9', '-r', 'alice@example.org', 'bob@example.org'], { input: 'x\n', env: { DEAD: '/dev/null' } });
      assert.equal(live.status, 75, live.stderr);
      assert.ok(opened.includes('tcp'), 'a live run connects');
    } finally {
      net.Socket.prototype.connect = connect;
      (dgram as { createSocket: unknown }).createSocket = createSocket;
    }
  });

  it('--step: q at a live run sends QUIT unasked; its replay does not ask before that QUIT either', async () => {
    const server = await startScriptedServer();
    try {
      const path = join(freshHome(), 'stopped.jsonl');
      const live = stepper(1);
      const args = ['--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'];
      const run = await runApp(['--step', '--record', path, ...args], { input: 'body\n', openStepper: live.open });
      assert.equal(run.status, 75, run.stderr);
      assert.ok(server.commands.includes('QUIT'), server.commands.join('\n'));
      const replay = stepper(100);
      assert.equal((await runApp(['replay', '--step', path], { openStepper: replay.open })).status, 75);
      // Live: asked before EHLO (go) and before the flight (q, never written); the QUIT went unasked.
      assert.deepEqual(
        replay.state.writes.map((write) => write.verbs),
        [['EHLO']],
      );
    } finally {
      await server.close();
    }
  });

  it('--step: Enter before each command, q stops there with 0', async () => {
    const whole = await runApp(['replay', FIXTURE]);
    const lines = whole.stdout.split('\n');
    const flight = lines.findIndex((line) => line.startsWith('(the next 3 commands in one flight'));
    const { state, open } = stepper(1);
    const run = await runApp(['replay', '--step', FIXTURE], { openStepper: open });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(state.asked, 2, 'before EHLO, then before the flight of MAIL, RCPT and DATA');
    assert.equal(run.stdout, `${lines.slice(0, flight).join('\n')}\n`);
  });

  it('--step: a pipelined flight is one step, as it is one write', async () => {
    const { state, open } = stepper(100);
    const run = await runApp(['replay', '--step', FIXTURE], { openStepper: open });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(state.asked, 3, 'EHLO, the flight of MAIL RCPT DATA, the flight of the dot and QUIT');
    // Each pause names what the write sent, as the live prompt did: the message's size before the dot.
    assert.deepEqual(state.writes, [
      { content: undefined, verbs: ['EHLO'] },
      { content: undefined, verbs: ['MAIL', 'RCPT', 'DATA'] },
      { content: 271, verbs: ['.', 'QUIT'] },
    ]);
    assert.equal(run.stdout, (await runApp(['replay', FIXTURE])).stdout);
    // A record without flight events (a session that wrote one command at a time): one step each.
    const record = readFileSync(FIXTURE, 'utf8')
      .split('\n')
      .filter((line) => !line.includes('"kind":"flight"'));
    const path = join(freshHome(), 'lock-step.jsonl');
    writeFileSync(path, record.join('\n'));
    const each = stepper(100);
    assert.equal((await runApp(['replay', '--step', path], { openStepper: each.open })).status, 0);
    assert.equal(each.state.asked, 6, 'EHLO, MAIL, RCPT, DATA, the dot, QUIT');
  });

  it('--step -vv: the pause before the message comes before any line of it, as a live run pauses before writing it', async () => {
    const { state, open } = stepper(2);
    const run = await runApp(['replay', '-vv', '--step', FIXTURE], { openStepper: open });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(state.asked, 3, 'EHLO, the flight of MAIL RCPT DATA, then the message: q there');
    assert.deepEqual(state.writes[2], { content: 271, verbs: ['.', 'QUIT'] });
    assert.match(run.stdout, /^354 End data/m);
    assert.doesNotMatch(run.stdout, /Subject: Lesson/, 'no line of the message before its pause');
    // Each write is still one step, the message's lines going with the dot that ends them.
    const all = stepper(100);
    assert.equal((await runApp(['replay', '-vv', '--step', FIXTURE], { openStepper: all.open })).status, 0);
    assert.equal(all.state.asked, 3);
  });

  it('standard input past 256 MiB (a pipe without end): one line, 65, not all of it held', async () => {
    const mebibyte = Buffer.alloc(1024 * 1024, '\n');
    let given = 0;
    // Ends after 300 MiB, so that a replay that reads it all ends too, on another line.
    const endless = new Readable({
      read() {
        this.push(given++ < 300 ? mebibyte : null);
      },
    });
    const run = await runApp(['replay', '-'], { stdin: endless });
    assert.equal(run.status, 65, run.stderr);
    assert.equal(run.stderr, 'mailv: cannot read the record standard input: more than 256 MiB\n');
    assert.ok(given < 260, `${given} MiB read`);
  });
});
