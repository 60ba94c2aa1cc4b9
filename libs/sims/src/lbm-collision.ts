/**
 * D2Q9 collision: BGK or TRT relaxation of one cell's populations towards the second-order
 * equilibrium. Conserves mass and momentum exactly (up to rounding); tested on its own.
 */
import type { CollisionModel } from './lbm-options.js';

/** Lattice weights of D2Q9 (rest, axis, diagonal). */
export const W0 = 4 / 9;
export const W1 = 1 / 9;
export const W2 = 1 / 36;
/** TRT "magic" parameter Λ = (τ+ − ½)(τ− − ½); 1/4 puts bounce-back walls exactly half-way. */
const MAGIC = 0.25;

/** ω+ and ω− for a relaxation time τ (TRT with the magic parameter, or BGK). */
export function relaxationRates(tau: number, collision: CollisionModel): [number, number] {
  const wp = 1 / tau;
  return [wp, collision === 'bgk' ? wp : 1 / (0.5 + MAGIC / (tau - 0.5))];
}

/**
 * TRT relaxation of one cell's populations (directions 0 rest, 1 E, 2 N, 3 W, 4 S, 5 NE, 6 NW,
 * 7 SW, 8 SE), written to `out`: the even (symmetric) part of each opposite pair relaxes with
 * ω+ (sets the viscosity), the odd part with ω−. BGK is the case ω− = ω+.
 */
// prettier-ignore
export function collide(
  out: Float32Array, N: number, i: number, wp: number, wm: number,
  f0: number, f1: number, f2: number, f3: number, f4: number,
  f5: number, f6: number, f7: number, f8: number,
): void {
  const rho = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8;
  const ux = (f1 - f3 + f5 - f6 - f7 + f8) / rho;
  const uy = (f2 - f4 + f5 + f6 - f7 - f8) / rho;
  const usq = 1.5 * (ux * ux + uy * uy);
  const r1 = W1 * rho;
  const r2 = W2 * rho;
  out[i] = f0 - wp * (f0 - W0 * rho * (1 - usq));
  // Axis pairs (1,3) along x and (2,4) along y.
  let sym = r1 * (1 + 4.5 * ux * ux - usq);
  let anti = r1 * 3 * ux;
  let p = wp * (0.5 * (f1 + f3) - sym);
  let m = wm * (0.5 * (f1 - f3) - anti);
  out[N + i] = f1 - p - m;
  out[3 * N + i] = f3 - p + m;
  sym = r1 * (1 + 4.5 * uy * uy - usq);
  anti = r1 * 3 * uy;
  p = wp * (0.5 * (f2 + f4) - sym);
  m = wm * (0.5 * (f2 - f4) - anti);
  out[2 * N + i] = f2 - p - m;
  out[4 * N + i] = f4 - p + m;
  // Diagonal pairs (5,7) along (1,1) and (6,8) along (−1,1).
  let cu = ux + uy;
  sym = r2 * (1 + 4.5 * cu * cu - usq);
  anti = r2 * 3 * cu;
  p = wp * (0.5 * (f5 + f7) - sym);
  m = wm * (0.5 * (f5 - f7) - anti);
  out[5 * N + i] = f5 - p - m;
  out[7 * N + i] = f7 - p + m;
  cu = uy - ux;
  sym = r2 * (1 + 4.5 * cu * cu - usq);
  anti = r2 * 3 * cu;
  p = wp * (0.5 * (f6 + f8) - sym);
  m = wm * (0.5 * (f6 - f8) - anti);
  out[6 * N + i] = f6 - p - m;
  out[8 * N + i] = f8 - p + m;
}

export function setEquilibrium(
  f: Float32Array,
  N: number,
  i: number,
  rho: number,
  ux: number,
  uy: number,
): void {
  const usq = 1.5 * (ux * ux + uy * uy);
  const eq = (w: number, cu: number): number => w * rho * (1 + 3 * cu + 4.5 * cu * cu - usq);
  f[i] = eq(W0, 0);
  f[N + i] = eq(W1, ux);
  f[2 * N + i] = eq(W1, uy);
  f[3 * N + i] = eq(W1, -ux);
  f[4 * N + i] = eq(W1, -uy);
  f[5 * N + i] = eq(W2, ux + uy);
  f[6 * N + i] = eq(W2, uy - ux);
  f[7 * N + i] = eq(W2, -ux - uy);
  f[8 * N + i] = eq(W2, ux - uy);
}
