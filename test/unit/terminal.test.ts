import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideColourLevel } from '../../dist/cli/terminal.js';

const tty = { isTTY: true, colorDepth: 8, env: {} };
const pipe = { isTTY: false, colorDepth: 1, env: {} };

describe('colour decision', () => {
  const cases: [string, boolean | undefined, typeof tty, number][] = [
    ['terminal, 256 colours', undefined, tty, 2],
    ['terminal, truecolor', undefined, { ...tty, colorDepth: 24 }, 3],
    ['terminal, monochrome', undefined, { ...tty, colorDepth: 1 }, 0],
    ['pipe', undefined, pipe, 0],
    ['NO_COLOR on a terminal', undefined, { ...tty, env: { NO_COLOR: '1' } }, 0],
    ['NO_COLOR empty is unset', undefined, { ...tty, env: { NO_COLOR: '' } }, 2],
    ['FORCE_COLOR on a pipe', undefined, { ...pipe, env: { FORCE_COLOR: '1' } }, 1],
    ['FORCE_COLOR=3 on a pipe', undefined, { ...pipe, env: { FORCE_COLOR: '3' } }, 3],
    ['FORCE_COLOR=0 on a terminal', undefined, { ...tty, env: { FORCE_COLOR: '0' } }, 0],
    ['NO_COLOR beats FORCE_COLOR', undefined, { ...pipe, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }, 0],
    ['TERM=dumb', undefined, { ...tty, env: { TERM: 'dumb' } }, 0],
    ['--color on a pipe', true, pipe, 1],
    ['--color beats NO_COLOR', true, { ...tty, env: { NO_COLOR: '1' } }, 2],
    ['--no-color beats FORCE_COLOR', false, { ...tty, env: { FORCE_COLOR: '3' } }, 0],
  ];
  for (const [name, flag, facts, level] of cases) {
    it(name, () => assert.equal(decideColourLevel(flag, facts), level));
  }
});
