// Habits that keep the suite honest, checked on the tests' own source:
//
// - No way out of a test checks nothing. A test that cannot run (a service or a tool missing) says
//   so: `{ skip: reason }` on it or its describe, or `return t.skip(reason)`, and the reason comes
//   from test/helpers/service.ts, which fails in CI instead. What is refused is the quiet form: a
//   `return` without a value in a test's own body (not in a function nested in it) with no assertion
//   before it in its own block, as `if (missing) return;`. Such a test passes having checked
//   nothing, and nobody sees it.
// - No test spells this machine's name: EHLO, a bare sender and Message-IDs carry it, so a test
//   that spells it passes on one machine only. Tests take it from LOCAL_HOST (test/helpers/cli.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOCAL_HOST } from '../helpers/cli.js';
import { closing, silentReturns, tokenize } from '../helpers/test-source.js';

const TESTS = fileURLToPath(new URL('../../test/', import.meta.url));

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

const sources = filesUnder(TESTS).filter((path) => path.endsWith('.ts'));

describe('test sources', () => {
  it('finds the quiet ways out of a test, and only those', () => {
    const source = `
      it('skips in silence', async () => {
        const run = await start();
        if (run.code === 75) return; // service missing
        assert.equal(run.code, 0);
      });
      it('leaves after checking, then in silence', { timeout: 5 }, async () => {
        assert.ok(ready);
        if (!ok) {
          return;
        }
      });
      it('returns from a function of its own', async function () {
        return;
      });
      it('is fooled by no regex or template', () => {
        const pattern = /[/}]{1}return;/;
        const text = \`\${'}'} return; \${\`{\`}\`;
        if (text) return;
      });
      it('skips for all to see', async (t) => {
        if (missing) return t.skip('dnsmasq is not answering');
        assert.ok(1);
      });
      it('returns from nested functions only', async () => {
        const timer = setInterval(() => {
          if (done) return;
        }, 1);
        function stop(): void {
          return;
        }
        assert.ok(timer);
      });
      it('leaves a branch that checked', async () => {
        if (!root) {
          await refused('x');
          return;
        }
        assert.ok(1);
      });
      async function refused(path: string): Promise<void> {
        await assert.rejects(load(path));
      }
    `;
    assert.deepEqual(
      silentReturns(source).map((found) => found.test),
      ['skips in silence', 'leaves after checking, then in silence', 'returns from a function of its own', 'is fooled by no regex or template'],
    );
  });

  it('reads every test file whole (its brackets balance)', () => {
    assert.ok(sources.length > 30, `only ${sources.length} test sources found under ${TESTS}`);
    for (const path of sources) {
      const tokens = tokenize(readFileSync(path, 'utf8'));
      for (let at = 0; at < tokens.length; at++) {
        if (['(', '[', '{'].includes(tokens[at]!.text)) {
          const close = closing(tokens, at);
          assert.ok({ '(': ')', '[': ']', '{': '}' }[tokens[at]!.text] === tokens[close]!.text, `${path}:${tokens[at]!.line}: unbalanced`);
          at = close;
        }
      }
    }
  });

  it('no test ends quietly before it has checked anything', () => {
    const found = sources.flatMap((path) => silentReturns(readFileSync(path, 'utf8')).map(({ test, line }) => `${path}:${line} (${test})`));
    assert.deepEqual(found, [], 'use { skip: reason } or return t.skip(reason), with a reason from test/helpers/service.ts');
  });

  it("no test spells this machine's name", (t) => {
    // Under a reserved example or test name the machine shares its name with the tests' examples.
    if (/\.(example|test|invalid)$|(^|\.)example\.(org|com|net)$/.test(LOCAL_HOST)) {
      return t.skip(`this machine is named ${LOCAL_HOST}, like the tests' examples`);
    }
    const fixtures = filesUnder(join(TESTS, 'fixtures'));
    const spelled = [...sources, ...fixtures].filter((path) => readFileSync(path, 'latin1').toLowerCase().includes(LOCAL_HOST));
    assert.deepEqual(spelled, [], `use LOCAL_HOST from test/helpers/cli.ts instead of ${LOCAL_HOST}`);
  });
});
