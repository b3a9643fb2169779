// How an explanation of --explain stands under the line it explains: `      ↳ ` and its text, cut
// at spaces to the terminal's width with a hanging indent, so that a projected 80-column terminal
// does not break a word, or an RFC reference, in two at its edge.

import { displayWidth } from '../text/display-width.js';

const ARROW = '      ↳ ';
const HANGING = ' '.repeat(ARROW.length);
/** Narrower than this, cutting would make a column of a word or two: the text is left whole. */
const NARROWEST = 16;

/**
 * The lines of one annotation; `width`: the columns it may take (undefined: not a terminal, one
 * line). Widths in columns, a wide character (CJK) taking two.
 */
export function annotationLines(text: string, width: number | undefined): string[] {
  const room = width === undefined ? Number.POSITIVE_INFINITY : width - ARROW.length;
  if (displayWidth(text) <= room || room < NARROWEST) return [`${ARROW}${text}`];
  return wordLines(text, room).map((piece, index) => `${index === 0 ? ARROW : HANGING}${piece}`);
}

/**
 * Lines written for a terminal `columns` wide (undefined: not a terminal, left whole): each longer
 * one cut at spaces as an explanation is, so that none breaks mid-word at the edge.
 */
export function fitLines(lines: readonly string[], columns: number | undefined): string[] {
  if (columns === undefined || columns < NARROWEST) return [...lines];
  return lines.flatMap((line) => (displayWidth(line) <= columns ? [line] : wordLines(line, columns)));
}

/** `text` cut at spaces into lines of at most `room` columns (a word wider than that stands alone on its line). */
function wordLines(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  // Counted as the line grows: a replayed record may hold a line of any length.
  let lineWidth = 0;
  for (const word of unbreakableWords(text)) {
    const wordWidth = displayWidth(word);
    if (line !== '' && lineWidth + 1 + wordWidth > room) {
      lines.push(line);
      line = word;
      lineWidth = wordWidth;
    } else {
      line = line === '' ? word : `${line} ${word}`;
      lineWidth = line === word ? wordWidth : lineWidth + 1 + wordWidth;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * The words of `text`, a reference kept whole (`RFC 5321 §4.1.1.3` is never cut) and French
 * punctuation kept with the word before it (no line starts with `:`, `;`, `?`, `!` or `»`).
 */
export function unbreakableWords(text: string): string[] {
  const words: string[] = [];
  // The group so far ends with `previous`; `alone`: it is that word alone. Looking at the word, not
  // the growing group, keeps a long run of joined words linear (a replayed record may hold one).
  let previous: string | undefined;
  let alone = false;
  for (const word of text.split(' ')) {
    // Escaped: the bundle stays ASCII (see bin/build.mjs), and esbuild leaves a pattern's characters as they are.
    if (previous !== undefined && (previous.endsWith('RFC') || /^[\u00a7:;?!\u00bb]/.test(word) || (alone && previous === '\u00ab'))) {
      words[words.length - 1] += ` ${word}`;
      alone = false;
    } else {
      words.push(word);
      alone = true;
    }
    previous = word;
  }
  return words;
}
