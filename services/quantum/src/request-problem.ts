/**
 * Problems and solver parameters as users send them (gRPC Solve and SubmitJob, the sparse
 * `Problem` of quantum.proto), checked against the service's limits with every violation named
 * by its proto field path, and turned into the solver's problem, its hash and solve options.
 */
import { ValidationError, type FieldViolation } from '@simstream/errors';
import { createGraph, createIsing, createQubo, type Problem, type SolverName } from '@simstream/solver';
import { problemHash } from './problem-hash.js';

export type RequestKind = 'ising' | 'qubo' | 'maxcut';

/** A problem in the proto's sparse form, with plain arrays (from gRPC or a job record). */
export interface SparseInput {
  readonly kind: string;
  readonly variables: number;
  readonly linear: ArrayLike<number>;
  readonly i: ArrayLike<number>;
  readonly j: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  readonly offset: number;
}

export interface ParamsInput {
  readonly solver: string;
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly reads: number;
  readonly targetEnergy?: number | undefined;
}

export interface Limits {
  readonly maxVariables: number;
  readonly maxCouplings: number;
  readonly maxTimeMs: number;
  readonly defaultTimeMs: number;
}

export interface ValidProblem {
  readonly kind: RequestKind;
  readonly n: number;
  readonly linear: Float64Array;
  readonly i: Uint32Array;
  readonly j: Uint32Array;
  readonly value: Float64Array;
  readonly offset: number;
  readonly problem: Problem;
  readonly hash: string;
}

export interface ValidParams {
  readonly solver: SolverName;
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly reads: number | undefined;
  readonly targetEnergy: number | undefined;
}

const KINDS: Readonly<Record<string, RequestKind>> = {
  PROBLEM_KIND_ISING: 'ising',
  PROBLEM_KIND_QUBO: 'qubo',
  PROBLEM_KIND_MAXCUT: 'maxcut',
  ising: 'ising',
  qubo: 'qubo',
  maxcut: 'maxcut',
};
const SOLVER_NAMES: readonly SolverName[] = ['auto', 'sa', 'pt', 'sb-ballistic', 'sb-discrete'];
const MAX_VIOLATIONS = 20;
const MAX_READS = 10_000;

class Violations {
  readonly list: FieldViolation[] = [];
  add(field: string, reason: string, description: string): void {
    if (this.list.length < MAX_VIOLATIONS) this.list.push({ field, reason, description });
  }
  get full(): boolean {
    return this.list.length >= MAX_VIOLATIONS;
  }
}

function checkTerms(input: SparseInput, kind: RequestKind, n: number, v: Violations): void {
  const m = input.value.length;
  const seen = new Map<number, number>();
  for (let k = 0; k < m && !v.full; k++) {
    const a = input.i[k]!;
    const b = input.j[k]!;
    let ok = true;
    for (const [name, x] of [
      ['i', a],
      ['j', b],
    ] as const) {
      if (!Number.isInteger(x) || x < 0 || x >= n) {
        v.add(`problem.${name}[${k}]`, 'OUT_OF_RANGE', `index must be in [0, ${n - 1}], got ${x}`);
        ok = false;
      }
    }
    if (!Number.isFinite(input.value[k]!))
      v.add(`problem.value[${k}]`, 'NOT_FINITE', `must be finite, got ${input.value[k]}`);
    if (!ok) continue;
    if (a === b && kind !== 'qubo') {
      v.add(`problem.i[${k}]`, 'SELF_LOOP', `pair (${a}, ${b}) joins a variable to itself`);
      continue;
    }
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * n + hi;
    const first = seen.get(key);
    if (first !== undefined) {
      v.add(`problem.i[${k}]`, 'DUPLICATE', `pair (${lo}, ${hi}) also given at index ${first}`);
    } else {
      seen.set(key, k);
      if (a === b && input.linear.length > 0 && input.linear[a] !== 0) {
        v.add(`problem.i[${k}]`, 'DUPLICATE', `diagonal term (${a}, ${a}) also given as linear[${a}]`);
      }
    }
  }
}

