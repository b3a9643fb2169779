// PIPECONNECT with the built CLI: against the real Exim of test/services/exim.sh, the first send
// remembers its EHLO reply in a 0600 file, the second sends EHLO before the greeting (seen by a
// proxy that holds the greeting back); against a scripted server that refuses early talkers, the
// message goes once, over a second connection, and the server is forgotten.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshHome, LOCAL_HOST, runCli } from '../helpers/cli.js';
import { startGreetingWatchProxy, type GreetingWatchProxy } from '../helpers/greeting-watch-proxy.js';
import { serveScript, type Recording } from '../helpers/scripted-server.js';
import { exim } from '../helpers/servers/exim.js';

// Long enough that a busy host's stall of mailv, or of this process, does not outlast it: an early
// EHLO is written at once after the connection, and must be read before the greeting goes.
const HOLD_MS = 400;

interface CacheFile {
  readonly entries: { host: string; port: number; tls: string; helo: string; offer?: { extensions: { keyword: string }[] }; refused?: true }[];
}

function cacheOf(home: string): CacheFile {
  return JSON.parse(readFileSync(join(home, '.cache', 'mailv', 'pipeconnect.json'), 'utf8')) as CacheFile;
}

describe('PIPECONNECT against Exim', { skip: await exim.skipReason() }, () => {
  let proxy: GreetingWatchProxy;
  before(async () => {
    proxy = await startGreetingWatchProxy(exim, HOLD_MS);
  });
  after(() => proxy.close());

  it('remembers the EHLO reply in a 0600 file, then sends EHLO before the greeting; the message is delivered each time', async () => {
    const home = freshHome();
    const send = async (extra: readonly string[] = []) => {
      const marker = randomBytes(8).toString('hex');
      const run = await runCli(['-v', '--tls', 'off', '--server', `127.0.0.1:${proxy.port}`, '-s', marker, ...extra, exim.recipients[0]!], {
        home,
        input: 'hello\n',
      });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      await exim.delivered(exim.recipients[0]!, marker);
      return run;
    };

    const first = await send();
    assert.equal(proxy.connections.at(-1)?.beforeGreeting, '');
    const directory = join(home, '.cache', 'mailv');
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(statSync(join(directory, 'pipeconnect.json')).mode & 0o777, 0o600);
    const [entry] = cacheOf(home).entries;
    assert.deepEqual(
      { host: entry?.host, port: entry?.port, tls: entry?.tls, helo: entry?.helo },
      { host: '127.0.0.1', port: proxy.port, tls: 'clear', helo: LOCAL_HOST },
    );
    assert.ok(entry?.offer?.extensions.some(({ keyword }) => keyword === 'PIPECONNECT'));
    assert.ok(first.stdout.indexOf('220 ') < first.stdout.indexOf('>>> EHLO'), first.stdout);

    const second = await send();
    // The proxy passed the greeting on only after EHLO had reached it.
    assert.equal(proxy.connections.at(-1)?.beforeGreeting, `EHLO ${LOCAL_HOST}\r\n`);
    assert.ok(second.stdout.indexOf('>>> EHLO') < second.stdout.indexOf('220 '), second.stdout);
    assert.match(second.stdout, /^EHLO sent before the greeting: this server offered PIPECONNECT/m);
    // Explained, the greeting read after the early EHLO is not said to come first on the wire.
    const explained = await send(['-e']);
    assert.match(explained.stdout, /↳ 220: the greeting, still the server’s first word; mailv sent EHLO without waiting for it/);
    assert.doesNotMatch(explained.stdout, /↳ 220: the greeting; the server speaks first/);
    // The first contact, explained: the reply is kept, and said to be.
    const firstContact = await runCli(['-e', '--tls', 'off', '--quit-after', 'ehlo', '--server', `127.0.0.1:${proxy.port}`], { home: freshHome() });
    assert.equal(firstContact.code, 0, firstContact.stderr);
    assert.match(firstContact.stdout, /↳ mailv keeps this reply: for a day, its EHLO to this server goes before the greeting \(draft-harris-early-pipe\)/);

    const unremembered = await send(['--no-pipeconnect', '-e']);
    assert.equal(proxy.connections.at(-1)?.beforeGreeting, '');
    assert.match(unremembered.stdout, /↳ PIPECONNECT: a client that remembers this reply may send EHLO before the greeting next time/);
    assert.doesNotMatch(unremembered.stdout, /mailv keeps this reply/, 'nothing is kept under --no-pipeconnect');

    // Where an early EHLO has no place (one command a reply, a probe that ends before EHLO, the
    // load mode), none goes, though the server is remembered.
    for (const extra of [
      ['--pipelining', 'off'],
      ['--quit-after', 'greeting'],
      ['--quit-after', 'connect'],
      ['--count', '2'],
    ]) {
      const before = proxy.connections.length;
      const run = await runCli(['--tls', 'off', '--server', `127.0.0.1:${proxy.port}`, '-s', 'kept', ...extra, exim.recipients[0]!], {
        home,
        input: 'hello\n',
      });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const connections = proxy.connections.slice(before);
      assert.ok(connections.length > 0, extra.join(' '));
      for (const connection of connections) assert.equal(connection.beforeGreeting, '', extra.join(' '));
    }
    assert.ok(cacheOf(home).entries.some((entry) => entry.offer?.extensions.some(({ keyword }) => keyword === 'PIPECONNECT')));
  });
});

