/**
 * The single-spin-flip Metropolis kernel shared by annealing and tempering: sequential sweeps
 * over typed arrays with incrementally maintained local fields, xorshift32 inlined.
 *
 * When every flip changes the energy by an integer, the Boltzmann factors of a sweep come from a
 * table (scaled to 2^32 so that the raw random integer is compared directly) and moves whose
 * acceptance would be below 2^-32 are refused without drawing a random number.
 */
import type { CompiledIsing } from './compiled.js';

/** A chain's state; `energy` tracks the spins through accepted flips. */
export interface ChainState {
  readonly spins: Int8Array;
  /** f_i = h_i + Σ_j J_ij s_j */
  readonly field: Float64Array;
  energy: number;
  /** xorshift32 state. */
  rng: number;
}

/** Largest table we build per sweep relative to n; above it the sweep computes exp directly. */
const TABLE_PER_SPIN = 4;
/** exp(-23) < 2^-32: beyond beta·ΔE = 23 a uniform 32-bit draw can never accept. */
const CUTOFF = 23;

export class MetropolisKernel {
  private readonly table: Float64Array;

  constructor(private readonly p: CompiledIsing) {
    this.table = new Float64Array(
      p.integral ? Math.min(Math.ceil(p.maxDelta), TABLE_PER_SPIN * p.n + 64) + 2 : 1,
    );
  }

  /** One sweep at inverse temperature beta; returns the number of accepted flips. */
  sweep(st: ChainState, beta: number): number {
    const limit = Math.min(Math.ceil(CUTOFF / beta), Math.ceil(this.p.maxDelta) + 1);
    if (this.p.integral && limit < this.table.length) return this.sweepTable(st, beta, limit);
    return this.sweepExp(st, beta);
  }

  private sweepTable(st: ChainState, beta: number, limit: number): number {
    const { n, rowPtr, colIdx, values } = this.p;
    const { spins, field } = st;
    const tab = this.table;
    for (let k = 0; k < limit; k++) tab[k] = Math.exp(-beta * k) * 4294967296;
    let x = st.rng | 0;
    let e = st.energy;
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const si = spins[i]!;
      const de = -2 * si * field[i]!;
      if (de > 0) {
        if (de >= limit) continue;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        if (x >>> 0 >= tab[de]!) continue;
      }
      spins[i] = -si;
      e += de;
      accepted++;
      const d = -2 * si;
      const end = rowPtr[i + 1]!;
      for (let k = rowPtr[i]!; k < end; k++) field[colIdx[k]!]! += d * values[k]!;
    }
    st.rng = x;
    st.energy = e;
    return accepted;
  }

  private sweepExp(st: ChainState, beta: number): number {
    const { n, rowPtr, colIdx, values } = this.p;
    const { spins, field } = st;
    const cut = CUTOFF / beta;
    let x = st.rng | 0;
    let e = st.energy;
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const si = spins[i]!;
      const de = -2 * si * field[i]!;
      if (de > 0) {
        if (de >= cut) continue;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        if ((x >>> 0) * 2.3283064365386963e-10 >= Math.exp(-beta * de)) continue;
      }
      spins[i] = -si;
      e += de;
      accepted++;
      const d = -2 * si;
      const end = rowPtr[i + 1]!;
      for (let k = rowPtr[i]!; k < end; k++) field[colIdx[k]!]! += d * values[k]!;
    }
    st.rng = x;
    st.energy = e;
    return accepted;
  }
}

/** Flips spin i, keeping fields and energy current. */
export function flip(p: CompiledIsing, st: ChainState, i: number): void {
  const si = st.spins[i]!;
  st.energy += -2 * si * st.field[i]!;
  st.spins[i] = -si;
  const d = -2 * si;
  for (let k = p.rowPtr[i]!; k < p.rowPtr[i + 1]!; k++) st.field[p.colIdx[k]!]! += d * p.values[k]!;
}

/** Zero-temperature descent: flips any spin that lowers the energy until none does. */
export function greedyDescent(p: CompiledIsing, st: ChainState): number {
  let flips = 0;
  for (;;) {
    let changed = false;
    for (let i = 0; i < p.n; i++) {
      if (st.spins[i]! * st.field[i]! > 0) {
        flip(p, st, i);
        flips++;
        changed = true;
      }
    }
    if (!changed) return flips;
  }
}
