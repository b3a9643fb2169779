#!/usr/bin/env node
// Builds mailv: `npm run build`, or `node bin/build.mjs` from anywhere.
//
//   1. tsc type-checks src/ and writes dist/ (the modules the tests import);
//   2. esbuild bundles the command line into dist/bundle/mailv.cjs, the one file bin/mailv.js runs,
//      and beside it the parts only some runs load (smtp-server for --demo, the explainer, dns-packet,
//      ora, the French words), each in a file of its own;
//   3. one plain send to a loopback server and one dry run (bin/warm-up.mjs) warm the two V8 code
//      caches kept beside the bundle, a send's and a dry run's.
//
// It lives in bin/ beside the launcher whose needs it serves (most options below exist for
// bin/mailv.js), but it is not part of the published package: package.json's "files" takes the
// .js files of bin/ and bin/package.json only. It is an ES module (.mjs) because bin/package.json makes
// the .js files of bin/ CommonJS, for the launcher's sake.
//
// Every option below was measured in, not guessed: bench/README.md ("What start-up costs") has the
// figures; each comment says what the option is for, so that none is dropped by accident.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { warmUp } from './warm-up.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'bundle', 'mailv.cjs');

/** Runs a Node script from the project root; a failure ends the build with its status. */
function node(script, args) {
  const { status, signal } = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (status !== 0) {
    console.error(`build: ${script} ${args.join(' ')} failed (${signal ?? `exit status ${status}`})`);
    process.exit(status || 1);
  }
}

// 1. The compiler's own launcher, found through its package.json ("exports" hides bin/tsc).
const require = createRequire(import.meta.url);
const typescript = dirname(require.resolve('typescript/package.json'));
const tsc = join(typescript, JSON.parse(readFileSync(join(typescript, 'package.json'), 'utf8')).bin.tsc);
node(tsc, ['-p', 'tsconfig.json']);

// 2. The bundles: the command line, and beside it the parts only some runs need, each a bundle of
// its own that the command line require()s when it first needs it. Bundled in, they would be read,
// made a string and compiled from the cache on every run (the launcher's three costliest steps
// grow with the file). Each part is self-contained: nothing mailv checks with instanceof crosses
// into one (explain imports only sanitize(); the French words only plain functions, such as
// replyText(), displayHost() and describeFact(), and no class), so a copy of what it shares with
// the command line is harmless. The installed package needs no node_modules at all (package.json
// has no "dependencies").
const apart = [
  // --demo's server (120 KB).
  { name: 'smtp-server', filter: /^smtp-server$/, entry: require.resolve('smtp-server') },
  // --explain, --diagram and replay (60 KB: the explainer and its English and French catalogues).
  { name: 'explain', filter: /[\\/]explain[\\/]explainer\.js$/, entry: 'src/explain/explainer.ts' },
  // DNS messages, for --direct and --mx (40 KB).
  { name: 'dns-packet', filter: /^dns-packet$/, entry: require.resolve('dns-packet') },
  // The spinner, on a terminal only (80 KB: ora, its 90 spinners, its helpers). Its bundle's exports
  // are ora() itself: import() of a CommonJS file makes its exports the default, as Node does.
  { name: 'ora', filter: /^ora$/, contents: "module.exports = require('ora').default;" },
  // The French words (70 KB), for a run in French: src/words/french.ts require()s them (below).
  { name: 'french', filter: /^\.\/french-words\.cjs$/, entry: 'src/words/fr/index.ts' },
];
/** What every bundle is built with, the command line's and the parts'. */
const everyBundle = {
  absWorkingDir: root,
  // One file instead of dozens of modules to resolve and compile: start-up is most of a short run,
  // and this took a dry run from about 1.7 to 1.4 × `node -e 0`.
  bundle: true,
  // CommonJS, not ESM: Node's ES module loader is never set up (about −9 ms a run). bin/mailv.js
  // wraps the file as CommonJS itself and compiles it with node:vm, so it can use a code cache.
  format: 'cjs',
  // Node built-ins stay require()s, and packages resolve as Node resolves them.
  platform: 'node',
  // package.json's engines say node >= 20: nothing Node 20 runs natively is rewritten.
  target: 'node20',
  // A smaller file is read, made a string and compiled from its cache faster: every page of it is
  // memory the process touches for the first time. Identifiers minified too took the command line
  // from 494 to 357 KB, and a plain send, a 587 send and a dry run each about 2.5 to 3.5 ms of CPU
  // and 85 to 145 page faults lighter (bench/README.md, "Against an earlier revision"). What that
  // costs: a class's `name` is minified (no words come from one: a failure is worded by its fact),
  // and so are the names in a stack trace. The source maps below put a failure's frames back in
  // the sources' terms (src/internal-failure.ts); they cannot do so for the names V8 quotes in its
  // own messages (`t.replace is not a function`), nor for an exception that escapes the
  // application, which Node prints itself.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  // Beside each bundle, its source map (no sources inside: the positions and names alone), read
  // only when mailv fails of its own, to show that failure's stack trace in the terms of src/.
  // Not named in the bundle: Node would not read it for code compiled by node:vm anyway.
  sourcemap: 'external',
  sourcesContent: false,
  // Every import() becomes a require(). bin/mailv.js runs the bundle through vm.Script, which has no
  // dynamic-import callback: an import() left in the file (node:tls for STARTTLS, node:fs/promises
  // for dead.letter, …) would fail with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING when reached.
  supported: { 'dynamic-import': false },
  // esbuild's default, said aloud: every non-ASCII character is escaped, so bin/mailv.js can read
  // the file as latin1, which is faster than UTF-8 (test/integration/cli.test.ts checks it).
  charset: 'ascii',
  // Quiet when all is well; warnings and errors are shown.
  logLevel: 'warning',
};
/** Makes the command line's import of each part a require() of that part's own bundle. */
const partsApart = {
  name: 'parts-apart',
  setup(bundler) {
    for (const part of apart) bundler.onResolve({ filter: part.filter }, () => ({ path: `./${part.name}.cjs`, external: true }));
  },
};
// What an earlier build left in dist/bundle (a part since folded back, say) would be packed and shipped.
mkdirSync(dirname(bundle), { recursive: true });
for (const name of readdirSync(dirname(bundle))) if (name.endsWith('.cjs') || name.endsWith('.cjs.map')) rmSync(join(dirname(bundle), name), { force: true });
for (const part of apart) {
  await build({
    ...everyBundle,
    ...(part.contents === undefined ? { entryPoints: [part.entry] } : { stdin: { contents: part.contents, resolveDir: root } }),
    outfile: join(root, 'dist', 'bundle', `${part.name}.cjs`),
  });
}
/**
 * Makes src/words/french.ts a require() of the French catalogue's own bundle at its first call.
 * Imported, the catalogue would be made on every run; bundled in the command line and required
 * (as it was until 2026-12-05), it was made only for a run in French, but its 70 KB were still read
 * and made a string on every run. Apart, a dry run in English took about 1 ms less CPU and 40
 * fewer page faults (25 of each in turns). The source itself imports the catalogue, as the tests
 * load it.
 */
