import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import {
  cutValue,
  isingEnergy,
  quboEnergy,
  type IsingProblem,
  type MaxCutGraph,
  type QuboProblem,
} from '@simstream/solver';
import { validateParams, validateProblem, validateRequest, type SparseInput } from './request-problem.js';

const LIMITS = { maxVariables: 100, maxCouplings: 50, maxTimeMs: 30_000, defaultTimeMs: 1000 };

const ising: SparseInput = {
  kind: 'PROBLEM_KIND_ISING',
  variables: 3,
  linear: [0.5, 0, -1],
  i: [0, 2],
  j: [1, 1],
  value: [1, -2],
  offset: 3,
};

function violations(fn: () => unknown): { field: string; reason: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations.map(({ field, reason }) => ({ field, reason }));
  }
  throw new Error('expected a ValidationError');
}

describe('validateProblem', () => {
  it('turns an Ising problem into the solver problem with the same energies', () => {
    const v = validateProblem(ising, LIMITS);
    expect(v.kind).toBe('ising');
    const p = v.problem as IsingProblem;
    // E(s) = 3 + 0.5 s0 − s2 + s0 s1 − 2 s1 s2
    expect(isingEnergy(p, [1, 1, 1])).toBe(3 + 0.5 - 1 + 1 - 2);
    expect(isingEnergy(p, [-1, 1, -1])).toBe(3 - 0.5 + 1 - 1 + 2);
  });

  it('reads QUBO linear terms as the diagonal, and (i, i) pairs too', () => {
    const v = validateProblem(
      {
        kind: 'PROBLEM_KIND_QUBO',
        variables: 2,
        linear: [],
        i: [0, 0, 1],
        j: [0, 1, 1],
        value: [3, -2, 1],
        offset: 0,
      },
      LIMITS,
    );
    expect(quboEnergy(v.problem as QuboProblem, [1, 1])).toBe(2);
    const w = validateProblem(
      { kind: 'PROBLEM_KIND_QUBO', variables: 2, linear: [3, 1], i: [1], j: [0], value: [-2], offset: 1 },
      LIMITS,
    );
    expect(quboEnergy(w.problem as QuboProblem, [1, 1])).toBe(3);
    expect(w.hash).not.toBe(v.hash);
  });

  it('reads Max-Cut edges as a graph', () => {
    const v = validateProblem(
      {
        kind: 'PROBLEM_KIND_MAXCUT',
        variables: 3,
        linear: [],
        i: [0, 1],
        j: [1, 2],
        value: [2, 5],
        offset: 0,
      },
      LIMITS,
    );
    expect(cutValue(v.problem as MaxCutGraph, [1, -1, 1])).toBe(7);
  });

  it('hashes the same problem the same whatever the order of its pairs', () => {
    const a = validateProblem(ising, LIMITS);
    const b = validateProblem({ ...ising, i: [1, 1], j: [2, 0], value: [-2, 1] }, LIMITS);
    expect(b.hash).toBe(a.hash);
  });

  it('names every structural violation by its proto field path', () => {
    expect(
      violations(() =>
        validateProblem(
          {
            kind: 'PROBLEM_KIND_UNSPECIFIED',
            variables: 0,
            linear: [1],
            i: [0],
            j: [],
            value: [1],
            offset: NaN,
          },
          LIMITS,
        ),
      ),
    ).toEqual([
      { field: 'problem.kind', reason: 'KIND_UNSPECIFIED' },
      { field: 'problem.variables', reason: 'OUT_OF_RANGE' },
      { field: 'problem.value', reason: 'LENGTH_MISMATCH' },
      { field: 'problem.linear', reason: 'LENGTH_MISMATCH' },
      { field: 'problem.offset', reason: 'NOT_FINITE' },
    ]);
    expect(violations(() => validateProblem(null, LIMITS))).toEqual([
      { field: 'problem', reason: 'PROBLEM_MISSING' },
    ]);
  });

  it('names every bad term', () => {
    expect(
      violations(() =>
        validateProblem(
          {
            kind: 'PROBLEM_KIND_ISING',
            variables: 3,
            linear: [0, Infinity, 0],
            i: [0, 1, 3, 2, 1],
            j: [1, 0, 0, 2, 2],
            value: [1, 1, 1, 1, NaN],
            offset: 0,
          },
          LIMITS,
        ),
      ),
    ).toEqual([
      { field: 'problem.linear[1]', reason: 'NOT_FINITE' },
      { field: 'problem.i[1]', reason: 'DUPLICATE' },
      { field: 'problem.i[2]', reason: 'OUT_OF_RANGE' },
      { field: 'problem.i[3]', reason: 'SELF_LOOP' },
      { field: 'problem.value[4]', reason: 'NOT_FINITE' },
    ]);
  });

  it('applies the size limits and the kind rules', () => {
    expect(violations(() => validateProblem({ ...ising, variables: 101, linear: [] }, LIMITS))).toEqual([
      { field: 'problem.variables', reason: 'TOO_MANY' },
    ]);
    const many = Array.from({ length: 51 }, (_, k) => k);
    expect(
      violations(() =>
        validateProblem(
          { ...ising, variables: 100, linear: [], i: many, j: many.map((k) => k + 1), value: many },
          LIMITS,
        ),
      ),
    ).toEqual([{ field: 'problem.value', reason: 'TOO_MANY' }]);
    expect(
      violations(() =>
        validateProblem(
          {
            kind: 'PROBLEM_KIND_MAXCUT',
            variables: 2,
            linear: [1, 1],
            i: [0],
            j: [1],
            value: [1],
            offset: 2,
          },
          LIMITS,
        ),
      ),
    ).toEqual([
      { field: 'problem.linear', reason: 'LENGTH_MISMATCH' },
      { field: 'problem.offset', reason: 'OUT_OF_RANGE' },
    ]);
    expect(
      violations(() =>
        validateProblem(
          { kind: 'PROBLEM_KIND_QUBO', variables: 2, linear: [1, 0], i: [0], j: [0], value: [1], offset: 0 },
          LIMITS,
        ),
      ),
    ).toEqual([{ field: 'problem.i[0]', reason: 'DUPLICATE' }]);
  });

  it('stops listing after twenty violations', () => {
    const bad = Array.from({ length: 40 }, () => 7);
    const list = violations(() =>
      validateProblem({ ...ising, i: bad, j: bad.map(() => 0), value: bad.map(() => 1) }, LIMITS),
    );
    expect(list).toHaveLength(20);
  });
});

