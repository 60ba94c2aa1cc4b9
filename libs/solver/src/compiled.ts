/**
 * The solver-side view of an Ising problem: CSR neighbour lists plus facts the kernels and the
 * default schedules need (largest and smallest energy change of a single flip, whether every
 * flip changes the energy by an integer so that Boltzmann factors can come from a table).
 */
import type { IsingProblem } from './problem.js';

export interface CompiledIsing {
  readonly n: number;
  readonly h: Float64Array;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
  readonly offset: number;
  /** max over i of 2(|h_i| + Σ_j |J_ij|): no flip changes the energy by more. */
  readonly maxDelta: number;
  /** Smallest nonzero 2|J_ij| or 2|h_i|: a scale for the smallest uphill move. */
  readonly minDelta: number;
  /** Median over spins of 2 sqrt(h_i² + Σ_j J_ij²): the typical size of a random-state flip. */
  readonly typicalDelta: number;
  /** True when every flip changes the energy by an integer (2h and 2J integral). */
  readonly integral: boolean;
}

export function compileIsing(problem: IsingProblem): CompiledIsing {
  const { n, h, J } = problem;
  let maxDelta = 0;
  let minDelta = Infinity;
  let integral = true;
  const rms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hi = h[i]!;
    let abs = Math.abs(hi);
    let sq = hi * hi;
    if (hi !== 0) minDelta = Math.min(minDelta, 2 * Math.abs(hi));
    if (!Number.isInteger(2 * hi)) integral = false;
    for (let p = J.rowPtr[i]!; p < J.rowPtr[i + 1]!; p++) {
      const v = J.values[p]!;
      abs += Math.abs(v);
      sq += v * v;
      if (v !== 0) minDelta = Math.min(minDelta, 2 * Math.abs(v));
      if (!Number.isInteger(2 * v)) integral = false;
    }
    maxDelta = Math.max(maxDelta, 2 * abs);
    rms[i] = 2 * Math.sqrt(sq);
  }
  rms.sort();
  const typicalDelta = rms[n >> 1]!;
  if (!Number.isFinite(minDelta)) minDelta = 1;
  if (maxDelta === 0) maxDelta = 1;
  return {
    n,
    h,
    rowPtr: J.rowPtr,
    colIdx: J.colIdx,
    values: J.values,
    offset: problem.offset,
    maxDelta,
    minDelta,
    typicalDelta: typicalDelta > 0 ? typicalDelta : maxDelta,
    integral,
  };
}

/** Local fields f_i = h_i + Σ_j J_ij s_j, and the energy, of a spin state. */
export function initFields(p: CompiledIsing, spins: Int8Array, field: Float64Array): number {
  const { n, h, rowPtr, colIdx, values } = p;
  let pair = 0;
  let lin = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) f += values[k]! * spins[colIdx[k]!]!;
    field[i] = h[i]! + f;
    lin += h[i]! * spins[i]!;
    pair += f * spins[i]!;
  }
  return p.offset + lin + pair / 2;
}