/** Checks a problem against `limits`; throws ValidationError listing every violation found. */
export function validateProblem(input: SparseInput | null | undefined, limits: Limits): ValidProblem {
  const v = new Violations();
  if (input === null || input === undefined) {
    throw new ValidationError([{ field: 'problem', reason: 'PROBLEM_MISSING', description: 'required' }]);
  }
  const kind = KINDS[input.kind];
  if (kind === undefined)
    v.add(
      'problem.kind',
      'KIND_UNSPECIFIED',
      'must be PROBLEM_KIND_ISING, PROBLEM_KIND_QUBO or PROBLEM_KIND_MAXCUT',
    );
  const n = input.variables;
  if (!Number.isInteger(n) || n < 1) {
    v.add('problem.variables', 'OUT_OF_RANGE', `must be at least 1, got ${n}`);
  } else if (n > limits.maxVariables) {
    v.add('problem.variables', 'TOO_MANY', `at most ${limits.maxVariables} variables here, got ${n}`);
  }
  const m = input.value.length;
  if (input.i.length !== m || input.j.length !== m) {
    v.add(
      'problem.value',
      'LENGTH_MISMATCH',
      `i, j and value must have the same length, got ${input.i.length}, ${input.j.length}, ${m}`,
    );
  } else if (m > limits.maxCouplings) {
    v.add('problem.value', 'TOO_MANY', `at most ${limits.maxCouplings} pairs here, got ${m}`);
  }
  if (kind === 'maxcut' && input.linear.length > 0) {
    v.add('problem.linear', 'LENGTH_MISMATCH', 'must be empty for Max-Cut (edges only)');
  } else if (input.linear.length > 0 && input.linear.length !== n) {
    v.add(
      'problem.linear',
      'LENGTH_MISMATCH',
      `must be empty or have ${n} entries, got ${input.linear.length}`,
    );
  }
  if (!Number.isFinite(input.offset)) {
    v.add('problem.offset', 'NOT_FINITE', `must be finite, got ${input.offset}`);
  } else if (kind === 'maxcut' && input.offset !== 0) {
    v.add('problem.offset', 'OUT_OF_RANGE', 'must be 0 for Max-Cut (the energy is minus the cut)');
  }
  if (v.list.length > 0 || kind === undefined) throw new ValidationError(v.list);

  for (let i = 0; i < input.linear.length && !v.full; i++) {
    if (!Number.isFinite(input.linear[i]!))
      v.add(`problem.linear[${i}]`, 'NOT_FINITE', `must be finite, got ${input.linear[i]}`);
  }
  checkTerms(input, kind, n, v);
  if (v.list.length > 0) throw new ValidationError(v.list);

  const linear = Float64Array.from(input.linear);
  const i = Uint32Array.from(input.i);
  const j = Uint32Array.from(input.j);
  const value = Float64Array.from(input.value);
  const offset = input.offset;
  const lo = i.map((a, k) => Math.min(a, j[k]!));
  const hi = i.map((a, k) => Math.max(a, j[k]!));
  const hash = problemHash({ kind, n, linear, lo, hi, value, offset });
  return {
    kind,
    n,
    linear,
    i,
    j,
    value,
    offset,
    problem: toSolverProblem(kind, n, linear, i, j, value, offset),
    hash,
  };
}

function toSolverProblem(
  kind: RequestKind,
  n: number,
  linear: Float64Array,
  i: Uint32Array,
  j: Uint32Array,
  value: Float64Array,
  offset: number,
): Problem {
  switch (kind) {
    case 'ising':
      return createIsing({
        n,
        ...(linear.length > 0 ? { h: linear } : {}),
        couplings: { i, j, value },
        offset,
      });
    case 'qubo': {
      // Linear terms are the diagonal; those already given as (i, i) pairs are zero in `linear`.
      const extra = [...linear.keys()].filter((k) => linear[k] !== 0);
      return createQubo({
        n,
        terms: {
          i: [...i, ...extra],
          j: [...j, ...extra],
          value: [...value, ...extra.map((k) => linear[k]!)],
        },
        offset,
      });
    }
    case 'maxcut':
      return createGraph(n, i, j, value);
  }
}

/** Checks solver parameters; an unset time limit becomes the default, and none may exceed the maximum. */
export function validateParams(input: ParamsInput | null | undefined, limits: Limits): ValidParams {
  const v = new Violations();
  const p = input ?? { solver: '', seed: 0, timeLimitMs: 0, reads: 0 };
  const solver = (p.solver === '' ? 'auto' : p.solver) as SolverName;
  if (!SOLVER_NAMES.includes(solver))
    v.add('params.solver', 'SOLVER_UNKNOWN', `must be one of ${SOLVER_NAMES.join(', ')}; got '${p.solver}'`);
  const timeLimitMs = p.timeLimitMs === 0 ? limits.defaultTimeMs : p.timeLimitMs;
  if (timeLimitMs > limits.maxTimeMs) {
    v.add(
      'params.time_limit_ms',
      'TIME_LIMIT_TOO_LONG',
      `at most ${limits.maxTimeMs} ms here, got ${timeLimitMs}`,
    );
  }
  if (p.reads > MAX_READS) v.add('params.reads', 'OUT_OF_RANGE', `at most ${MAX_READS}, got ${p.reads}`);
  // A seed above 2^53 arrives rounded (uint64 read as a number): it could not be reproduced.
  if (!Number.isSafeInteger(p.seed) || p.seed < 0)
    v.add('params.seed', 'OUT_OF_RANGE', `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  if (p.targetEnergy !== undefined && !Number.isFinite(p.targetEnergy))
    v.add('params.target_energy', 'NOT_FINITE', `must be finite, got ${p.targetEnergy}`);
  if (v.list.length > 0) throw new ValidationError(v.list);
  return {
    solver,
    seed: p.seed,
    timeLimitMs,
    reads: p.reads > 0 ? p.reads : undefined,
    targetEnergy: p.targetEnergy,
  };
}

/** Both checks, with the violations of both in one error. */
export function validateRequest(
  problem: SparseInput | null | undefined,
  params: ParamsInput | null | undefined,
  limits: Limits,
): { problem: ValidProblem; params: ValidParams } {
  const violations: FieldViolation[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      violations.push(...error.violations);
      return undefined;
    }
  };
  const p = attempt(() => validateProblem(problem, limits));
  const q = attempt(() => validateParams(params, limits));
  if (p === undefined || q === undefined) throw new ValidationError(violations.slice(0, MAX_VIOLATIONS));
  return { problem: p, params: q };
}
