#!/usr/bin/env -S MAILV_NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS} NODE_EXTRA_CA_CERTS= node
'use strict';
// The line above runs Node with NODE_EXTRA_CA_CERTS empty, handing its value on under another name:
// Node 20 parses the file it names, and its own root certificates, at every start (about 50 ms for
// Debian's bundle, more than the rest of a plain send), where mailv needs them only for a TLS
// handshake. mailv gives them to its handshakes itself (takeDeferredExtraCa, below).
// Launcher. `--version` is answered without loading the program; everything else runs the CLI
// bundled into one CommonJS file (bin/package.json makes this file CommonJS too), so that neither
// dozens of modules nor the ES module loader are set up: start-up is most of a run. The bundle
// is compiled with a V8 code cache kept beside it, as Node 22's module.enableCompileCache would.
const launchedAs = require('node:path').basename(process.argv[1] ?? '');
// Through a link named mailq or newaliases, as Postfix installs them: sendmail -bp, sendmail -bi.
const LINKED_MODES = { mailq: '-bp', newaliases: '-bi' };
const linkedMode = Object.hasOwn(LINKED_MODES, launchedAs) ? LINKED_MODES[launchedAs] : undefined;
const args = linkedMode === undefined ? process.argv.slice(2) : [linkedMode, ...process.argv.slice(2)];
const version = () => require('../package.json').version;
// Run as mailv-sendmail (bin/mailv-sendmail.js) or through a link named sendmail, mailv reads
// sendmail's command line. Node keeps the name the script was run by, links unresolved.
const command = /^((mailv-)?sendmail(\.js)?|mailq|newaliases)$/.test(launchedAs) ? 'sendmail' : 'mailv';
const deferredExtraCa = takeDeferredExtraCa();

if (command === 'mailv' && args.length === 1 && (args[0] === '--version' || args[0] === '-V') && printedVersion()) {
  // Answered.
} else {
  const { main, saveCache } = loadBundle(require('node:path').join(__dirname, '..', 'dist', 'bundle', 'mailv.cjs'), namesDryRun(args));
  main(args, version, command, deferredExtraCa).then((status) => {
    process.exitCode = status;
    saveCache();
    // When the event loop has emptied, nothing of the run is left: every write of mailv's was
    // synchronous or awaited, every socket closed. Node would still tear down the environment and
    // the heap, page by page, before it exits; a process about to end need not (about 3 ms of CPU a
    // run, 30 runs of each in turns: bench/README.md). process.exit() from the last 'exit' listener
    // ends it at once; listeners registered before it (a spinner restoring the cursor) have run.
    // Without an argument it exits with process.exitCode as it stands then: set above, or by one
    // of those listeners, as Node would have read it after them.
    process.once('exit', () => process.exit());
  });
}

/**
 * The file NODE_EXTRA_CA_CERTS names when Node did not load it (run through the line at the top of
 * this file), for mailv's handshakes to trust; the variable is put back, for the programs mailv runs
 * (a --password-cmd, a sendmail), unset if it was empty. Run as `node bin/mailv.js`, Node has
 * loaded it: none.
 */
function takeDeferredExtraCa() {
  const deferred = process.env.MAILV_NODE_EXTRA_CA_CERTS;
  delete process.env.MAILV_NODE_EXTRA_CA_CERTS;
  // The line at the top sets both, Node's empty: the hand-over is that pair, never the name alone.
  if (deferred === undefined || process.env.NODE_EXTRA_CA_CERTS !== '') return undefined;
  if (deferred === '') {
    delete process.env.NODE_EXTRA_CA_CERTS;
    return undefined;
  }
  process.env.NODE_EXTRA_CA_CERTS = deferred;
  return deferred;
}

/**
 * Writes the version straight to descriptor 1. A write that fails (a full disk, /dev/full) is
 * left to the program, which says so in one line and exits 74; a reader gone away is no failure.
 */
function printedVersion() {
  try {
    require('node:fs').writeSync(1, `${version()}\n`);
    return true;
  } catch (error) {
    return error.code === 'EPIPE';
  }
}

/**
 * Whether the arguments ask for a dry run, as far as the launcher can tell without the options'
 * table: --dry-run before any `--`. A guess (`-s --dry-run` is a subject) that costs only time:
 * such a send compiles what the dry run's cache lacks, and writes that cache when none is there.
 */
function namesDryRun(args) {
  const operands = args.indexOf('--');
  return (operands === -1 ? args : args.slice(0, operands)).includes('--dry-run');
}

/**
 * Compiles the bundle with its code cache; saveCache() refreshes a missing or stale cache. A dry run
 * has a cache of its own: it runs no SMTP dialogue, and deserializing the 80 KB of a send's code it
 * never runs cost it about 1.5 ms (40 runs of each in turns; bench/README.md, "Against an earlier
 * revision").
 */
