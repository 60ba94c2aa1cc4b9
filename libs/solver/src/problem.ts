/**
 * The problem model: Ising problems (fields h, sparse symmetric couplings J) and QUBO problems
 * (sparse upper-triangular Q), their validated constructors and their energies.
 *
 * Ising energy:  E(s) = offset + Σ_i h_i s_i + Σ_{i<j} J_ij s_i s_j,   s_i ∈ {-1, +1}
 * QUBO energy:   E(x) = offset + Σ_{i≤j} Q_ij x_i x_j,                 x_i ∈ {0, 1}
 *
 * Both are summed in a fixed order (offset, then linear terms by index, then couplings row by
 * row) so that problems whose data are integers or dyadic rationals of moderate size give exact
 * energies: every partial sum is then representable and no rounding happens anywhere.
 */
import { ValidationError, type FieldViolation } from '@simstream/errors';

/** Largest number of variables we accept: typed arrays and neighbour lists stay well in memory. */
export const MAX_VARIABLES = 10_000_000;
/** Largest number of distinct couplings (i < j) we accept. */
export const MAX_COUPLINGS = 100_000_000;

/** Compressed sparse rows of a square matrix. */
export interface SparseRows {
  /** Length n + 1; row i's entries are at rowPtr[i] .. rowPtr[i+1]-1. */
  readonly rowPtr: Int32Array;
  /** Column of each entry, ascending within a row. */
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
}

export interface IsingProblem {
  readonly kind: 'ising';
  readonly n: number;
  readonly h: Float64Array;
  /** Symmetric: J_ij is stored in row i and in row j; no diagonal. */
  readonly J: SparseRows;
  readonly offset: number;
}

export interface QuboProblem {
  readonly kind: 'qubo';
  readonly n: number;
  /** Upper-triangular including the diagonal (the linear terms): entries have column ≥ row. */
  readonly Q: SparseRows;
  readonly offset: number;
}

/** A list of pairwise terms as parallel arrays (0-based indices). */
export interface TermList {
  readonly i: ArrayLike<number>;
  readonly j: ArrayLike<number>;
  readonly value: ArrayLike<number>;
}

export interface IsingInput {
  readonly n: number;
  readonly h?: ArrayLike<number>;
  /** Each unordered pair at most once, i ≠ j, either order. */
  readonly couplings: TermList;
  readonly offset?: number;
}

export interface QuboInput {
  readonly n: number;
  /** Each unordered pair at most once; i = j is a linear term. */
  readonly terms: TermList;
  readonly offset?: number;
}

function violation(field: string, reason: string, description: string): FieldViolation {
  return { field, reason, description };
}

export function checkSize(n: number, field = 'n'): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_VARIABLES) {
    throw new ValidationError([
      violation(field, 'OUT_OF_RANGE', `must be an integer in [1, ${MAX_VARIABLES}], got ${n}`),
    ]);
  }
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value))
    throw new ValidationError([violation(field, 'NOT_FINITE', `must be finite, got ${value}`)]);
}

/**
 * Builds symmetric or upper-triangular CSR from a term list, refusing bad indices, non-finite
 * values, repeated pairs and (when `allowDiagonal` is false) self-loops. Zero values are kept out.
 */
