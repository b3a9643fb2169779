// The explanations of --explain at a terminal: cut at spaces to its width, with a hanging indent,
// a reference and French punctuation never cut from what they belong to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { annotationLines, fitLines, unbreakableWords } from '../../dist/render/annotation.js';
import { displayWidth } from '../../dist/text/display-width.js';

const TEXT = '250 : le destinataire <mailtest@localhost> est accepté, et la suite peut venir (RFC 5321 §4.1.1.3)';

describe('an explanation under its line', () => {
  it('is one line behind its arrow when it fits, or when no terminal width is known', () => {
    assert.deepEqual(annotationLines('short (RFC 5321)', 80), ['      ↳ short (RFC 5321)']);
    assert.deepEqual(annotationLines(TEXT, undefined), [`      ↳ ${TEXT}`]);
  });

  it('is cut at spaces to the width, continued under its first word, and reads back the same', () => {
    for (const width of [40, 60, 80]) {
      const lines = annotationLines(TEXT, width);
      assert.ok(lines.length > 1, `${width}: cut`);
      for (const line of lines) assert.ok(line.length <= width, `${width}: ${line.length} ${line}`);
      assert.ok(lines[0]!.startsWith('      ↳ '));
      for (const line of lines.slice(1)) assert.match(line, /^ {8}\S/);
      assert.equal(lines.map((line) => line.slice(8)).join(' '), TEXT);
      // Never `RFC` at one line's end and its number at the next's start, nor a line starting with `:`.
      assert.ok(!lines.some((line) => / RFC$/.test(line) || /^ {8}[§:;?!»]/.test(line)), lines.join('\n'));
    }
  });

  it('leaves the text whole on a terminal too narrow to cut it sensibly', () => {
    assert.deepEqual(annotationLines(TEXT, 20), [`      ↳ ${TEXT}`]);
  });

  it('cuts at 36 columns too (it left the text whole below 38), and counts a wide character as two columns', () => {
    // Before, every explanation was left whole under 38 columns, for the terminal to break mid-word.
    const narrow = annotationLines(TEXT, 36);
    assert.ok(narrow.length > 1);
    for (const line of narrow) assert.ok(line.length <= 36 || !line.slice(8).includes(' '), line);
    const wide = annotationLines('xn--r8jz45g.xn--zckzah is 例え.テスト in Unicode, as the user typed it (RFC 5890)', 40);
    for (const line of wide) assert.ok(displayWidth(line) <= 40, `${displayWidth(line)}: ${line}`);
  });
});

describe('the words a line is never cut between', () => {
  it('keep RFC with its number, French punctuation with the word before, « with the word after', () => {
    assert.deepEqual(unbreakableWords('see RFC 5321 §4.1 now : « a » b'), ['see', 'RFC 5321 §4.1', 'now :', '« a »', 'b']);
    // « joins the word after only where it stands alone, not at the end of a group already joined.
    assert.deepEqual(unbreakableWords('RFC « y'), ['RFC «', 'y']);
  });

  it('a run of thousands of joined words, as a replayed record may hold, is one group, read once', () => {
    const run = Array.from({ length: 50_000 }, () => 'RFC').join(' ');
    assert.deepEqual(unbreakableWords(`${run} end`), [`${run} end`]);
  });
});

describe('lines fitted to a terminal', () => {
  it('cuts only the lines longer than the terminal, at spaces, and leaves them whole off a terminal', () => {
    const long = 'The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,';
    const fitted = fitLines([long, 'short'], 80);
    assert.ok(fitted.every((line) => line.length <= 80));
    assert.equal(fitted.join(' '), `${long} short`);
    assert.equal(fitted.at(-1), 'short');
    assert.deepEqual(fitLines([long], undefined), [long]);
    // A reference stays whole, as in an explanation.
    assert.ok(fitLines([`${'x '.repeat(36)}(RFC 5321 §4.1.1.3)`], 80).some((line) => line.includes('RFC 5321 §4.1.1.3')));
  });
});