function loadBundle(file, dryRun) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const cacheFile = `${file}.${cacheKey()}${dryRun ? '.dry-run' : ''}.v8-cache`;
  // One buffer holds the bundle's text, then its code cache: memory a process touches for the first
  // time costs a page fault a page, and on small virtual machines those faults are much of a
  // start-up (about 140 fewer here, 1.5 ms, than with a buffer for each file).
  const source = fs.openSync(file, 'r');
  const sourceInfo = fs.fstatSync(source);
  const sourceLength = sourceInfo.size;
  // A cache that cannot be opened, is no file, or is implausibly large (one is a few hundred KB) is
  // no cache: V8 compiles.
  const maxCacheOctets = 64 * 1024 * 1024;
  let cache;
  let cacheLength = 0;
  try {
    // Not blocking: a FIFO in the cache's place would wait for a writer for ever.
    cache = fs.openSync(cacheFile, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const info = fs.fstatSync(cache);
    if (!info.isFile() || info.size > maxCacheOctets || !trustedCache(info, sourceInfo)) throw new Error('no usable cache');
    cacheLength = info.size;
  } catch {
    if (cache !== undefined) fs.closeSync(cache);
    cache = undefined;
  }
  const buffer = Buffer.allocUnsafeSlow(Math.max(sourceLength, cacheLength));
  const sourceRead = readWhole(fs, source, buffer, sourceLength);
  // The bundle is ASCII (esbuild escapes the rest), so latin1 reads it right, and faster than UTF-8.
  // bin/build.mjs writes it already wrapped as a CommonJS module's function.
  const text = buffer.toString('latin1', 0, sourceRead);
  let cachedData;
  if (cache !== undefined) {
    try {
      // A short read (the file cut meanwhile) leaves no cache, not part of one.
      if (readWhole(fs, cache, buffer, cacheLength) === cacheLength) cachedData = buffer.subarray(0, cacheLength);
    } catch {
      // Unreadable: no cache.
    }
  }
  const script = new vm.Script(text, { filename: file, cachedData });
  const bundleModule = { exports: {} };
  // Module.createRequire, reached through this file's own module: require('node:module') would
  // load that module's other helpers too (about 0.4 ms).
  const bundleRequire = module.constructor.createRequire(file);
  script.runInThisContext()(bundleModule.exports, bundleRequire, bundleModule, file, require('node:path').dirname(file));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    // Written whole under a name of its own, then renamed: a concurrent run, on this host or another
    // sharing the installation (a pid is no unique name there), never reads half a cache.
    const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
    let created = false;
    try {
      // Made anew (never through a file or link found there), 0644 whatever the umask: every user of
      // the installation runs what it holds, and only its owner may change it (see trustedCache).
      const descriptor = fs.openSync(temporary, 'wx', 0o644);
      created = true;
      try {
        // The umask masked the mode given to open: 077 would leave every other user without it.
        fs.fchmodSync(descriptor, 0o644);
        fs.writeFileSync(descriptor, script.createCachedData());
      } finally {
        fs.closeSync(descriptor);
      }
      fs.renameSync(temporary, cacheFile);
    } catch {
      // A read-only installation simply runs without the cache; a full disk, or something that is
      // no file in the cache's place, leaves nothing behind.
      if (created) fs.rmSync(temporary, { force: true });
    }
  };
  return { main: bundleModule.exports.main, saveCache };
}

/**
 * Whether a code cache may be run: V8 takes its bytecode on trust (Node 20 checks no checksum), so
 * a cache another user could have written would run their code, or crash every run, as whoever runs
 * mailv next. It must belong to the installation's owner (the bundle's) or to this user, and be
 * writable by its owner alone; else it is no cache, and one of this run's own takes its place.
 */
function trustedCache(cache, bundle) {
  const writableByOthers = (cache.mode & 0o022) !== 0;
  return !writableByOthers && (cache.uid === bundle.uid || cache.uid === process.getuid?.());
}

/** Reads up to `length` octets of an open file into `buffer`, closes it, and says how many came. */
function readWhole(fs, descriptor, buffer, length) {
  let read = 0;
  try {
    while (read < length) {
      const count = fs.readSync(descriptor, buffer, read, length - read, read);
      if (count === 0) break;
      read += count;
    }
  } finally {
    fs.closeSync(descriptor);
  }
  return read;
}

/**
 * Which code cache a run can use: V8 rejects one made by another Node or with other flags, and a run
 * that rewrote the shared file would leave it holding only what that run compiled (a --help, a
 * profiled load run), every later send compiling the rest again. So each Node version, and each set
 * of Node options (FNV-1a of them), has files of its own (a send's and a dry run's); the build's
 * are the plain ones.
 */
function cacheKey() {
  const options = `${process.execArgv.join('\0')}\n${process.env.NODE_OPTIONS ?? ''}`;
  if (options === '\n') return process.version;
  let hash = 0x811c9dc5;
  for (let index = 0; index < options.length; index++) hash = Math.imul(hash ^ options.charCodeAt(index), 0x01000193);
  return `${process.version}-${(hash >>> 0).toString(16).padStart(8, '0')}`;
}