function buildRows(
  n: number,
  terms: TermList,
  field: string,
  symmetric: boolean,
  allowDiagonal: boolean,
): SparseRows {
  const m = terms.i.length;
  if (terms.j.length !== m || terms.value.length !== m) {
    throw new ValidationError([
      violation(
        field,
        'LENGTH_MISMATCH',
        `i, j and value must have the same length (${m}, ${terms.j.length}, ${terms.value.length})`,
      ),
    ]);
  }
  if (m > MAX_COUPLINGS) {
    throw new ValidationError([violation(field, 'TOO_MANY', `at most ${MAX_COUPLINGS} terms, got ${m}`)]);
  }
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const counts = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    const a = terms.i[k]!;
    const b = terms.j[k]!;
    const v = terms.value[k]!;
    for (const [name, x] of [
      ['i', a],
      ['j', b],
    ] as const) {
      if (!Number.isInteger(x) || x < 0 || x >= n) {
        throw new ValidationError([
          violation(
            `${field}.${name}[${k}]`,
            'OUT_OF_RANGE',
            `index must be an integer in [0, ${n - 1}], got ${x}`,
          ),
        ]);
      }
    }
    checkFinite(v, `${field}.value[${k}]`);
    if (a === b && !allowDiagonal) {
      throw new ValidationError([
        violation(`${field}[${k}]`, 'SELF_LOOP', `coupling of variable ${a} with itself`),
      ]);
    }
    lo[k] = Math.min(a, b);
    hi[k] = Math.max(a, b);
    counts[lo[k]! + 1]!++;
    if (symmetric) counts[hi[k]! + 1]!++;
  }
  for (let r = 0; r < n; r++) counts[r + 1]! += counts[r]!;
  const rowPtr = counts.slice();
  const fill = counts.slice(0, n);
  const nnz = rowPtr[n]!;
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let k = 0; k < m; k++) {
    const a = lo[k]!;
    const b = hi[k]!;
    const v = terms.value[k]!;
    let p = fill[a]!++;
    colIdx[p] = b;
    values[p] = v;
    if (symmetric) {
      p = fill[b]!++;
      colIdx[p] = a;
      values[p] = v;
    }
  }
  // Sort each row by column, find repeats, and drop zeros.
  const outPtr = new Int32Array(n + 1);
  let out = 0;
  const order: number[] = [];
  for (let r = 0; r < n; r++) {
    const start = rowPtr[r]!;
    const end = rowPtr[r + 1]!;
    order.length = 0;
    for (let p = start; p < end; p++) order.push(p);
    order.sort((x, y) => colIdx[x]! - colIdx[y]!);
    const cols = order.map((p) => colIdx[p]!);
    const vals = order.map((p) => values[p]!);
    for (let q = 0; q < cols.length; q++) {
      if (q > 0 && cols[q] === cols[q - 1]) {
        const c = cols[q]!;
        throw new ValidationError([
          violation(field, 'DUPLICATE', `pair (${Math.min(r, c)}, ${Math.max(r, c)}) appears more than once`),
        ]);
      }
      if (vals[q] === 0) continue;
      colIdx[out] = cols[q]!;
      values[out] = vals[q]!;
      out++;
    }
    outPtr[r + 1] = out;
  }
  return { rowPtr: outPtr, colIdx: colIdx.slice(0, out), values: values.slice(0, out) };
}

/** A validated Ising problem from a term list. */
export function createIsing(input: IsingInput): IsingProblem {
  checkSize(input.n);
  const n = input.n;
  const h = new Float64Array(n);
  if (input.h !== undefined) {
    if (input.h.length !== n) {
      throw new ValidationError([
        violation('h', 'LENGTH_MISMATCH', `must have n = ${n} entries, got ${input.h.length}`),
      ]);
    }
    for (let i = 0; i < n; i++) {
      checkFinite(input.h[i]!, `h[${i}]`);
      h[i] = input.h[i]!;
    }
  }
  const offset = input.offset ?? 0;
  checkFinite(offset, 'offset');
  return { kind: 'ising', n, h, J: buildRows(n, input.couplings, 'couplings', true, false), offset };
}

/** A validated QUBO problem from a term list (pairs in either order; i = j is linear). */
export function createQubo(input: QuboInput): QuboProblem {
  checkSize(input.n);
  const offset = input.offset ?? 0;
  checkFinite(offset, 'offset');
  return { kind: 'qubo', n: input.n, Q: buildRows(input.n, input.terms, 'terms', false, true), offset };
}

function checkLength(n: number, length: number, field: string): void {
  if (length !== n) {
    throw new ValidationError([
      violation(field, 'LENGTH_MISMATCH', `must have n = ${n} entries, got ${length}`),
    ]);
  }
}

/** Energy of spins s ∈ {-1, +1}^n. */
export function isingEnergy(problem: IsingProblem, spins: ArrayLike<number>): number {
  const { n, h, J } = problem;
  checkLength(n, spins.length, 'spins');
  let e = problem.offset;
  for (let i = 0; i < n; i++) e += h[i]! * spins[i]!;
  const { rowPtr, colIdx, values } = J;
  for (let i = 0; i < n; i++) {
    const si = spins[i]!;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const j = colIdx[p]!;
      if (j > i) e += values[p]! * si * spins[j]!;
    }
  }
  return e;
}

/** Energy of a binary assignment x ∈ {0, 1}^n. */
export function quboEnergy(problem: QuboProblem, bits: ArrayLike<number>): number {
  const { n, Q } = problem;
  checkLength(n, bits.length, 'bits');
  let e = problem.offset;
  const { rowPtr, colIdx, values } = Q;
  for (let i = 0; i < n; i++) {
    if (bits[i] === 0) continue;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      if (bits[colIdx[p]!] !== 0) e += values[p]!;
    }
  }
  return e;
}

export function spinsToBits(spins: ArrayLike<number>): Uint8Array {
  const bits = new Uint8Array(spins.length);
  for (let i = 0; i < spins.length; i++) bits[i] = spins[i]! > 0 ? 1 : 0;
  return bits;
}

export function bitsToSpins(bits: ArrayLike<number>): Int8Array {
  const spins = new Int8Array(bits.length);
  for (let i = 0; i < bits.length; i++) spins[i] = bits[i] ? 1 : -1;
  return spins;
}
