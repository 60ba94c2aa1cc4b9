/**
 * Simulated bifurcation (Goto et al., Sci. Adv. 2019 and 2021), ballistic (bSB) and discrete
 * (dSB), on tfjs tensors so that it runs on whichever backend is active, the GPU one included.
 *
 * Each variable is a particle with position x ∈ [-1, 1] and momentum y. With our sign
 * convention (minimise E = Σ h s + Σ J s s) the force is -(J x̃ + h), where x̃ = x for bSB and
 * sign(x) for dSB. The pump a(t) rises linearly from 0 to a0; positions bifurcate towards ±1 and
 * perfectly inelastic walls at ±1 stop them. Replicas are the columns of X [n, R], so one step is
 * one (sparse or dense) matrix product for all of them. Signs are read back every few steps
 * for the anytime contract: the best replica so far is polished by a greedy descent on the CPU
 * and offered to the incumbent.
 *
 * Fields h are folded into couplings with an extra spin s_a: h_i s_i = h_i (s_i s_a) s_a, so
 * the dynamics only see couplings (where the bifurcation picture holds) and s_i s_a recovers
 * the solution; energies are unchanged.
 */
import { tf } from '@simstream/compute';
import { compileIsing, initFields, type CompiledIsing } from './compiled.js';
import type { Incumbent } from './incumbent.js';
import { greedyDescent, type ChainState } from './metropolis.js';
import { Rng, streamSeed } from './rng.js';

export type BifurcationVariant = 'ballistic' | 'discrete';

export interface BifurcationPlan {
  readonly variant: BifurcationVariant;
  readonly replicas: number;
  readonly steps: number;
  readonly dt: number;
  /** Dense J when true, else gather + segment sum over the CSR entries. */
  readonly dense: boolean;
  /** Steps between reads of the signs back to the CPU. */
  readonly evalEvery: number;
}

/** Dense products are cheaper than gathers up to a few thousand variables or high density. */
export function preferDense(p: CompiledIsing): boolean {
  const nnz = p.colIdx.length;
  return p.n <= 1024 || (p.n <= 4096 && nnz * 16 >= p.n * p.n);
}

/** The problem with fields turned into couplings to an extra last spin (itself if h = 0). */
export function foldFields(p: CompiledIsing): CompiledIsing {
  const n = p.n;
  let fields = 0;
  for (let i = 0; i < n; i++) if (p.h[i] !== 0) fields++;
  if (fields === 0) return p;
  const rowPtr = new Int32Array(n + 2);
  const colIdx = new Int32Array(p.colIdx.length + 2 * fields);
  const values = new Float64Array(colIdx.length);
  let q = 0;
  for (let i = 0; i < n; i++) {
    for (let k = p.rowPtr[i]!; k < p.rowPtr[i + 1]!; k++) {
      colIdx[q] = p.colIdx[k]!;
      values[q++] = p.values[k]!;
    }
    if (p.h[i] !== 0) {
      colIdx[q] = n;
      values[q++] = p.h[i]!;
    }
    rowPtr[i + 1] = q;
  }
  for (let i = 0; i < n; i++) {
    if (p.h[i] !== 0) {
      colIdx[q] = i;
      values[q++] = p.h[i]!;
    }
  }
  rowPtr[n + 1] = q;
  return compileIsing({
    kind: 'ising',
    n: n + 1,
    h: new Float64Array(n + 1),
    J: { rowPtr, colIdx, values },
    offset: p.offset,
  });
}

/** Goto's coupling scale: c0 = 0.5 / (σ_J √n), σ_J the RMS of the off-diagonal couplings. */
function couplingScale(p: CompiledIsing): number {
  let sq = 0;
  for (let k = 0; k < p.values.length; k++) sq += p.values[k]! * p.values[k]!;
  for (let i = 0; i < p.n; i++) sq += p.h[i]! * p.h[i]!;
  const sigma = Math.sqrt(sq / Math.max(1, p.n * Math.max(1, p.n - 1)));
  return sigma > 0 ? 0.5 / (sigma * Math.sqrt(p.n)) : 1;
}

