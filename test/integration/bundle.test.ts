// The bundle bin/build.mjs makes, as bin/mailv.js needs it: runnable through node:vm, and light to
// start (commander's node:child_process left out, the code caches warmed by a plain send and a dry run).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { MAILV, freshHome, runCli } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const BUNDLE = new URL('../../dist/bundle/mailv.cjs', import.meta.url);
/** The bundles bin/build.mjs makes beside the command line's, for what only some runs need. */
const PARTS_APART = ['smtp-server', 'explain', 'dns-packet', 'ora', 'french'];

/** Runs mailv with `args` (the message on stdin); resolves with the files of dist/bundle it require()d. */
function partsRequired(args: string[]): Promise<string[]> {
  const probe = join(freshHome(), 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(Object.keys(module.constructor._cache))));\n` +
      `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, ...${JSON.stringify(args)}];\nrequire(${JSON.stringify(MAILV)});`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe], { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', USER: 'tester' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr}`));
      const files = JSON.parse(stderr.slice(stderr.lastIndexOf('["'))) as string[];
      resolve(files.filter((file) => file.includes(`${join('dist', 'bundle')}`)).map((file) => file.slice(file.lastIndexOf('/') + 1)));
    });
    child.stdin.end('Hello.\n');
  });
}

/**
 * Runs `script` in a fresh node, the message on stdin; resolves with the built-in modules it loaded.
 * The script is a file of its own, as the launcher is: `node -e` would load node:module itself.
 */
function builtinsLoaded(script: string, input: string | number, stdout: 'pipe' | number = 'pipe'): Promise<string[]> {
  const probe = join(freshHome(), 'probe.cjs');
  writeFileSync(probe, `process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(process.moduleLoadList)));\n${script}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe], {
      env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', USER: 'tester' },
      stdio: [typeof input === 'number' ? input : 'pipe', stdout, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout?.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr}`));
      resolve((JSON.parse(stderr.slice(stderr.lastIndexOf('["'))) as string[]).map((entry) => entry.replace(/^NativeModule /, '')));
    });
    if (typeof input === 'string') child.stdin!.end(input);
  });
}

/**
 * A copy of the installed layout (the launcher, its package.json, the bundle and the build's
 * caches), so that a test's runs write only there; and a run of it (a dry run, say) with Node options or an
 * environment. `plain` is the cache a dry run without Node options reads, `send` a send's.
 */
function installedCopy() {
  const root = freshHome();
  const built = fileURLToPath(BUNDLE);
  const plain = `mailv.cjs.${process.version}.dry-run.v8-cache`;
  const send = `mailv.cjs.${process.version}.v8-cache`;
  const cacheDirectory = join(root, 'dist', 'bundle');
  const launcher = join(root, 'bin', 'mailv.js');
  mkdirSync(join(root, 'bin'));
  mkdirSync(cacheDirectory, { recursive: true });
  for (const name of ['mailv.js', 'package.json']) copyFileSync(join(dirname(MAILV), name), join(root, 'bin', name));
  copyFileSync(join(dirname(MAILV), '..', 'package.json'), join(root, 'package.json'));
  for (const name of ['mailv.cjs', 'mailv.cjs.map', plain, send]) copyFileSync(join(dirname(built), name), join(cacheDirectory, name));
  const caches = () =>
    readdirSync(cacheDirectory)
      .filter((name) => name.endsWith('.v8-cache'))
      .sort();
  /** Runs the copy's launcher with `args` (Node's `options` before it), a one-line message on stdin; resolves with its status. */
  const run = (args: readonly string[], options: readonly string[] = [], env: NodeJS.ProcessEnv = {}) =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...options, launcher, ...args], {
        env: { PATH: process.env['PATH'] ?? '', HOME: root, USER: 'tester', ...env },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      child.on('error', reject);
      child.on('close', resolve);
      child.stdin!.end('Hello.\n');
    });
  const dryRun = (options: string[], env: NodeJS.ProcessEnv = {}) => run(['--dry-run', '-q', '-s', 'x', 'bob@example.org'], options, env);
  return { root, launcher, cacheDirectory, plain, send, caches, run, dryRun };
}

