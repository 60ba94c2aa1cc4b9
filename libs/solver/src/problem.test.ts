import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { createIsing, createQubo, isingEnergy, quboEnergy, MAX_VARIABLES } from './problem.js';
import { validateIsing } from './validate.js';

function violation(fn: () => unknown): { field: string; reason: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations[0]!;
  }
  throw new Error('expected a ValidationError');
}

describe('createIsing', () => {
  it('builds symmetric sorted rows and computes the energy term by term', () => {
    const p = createIsing({
      n: 3,
      h: [1, 0, -2],
      couplings: { i: [2, 0], j: [0, 1], value: [3, -1] },
      offset: 0.5,
    });
    expect(Array.from(p.J.rowPtr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(p.J.colIdx)).toEqual([1, 2, 0, 0]);
    expect(Array.from(p.J.values)).toEqual([-1, 3, -1, 3]);
    // s = (+1, -1, +1): 0.5 + (1 + 0 - 2) + (-1)(1)(-1) + 3(1)(1)
    expect(isingEnergy(p, [1, -1, 1])).toBe(0.5 - 1 + 1 + 3);
    expect(() => validateIsing(p)).not.toThrow();
  });

  it('drops zero couplings', () => {
    const p = createIsing({ n: 2, couplings: { i: [0], j: [1], value: [0] } });
    expect(p.J.colIdx.length).toBe(0);
  });

  it.each([
    ['NaN coupling', { n: 2, couplings: { i: [0], j: [1], value: [NaN] } }, 'NOT_FINITE'],
    ['infinite field', { n: 2, h: [Infinity, 0], couplings: { i: [], j: [], value: [] } }, 'NOT_FINITE'],
    ['index out of range', { n: 2, couplings: { i: [0], j: [2], value: [1] } }, 'OUT_OF_RANGE'],
    ['negative index', { n: 2, couplings: { i: [-1], j: [1], value: [1] } }, 'OUT_OF_RANGE'],
    ['fractional index', { n: 3, couplings: { i: [0.5], j: [1], value: [1] } }, 'OUT_OF_RANGE'],
    ['self-loop', { n: 2, couplings: { i: [1], j: [1], value: [1] } }, 'SELF_LOOP'],
    ['duplicate pair', { n: 3, couplings: { i: [0, 1], j: [1, 0], value: [1, 2] } }, 'DUPLICATE'],
    ['length mismatch', { n: 3, couplings: { i: [0, 1], j: [1], value: [1] } }, 'LENGTH_MISMATCH'],
    ['h of wrong length', { n: 3, h: [1], couplings: { i: [], j: [], value: [] } }, 'LENGTH_MISMATCH'],
    ['n = 0', { n: 0, couplings: { i: [], j: [], value: [] } }, 'OUT_OF_RANGE'],
    ['n too large', { n: MAX_VARIABLES + 1, couplings: { i: [], j: [], value: [] } }, 'OUT_OF_RANGE'],
  ])('refuses %s', (_name, input, reason) => {
    expect(violation(() => createIsing(input)).reason).toBe(reason);
  });

  it('refuses hand-built problems that are not symmetric', () => {
    const p = createIsing({ n: 2, couplings: { i: [0], j: [1], value: [1] } });
    const broken = { ...p, J: { ...p.J, values: Float64Array.from([1, 2]) } };
    expect(violation(() => validateIsing(broken)).reason).toBe('NOT_SYMMETRIC');
  });
});

describe('createQubo', () => {
  it('accepts pairs in either order and diagonal linear terms', () => {
    const q = createQubo({ n: 3, terms: { i: [1, 2, 0], j: [0, 2, 0], value: [4, -3, 2] }, offset: 1 });
    expect(quboEnergy(q, [1, 1, 1])).toBe(1 + 4 - 3 + 2);
    expect(quboEnergy(q, [0, 0, 1])).toBe(1 - 3);
  });

  it('refuses a repeated pair given in both orders', () => {
    expect(violation(() => createQubo({ n: 2, terms: { i: [0, 1], j: [1, 0], value: [1, 1] } })).reason).toBe(
      'DUPLICATE',
    );
  });
});
