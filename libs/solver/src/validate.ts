/**
 * Structural checks for problems built by hand rather than through createIsing / createQubo /
 * createGraph, and the normalisation of any problem to the Ising form the solvers work on.
 */
import { ValidationError, type FieldViolation } from '@simstream/errors';
import { quboToIsing } from './convert.js';
import { createGraph, maxCutToIsing } from './maxcut.js';
import { checkSize, type IsingProblem, type SparseRows } from './problem.js';
import type { Problem } from './types.js';

function fail(field: string, reason: string, description: string): never {
  const v: FieldViolation = { field, reason, description };
  throw new ValidationError([v]);
}

function checkRows(n: number, rows: SparseRows, field: string, upper: boolean): void {
  const { rowPtr, colIdx, values } = rows;
  if (
    !(rowPtr instanceof Int32Array) ||
    !(colIdx instanceof Int32Array) ||
    !(values instanceof Float64Array)
  ) {
    fail(field, 'BAD_TYPE', 'rowPtr and colIdx must be Int32Array, values Float64Array');
  }
  if (rowPtr.length !== n + 1 || rowPtr[0] !== 0)
    fail(`${field}.rowPtr`, 'BAD_SHAPE', `must have n + 1 = ${n + 1} entries starting at 0`);
  const nnz = rowPtr[n]!;
  if (colIdx.length !== nnz || values.length !== nnz) {
    fail(field, 'LENGTH_MISMATCH', `colIdx and values must have rowPtr[n] = ${nnz} entries`);
  }
  for (let i = 0; i < n; i++) {
    if (rowPtr[i + 1]! < rowPtr[i]!)
      fail(`${field}.rowPtr[${i + 1}]`, 'NOT_MONOTONE', 'row pointers must not decrease');
    for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
      const j = colIdx[k]!;
      if (j < 0 || j >= n)
        fail(`${field}.colIdx[${k}]`, 'OUT_OF_RANGE', `column must be in [0, ${n - 1}], got ${j}`);
      if (!Number.isFinite(values[k]!))
        fail(`${field}.values[${k}]`, 'NOT_FINITE', `must be finite, got ${values[k]}`);
      if (k > rowPtr[i]! && colIdx[k - 1]! >= j)
        fail(`${field}.colIdx[${k}]`, 'DUPLICATE', `row ${i}: columns must ascend`);
      if (upper ? j < i : j === i) {
        fail(
          `${field}.colIdx[${k}]`,
          upper ? 'NOT_UPPER' : 'SELF_LOOP',
          upper ? `row ${i} has column ${j} < ${i}` : `diagonal entry in row ${i}`,
        );
      }
    }
  }
}

/** Finds J_ji for J_ij by binary search in row j. */
function lookup(rows: SparseRows, i: number, j: number): number | undefined {
  let lo = rows.rowPtr[i]!;
  let hi = rows.rowPtr[i + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = rows.colIdx[mid]!;
    if (c === j) return rows.values[mid]!;
    if (c < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function validateIsing(problem: IsingProblem): void {
  checkSize(problem.n);
  const { n, h, J } = problem;
  if (!(h instanceof Float64Array) || h.length !== n)
    fail('h', 'BAD_SHAPE', `must be a Float64Array of n = ${n} entries`);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(h[i]!)) fail(`h[${i}]`, 'NOT_FINITE', `must be finite, got ${h[i]}`);
  if (!Number.isFinite(problem.offset)) fail('offset', 'NOT_FINITE', `must be finite, got ${problem.offset}`);
  checkRows(n, J, 'J', false);
  for (let i = 0; i < n; i++) {
    for (let k = J.rowPtr[i]!; k < J.rowPtr[i + 1]!; k++) {
      const j = J.colIdx[k]!;
      if (lookup(J, j, i) !== J.values[k])
        fail(`J[${i}][${j}]`, 'NOT_SYMMETRIC', `J_${i},${j} must equal J_${j},${i}`);
    }
  }
}

export interface Normalised {
  readonly ising: IsingProblem;
  readonly source: Problem;
}

/** Validates any problem and returns the Ising problem with the same energies. */
export function normalise(problem: Problem): Normalised {
  switch (problem.kind) {
    case 'ising':
      validateIsing(problem);
      return { ising: problem, source: problem };
    case 'qubo': {
      checkSize(problem.n);
      if (!Number.isFinite(problem.offset))
        fail('offset', 'NOT_FINITE', `must be finite, got ${problem.offset}`);
      checkRows(problem.n, problem.Q, 'Q', true);
      return { ising: quboToIsing(problem), source: problem };
    }
    case 'maxcut': {
      const graph = createGraph(problem.n, problem.from, problem.to, problem.weight);
      return { ising: maxCutToIsing(graph), source: problem };
    }
    default:
      return fail('kind', 'UNKNOWN', `must be 'ising', 'qubo' or 'maxcut'`);
  }
}