describe('validateParams', () => {
  it('fills defaults', () => {
    expect(validateParams(null, LIMITS)).toEqual({
      solver: 'auto',
      seed: 0,
      timeLimitMs: 1000,
      reads: undefined,
      targetEnergy: undefined,
    });
    expect(
      validateParams({ solver: 'sa', seed: 7, timeLimitMs: 5, reads: 3, targetEnergy: -4 }, LIMITS),
    ).toMatchObject({
      solver: 'sa',
      seed: 7,
      timeLimitMs: 5,
      reads: 3,
      targetEnergy: -4,
    });
  });

  it('refuses a seed it could not reproduce (above 2^53: rounded on the way in)', () => {
    expect(() => validateParams({ solver: 'sa', seed: 2 ** 60, timeLimitMs: 5, reads: 0 }, LIMITS)).toThrow(
      expect.objectContaining({
        violations: [expect.objectContaining({ field: 'params.seed', reason: 'OUT_OF_RANGE' })],
      }),
    );
  });

  it('refuses unknown solvers, too long time limits and non-finite targets', () => {
    expect(
      violations(() =>
        validateParams(
          { solver: 'quantum', seed: 0, timeLimitMs: 30_001, reads: 10_001, targetEnergy: NaN },
          LIMITS,
        ),
      ),
    ).toEqual([
      { field: 'params.solver', reason: 'SOLVER_UNKNOWN' },
      { field: 'params.time_limit_ms', reason: 'TIME_LIMIT_TOO_LONG' },
      { field: 'params.reads', reason: 'OUT_OF_RANGE' },
      { field: 'params.target_energy', reason: 'NOT_FINITE' },
    ]);
  });
});

describe('validateRequest', () => {
  it('reports the problem and the parameters together', () => {
    expect(
      violations(() =>
        validateRequest(
          { ...ising, offset: Infinity },
          { solver: 'x', seed: 0, timeLimitMs: 0, reads: 0 },
          LIMITS,
        ),
      ),
    ).toEqual([
      { field: 'problem.offset', reason: 'NOT_FINITE' },
      { field: 'params.solver', reason: 'SOLVER_UNKNOWN' },
    ]);
  });
});
