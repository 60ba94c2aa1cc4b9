/**
 * A small seeded PRNG (mulberry32) so that initial conditions are reproducible for a seed
 * without depending on Math.random.
 */

/** Returns a function giving uniform numbers in [0, 1), a deterministic sequence for `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
