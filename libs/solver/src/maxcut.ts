/**
 * Max-Cut: weighted graphs, the G-set text format, and Max-Cut as an Ising problem.
 *
 * cut(s) = Σ_edges w_ij (1 - s_i s_j) / 2, so with J_ij = w_ij / 2 and offset = -Σ w / 2 the
 * Ising energy is exactly -cut(s): minimising the energy maximises the cut.
 */
import { ValidationError } from '@simstream/errors';
import { checkSize, createIsing, type IsingProblem } from './problem.js';

export interface MaxCutGraph {
  readonly kind: 'maxcut';
  readonly n: number;
  /** Edge endpoints, 0-based. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float64Array;
}

/** A validated graph (no self-loops, no repeated edges, finite weights). */
export function createGraph(
  n: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weight: ArrayLike<number>,
): MaxCutGraph {
  checkSize(n);
  // createIsing performs the index, self-loop, duplicate and finiteness checks.
  createIsing({ n, couplings: { i: from, j: to, value: weight } });
  return {
    kind: 'maxcut',
    n,
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    weight: Float64Array.from(weight),
  };
}

/**
 * Parses the G-set format: first line `n m`, then m lines `i j w` with 1-based vertices.
 * Blank lines are ignored; anything else malformed is a ValidationError naming the line.
 */
export function parseGset(text: string): MaxCutGraph {
  const lines = text.split(/\r?\n/);
  let lineNo = 0;
  const next = (): string[] | undefined => {
    while (lineNo < lines.length) {
      const line = lines[lineNo++]!.trim();
      if (line !== '') return line.split(/\s+/);
    }
    return undefined;
  };
  const fail = (reason: string, description: string): never => {
    throw new ValidationError([{ field: `line ${lineNo}`, reason, description }]);
  };
  const header = next();
  if (header?.length !== 2) return fail('BAD_HEADER', 'the first line must be `n m`');
  const n = Number(header[0]);
  const m = Number(header[1]);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(m) || m < 0) {
    return fail('BAD_HEADER', `n and m must be integers with n ≥ 1 and m ≥ 0, got '${header.join(' ')}'`);
  }
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const weight = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const parts = next();
    if (parts === undefined) return fail('TRUNCATED', `expected ${m} edges, found ${k}`);
    if (parts.length !== 3) fail('BAD_EDGE', 'an edge line must be `i j w`');
    const i = Number(parts[0]);
    const j = Number(parts[1]);
    const w = Number(parts[2]);
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 1 || j < 1 || i > n || j > n) {
      fail('OUT_OF_RANGE', `vertices must be integers in [1, ${n}], got ${parts[0]} ${parts[1]}`);
    }
    if (!Number.isFinite(w)) fail('NOT_FINITE', `weight must be a finite number, got ${parts[2]}`);
    from[k] = i - 1;
    to[k] = j - 1;
    weight[k] = w;
  }
  if (next() !== undefined) fail('TRAILING', `more than the ${m} edges announced`);
  return createGraph(n, from, to, weight);
}

/** The Ising problem whose energy is -cut. */
export function maxCutToIsing(graph: MaxCutGraph): IsingProblem {
  const m = graph.from.length;
  const half = new Float64Array(m);
  let total = 0;
  for (let k = 0; k < m; k++) {
    half[k] = graph.weight[k]! / 2;
    total += graph.weight[k]!;
  }
  return createIsing({
    n: graph.n,
    couplings: { i: graph.from, j: graph.to, value: half },
    offset: -total / 2,
  });
}

/** Total weight of the edges whose ends have different spins. */
export function cutValue(graph: MaxCutGraph, spins: ArrayLike<number>): number {
  if (spins.length !== graph.n) {
    throw new ValidationError([
      {
        field: 'spins',
        reason: 'LENGTH_MISMATCH',
        description: `must have n = ${graph.n} entries, got ${spins.length}`,
      },
    ]);
  }
  let cut = 0;
  for (let k = 0; k < graph.from.length; k++) {
    if (spins[graph.from[k]!] !== spins[graph.to[k]!]) cut += graph.weight[k]!;
  }
  return cut;
}
