// The live line of a load run on a terminal: accepted, refused, deferred, rate and elapsed time, drawn
// over itself (carriage return, then the line cleared) and cut to the terminal's width. Pure.
import type { LoadProgress } from '../load/facts.js';
import { perSecond, rateFigure } from '../load/stats.js';
import type { Words } from '../words/catalogue.js';

/** Back to the start of the line, and the line cleared (ECMA-48 EL 2). */
export const ERASE_LINE = '\r\x1b[2K';

/** The line for `progress`, as written over the previous one; `columns`: the terminal's width. */
export function drawProgress(progress: LoadProgress, words: Words, columns: number): string {
  const seconds = progress.elapsedMs / 1000;
  const line = words.load.progress(
    progress.accepted,
    progress.refused,
    progress.deferred,
    words.load.decimal(rateFigure(perSecond(progress.accepted, progress.elapsedMs))),
    words.load.decimal(seconds.toFixed(1)),
  );
  // A line as wide as the terminal would wrap, and the next \r would return to the wrong row.
  return ERASE_LINE + (columns > 1 ? [...line].slice(0, columns - 1).join('') : line);
}
