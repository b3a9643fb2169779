// Random inputs for property tests, from a seeded generator so that a failure can be replayed:
// MAILV_PROPERTY_SEED=<seed> runs the same cases again. CI uses one fixed seed, so that a run
// there is repeatable; elsewhere each run explores new cases.

export interface Random {
  readonly seed: number;
  next(): number;
  int(below: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast, and good enough to spread test cases. */
const CI_SEED = 20261128;

export function seededRandom(seed = Number(process.env['MAILV_PROPERTY_SEED'] ?? (process.env['CI'] === 'true' ? CI_SEED : Date.now() % 2 ** 32))): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { seed, next, int: (below) => Math.floor(next() * below), pick: (items) => items[Math.floor(next() * items.length)]! };
}

/** Pieces that make message text hard: line ends of every kind, dots, long runs, UTF-8, NUL-free. */
const TEXT_PIECES = ['\r\n', '\n', '\r', '.', '..', '.\r\n', ' ', '\t', 'a', 'From ', '=', 'é', '日本', '☃', '\u{1F600}', '-- ', 'x'.repeat(200)];

export function messageText(random: Random, maxPieces = 60): Buffer {
  const pieces: string[] = [];
  const count = random.int(maxPieces);
  for (let i = 0; i < count; i++) {
    pieces.push(random.next() < 0.05 ? 'y'.repeat(500 + random.int(1500)) : random.pick(TEXT_PIECES));
  }
  return Buffer.from(pieces.join(''), 'utf8');
}

/** `data` cut at random places into 1 to 8 chunks (some empty). */
export function randomSplits(random: Random, data: Buffer): Buffer[] {
  const cuts = Array.from({ length: random.int(8) }, () => random.int(data.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    chunks.push(data.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

const PRINTABLE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_()<>@[]"\'/=+*#%&';

export function printable(random: Random, maxLength: number): string {
  return Array.from({ length: random.int(maxLength + 1) }, () => random.pick([...PRINTABLE])).join('');
}

/** Unicode text of words: ASCII, accented, CJK, emoji, long words. */
export function unicodeText(random: Random, maxWords = 12): string {
  const words = ['Bonjour', 'ça', 'élève', '日本語', '☃', '\u{1F600}', 'x'.repeat(80), 'mail', 'a-b', '"quoted"', 'SMTP', 'naïve'];
  return Array.from({ length: 1 + random.int(maxWords) }, () => random.pick(words)).join(' ');
}
