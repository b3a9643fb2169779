// Where code may reach: the application gets the world through its I/O argument (src/app/io.ts),
// never from `process`, and keeps no state between runs; the imports go one way (cli → app →
// delivery → smtp/dns → vocabulary), protocol code never reaching the words, the renderers or the
// application, whether an import is static, dynamic or of types alone.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(folder: string): { path: string; text: string }[] {
  return readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ path: `src/${folder}/${name}`, text: readFileSync(join(SRC, folder, name), 'utf8') }));
}

/** The code without its comments, so that a comment may name what the code must not use. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

interface Import {
  /** The folder of src/ it reaches (`smtp`), or the file at its top (`errors.ts`). */
  readonly part: string;
  readonly typeOnly: boolean;
  readonly line: string;
}

/** The imports of the file at `path` (src/…) that stay inside src/: static, re-exported or dynamic. */
function importsOf(path: string, text: string): Import[] {
  const found: Import[] = [];
  const pattern = /^\s*(import\s+type\b|import\b|export\b)[^;]*?\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)|^\s*import\s+'(\.[^']+)'/gm;
  for (const match of code(text).matchAll(pattern)) {
    const target = match[2] ?? match[3] ?? match[4]!;
    const inside = relative(SRC, resolve(dirname(join(SRC, '..', path)), target));
    if (inside.startsWith('..')) continue;
    const [first, ...rest] = inside.split('/');
    found.push({ part: rest.length === 0 ? first!.replace(/\.js$/, '.ts') : first!, typeOnly: match[1] === 'import type', line: match[0].trim() });
  }
  return found;
}

/** Every import of the files of `folders` that reaches one of `forbidden`; type-only imports too unless `runtimeOnly`. */
function crossings(folders: readonly string[], forbidden: readonly string[], runtimeOnly = false): string[] {
  return folders.flatMap((folder) =>
    sources(folder).flatMap(({ path, text }) =>
      importsOf(path, text)
        .filter((each) => forbidden.includes(each.part) && !(runtimeOnly && each.typeOnly))
        .map((each) => `${path}: ${each.line}`),
    ),
  );
}

/** What no protocol code may reach: the words, what shows them, the application and its inputs. */
const ABOVE_PROTOCOL = ['app', 'cli', 'render', 'words', 'explain', 'config', 'demo', 'record'];

describe('layers', () => {
  it('the application never touches process, and keeps nothing in a module', () => {
    const files = [...sources('app'), { path: 'src/cli/run.ts', text: readFileSync(join(SRC, 'cli/run.ts'), 'utf8') }];
    assert.ok(files.length > 10);
    for (const { path, text } of files) {
      if (path !== 'src/cli/run.ts') assert.doesNotMatch(code(text), /\bprocess\./, `${path} uses process`);
      assert.doesNotMatch(code(text), /^(let|var) /m, `${path} keeps state in the module`);
    }
  });

  it('reads every kind of import: static, re-exported, dynamic, of types alone', () => {
    const sample = [
      "import { a } from '../render/x.js';",
      "import type { B } from '../words/y.js';",
      "export { c } from './z.js';",
      "  const m = await import('../../app/send.js');",
      "import { d } from 'node:fs';",
      "import '../words/z.js';",
    ].join('\n');
    assert.deepEqual(
      importsOf('src/cli/completion/file.ts', sample).map(({ part, typeOnly }) => [part, typeOnly]),
      [
        ['cli', false],
        ['cli', true],
        ['cli', false],
        ['app', false],
        ['cli', false],
      ],
    );
    assert.deepEqual(
      // From one folder down, ../../app leaves src/: no import of mailv's.
      importsOf('src/smtp/file.ts', sample).map(({ part }) => part),
      ['render', 'words', 'smtp', 'words'],
    );
  });

  it('protocol code (smtp, dns, delivery, auth, message, load, cache) reaches no words, renderer, configuration or application', () => {
    assert.deepEqual(crossings(['smtp', 'dns', 'delivery', 'auth', 'message', 'load', 'cache'], ABOVE_PROTOCOL), []);
  });

  it('smtp and dns go down only: never to delivery or the load mode; the message and DNS stand alone', () => {
    assert.deepEqual(crossings(['smtp', 'dns', 'auth', 'message', 'cache', 'text'], ['delivery', 'load']), []);
    assert.deepEqual(crossings(['message', 'dns', 'text'], ['smtp', 'auth', 'cache']), []);
  });

  it('the renderers, the explanations, the records and the words never run the application or the command line', () => {
    assert.deepEqual(crossings(['render', 'explain', 'record', 'words'], ['app', 'cli', 'demo'], true), []);
  });

  it('cli/ (all of it) and explain/ import nothing from render/', () => {
    assert.deepEqual(crossings(['cli', 'explain'], ['render']), []);
  });
});
