// How many columns of a terminal a text takes: a wide character (CJK, Hangul, fullwidth forms,
// most emoji) takes two, a combining mark none. What a prompt or a wrapped line must fit its
// terminal by, where a count of characters would let it wrap. Pure.

/** The columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const [, columns] of characterWidths(text)) width += columns;
  return width;
}

/** The longest start of `text` that takes at most `columns`, never a character cut in two. */
export function cutToWidth(text: string, columns: number): string {
  let width = 0;
  let end = 0;
  for (const [character, taken] of characterWidths(text)) {
    width += taken;
    if (width > columns) break;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * Each character of `text` with the columns it adds, as terminals draw emoji sequences: one joined
 * to the emoji before it by a zero-width joiner (a family) adds none, a pair of regional indicators
 * (a flag) takes two between them; an emoji presentation selector (U+FE0F) makes a symbol drawn
 * narrow as text (❤) an emoji of two columns.
 */
function* characterWidths(text: string): Generator<readonly [string, number]> {
  let previous = 0;
  let previousColumns = 0;
  let indicators = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    let columns = columnsOf(codePoint);
    if (previous === 0x200d && columns === 2) columns = 0;
    if (codePoint >= 0x1f1e6 && codePoint <= 0x1f1ff) {
      // A pair is one flag, two columns wide.
      columns = indicators % 2 === 0 ? 2 : 0;
      indicators++;
    } else indicators = 0;
    if (codePoint === 0xfe0f && previousColumns === 1 && previous >= 0x2000) columns = 1;
    yield [character, columns];
    previous = codePoint;
    if (codePoint !== 0x200d) previousColumns = columns;
  }
}

function columnsOf(codePoint: number): number {
  // Nothing below U+0300 combines or is wide: most text never reaches the tables.
  if (codePoint < 0x300) return 1;
  if (isZeroWidth(codePoint)) return 0;
  return WIDE.some(([from, to]) => codePoint >= from && codePoint <= to) ? 2 : 1;
}

/** Made at the first character past U+02FF: a pattern of Unicode properties costs its compile. */
let zeroWidth: RegExp | undefined;

/**
 * Marks drawn over or beside the character before them without a column of their own (Mn, Me:
 * Thai tone marks, Indic vowel signs and viramas, accents), format characters (joiners, marks of
 * direction), and the conjoining jamo a Hangul syllable's first takes in: none, as terminals draw them.
 */
function isZeroWidth(codePoint: number): boolean {
  if (codePoint >= 0x1160 && codePoint <= 0x11ff) return true;
  zeroWidth ??= /^[\p{Mn}\p{Me}\p{Cf}]$/u;
  return zeroWidth.test(String.fromCodePoint(codePoint));
}

/** East Asian Wide and Fullwidth ranges (UAX #11), emoji among them. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x26a1, 0x26a1],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f5],
  [0x26fa, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f2ff],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];
