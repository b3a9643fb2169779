// A reproducible random source for the order of equal-preference MX hosts: a class sets
// MAILV_SEED and sees the same order every time. Not for secrets.

/** mulberry32 seeded with FNV-1a of `seed`; Math.random when there is no seed. */
export function randomSource(seed: string | undefined): () => number {
  if (seed === undefined || seed === '') return Math.random;
  let state = 0x811c9dc5;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
