// The scenario matrix: the same scenarios against every mail server of test/helpers/servers/, each
// read back from the server's own mailbox. A scenario the server does not offer (no STARTTLS, no
// CHUNKING, no SIZE, an AUTH mechanism) is checked as such: the server indeed does not offer it and
// mailv says so. After the run the outcomes are written as test-artifacts/compatibility.md.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, freshHome, runCli } from '../helpers/cli.js';
import { type Outcome, type ServerColumn, writeTable } from '../helpers/compatibility-table.js';
import { startCuttingProxy } from '../helpers/cutting-proxy.js';
import { SERVERS } from '../helpers/servers/index.js';
import type { MailServerUnderTest } from '../helpers/servers/server.js';
import { TEST_CA } from '../helpers/submission.js';

const AUTH_MECHANISMS = [...new Set(SERVERS.flatMap((server) => server.auth?.mechanisms ?? []))];

const SCENARIO = {
  ehlo: 'EHLO offer (--quit-after ehlo)',
  text: 'dot lines, a 998-octet line, UTF-8 (8BITMIME), byte for byte',
  attachment: 'a binary attachment (-a), byte for byte',
  starttls: 'STARTTLS, certificate verified (--tls required)',
  auth: (mechanism: string) => `AUTH ${mechanism} (over STARTTLS where offered)`,
  refused: 'a refused recipient among accepted ones (67)',
  size: 'over the SIZE limit: refused before MAIL (69)',
  data: '--body data',
  bdat: '--body bdat (CHUNKING)',
  lockstep: '--pipelining off: lock-step',
  dropped: 'connection dropped mid-message (75, dead.letter)',
} as const;

const SCENARIOS = [
  SCENARIO.ehlo,
  SCENARIO.text,
  SCENARIO.attachment,
  SCENARIO.starttls,
  ...AUTH_MECHANISMS.map(SCENARIO.auth),
  SCENARIO.refused,
  SCENARIO.size,
  SCENARIO.data,
  SCENARIO.bdat,
  SCENARIO.lockstep,
  SCENARIO.dropped,
];

const DATE = 'Date: Fri, 27 Nov 2026 20:29:31 +0000';

function uniqueId(): string {
  return `<${randomBytes(8).toString('hex')}.matrix@example.org>`;
}

/** The extensions of the last EHLO reply in a transcript, keyword → parameters. */
function ehloOffer(transcript: string): Map<string, string> {
  const lines = transcript.split('\n');
  let at = -1;
  lines.forEach((line, index) => {
    if (line.startsWith('>>> EHLO ')) at = index;
  });
  assert.notEqual(at, -1, `no EHLO in:\n${transcript}`);
  const offer = new Map<string, string>();
  // The first line of the reply names the server; the extensions follow, up to the `250 ` line.
  if (!lines[at + 1]?.startsWith('250-')) return offer;
  for (const line of lines.slice(at + 2)) {
    const reply = /^250([- ])(\S+) ?(.*)$/.exec(line);
    if (!reply) break;
    offer.set(reply[2]!.toUpperCase(), reply[3]!);
    if (reply[1] === ' ') break;
  }
  return offer;
}

/**
 * The message with its MIME boundary spelled `BOUNDARY`: mailv draws a boundary for each run, even
 * under the same Message-ID, so two runs of one message differ there only.
 */
function sameBoundary(message: Buffer): string {
  const text = message.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  return boundary === undefined ? text : text.replaceAll(boundary, 'BOUNDARY');
}

/** Every `>>>` line followed at once by a reply: one command, one reply. */
function isLockStep(transcript: string): boolean {
  const lines = transcript.split('\n');
  return lines.every((line, index) => !line.startsWith('>>> ') || /^\d{3}[ -]/.test(lines[index + 1] ?? ''));
}

/** A file of `octets` octets that takes no room on disk. */
function sparseFile(octets: number): string {
  const path = join(freshHome(), 'large.bin');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, octets);
  closeSync(fd);
  return path;
}

