/**
 * Exact conversion between QUBO and Ising through x = (1 + s) / 2, both ways.
 *
 * Only multiplications and divisions by 2 and 4 appear, which are exact in binary floating
 * point, and the offsets are accumulated in index order; for integer or dyadic data of moderate
 * size every intermediate sum is representable, so energies agree to the last bit.
 */
import type { IsingProblem, QuboProblem, SparseRows } from './problem.js';

/** QUBO → Ising with E_ising(s) = E_qubo((1 + s) / 2) for every s. */
export function quboToIsing(problem: QuboProblem): IsingProblem {
  const { n, Q } = problem;
  const h = new Float64Array(n);
  let offset = problem.offset;
  const diag = new Float64Array(n);
  // Linear terms: Q_ii x_i = Q_ii/2 + (Q_ii/2) s_i.
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]!; p < Q.rowPtr[i + 1]!; p++) {
      if (Q.colIdx[p] === i) diag[i] = Q.values[p]!;
    }
  }
  for (let i = 0; i < n; i++) {
    offset += diag[i]! / 2;
    h[i] = diag[i]! / 2;
  }
  // Couplings: Q_ij x_i x_j = Q_ij/4 (1 + s_i + s_j + s_i s_j).
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = Q.rowPtr[i]!; p < Q.rowPtr[i + 1]!; p++) {
      const j = Q.colIdx[p]!;
      if (j === i) continue;
      const q = Q.values[p]! / 4;
      offset += q;
      h[i]! += q;
      h[j]! += q;
      counts[i + 1]!++;
      counts[j + 1]!++;
    }
  }
  return { kind: 'ising', n, h, J: symmetrise(n, Q, counts, 4), offset };
}

/** Ising → QUBO with E_qubo(x) = E_ising(2x - 1) for every x. */
export function isingToQubo(problem: IsingProblem): QuboProblem {
  const { n, h, J } = problem;
  // J_ij s_i s_j = J_ij (4 x_i x_j - 2 x_i - 2 x_j + 1);  h_i s_i = 2 h_i x_i - h_i.
  let offset = problem.offset;
  const linear = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    offset -= h[i]!;
    linear[i] = 2 * h[i]!;
  }
  for (let i = 0; i < n; i++) {
    for (let p = J.rowPtr[i]!; p < J.rowPtr[i + 1]!; p++) {
      const j = J.colIdx[p]!;
      if (j <= i) continue;
      const v = J.values[p]!;
      offset += v;
      linear[i]! -= 2 * v;
      linear[j]! -= 2 * v;
    }
  }
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    if (linear[i] !== 0) {
      cols.push(i);
      vals.push(linear[i]!);
    }
    for (let p = J.rowPtr[i]!; p < J.rowPtr[i + 1]!; p++) {
      const j = J.colIdx[p]!;
      if (j <= i) continue;
      cols.push(j);
      vals.push(4 * J.values[p]!);
    }
    rowPtr[i + 1] = cols.length;
  }
  return {
    kind: 'qubo',
    n,
    Q: { rowPtr, colIdx: Int32Array.from(cols), values: Float64Array.from(vals) },
    offset,
  };
}

/** Symmetric off-diagonal CSR of an upper-triangular matrix with every value divided by `scale`. */
function symmetrise(n: number, upper: SparseRows, counts: Int32Array, scale: number): SparseRows {
  for (let r = 0; r < n; r++) counts[r + 1]! += counts[r]!;
  const rowPtr = counts;
  const fill = rowPtr.slice(0, n);
  const nnz = rowPtr[n]!;
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  // Rows ascend, so appending (row i gets j > i, row j gets i) keeps each row sorted by column:
  // row j receives its lower entries (from earlier rows, ascending) before its own upper ones.
  for (let i = 0; i < n; i++) {
    for (let p = upper.rowPtr[i]!; p < upper.rowPtr[i + 1]!; p++) {
      const j = upper.colIdx[p]!;
      if (j === i) continue;
      const v = upper.values[p]! / scale;
      let q = fill[i]!++;
      colIdx[q] = j;
      values[q] = v;
      q = fill[j]!++;
      colIdx[q] = i;
      values[q] = v;
    }
  }
  return { rowPtr, colIdx, values };
}