/**
 * Starts the launcher of `copy` with `preload` required before it (Node's -r), its HOME the copy's;
 * `closed` resolves with its status and what it wrote on standard error.
 */
function startPlanted(copy: ReturnType<typeof installedCopy>, preload: string, args: readonly string[]) {
  const child = spawn(process.execPath, ['-r', preload, copy.launcher, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: copy.root, USER: 'tester' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = once(child, 'close').then(([status]) => ({ status: status as number | null, stderr }));
  return { stdin: child.stdin!, closed, kill: (signal: NodeJS.Signals) => child.kill(signal) };
}

/**
 * A preload that rejects a promise nobody handles when the launcher adds its last 'exit' listener
 * (the run has ended and its status is set), and leaves a handle open, as whatever threw may.
 */
function plantLateFault(copy: ReturnType<typeof installedCopy>): string {
  const plant = join(copy.root, 'late.cjs');
  writeFileSync(
    plant,
    'const once = process.once;\nlet planted = false;\nprocess.once = function (event, listener) {\n' +
      "  if (event === 'exit' && !planted && String(listener).includes('process.exit()')) {\n" +
      "    planted = true;\n    Promise.reject(new RangeError('planted after the run'));\n    setInterval(() => {}, 60000);\n  }\n" +
      '  return once.call(this, event, listener);\n};\n',
  );
  return plant;
}

/** What the launcher's compile of the bundle made of its code cache, after a run of `args`. */
interface CacheUse {
  rejected: boolean;
  /** Octets of the cache read from beside the bundle. */
  loaded: number;
  /** Octets of a cache made again after the run: more when the run compiled functions the cache lacked. */
  after: number;
  status: number;
}

/**
 * Compiles the bundle as bin/mailv.js does, with the build's cache for a send or (`kind`) for a dry
 * run, runs mailv with `args` (stdin from `input`), and says how the cache served.
 */
function cacheUse(args: readonly string[], input: number, kind: '' | '.dry-run' = ''): Promise<CacheUse> {
  const file = JSON.stringify(BUNDLE.pathname);
  const probe = `const fs = require('node:fs'), vm = require('node:vm'), file = ${file};
const cachedData = fs.readFileSync(file + '.' + process.version + ${JSON.stringify(kind)} + '.v8-cache');
const script = new vm.Script(fs.readFileSync(file).toString('latin1'), { filename: file, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, module.constructor.createRequire(file), bundle, file, require('node:path').dirname(file));
bundle.exports.main(${JSON.stringify(args)}, () => '0', 'mailv').then((status) => {
  fs.writeSync(2, JSON.stringify({ rejected: script.cachedDataRejected, loaded: cachedData.length, after: script.createCachedData().length, status }));
});`;
  const home = freshHome();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', probe], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_CACHE_HOME: join(home, 'cache'), USER: 'tester' },
      stdio: [input, 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(stderr.slice(stderr.lastIndexOf('{'))) as CacheUse) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

describe('the bundle', () => {
  const bundle = readFileSync(BUNDLE, 'latin1');

  it('holds no import(): node:vm, which runs it, has no dynamic-import callback', () => {
    assert.doesNotMatch(bundle, /\bimport\(/);
  });

  it('leaves the parts only some runs need to bundles of their own, required from it', () => {
    for (const part of PARTS_APART) {
      const text = readFileSync(new URL(`../../dist/bundle/${part}.cjs`, import.meta.url), 'latin1');
      assert.doesNotMatch(text, /\bimport\(/, part);
      assert.ok(bundle.includes(`require("./${part}.cjs")`), `the command line requires ${part}`);
    }
    // Something each part alone holds: a catalogue key of --explain, dns-packet's record types, a
    // spinner of ora's, a French word of --help.
    const markers = { explain: 'cmdEhloAgain:', 'dns-packet': 'case"ANY":return 255', ora: 'bouncingBar:', french: 'afficher cette aide' };
    for (const [part, marker] of Object.entries(markers)) {
      assert.ok(readFileSync(new URL(`../../dist/bundle/${part}.cjs`, import.meta.url), 'latin1').includes(marker), `${part} holds ${marker}`);
      assert.ok(!bundle.includes(marker), `the command line does not hold ${marker}`);
    }
    // The French words bring neither the English ones nor mailv's error classes along.
    const french = readFileSync(new URL('../../dist/bundle/french.cjs', import.meta.url), 'latin1');
    assert.ok(bundle.includes('show this help'));
    assert.ok(!french.includes('show this help'), 'french.cjs holds the English words');
    assert.doesNotMatch(french, /\bMailvError\b/);
    // Nor any class, whose copy would be another class to instanceof, nor a check of one.
    assert.doesNotMatch(french, /\bclass\b|\binstanceof\b/);
  });

  it('requires none of those parts for a plain send, and explain.cjs for --explain', async () => {
    const server = await startScriptedServer();
    try {
      const send = ['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'];
      assert.deepEqual(await partsRequired(['-q', ...send]), []);
      assert.ok(server.commands.includes('QUIT'), 'the send went through to its end');
      assert.deepEqual(await partsRequired(['--explain', ...send]), ['explain.cjs']);
    } finally {
      await server.close();
    }
  });

  it('requires french.cjs for a run in French, and only then', async () => {
    const server = await startScriptedServer();
    try {
      const send = ['--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'];
      assert.deepEqual(await partsRequired(['-q', '--lang', 'fr', ...send]), ['french.cjs']);
      assert.deepEqual(await partsRequired(['-q', '--lang', 'en', ...send]), []);
    } finally {
      await server.close();
    }
  });

  it('reaches the French words through src/words/french.ts alone: no other source imports the catalogue', () => {
    const sources = fileURLToPath(new URL('../../src/', import.meta.url));
    const french = join(sources, 'words', 'fr');
    const importers = readdirSync(sources, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !join(sources, file).startsWith(french + '/'))
      .filter((file) => {
        const text = readFileSync(join(sources, file), 'utf8');
        return [...text.matchAll(/^import (?!type\b)[^;]*? from '(\.[^']+)'/gm)].some((found) =>
          join(dirname(join(sources, file)), found[1] ?? '').startsWith(french + '/'),
        );
      });
    assert.deepEqual(importers, [join('words', 'french.ts')]);
  });

  it('speaks French through the bundle in the words it makes at first use: --timing, a send', async () => {
    const server = await startScriptedServer();
    try {
      const run = await runCli(['--lang', 'fr', '--timing', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], {
        input: 'Bonjour.\n',
      });
      assert.equal(run.code, 0, run.stderr);
      const output = run.stdout;
      assert.match(output, /^Temps : \d+ allers?-retours? \(attentes du serveur\), \d+ octets envoyés, \d+ reçus, [\d,]+ ms en tout$/m);
      assert.match(output, /^Temps : accueil [\d,]+ ms après l’établissement de la connexion/m);
    } finally {
      await server.close();
    }
  });

  it('speaks French through the bundle, in its words and its errors', () => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester', LANG: 'fr_FR.UTF-8' };
    const help = execFileSync(process.execPath, [MAILV, '--help'], { env, encoding: 'utf8' });
    assert.match(help, /^Utilisation : mailv/);
    assert.throws(
      () => execFileSync(process.execPath, [MAILV, '--count', 'x', 'bob@example.org'], { env, encoding: 'utf8', stdio: 'pipe' }),
      (error: { status: number; stderr: string }) => error.status === 64 && error.stderr.startsWith('mailv: --count invalide « x » : il faut un nombre entier'),
    );
  });

  it('shows a failure of its own with its stack in source terms, read from the source map beside the bundle', () => {
    // A failure no input makes: node:os's hostname(), which the process adapter calls for the
    // application, made to throw by a module Node loads first.
    const copy = installedCopy();
    const plant = join(copy.root, 'plant.cjs');
    writeFileSync(plant, "require('node:os').hostname = () => { throw new TypeError('planted'); };\n");
    const ran = spawnSync(process.execPath, ['-r', plant, copy.launcher, '--dry-run', '-s', 'x', 'bob@example.org'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester' },
      input: 'Hello.\n',
      encoding: 'utf8',
    });
    assert.equal(ran.status, 70, ran.stderr);
    const frames = ran.stderr
      .trimEnd()
      .split('\\x0a')
      .filter((line) => line.startsWith('    at '));
    assert.match(ran.stderr, /^mailv: internal error: TypeError: planted\\x0a/);
    assert.ok(frames.length >= 3, ran.stderr);
    assert.match(frames[1]!, /^ {4}at src\/cli\/run\.ts:\d+:\d+$/, 'the call in the process adapter, in source terms');
    assert.ok(
      frames
        .slice(1)
        .every((frame) => /^ {4}at (async |new )?(src|node_modules)\/[\w./-]+\.[jt]s:\d+:\d+$|^ {4}at (async )?(node:|new Promise|Promise)/.test(frame)),
      ran.stderr,
    );
    assert.ok(
      frames.some((frame) => frame.startsWith('    at async src/')),
      'an async frame, its kind kept',
    );
    assert.doesNotMatch(ran.stderr, /mailv\.cjs:/, 'no frame of the bundle left in its minified terms');
  });

  it('ends a run with 70 at an exception nothing caught, the message kept: the process adapter hands it to the run', async () => {
    // A fault no input makes: the first data from the server (its greeting) thrown where Node hands
    // it over (a socket's 'data' event, or the `onread` callback of a socket that reads into a buffer
    // of its own), so that the exception comes from Node's read callback, where no caller of mailv's
    // waits. Run from a copy of the installation: Node's options make a code cache of their own.
    const server = await startScriptedServer();
    const copy = installedCopy();
    const plant = join(copy.root, 'plant.cjs');
    writeFileSync(
      plant,
      "const net = require('node:net');\nconst emit = net.Socket.prototype.emit;\nconst connect = net.connect;\nlet planted = false;\n" +
        "const plantOnce = () => { if (!planted) { planted = true; throw new TypeError('planted in a data event'); } };\n" +
        'net.Socket.prototype.emit = function (event, ...rest) {\n' +
        "  if (event === 'data' && this.remotePort !== undefined) plantOnce();\n" +
        '  return emit.call(this, event, ...rest);\n};\n' +
        'net.connect = function (options, ...rest) {\n' +
        '  const onread = options?.onread;\n' +
        '  if (onread === undefined) return connect.call(this, options, ...rest);\n' +
        '  const callback = (...read) => { plantOnce(); return onread.callback(...read); };\n' +
        '  return connect.call(this, { ...options, onread: { ...onread, callback } }, ...rest);\n};\n',
    );
    try {
      const run = startPlanted(copy, plant, ['-q', '--server', `127.0.0.1:${server.port}`, '-s', 'kept', 'bob@example.org']);
      run.stdin.end('Hello, kept.\n');
      const { status, stderr } = await run.closed;
      assert.equal(status, 70, stderr);
      const lines = stderr.trimEnd().split('\n');
      assert.match(lines[0]!, /^mailv: internal error: TypeError: planted in a data event\\x0a {4}at plantOnce \(/);
      assert.deepEqual(lines.slice(1), [`mailv: the message was saved in ${join(copy.root, 'dead.letter')}`]);
      assert.match(readFileSync(join(copy.root, 'dead.letter'), 'utf8'), /^Subject: kept\n[\s\S]*\nHello, kept\.\n/m);
      assert.deepEqual(server.commands, [], 'the session ended at the fault, before its EHLO');
    } finally {
      await server.close();
    }
  });

  it('ends a run the event loop emptied under with 70, not 0, and keeps what it had read', async () => {
    // A run that waits for more of standard input, whose handle no longer keeps the process alive
    // once its first chunk came: nothing is left that could end the run, and Node would exit with 0
    // without a word, what was read lost.
    const copy = installedCopy();
    const plant = join(copy.root, 'stall.cjs');
    writeFileSync(
      plant,
      'const push = process.stdin.push;\nprocess.stdin.push = function (chunk, ...rest) {\n' +
        '  const taken = push.call(this, chunk, ...rest);\n  if (chunk !== null) setImmediate(() => this.unref());\n  return taken;\n};\n',
    );
    const run = startPlanted(copy, plant, ['-q', '--server', '127.0.0.1:9', '-s', 'stalled', 'bob@example.org']);
    // Written, and the pipe left open: the run reads this, then waits for the rest.
    run.stdin.write('Hello, stalled.\n');
    const { status, stderr } = await run.closed;
    run.stdin.destroy();
    assert.equal(status, 70, stderr);
    assert.equal(
      stderr,
      'mailv: internal error: the run stopped before its end, with nothing left to wait for\n' +
        `mailv: what was read of the message was saved in ${join(copy.root, 'dead.letter')}\n`,
    );
    assert.match(readFileSync(join(copy.root, 'dead.letter'), 'utf8'), /\nHello, stalled\.\n/);
  });

  it('a fault after the run is over (a rejection nobody handles, once its status is set) is said, and the process ends with 70, not 1 in silence', async () => {
    const server = await startScriptedServer();
    const copy = installedCopy();
    try {
      const run = startPlanted(copy, plantLateFault(copy), ['-q', '--server', `127.0.0.1:${server.port}`, '-s', 'sent', 'bob@example.org']);
      run.stdin.end('Hello, sent.\n');
      const hung = setTimeout(() => run.kill('SIGKILL'), 10_000);
      const { status, stderr } = await run.closed;
      clearTimeout(hung);
      assert.equal(status, 70, stderr);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, /^mailv: internal error: RangeError: planted after the run\\x0a/);
      assert.ok(server.commands.includes('QUIT'), 'the run went to its end first');
      assert.equal(existsSync(join(copy.root, 'dead.letter')), false, 'the server had the message: nothing kept');
    } finally {
      await server.close();
    }
  });

  it('a fault after a run a stop signal ended is said, and the status stays the signal’s (130)', async () => {
    // A server that takes the connection and never greets: the signal comes while the run waits.
    const copy = installedCopy();
    let run: ReturnType<typeof startPlanted> | undefined;
    const silent = createServer((socket) => {
      socket.on('error', () => {});
      run?.kill('SIGINT');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      run = startPlanted(copy, plantLateFault(copy), ['-q', '--server', `127.0.0.1:${port}`, '-s', 'stopped', 'bob@example.org']);
      run.stdin.end('Hello, stopped.\n');
      const { status, stderr } = await run.closed;
      assert.equal(status, 130, stderr);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines[0], 'mailv: interrupted by SIGINT');
      assert.equal(lines[1], `mailv: the message was saved in ${join(copy.root, 'dead.letter')}`);
      assert.match(lines[2]!, /^mailv: internal error: RangeError: planted after the run\\x0a/);
      assert.equal(lines.length, 3, stderr);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("ends the process from the last 'exit' listener, with the run's status: Node's tear-down of the heap skipped", () => {
    const copy = installedCopy();
    const watch = join(copy.root, 'watch.cjs');
    // Registered before the launcher runs: this listener must still run, and process.exit() must
    // come after it, from the launcher, with the status the run set, or the one the listener set
    // (as Node reads process.exitCode after the listeners).
    writeFileSync(
      watch,
      `const { writeSync } = require('node:fs');\nlet ended = false;\nprocess.on('exit', (code) => { ended = true; writeSync(2, 'exit event ' + code + '\\n'); if (process.env.SET_STATUS) process.exitCode = Number(process.env.SET_STATUS); });\n` +
        `const exit = process.exit;\nprocess.exit = (...code) => { writeSync(2, 'process.exit after the event: ' + ended + ', status ' + (code[0] ?? process.exitCode) + '\\n'); exit.apply(process, code); };\n`,
    );
    for (const [args, event, status, set] of [
      [['--dry-run', '-q', '-s', 'x', 'bob@example.org'], 0, 0, ''],
      [['--count', 'x', 'bob@example.org'], 64, 64, ''],
      [['--dry-run', '-q', '-s', 'x', 'bob@example.org'], 0, 9, '9'],
    ] as const) {
      const ran = spawnSync(process.execPath, ['-r', watch, copy.launcher, ...args], {
        env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester', SET_STATUS: set },
        input: 'Hello.\n',
        encoding: 'utf8',
      });
      assert.equal(ran.status, status, ran.stderr);
      assert.match(ran.stderr, new RegExp(`exit event ${event}\\nprocess\\.exit after the event: true, status ${status}\\n$`), ran.stderr);
    }
  });

  it("is written as CommonJS's function around the code, which the launcher compiles as read", () => {
    assert.ok(bundle.startsWith('(function (exports, require, module, __filename, __dirname) {\n"use strict";'), bundle.slice(0, 80));
    const wrapper = new Script(bundle, { filename: 'mailv.cjs' }).runInThisContext() as unknown;
    assert.equal(typeof wrapper, 'function');
    assert.equal((wrapper as (...args: unknown[]) => unknown).length, 5);
  });

  it('has a code cache that serves a plain send from a file: V8 accepts it, and the send compiles next to nothing more', async () => {
    // A server offering what Postfix offers (CHUNKING among it), as the build's warm-up server does.
    const server = await startScriptedServer({
      replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 CHUNKING' },
    });
    const body = join(freshHome(), 'body.txt');
    writeFileSync(body, 'Hello.\n');
    const input = openSync(body, 'r');
    try {
      const use = await cacheUse(['-q', '--server', `127.0.0.1:${server.port}`, '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], input);
      assert.equal(use.status, 0);
      assert.ok(
        server.commands.some((command) => command.startsWith('BDAT')),
        'the message went as BDAT',
      );
      assert.equal(use.rejected, false, 'V8 took the cache');
      // A cache warmed by --demo (no CHUNKING, the message from a pipe) left about 9 KB of this send's functions out.
      assert.ok(use.after - use.loaded < 1024, `the send compiled ${use.after - use.loaded} octets of code the cache lacked`);
    } finally {
      closeSync(input);
      await server.close();
    }
  });

  it("has a code cache of its own for a dry run: smaller than a send's, accepted, and the dry run compiles next to nothing more", async () => {
    const body = join(freshHome(), 'body.txt');
    writeFileSync(body, 'Hello.\n');
    const input = openSync(body, 'r');
    try {
      const use = await cacheUse(['--dry-run', '-q', '-r', 'alice@example.org', '-s', 'x', 'bob@example.org'], input, '.dry-run');
      assert.equal(use.status, 0);
      assert.equal(use.rejected, false, 'V8 took the cache');
      assert.ok(use.after - use.loaded < 1024, `the dry run compiled ${use.after - use.loaded} octets of code the cache lacked`);
      const sendCache = statSync(fileURLToPath(new URL(`../../dist/bundle/mailv.cjs.${process.version}.v8-cache`, import.meta.url))).size;
      assert.ok(use.loaded < sendCache - 40 * 1024, `the dry run's cache (${use.loaded} octets) holds a send's code (${sendCache})`);
    } finally {
      closeSync(input);
    }
  });

  it('reads the dry-run cache for a dry run alone: a send and a dry run, each without its cache, write only their own', async () => {
    const { cacheDirectory, plain, send, caches, run } = installedCopy();
    const server = await startScriptedServer();
    try {
      for (const [args, written, kept] of [
        [['--dry-run', '-q', '-s', 'x', 'bob@example.org'], plain, send],
        [['-q', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], send, plain],
      ] as const) {
        for (const name of caches()) rmSync(join(cacheDirectory, name));
        const status = await run(args);
        assert.equal(status, 0);
        assert.deepEqual(caches(), [written], `${args[0]} wrote ${written} alone, not ${kept}`);
      }
    } finally {
      await server.close();
    }
  });

  it("keeps a code cache a Node version and set of Node options: a run with other options leaves the build's alone", async () => {
    const { cacheDirectory, plain, send, caches, dryRun } = installedCopy();
    const before = readFileSync(join(cacheDirectory, plain));
    assert.equal(await dryRun(['--stack-size=900']), 0);
    assert.equal(await dryRun([], { NODE_OPTIONS: '--max-old-space-size=200' }), 0);
    const own = caches().filter((name) => name !== plain && name !== send);
    assert.equal(own.length, 2, `one cache for each set of options: ${caches().join(', ')}`);
    for (const name of own) assert.match(name, new RegExp(`^mailv\\.cjs\\.${process.version.replace(/\./g, '\\.')}-[0-9a-f]{8}\\.dry-run\\.v8-cache$`));
    assert.deepEqual(readFileSync(join(cacheDirectory, plain)), before, "the build's cache is untouched");
    // And a plain run uses the build's cache as it is: accepted, it is not written again.
    assert.equal(await dryRun([]), 0);
    assert.deepEqual(caches(), [plain, send, ...own].sort());
    assert.deepEqual(readFileSync(join(cacheDirectory, plain)), before);
  });

  it('runs from a cache V8 rejects, larger than the bundle, and writes a good one in its place', async () => {
    const { cacheDirectory, plain, dryRun } = installedCopy();
    // The launcher reads the bundle and then its cache into one buffer: the cache must not spoil the text read first.
    const bundleLength = readFileSync(fileURLToPath(BUNDLE)).length;
    const garbage = Buffer.alloc(bundleLength + 4096, 0x5a);
    writeFileSync(join(cacheDirectory, plain), garbage);
    assert.equal(await dryRun([]), 0);
    const rewritten = readFileSync(join(cacheDirectory, plain));
    assert.notDeepEqual(rewritten, garbage, 'the rejected cache was replaced');
    assert.ok(rewritten.length > 1024, `a real cache was written (${rewritten.length} octets)`);
    // The new one is accepted: the next run leaves it as it is.
    assert.equal(await dryRun([]), 0);
    assert.deepEqual(readFileSync(join(cacheDirectory, plain)), rewritten);
  });

  it('makes its cache 0644 whatever the umask, and runs none that another user owns or others may write: its own takes its place', async () => {
    const { cacheDirectory, plain, dryRun } = installedCopy();
    const path = join(cacheDirectory, plain);
    rmSync(path);
    // V8 runs a cache's bytecode on trust: one others could write (made under umask 000, as cron or
    // a container may run it) would crash, or run their code as, whoever runs mailv next; one only
    // its owner could read (umask 077) would leave every other user without it.
    for (const mask of [0, 0o077]) {
      rmSync(path, { force: true });
      const umask = process.umask(mask);
      try {
        assert.equal(await dryRun([]), 0);
      } finally {
        process.umask(umask);
      }
      assert.equal(statSync(path).mode & 0o777, 0o644, `umask ${mask.toString(8)}`);
    }
    const tampered = (change: () => void) => {
      writeFileSync(path, readFileSync(path));
      change();
      return statSync(path).ino;
    };
    const changes: [string, () => void][] = [['writable by others', () => chmodSync(path, 0o666)]];
    // Another owner: only root can give a file away.
    if (process.getuid?.() === 0) changes.push(['owned by nobody', () => chownSync(path, 65534, 65534)]);
    for (const [name, change] of changes) {
      const before = tampered(change);
      assert.equal(await dryRun([]), 0);
      const after = statSync(path);
      assert.notEqual(after.ino, before, `a cache ${name} was replaced`);
      assert.deepEqual([after.mode & 0o777, after.uid], [0o644, process.getuid?.()], name);
    }
  });

  it('leaves no half-written cache behind when the disk is full', async () => {
    const { root, cacheDirectory, run } = installedCopy();
    const full = join(root, 'full.cjs');
    writeFileSync(
      full,
      "const fs = require('node:fs');\nconst write = fs.writeFileSync;\n" +
        "const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });\n" +
        // As a full disk fails it: the file is made, its octets are not written.
        "fs.writeFileSync = function (target, ...rest) {\n  if (typeof target === 'number') throw full();\n" +
        "  if (/\\.v8-cache\\./.test(target)) {\n    fs.closeSync(fs.openSync(target, 'w'));\n    throw full();\n  }\n" +
        '  return write.call(this, target, ...rest);\n};\n',
    );
    // Node options of its own: this run's cache is one it has none of yet, and tries to write.
    assert.equal(await run(['--dry-run', '-q', 'bob@example.org'], ['-r', full]), 0);
    assert.deepEqual(
      readdirSync(cacheDirectory).filter((name) => /\.v8-cache\./.test(name)),
      [],
      'no temporary file left beside the caches',
    );
  });

  it('runs without a cache where one cannot be read: a directory or a FIFO in its place, nothing left behind', async () => {
    for (const make of [(path: string) => mkdirSync(path), (path: string) => execFileSync('mkfifo', [path])]) {
      const { cacheDirectory, plain, dryRun } = installedCopy();
      rmSync(join(cacheDirectory, plain));
      make(join(cacheDirectory, plain));
      // A FIFO opened for reading waits for a writer: the run would hang here.
      assert.equal(await dryRun([]), 0);
      // A directory stays (a cache cannot be renamed over it); a FIFO is replaced by a cache.
      const info = statSync(join(cacheDirectory, plain));
      assert.ok(info.isDirectory() || info.isFile(), 'a directory left, or a cache in place of the FIFO');
      assert.deepEqual(
        readdirSync(cacheDirectory).filter((name) => name.startsWith(`${plain}.`)),
        [],
        'no half-written cache beside it',
      );
    }
  });

  it('loads no node:child_process for a send (commander reaches the stub instead)', async () => {
    const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, '--dry-run', '-q', '-s', 'x', 'bob@example.org'];\nrequire(${JSON.stringify(MAILV)});`;
    const loaded = await builtinsLoaded(run, 'Hello.\n');
    assert.ok(loaded.includes('fs'), 'the probe lists what was loaded');
    assert.deepEqual(
      loaded.filter((name) => /child_process/.test(name)),
      [],
    );
    const control = await builtinsLoaded("require('node:child_process');", '');
    assert.ok(control.includes('child_process'), 'the probe sees child_process when it is loaded');
  });

  it('loads no node:module: the launcher reaches createRequire through its own module', async () => {
    const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, '--dry-run', '-q', '-s', 'x', 'bob@example.org'];\nrequire(${JSON.stringify(MAILV)});`;
    const loaded = await builtinsLoaded(run, 'Hello.\n');
    assert.ok(loaded.includes('vm'), 'the probe lists what was loaded, node:vm among it');
    assert.equal(loaded.includes('module'), false);
    const control = await builtinsLoaded("require('node:module');", '');
    assert.ok(control.includes('module'), 'the probe sees node:module when it is loaded');
  });

  it('loads no node:fs/promises, readline or perf_hooks for a send, nor node:tls when no TLS is offered', async () => {
    const server = await startScriptedServer();
    try {
      const args = ['--server', `127.0.0.1:${server.port}`, '-q', '-s', 'x', 'bob@example.org'];
      const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, ...${JSON.stringify(args)}];\nrequire(${JSON.stringify(MAILV)});`;
      const loaded = await builtinsLoaded(run, 'Hello.\n');
      assert.ok(loaded.includes('net'), 'the probe lists what was loaded, a socket among it');
      assert.ok(server.commands.includes('QUIT'), 'the send went through to its end');
      assert.deepEqual(
        loaded.filter((name) => ['fs/promises', 'readline', 'perf_hooks', 'tls'].includes(name)),
        [],
      );
    } finally {
      await server.close();
    }
  });

  it('loads no node:stream for a dry run from a file to /dev/null: plain reads and writes, a start-up cost saved', async () => {
    const run = `process.argv = [process.execPath, ${JSON.stringify(MAILV)}, '--dry-run', '-q', '-s', 'x', 'bob@example.org'];\nrequire(${JSON.stringify(MAILV)});`;
    const body = join(freshHome(), 'body.txt');
    writeFileSync(body, 'Hello.\n');
    const [input, devNull] = [openSync(body, 'r'), openSync('/dev/null', 'w')];
    try {
      const loaded = await builtinsLoaded(run, input, devNull);
      assert.ok(loaded.includes('fs'), 'the probe lists what was loaded');
      assert.deepEqual(
        loaded.filter((name) => name === 'stream' || name === 'net'),
        [],
      );
    } finally {
      closeSync(input);
      closeSync(devNull);
    }
  });
});
