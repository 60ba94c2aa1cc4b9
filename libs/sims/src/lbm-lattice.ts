/**
 * D2Q9 lattice geometry for the cylinder flow: where each boundary cell pulls its populations
 * from (built once), and the macroscopic fields (ρ, u, vorticity) computed from populations.
 */
import type { LateralBoundary } from './lbm-options.js';

/** Directions: 0 rest, 1 E, 2 N, 3 W, 4 S, 5 NE, 6 NW, 7 SW, 8 SE (y grows with the row index). */
export const CX = [0, 1, 0, -1, 0, 1, -1, -1, 1] as const;
export const CY = [0, 0, 1, 0, -1, 1, 1, -1, -1] as const;
const OPPOSITE = [0, 3, 4, 1, 2, 7, 8, 5, 6] as const;
/** The direction with its y component reversed: what a free-slip wall reflects into. */
const MIRROR_Y = [0, 1, 4, 3, 2, 8, 7, 6, 5] as const;

/** Marks a population the inlet condition computes instead of pulling. */
export const INLET = -1;

export interface BoundaryTable {
  /** Fluid cells that touch the grid edge or a solid cell, or lie in a sponge layer. */
  readonly cells: Int32Array;
  /** 9 per boundary cell: index into the population array to pull direction q from, or INLET. */
  readonly sources: Int32Array;
}

/**
 * Classifies fluid cells (sets cellType 1 on those next to an edge or a solid, or in a sponge
 * column, which relax with their own rate; 0 stays interior, 2 solid) and tabulates where each boundary cell's populations come from: half-way bounce-back
 * off solids and no-slip walls, mirror reflection off slip walls, wrap-around when periodic,
 * the cell's own column beyond the outlet (zero gradient), and INLET left of the first column.
 */
export function buildBoundaryTable(
  nx: number,
  ny: number,
  lateral: LateralBoundary,
  cellType: Uint8Array,
  inSponge: (x: number) => boolean,
): BoundaryTable {
  const N = nx * ny;
  const cells: number[] = [];
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const i = y * nx + x;
      if (cellType[i] === 2) continue;
      let boundary = x === 0 || y === 0 || x === nx - 1 || y === ny - 1 || inSponge(x);
      for (let q = 1; q < 9 && !boundary; q++) {
        if (cellType[(y + CY[q]!) * nx + x + CX[q]!] === 2) boundary = true;
      }
      if (boundary) {
        cellType[i] = 1;
        cells.push(i);
      }
    }
  }
  const sources = new Int32Array(9 * cells.length);
  cells.forEach((i, b) => {
    const x = i % nx;
    const y = (i - x) / nx;
    sources[9 * b] = i;
    for (let q = 1; q < 9; q++) {
      sources[9 * b + q] = pullSource(x, y, q);
    }
  });
  return { cells: Int32Array.from(cells), sources };

  function pullSource(x: number, y: number, q: number): number {
    const bounceBack = OPPOSITE[q]! * N + y * nx + x;
    let direction: number = q;
    let sy = y - CY[q]!;
    const sx = x - CX[q]!;
    if (sy < 0 || sy >= ny) {
      if (lateral === 'no-slip') return bounceBack;
      if (lateral === 'periodic') {
        sy = (sy + ny) % ny;
      } else {
        direction = MIRROR_Y[q]!;
        sy = y;
      }
    }
    if (sx < 0) return INLET;
    const source = sy * nx + Math.min(sx, nx - 1);
    if (cellType[source] === 2) return bounceBack;
    return direction * N + source;
  }
}

export interface MacroscopicBuffers {
  readonly ux: Float32Array;
  readonly uy: Float32Array;
  readonly rho: Float32Array;
  readonly vorticity: Float32Array;
}

/** Fills ρ, ux, uy (solid cells: ρ = 1, u = 0) and vorticity ∂x uy − ∂y ux (central differences). */
export function macroscopicFields(
  f: Float32Array,
  nx: number,
  ny: number,
  periodicY: boolean,
  cellType: Uint8Array,
  out: MacroscopicBuffers,
): void {
  const N = nx * ny;
  const { ux, uy, rho, vorticity } = out;
  for (let i = 0; i < N; i++) {
    if (cellType[i] === 2) {
      rho[i] = 1;
      ux[i] = 0;
      uy[i] = 0;
      continue;
    }
    const f1 = f[N + i]!;
    const f2 = f[2 * N + i]!;
    const f3 = f[3 * N + i]!;
    const f4 = f[4 * N + i]!;
    const f5 = f[5 * N + i]!;
    const f6 = f[6 * N + i]!;
    const f7 = f[7 * N + i]!;
    const f8 = f[8 * N + i]!;
    const r = f[i]! + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8;
    rho[i] = r;
    ux[i] = (f1 - f3 + f5 - f6 - f7 + f8) / r;
    uy[i] = (f2 - f4 + f5 + f6 - f7 - f8) / r;
  }
  for (let y = 0; y < ny; y++) {
    let yn = y - 1;
    let ys = y + 1;
    if (periodicY) {
      yn = (yn + ny) % ny;
      ys = ys % ny;
    } else {
      yn = Math.max(yn, 0);
      ys = Math.min(ys, ny - 1);
    }
    for (let x = 0; x < nx; x++) {
      const i = y * nx + x;
      if (cellType[i] === 2) {
        vorticity[i] = 0;
        continue;
      }
      const xw = Math.max(x - 1, 0);
      const xe = Math.min(x + 1, nx - 1);
      const dUyDx = (uy[y * nx + xe]! - uy[y * nx + xw]!) / (xe - xw);
      const dUxDy = (ux[ys * nx + x]! - ux[yn * nx + x]!) / (ys - yn + (ys < yn ? ny : 0));
      vorticity[i] = dUyDx - dUxDy;
    }
  }
}
