// The package as npm publishes it: `npm pack` holds only what runs, and the tarball installs into an
// empty prefix with no registry (every dependency is in the bundles), where each command, its man
// page and --version work from the installed copy alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnlessRunning } from '../helpers/service.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  readonly version: string;
  readonly bin: Record<string, string>;
  readonly man: readonly string[];
  readonly dependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end, never rejecting: the status is for the test to judge. */
function run(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: options.cwd, env: options.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    // A program that never reads its input (man) may be gone before it is written: not a failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  });
}

/** A bin/ file's path relative to the package, as npm writes it in the tarball's list. */
const normalized = (path: string): string => path.replace(/^\.\//, '');

/**
 * What the installed commands need: package.json, README, a licence, bin/ (with its package.json,
 * which makes the launchers CommonJS), the man pages, and the bundles the launchers name, with
 * the V8 code cache and the source map beside each, and whatever those bundles require() by a relative path.
 */
function filesThatRun(packed: ReadonlySet<string>): Set<string> {
  const needed = new Set(['package.json', 'README.md', 'bin/package.json', ...Object.values(pkg.bin).map(normalized), ...pkg.man.map(normalized)]);
  for (const licence of [...packed].filter((path) => /^(LICENSE|LICENCE|COPYING)(\.\w+)?$/i.test(path))) needed.add(licence);
  const bundles = Object.values(pkg.bin).flatMap((launcher) => {
    const source = readFileSync(join(ROOT, launcher), 'utf8');
    const named = [...source.matchAll(/['"`](?:[\w./-]*\/)?([\w.-]+\.cjs)['"`]/g)].map((found) => `dist/bundle/${found[1]}`);
    // A launcher that compiles its bundle with a code cache reads it from beside the bundle, one a
    // Node version (the build's is this Node's), and another for dry runs.
    if (!source.includes('.v8-cache')) return named;
    const caches = (bundle: string) => [
      `${bundle}.${process.version}.v8-cache`,
      ...(source.includes('.dry-run') ? [`${bundle}.${process.version}.dry-run.v8-cache`] : []),
    ];
    return named.flatMap((bundle) => [bundle, ...caches(bundle)]);
  });
  while (bundles.length > 0) {
    const bundle = bundles.pop()!;
    if (needed.has(bundle)) continue;
    needed.add(bundle);
    if (bundle.endsWith('.v8-cache')) continue;
    // Its source map, read when mailv fails of its own, to give that failure's stack in source terms.
    needed.add(`${bundle}.map`);
    for (const found of readFileSync(join(ROOT, bundle), 'latin1').matchAll(/require\("\.\/([\w.-]+\.cjs)"\)/g)) bundles.push(`dist/bundle/${found[1]}`);
  }
  return needed;
}

const manAvailable = (await run('man', ['-w', 'man'])).code !== -1;
const noMan = skipUnlessRunning(manAvailable, 'man (man-db)', 'apt-get install man-db');

describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'mailv-package-'));
  const prefix = join(work, 'prefix');
  // The installed commands find node where this test's node is, and nothing of the project.
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: work,
    USER: 'tester',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  };
  let packed: Set<string>;
  let installed: Ran;

  before(async () => {
    // Caches as a run under other Node options leaves beside the build's (see bin/mailv.js): of
    // this tree alone, never packed. A key no run makes, so no run here reads them.
    const strayCaches = ['', '.dry-run'].map((kind) => join(ROOT, 'dist', 'bundle', `mailv.cjs.${process.version}-0badcafe${kind}.v8-cache`));
    for (const stray of strayCaches) writeFileSync(stray, 'not a cache');
    // The build is pretest's: --ignore-scripts keeps prepack from rebuilding under running tests.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: ROOT,
      env: { ...process.env, npm_config_cache: join(work, 'cache') },
    }).finally(() => {
      for (const stray of strayCaches) rmSync(stray, { force: true });
    });
    assert.equal(pack.code, 0, pack.stderr);
    const [report] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    packed = new Set(report.files.map((file) => file.path));
    // An empty cache, offline, and a registry nobody listens on: whatever the tarball would have to
    // fetch makes the install fail, as it would on a machine with no network.
    installed = await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(work, report.filename)], {
      cwd: work,
      env: { ...env, npm_config_cache: join(work, 'cache'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' },
    });
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('packs only what runs: no sources, no tests, no compiler output the bundles do not load', () => {
    assert.deepEqual([...packed].sort(), [...filesThatRun(packed)].sort());
    assert.ok(packed.has('dist/bundle/mailv.cjs'), 'the launcher finds the bundle it names');
  });

  it('installs from the tarball alone, with no registry: nothing left to fetch', () => {
    assert.equal(installed.code, 0, installed.stderr);
    assert.deepEqual(pkg.dependencies ?? {}, {}, 'every dependency is bundled');
  });

  it('runs the demo from the installed copy, with no node_modules of its own', async () => {
    const mailv = join(prefix, 'bin', 'mailv');
    assert.ok(realpathSync(mailv).startsWith(realpathSync(join(prefix, 'lib', 'node_modules', 'mailv'))), 'a copy, not a link to the project');
    const demo = await run('mailv', ['--demo', '-r', 'alice@example.org', '-s', 'Installed', 'bob@example.org'], {
      cwd: work,
      env,
      input: 'From the package\n',
    });
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /^250 2\.6\.0 Ok: queued as DEMO1$/m);
    assert.match(demo.stdout, /\r\nSubject: Installed\r\n[\s\S]*\r\n\r\nFrom the package\r\n--- end of message\n$/);
  });

  it("answers --version with package.json's version, from the launcher and from the program", async () => {
    for (const args of [['--version'], ['-V'], ['--lang', 'en', '--version']]) {
      const version = await run('mailv', args, { cwd: work, env });
      assert.deepEqual([version.code, version.stdout], [0, `${pkg.version}\n`], args.join(' '));
    }
  });

  it('gives each command a man page that man finds under the prefix', { skip: noMan }, async () => {
    const manDirectory = join(prefix, 'share', 'man');
    for (const command of Object.keys(pkg.bin)) {
      assert.ok(
        pkg.man.some((page) => page.endsWith(`/${command}.1`)),
        `package.json "man" lists a page for ${command}`,
      );
      const found = await run('man', ['-w', command], { env: { ...env, MANPATH: manDirectory } });
      assert.equal(found.code, 0, found.stderr);
      // npm links the page into share/man/man1; man names the file the link leads to.
      assert.equal(found.stdout.trim(), realpathSync(join(manDirectory, 'man1', `${command}.1`)));
      assert.ok(found.stdout.startsWith(realpathSync(prefix)), found.stdout);
      const page = await run('man', [command], { env: { ...env, MANPATH: manDirectory, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } });
      assert.equal(page.code, 0, page.stderr);
      assert.match(page.stdout, new RegExp(`^NAME\\n\\s+${command} \\\\?- `, 'm'));
    }
  });

  it('installs mailv-sendmail, which package.json declares, running its own code', async () => {
    assert.ok(pkg.bin['mailv-sendmail'] !== undefined, 'package.json declares mailv-sendmail');
    // sendmail's rule: an option it does not know is a usage error, status 64, said in one line.
    const refused = await run('mailv-sendmail', ['--no-such-option'], { cwd: work, env });
    assert.equal(refused.code, 64, refused.stderr);
    assert.doesNotMatch(refused.stderr, /Cannot find module|at .*\.c?js:\d+/);
  });
});
