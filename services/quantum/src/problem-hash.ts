/**
 * Identity of a problem: SHA-256 of a canonical binary form (pairs sorted, zero terms dropped,
 * −0 as 0), so the same problem written in another order has the same hash. The cache key adds
 * the solver parameters; the seed of frame problems is derived from the hash, so identical
 * data gives an identical, cacheable solve whichever simulation it came from.
 */
import { createHash } from 'node:crypto';

export interface CanonicalProblem {
  readonly kind: string;
  readonly n: number;
  /** Length n, or empty for none. */
  readonly linear: ArrayLike<number>;
  /** Pairs: lo ≤ hi (lo < hi except QUBO diagonals), any order, no repeats. */
  readonly lo: ArrayLike<number>;
  readonly hi: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  readonly offset: number;
  /** More numbers that are part of the problem's meaning (e.g. a partition's loads). */
  readonly extra?: readonly ArrayLike<number>[];
}

function f64(values: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) out.writeDoubleLE(values[i]! + 0, i * 8);
  return out;
}

export function problemHash(p: CanonicalProblem): string {
  const hash = createHash('sha256');
  hash.update(`simstream-problem/1\0${p.kind}\0${p.n}\0`);
  const linear = new Float64Array(p.n);
  for (let i = 0; i < p.linear.length; i++) linear[i] = p.linear[i]!;
  hash.update(f64(linear));
  const order: number[] = [];
  for (let k = 0; k < p.value.length; k++) if (p.value[k] !== 0) order.push(k);
  order.sort((a, b) => p.lo[a]! - p.lo[b]! || p.hi[a]! - p.hi[b]!);
  const terms = Buffer.allocUnsafe(order.length * 16);
  order.forEach((k, t) => {
    terms.writeUInt32LE(p.lo[k]!, t * 16);
    terms.writeUInt32LE(p.hi[k]!, t * 16 + 4);
    terms.writeDoubleLE(p.value[k]! + 0, t * 16 + 8);
  });
  hash.update(terms);
  hash.update(f64([p.offset]));
  for (const extra of p.extra ?? []) {
    hash.update(`\0${extra.length}\0`);
    hash.update(f64(extra));
  }
  return hash.digest('hex');
}

/** Cache key: the problem hash and the parameters that change the answer. */
export function solutionKey(hash: string, params: Readonly<Record<string, string | number | null>>): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  return createHash('sha256').update(`${hash}?${canonical}`).digest('hex');
}

/** A 48-bit seed from a hash (a safe integer, as the solver wants). */
export function seedFromHash(hash: string): number {
  return Number.parseInt(hash.slice(0, 12), 16);
}
