// Reading a bundle's source map, as a failure of mailv's own does to show its stack in source
// terms: the positions agree with node:module's own reader on the real map, and a map that is none
// gives no position rather than a wrong one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { describe, it } from 'node:test';
import { inSourceTerms, internalFailure } from '../../dist/internal-failure.js';
import { decodeSourceMap, sourcePositionOf } from '../../dist/source-position.js';

const BUNDLE = new URL('../../dist/bundle/mailv.cjs', import.meta.url).pathname;
const MAP = JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as SourceMapPayload;

describe('a source position from a source map', () => {
  it("agrees with node:module's SourceMap at every mapped position of the command line's bundle", () => {
    const reference = new SourceMap(MAP);
    const decoded = decodeSourceMap(MAP)!;
    assert.ok(decoded !== undefined);
    const lines = readFileSync(BUNDLE, 'latin1').split('\n');
    let compared = 0;
    for (let line = 1; line <= lines.length; line++) {
      // Every 2749th column of every line: segment starts and the columns between them.
      for (let column = 1; column <= lines[line - 1]!.length; column += 2749) {
        const expected = reference.findEntry(line - 1, column - 1) as {
          generatedLine?: number;
          originalSource?: string;
          originalLine?: number;
          originalColumn?: number;
        };
        const found = sourcePositionOf(decoded, line, column);
        // node:module falls back to the last segment of an earlier line; a stack frame never needs that.
        if (expected.generatedLine !== line - 1) {
          assert.equal(found, undefined, `${line}:${column}`);
          continue;
        }
        assert.deepEqual(
          found,
          { source: expected.originalSource, line: expected.originalLine! + 1, column: expected.originalColumn! + 1 },
          `${line}:${column}`,
        );
        compared++;
      }
    }
    assert.ok(compared > 100, `${compared} positions compared`);
  });

  it('decodes negative and multi-digit fields, fields that run on across lines, and unmapped stretches', () => {
    // Line 1: column 0 → source 0, line 0, column 0; column 20 → source 1, line 16, column 3.
    // Line 2: column 4 → source 1, line 15 (−1), column 1 (−2); column 10: nothing (one field).
    const map = decodeSourceMap({ version: 3, sources: ['a.ts', 'b.ts'], names: [], mappings: 'AAAA,oBCgBG;IADF,M' })!;
    assert.deepEqual(sourcePositionOf(map, 1, 1), { source: 'a.ts', line: 1, column: 1 });
    assert.deepEqual(sourcePositionOf(map, 1, 20), { source: 'a.ts', line: 1, column: 1 });
    assert.deepEqual(sourcePositionOf(map, 1, 21), { source: 'b.ts', line: 17, column: 4 });
    assert.deepEqual(sourcePositionOf(map, 2, 9), { source: 'b.ts', line: 16, column: 2 });
    assert.equal(sourcePositionOf(map, 2, 4), undefined, 'before the line’s first segment');
    assert.equal(sourcePositionOf(map, 2, 11), undefined, 'in a stretch a one-field segment leaves unmapped');
    assert.equal(sourcePositionOf(map, 3, 1), undefined, 'past the last line');
  });

  it('decodes nothing from what is no version 3 map, or a mapping that is no base64 VLQ', () => {
    for (const map of [undefined, null, 'AAAA', { version: 2, sources: ['a.ts'], mappings: 'AAAA' }, { version: 3, sources: 'a.ts', mappings: 'AAAA' }])
      assert.equal(decodeSourceMap(map), undefined, JSON.stringify(map));
    assert.equal(decodeSourceMap({ version: 3, sources: ['a.ts'], mappings: 'AA!A' }), undefined, 'a character outside base64');
    assert.equal(decodeSourceMap({ version: 3, sources: ['a.ts'], mappings: 'AAAg' }), undefined, 'a field cut before its last digit');
    assert.equal(decodeSourceMap({ version: 3, sources: ['a.ts'], mappings: 'AAA' }), undefined, 'three fields');
    assert.equal(decodeSourceMap({ version: 3, sources: ['a.ts'], mappings: 'gggggggggggA' }), undefined, 'a field past 2^53');
  });

  it('places nothing where the map names no source, or a negative line', () => {
    const position = (map: object) => sourcePositionOf(decodeSourceMap(map)!, 1, 1);
    assert.equal(position({ version: 3, sources: ['a.ts'], mappings: 'AEAA' }), undefined, 'a source the map does not list');
    assert.equal(position({ version: 3, sources: [42], mappings: 'AAAA' }), undefined, 'a source that is no string');
    assert.equal(position({ version: 3, sources: ['a.ts'], mappings: 'AADA' }), undefined, 'line −1');
  });
});

