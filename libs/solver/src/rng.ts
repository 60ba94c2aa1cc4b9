/**
 * Seeded randomness. Every read of every solver draws from its own stream, derived from the
 * user's seed and the read's index, so results do not depend on which thread ran which read.
 *
 * Hot loops inline xorshift32 on a local integer (no calls, no allocation); `Rng` wraps the same
 * generator for the cold paths.
 */

/** murmur3's finaliser: a bijective avalanche on 32 bits. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A nonzero 32-bit state for stream `stream` of seed `seed` (xorshift must not start at 0). */
export function streamSeed(seed: number, stream: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const s = fmix32(fmix32(lo ^ fmix32(hi + 0x9e3779b9)) ^ Math.imul(stream + 1, 0x9e3779b9));
  return s === 0 ? 0x6d2b79f5 : s;
}

/** 2^-32: maps an unsigned 32-bit integer into [0, 1). */
export const UINT32_TO_UNIT = 2.3283064365386963e-10;

export class Rng {
  private state: number;

  constructor(state: number) {
    this.state = state | 0 || 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return (x >>> 0) * UINT32_TO_UNIT;
  }

  /** Uniform integer in [0, k). */
  int(k: number): number {
    return Math.floor(this.next() * k);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** The current state, for a hot loop to continue the same stream. */
  get raw(): number {
    return this.state;
  }

  set raw(value: number) {
    this.state = value | 0 || 0x6d2b79f5;
  }
}

/** Uniformly random spins. */
export function randomSpins(n: number, rng: Rng): Int8Array {
  const s = new Int8Array(n);
  for (let i = 0; i < n; i++) s[i] = rng.next() < 0.5 ? -1 : 1;
  return s;
}