/** Returns (signs) ↦ -(J signs + h) as a [n, R] tensor; the caller owns `dispose`. */
function forceOperator(
  p: CompiledIsing,
  dense: boolean,
): { apply: (x: tf.Tensor2D) => tf.Tensor2D; dispose: () => void } {
  const n = p.n;
  const negH = tf.tensor2d(
    Float32Array.from(p.h, (v) => -v),
    [n, 1],
  );
  if (dense) {
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = p.rowPtr[i]!; k < p.rowPtr[i + 1]!; k++) m[i * n + p.colIdx[k]!] = -p.values[k]!;
    }
    const J = tf.tensor2d(m, [n, n]);
    return {
      apply: (x) => tf.tidy(() => tf.add(tf.matMul(J, x), negH)),
      dispose: () => {
        J.dispose();
        negH.dispose();
      },
    };
  }
  const nnz = p.colIdx.length;
  const rows = new Int32Array(nnz);
  for (let i = 0; i < n; i++) rows.fill(i, p.rowPtr[i], p.rowPtr[i + 1]);
  const cols = tf.tensor1d(p.colIdx, 'int32');
  const segs = tf.tensor1d(rows, 'int32');
  const idx = tf.range(0, nnz, 1, 'int32');
  const vals = tf.tensor2d(
    Float32Array.from(p.values, (v) => -v),
    [nnz, 1],
  );
  const lastRow = nnz > 0 ? rows[nnz - 1]! : -1;
  return {
    apply: (x) =>
      tf.tidy(() => {
        if (nnz === 0) return tf.add(tf.zerosLike(x), negH);
        let s = tf.sparse.sparseSegmentSum(tf.mul(tf.gather(x, cols), vals), idx, segs) as tf.Tensor2D;
        // Trailing rows without couplings get no segment: pad them back.
        if (lastRow < n - 1)
          s = tf.pad(s, [
            [0, n - 1 - lastRow],
            [0, 0],
          ]);
        return tf.add(s, negH);
      }),
    dispose: () => {
      for (const t of [cols, segs, idx, vals, negH]) t.dispose();
    },
  };
}

/**
 * One read: `plan.replicas` trajectories for `plan.steps` steps (fewer if the solve stops).
 * Returns the steps taken.
 */
export async function bifurcationRead(
  original: CompiledIsing,
  plan: BifurcationPlan,
  read: number,
  seed: number,
  inc: Incumbent,
): Promise<number> {
  const p = foldFields(original);
  const n = p.n;
  const R = plan.replicas;
  const rng = new Rng(streamSeed(seed, read));
  const init = (): Float32Array => Float32Array.from({ length: n * R }, () => 0.1 * (2 * rng.next() - 1));
  const a0 = 1;
  const c0 = couplingScale(p);
  const dt = plan.dt;
  const force = forceOperator(p, plan.dense);
  let x = tf.tensor2d(init(), [n, R]);
  let y = tf.tensor2d(init(), [n, R]);
  const spins = new Int8Array(n);
  const field = new Float64Array(n);
  const st: ChainState = { spins, field, energy: 0, rng: rng.raw };
  const out = new Int8Array(original.n);
  const offer = (energy: number, s: Int8Array): void => {
    if (p === original) {
      inc.offer(energy, s, read);
      return;
    }
    const a = s[original.n]!;
    for (let i = 0; i < original.n; i++) out[i] = s[i]! * a;
    inc.offer(energy, out, read);
  };
  let readBest = Infinity;
  let step = 0;
  try {
    for (; step < plan.steps; step++) {
      const pump = (a0 * step) / plan.steps;
      const [nx, ny] = tf.tidy(() => {
        const drive = plan.variant === 'discrete' ? tf.sign(x) : x;
        const f = force.apply(drive);
        const y1 = tf.add(y, tf.mul(tf.sub(tf.mul(f, c0), tf.mul(x, a0 - pump)), dt));
        const x1 = tf.add(x, tf.mul(y1, a0 * dt));
        const inside = tf.lessEqual(tf.abs(x1), 1);
        return [tf.clipByValue(x1, -1, 1), tf.where(inside, y1, tf.zerosLike(y1))] as [
          tf.Tensor2D,
          tf.Tensor2D,
        ];
      });
      x.dispose();
      y.dispose();
      x = nx;
      y = ny;
      inc.sweeps += R;
      const last = step === plan.steps - 1;
      if ((step + 1) % plan.evalEvery === 0 || last) {
        readBest = await offerBest(p, x, R, st, offer, readBest, last);
        if (inc.stopped()) {
          step++;
          break;
        }
        if (inc.yieldDue()) await inc.yield();
      }
    }
  } finally {
    x.dispose();
    y.dispose();
    force.dispose();
  }
  inc.reads++;
  return step;
}

/** Energies of the replicas' signs; the best one, polished, goes to the incumbent. */
async function offerBest(
  p: CompiledIsing,
  x: tf.Tensor2D,
  R: number,
  st: ChainState,
  offer: (energy: number, spins: Int8Array) => void,
  readBest: number,
  polishAll: boolean,
): Promise<number> {
  const signs = await x.data();
  const n = p.n;
  // Rank replicas by energy on the CPU (one pass over the CSR per replica).
  const energies = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) st.spins[i] = signs[i * R + r]! >= 0 ? 1 : -1;
    energies[r] = initFields(p, st.spins, st.field);
  }
  const order = Array.from({ length: R }, (_, r) => r).sort((a, b) => energies[a]! - energies[b]!);
  const candidates = polishAll ? order : order.slice(0, 1);
  for (const r of candidates) {
    for (let i = 0; i < n; i++) st.spins[i] = signs[i * R + r]! >= 0 ? 1 : -1;
    st.energy = initFields(p, st.spins, st.field);
    greedyDescent(p, st);
    if (st.energy < readBest) {
      readBest = st.energy;
      offer(st.energy, st.spins);
    }
  }
  return readBest;
}