describe('a failure of mailv’s own', () => {
  it('names the source of each frame in a bundle whose map is beside it, and leaves other frames as they are', () => {
    const stack = [
      'TypeError: planted',
      '    at require.hostname (/tmp/plant.cjs:1:45)',
      `    at Ve (${BUNDLE}:${lineOf()})`,
      `    at ${BUNDLE}:${lineOf()}`,
      '    at /elsewhere/no-map.cjs:1:1',
      '    at async Promise.all (index 0)',
      `    at async Ve (${BUNDLE}:${lineOf()})`,
      `    at async ${BUNDLE}:${lineOf()}`,
      `    at new Ve (${BUNDLE}:${lineOf()})`,
    ].join('\n');
    const lines = inSourceTerms(stack).split('\n');
    assert.equal(lines[0], 'TypeError: planted');
    assert.equal(lines[1], '    at require.hostname (/tmp/plant.cjs:1:45)');
    assert.match(lines[2]!, new RegExp(`^ {4}at src/cli/run\\.ts:${sourceLineOf('name: () => hostname()')}:\\d+$`));
    assert.equal(lines[3], lines[2]);
    assert.equal(lines[4], '    at /elsewhere/no-map.cjs:1:1', 'no map beside it: as V8 wrote it');
    assert.equal(lines[5], '    at async Promise.all (index 0)');
    const place = lines[2]!.slice('    at '.length);
    assert.deepEqual(lines.slice(6), [`    at async ${place}`, `    at async ${place}`, `    at new ${place}`], 'the frame’s kind kept');
  });

  it('leaves a frame as it is when what lies beside its bundle is no map it can read: malformed, or a FIFO', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailv-map-'));
    writeFileSync(join(directory, 'odd.cjs.map'), JSON.stringify({ version: 3, sources: [42], mappings: 'AAAA' }));
    writeFileSync(join(directory, 'cut.cjs.map'), '{"version":3,"sources":["a.ts"],"mappings":"AA');
    execFileSync('mkfifo', [join(directory, 'fifo.cjs.map')]);
    const stack = ['Error: x', ...['odd', 'cut', 'fifo'].map((name) => `    at f (${join(directory, `${name}.cjs`)}:1:1)`)].join('\n');
    assert.equal(inSourceTerms(stack), stack);
  });

  it('rewrites a failure’s stack once, however often it is worded or kept', () => {
    const error = new TypeError('once');
    assert.equal(internalFailure(error), internalFailure(error));
  });

  it('tells a thrown value whose own stack getter throws by its kind', () => {
    const hostile = {
      get stack(): string {
        throw new Error('no stack');
      },
    };
    assert.deepEqual(internalFailure(hostile), { code: 'MAILV_INTERNAL', detail: '[object Object]' });
  });

  it('is a fact with the stack as its detail, or the thrown value itself when it has no stack', () => {
    assert.deepEqual(internalFailure('a string'), { code: 'MAILV_INTERNAL', detail: 'a string' });
    assert.deepEqual(internalFailure(undefined), { code: 'MAILV_INTERNAL', detail: 'undefined' });
    const error = new RangeError('out');
    assert.deepEqual(internalFailure(error), { code: 'MAILV_INTERNAL', detail: error.stack });
  });
});

/** `line:column` of the bundle where src/cli/run.ts calls hostname() of node:os for the application. */
function lineOf(): string {
  const lines = readFileSync(BUNDLE, 'latin1').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const found = /name:\(\)=>\(0,[\w$]+\.hostname\)\(\)/.exec(lines[index]!);
    if (found !== null) return `${index + 1}:${found.index + 'name:()=>'.length + 1}`;
  }
  throw new Error('no call of hostname() in the bundle');
}

/** The 1-based line of src/cli/run.ts that holds `text`. */
function sourceLineOf(text: string): number {
  const lines = readFileSync(new URL('../../src/cli/run.ts', import.meta.url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, text);
  return index + 1;
}
