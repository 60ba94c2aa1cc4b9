/**
 * Houdayer's isoenergetic cluster move between two replicas at the same temperature (Houdayer
 * 2001; Zhu, Ochoa & Katzgraber 2015). Where the replicas differ (q_i = s_i·t_i = −1) the sites
 * form clusters over the coupling graph; flipping one such cluster in both replicas leaves the sum
 * of their energies unchanged (every coupling across the cluster boundary joins a site where the
 * two agree, and the fields h cancel inside the cluster), so the move is accepted without a test
 * and satisfies detailed balance for the pair. What changes is how that sum is shared: each
 * replica jumps far in configuration space at no cost, which single flips and replica exchange
 * cannot do on low-dimensional graphs.
 */
import type { CompiledIsing } from './compiled.js';
import type { ChainState } from './metropolis.js';

/** Random draws for the cluster seed before we give up on finding a differing site. */
const SEED_TRIES = 32;

/** Scratch space of one read: BFS stack, visit stamps and the xorshift32 state for seeds. */
export class ClusterScratch {
  readonly stack: Int32Array;
  readonly mark: Int32Array;
  stamp = 0;

  constructor(
    n: number,
    /** xorshift32 state (nonzero). */
    public rng: number,
  ) {
    this.stack = new Int32Array(n);
    this.mark = new Int32Array(n);
  }
}

/** A uniformly random site where a and b differ, or −1 when SEED_TRIES draws found none. */
function pickSeed(n: number, sa: Int8Array, sb: Int8Array, scratch: ClusterScratch): number {
  let x = scratch.rng | 0;
  let seed = -1;
  for (let t = 0; t < SEED_TRIES; t++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const i = Math.floor((x >>> 0) * 2.3283064365386963e-10 * n);
    if (sa[i] !== sb[i]) {
      seed = i;
      break;
    }
  }
  scratch.rng = x;
  return seed;
}

/**
 * One cluster move between a and b (same temperature): returns the cluster size, 0 when no
 * differing site was found. Energies and fields of both replicas stay exact.
 */
export function houdayerMove(
  p: CompiledIsing,
  a: ChainState,
  b: ChainState,
  scratch: ClusterScratch,
): number {
  const { n, rowPtr, colIdx, values } = p;
  const sa = a.spins;
  const sb = b.spins;
  const fa = a.field;
  const fb = b.field;
  const seed = pickSeed(n, sa, sb, scratch);
  if (seed < 0) return 0;
  const stamp = ++scratch.stamp;
  const { stack, mark } = scratch;
  mark[seed] = stamp;
  stack[0] = seed;
  let top = 1;
  let size = 0;
  let ea = a.energy;
  let eb = b.energy;
  while (top > 0) {
    const i = stack[--top]!;
    size++;
    const si = sa[i]!;
    // The two differ at i: t_i = −s_i. Flip both, using the fields before the flip.
    ea += -2 * si * fa[i]!;
    eb += 2 * si * fb[i]!;
    sa[i] = -si;
    sb[i] = si;
    const d = -2 * si;
    const end = rowPtr[i + 1]!;
    for (let k = rowPtr[i]!; k < end; k++) {
      const j = colIdx[k]!;
      const v = d * values[k]!;
      fa[j]! += v;
      fb[j]! -= v;
      if (mark[j] !== stamp && sa[j] !== sb[j]) {
        mark[j] = stamp;
        stack[top++] = j;
      }
    }
  }
  a.energy = ea;
  b.energy = eb;
  return size;
}

/**
 * The size of the cluster houdayerMove would flip, without flipping it (a and b unchanged): how
 * a read decides, before making any move, whether the moves can help (see tempering.ts).
 */
export function clusterSize(p: CompiledIsing, a: ChainState, b: ChainState, scratch: ClusterScratch): number {
  const { n, rowPtr, colIdx } = p;
  const sa = a.spins;
  const sb = b.spins;
  const seed = pickSeed(n, sa, sb, scratch);
  if (seed < 0) return 0;
  const stamp = ++scratch.stamp;
  const { stack, mark } = scratch;
  mark[seed] = stamp;
  stack[0] = seed;
  let top = 1;
  let size = 0;
  while (top > 0) {
    const i = stack[--top]!;
    size++;
    const end = rowPtr[i + 1]!;
    for (let k = rowPtr[i]!; k < end; k++) {
      const j = colIdx[k]!;
      if (mark[j] !== stamp && sa[j] !== sb[j]) {
        mark[j] = stamp;
        stack[top++] = j;
      }
    }
  }
  return size;
}

/**
 * Counts the sites where a and b differ. With `gauge` (only for problems without fields, where
 * E(s) = E(−s)), first flips b entirely when they differ on more than half the sites, so that the
 * differing set, where clusters grow, is the smaller one.
 */
export function alignGauge(p: CompiledIsing, a: ChainState, b: ChainState, gauge: boolean): number {
  const n = p.n;
  const sa = a.spins;
  const sb = b.spins;
  let differ = 0;
  for (let i = 0; i < n; i++) if (sa[i] !== sb[i]) differ++;
  if (!gauge || 2 * differ <= n) return differ;
  const fb = b.field;
  for (let i = 0; i < n; i++) {
    sb[i] = -sb[i]!;
    fb[i] = -fb[i]!;
  }
  return n - differ;
}