function matrixFor(server: MailServerUnderTest, column: ServerColumn): void {
  const address = () => `${server.host}:${server.port}`;
  const [to, other] = server.recipients;
  const tls = () => (server.starttls ? ['--tls', 'required', '--ca', TEST_CA] : []);
  const send = (args: readonly string[], id: string, input: string | Buffer = 'Hello.\n', env?: Record<string, string>): Promise<CliResult> =>
    runCli(['--server', address(), '-H', `Message-ID: ${id}`, '-r', to, ...args], { input, ...(env ? { env } : {}) });
  let offer: Promise<Map<string, string>> | undefined;
  const plainOffer = () => {
    offer ??= runCli(['--server', address(), '--quit-after', 'ehlo']).then((run) => {
      assert.equal(run.code, 0, run.stderr);
      return ehloOffer(run.stdout);
    });
    return offer;
  };
  /** Sends the message twice, to --dry-run and to the server; the stored message must be what --dry-run printed. */
  const byteForByte = async (args: readonly string[], input: string | Buffer) => {
    const id = uniqueId();
    const message = ['-H', `Message-ID: ${id}`, '-H', DATE, '-r', to, ...args, to];
    const dry = await runCli(['--dry-run', '-q', ...message], { input });
    assert.equal(dry.code, 0, dry.stderr);
    const run = await runCli(['--server', address(), ...message], { input });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(sameBoundary(server.asSent(await server.delivered(to, id), 'Date:')), sameBoundary(dry.stdoutBytes));
  };
  const cell = (scenario: string, body: () => Promise<Outcome>) =>
    it(scenario, async () => {
      column.outcomes.set(scenario, 'failed');
      column.outcomes.set(scenario, await body());
    });

  before(async () => {
    await server.start?.();
    column.version = await server.version();
  });
  after(async () => {
    await server.stop?.();
  });

  cell(SCENARIO.ehlo, async () => {
    const offered = await plainOffer();
    assert.equal(offered.has('STARTTLS'), server.starttls, 'STARTTLS');
    assert.equal(offered.get('SIZE'), server.sizeLimit?.toString(), 'SIZE');
    const inClear = server.auth && !server.auth.afterTlsOnly ? [...server.auth.mechanisms].sort() : undefined;
    assert.deepEqual(offered.get('AUTH')?.split(' ').sort(), inClear, 'AUTH before STARTTLS');
    if (server.auth && server.starttls) {
      const secured = await runCli(['--server', address(), ...tls(), '--quit-after', 'starttls']);
      assert.equal(secured.code, 0, secured.stderr);
      assert.deepEqual(ehloOffer(secured.stdout).get('AUTH')?.split(' ').sort(), [...server.auth.mechanisms].sort(), 'AUTH after STARTTLS');
    }
    return 'passed';
  });

  cell(SCENARIO.text, async () => {
    const body = `.leading dot\n.\n..\n${'y'.repeat(998)}\nAccentué, 日本語, ☃\nlast line\n`;
    await byteForByte(['-s', 'Sujet accentué'], body);
    return 'passed';
  });

  cell(SCENARIO.attachment, async () => {
    const file = join(freshHome(), 'archive.tar.gz');
    writeFileSync(file, randomBytes(100_000));
    await byteForByte(['-s', 'binary', '-a', file], 'see attachment\n');
    return 'passed';
  });

  cell(SCENARIO.starttls, async () => {
    if (server.starttls) {
      const id = uniqueId();
      const run = await send([...tls(), '-s', 'starttls', to], id);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^>>> STARTTLS\n220[ -]/m);
      assert.match(run.stdout, /^TLS: .*certificate verified$/m);
      assert.match((await server.delivered(to, id)).toString(), /Subject: starttls/);
      return 'passed';
    }
    const run = await runCli(['--server', address(), '--tls', 'required', '--ca', TEST_CA, '--quit-after', 'starttls']);
    assert.equal(run.code, 75, run.stderr);
    assert.equal(ehloOffer(run.stdout).has('STARTTLS'), false);
    assert.doesNotMatch(run.stdout, /^>>> STARTTLS/m);
    return 'not offered';
  });

  for (const mechanism of AUTH_MECHANISMS) {
    cell(SCENARIO.auth(mechanism), async () => {
      const auth = server.auth;
      if (auth?.mechanisms.includes(mechanism)) {
        const id = uniqueId();
        const env = { MAILV_PASSWORD: auth.password };
        const run = await send([...tls(), '--user', auth.user, '--auth', mechanism, '-s', `auth ${mechanism}`, to], id, 'Hello.\n', env);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`^>>> AUTH ${mechanism}\\b`, 'm'));
        assert.match(run.stdout, /^235[ -]/m);
        assert.ok(!`${run.stdout}${run.stderr}`.includes(auth.password), 'the password stays off the terminal');
        assert.match((await server.delivered(to, id)).toString(), new RegExp(`Subject: auth ${mechanism}`));
        return 'passed';
      }
      // Offered other mechanisms only (69), or no AUTH at all (77): mailv stops before any AUTH.
      const run = await runCli(['--server', address(), ...tls(), '--user', auth?.user ?? 'mailtest', '--auth', mechanism, '--quit-after', 'auth'], {
        env: { MAILV_PASSWORD: auth?.password ?? 'unused' },
      });
      assert.equal(run.code, auth ? 69 : 77, run.stderr);
      assert.equal(ehloOffer(run.stdout).get('AUTH')?.split(' ').includes(mechanism) ?? false, false);
      assert.doesNotMatch(run.stdout, /^>>> AUTH/m);
      return 'not offered';
    });
  }

  cell(SCENARIO.refused, async () => {
    const id = uniqueId();
    const run = await send(['-s', 'partial', to, server.refused, other], id);
    assert.equal(run.code, 67, run.stderr);
    assert.match(run.stdout, new RegExp(`^${server.refused.replace(/[.]/g, '\\.')}\\.\\.\\. .*\\(5\\d\\d[ -]`, 'm'));
    assert.match((await server.delivered(to, id)).toString(), /Subject: partial/);
    assert.match((await server.delivered(other, id)).toString(), /Subject: partial/);
    return 'passed';
  });

  cell(SCENARIO.size, async () => {
    const limit = server.sizeLimit;
    if (limit === undefined) {
      assert.equal((await plainOffer()).has('SIZE'), false);
      return 'not offered';
    }
    // base64 makes 4 octets of 3: the message passes the limit without reading a large file.
    const home = freshHome();
    const file = sparseFile(Math.ceil((limit * 3) / 4) + 4096);
    const run = await runCli(['--server', address(), '-H', `Message-ID: ${uniqueId()}`, '-r', to, '-s', 'too large', '-a', file, to], { home });
    const deadLetter = join(home, 'dead.letter');
    try {
      assert.equal(run.code, 69, run.stderr);
      assert.doesNotMatch(run.stdout, /^>>> MAIL/m);
      assert.match(run.stderr, new RegExp(`\\b${limit}\\b`));
      assert.ok(statSync(deadLetter).size > limit, 'the message is kept in dead.letter');
    } finally {
      rmSync(deadLetter, { force: true });
    }
    return 'passed';
  });

  cell(SCENARIO.data, async () => {
    const id = uniqueId();
    const run = await send(['--body', 'data', '-s', 'data', to], id, '.dot\n');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> DATA$/m);
    assert.match(run.stdout, /^354[ -]/m);
    assert.doesNotMatch(run.stdout, /^>>> BDAT/m);
    assert.match((await server.delivered(to, id)).toString(), /\r?\n\r?\n\.dot\r?\n$/);
    return 'passed';
  });

  cell(SCENARIO.bdat, async () => {
    const id = uniqueId();
    const run = await send(['--body', 'bdat', '-s', 'bdat', to], id);
    if ((await plainOffer()).has('CHUNKING')) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^>>> BDAT \d+ LAST$/m);
      assert.doesNotMatch(run.stdout, /^>>> DATA/m);
      assert.match((await server.delivered(to, id)).toString(), /Subject: bdat/);
      return 'passed';
    }
    assert.equal(run.code, 69, run.stderr);
    assert.doesNotMatch(run.stdout, /^>>> (MAIL|BDAT)/m);
    return 'not offered';
  });

  cell(SCENARIO.lockstep, async () => {
    const id = uniqueId();
    const run = await send(['--pipelining', 'off', '-s', 'lock-step', to, other], id);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(isLockStep(run.stdout), run.stdout);
    assert.doesNotMatch(run.stdout, /in one flight/);
    assert.match((await server.delivered(to, id)).toString(), /Subject: lock-step/);
    return 'passed';
  });

  cell(SCENARIO.dropped, async () => {
    // In clear (--tls off): the proxy must see where the message begins.
    const proxy = await startCuttingProxy(server, 1000);
    try {
      const id = uniqueId();
      const home = freshHome();
      const body = 'The line goes down in the middle of this message.\n'.repeat(4000);
      const run = await runCli(['--server', `127.0.0.1:${proxy.port}`, '-H', `Message-ID: ${id}`, '-r', to, '--tls', 'off', '-s', 'dropped', to], {
        input: body,
        home,
      });
      assert.ok(proxy.cut, 'the proxy cut the connection in the middle of the message');
      assert.equal(run.code, 75, run.stderr);
      const deadLetter = join(home, 'dead.letter');
      assert.ok(existsSync(deadLetter) && readFileSync(deadLetter, 'utf8').includes(id), 'the message is kept in dead.letter');
      await assert.rejects(server.delivered(to, id, 1500), 'the server delivered no part of it');
    } finally {
      await proxy.close();
    }
    return 'passed';
  });
}

const skips = await Promise.all(SERVERS.map((server) => server.skipReason()));
const columns: ServerColumn[] = SERVERS.map((server, index) => ({ name: server.name, version: '', notRun: skips[index], outcomes: new Map() }));

// Servers side by side, each one's scenarios in turn: a server sees one client at a time.
describe('the scenario matrix', { concurrency: SERVERS.length }, () => {
  SERVERS.forEach((server, index) => {
    describe(server.name, { skip: skips[index], concurrency: 1 }, () => matrixFor(server, columns[index]!));
  });
  after(() => writeTable(SCENARIOS, columns));
});