/**
 * A server that offers PIPECONNECT but, as Exim does for a host it does not allow to talk early,
 * answers a client that speaks before its greeting with 554 and hangs up.
 */
async function startEarlyTalkerRefuser(): Promise<{ port: number; recording: Recording; connections: () => number; close(): Promise<void> }> {
  const recording: Recording = { chunks: [], commands: [] };
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    let early = false;
    const onEarly = () => {
      early = true;
    };
    socket.on('data', onEarly);
    setTimeout(() => {
      socket.off('data', onEarly);
      if (early) socket.end('554 SMTP synchronization error\r\n');
      else serveScript(socket, { replies: { EHLO: '250-refuser.test\r\n250-PIPELINING\r\n250-PIPECONNECT\r\n250 CHUNKING' } }, recording);
    }, HOLD_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    recording,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('PIPECONNECT refused', () => {
  it('sends the message once, over a second connection, when the server refuses the early EHLO, and remembers the refusal', async () => {
    const refuser = await startEarlyTalkerRefuser();
    try {
      const home = freshHome();
      const args = ['-v', '--server', `127.0.0.1:${refuser.port}`, '-s', 'once', 'rcpt@example.org'];
      const first = await runCli(args, { home, input: 'hello\n' });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(cacheOf(home).entries.length, 1);

      const second = await runCli(args, { home, input: 'hello\n' });
      assert.equal(second.code, 0, second.stderr + second.stdout);
      assert.equal(refuser.connections(), 3);
      assert.equal(refuser.recording.commands.filter((line) => /^BDAT \d+ LAST$/.test(line)).length, 2, refuser.recording.commands.join('\n'));
      assert.match(second.stdout, /^554 SMTP synchronization error$/m);
      assert.match(
        second.stdout,
        /^Warning: the server did not accept the early EHLO: none goes early to it for a day, and the message goes over a new connection without it$/m,
      );
      assert.equal(second.stdout.match(/Connecting to/g)?.length, 2);
      // Its EHLO went on offering PIPECONNECT: the refusal is what is kept, not the offer.
      assert.deepEqual(
        cacheOf(home).entries.map(({ refused, offer }) => ({ refused, offer })),
        [{ refused: true, offer: undefined }],
      );

      // The next send neither tries early again nor learns the offer back: one connection, no warning.
      const third = await runCli(args, { home, input: 'hello\n' });
      assert.equal(third.code, 0, third.stderr + third.stdout);
      assert.equal(refuser.connections(), 4);
      assert.doesNotMatch(third.stdout, /EHLO sent before the greeting|did not accept the early EHLO/);
      assert.equal(cacheOf(home).entries[0]?.refused, true);
    } finally {
      await refuser.close();
    }
  });
});