const frenchOnDemand = {
  name: 'french-on-demand',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]src[\\/]words[\\/]french\.ts$/ }, () => ({
      contents: "export function frenchWords() { return require('./french-words.cjs').fr; }",
      loader: 'ts',
      resolveDir: join(root, 'src', 'words'),
    }));
  },
};
await build({
  ...everyBundle,
  entryPoints: ['src/cli/run.ts'],
  outfile: bundle,
  // The parts apart (above), the French words among them, are require()d from their own bundles.
  plugins: [partsApart, frenchOnDemand],
  // commander require()s node:child_process when it loads, to run external subcommands, which mailv
  // has none of; the real module brings net and dgram along (2 to 5 ms of every start-up, measured
  // with and without). src/cli/no-subprocesses.ts stands in for it. mailv's one subprocess
  // (--password-cmd, in src/cli/secret-input.ts) imports node:child_process by a computed name,
  // which this alias does not touch.
  alias: { 'node:child_process': './src/cli/no-subprocesses.ts' },
  // The file is written as the function bin/mailv.js compiles, CommonJS's wrapper around the code:
  // the launcher hands V8 the file's text as it was read, instead of a copy of its 600 KB joined to
  // the wrapper (about -0.5 ms a run). It is no module to require() as it stands.
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '\n})' },
});

// 3. The code caches. V8 checks a cache against the length of the source only, not its content: a
// cache left from an older bundle of the same length would be accepted and run the old code. So
// every cache is removed (bin/mailv.js keeps two a Node version and set of Node options, a send's
// and a dry run's), and one plain send (to a loopback server of the build's own, the message from
// a file: bin/warm-up.mjs) writes a fresh send's cache, with the functions of a whole send compiled
// in, and one dry run of the same message the dry run's, for the first real run, the tests and bench/.
for (const name of readdirSync(dirname(bundle))) if (name.endsWith('.v8-cache')) rmSync(join(dirname(bundle), name), { force: true });
try {
  await warmUp(join(root, 'bin', 'mailv.js'), root);
} catch (error) {
  console.error(`build: ${error.message}`);
  process.exit(1);
}
