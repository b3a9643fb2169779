// Where code may reach: the application gets the world through its I/O argument (src/app/io.ts),
// never from `process`, and keeps no state between runs; the command line and the explanations
// do not reach into the renderers.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(folder: string): { path: string; text: string }[] {
  return readdirSync(join(SRC, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ path: `src/${folder}/${name}`, text: readFileSync(join(SRC, folder, name), 'utf8') }));
}

/** The code without its comments, so that a comment may name what the code must not use. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('layers', () => {
  it('the application never touches process, and keeps nothing in a module', () => {
    const files = [...sources('app'), { path: 'src/cli/run.ts', text: readFileSync(join(SRC, 'cli/run.ts'), 'utf8') }];
    assert.ok(files.length > 10);
    for (const { path, text } of files) {
      if (path !== 'src/cli/run.ts') assert.doesNotMatch(code(text), /\bprocess\./, `${path} uses process`);
      assert.doesNotMatch(code(text), /^(let|var) /m, `${path} keeps state in the module`);
    }
  });

  it('cli/ and explain/ import nothing from render/', () => {
    for (const { path, text } of [...sources('cli'), ...sources('explain')]) {
      assert.doesNotMatch(text, /from '\.\.\/render\//, `${path} imports from render/`);
    }
  });
});
