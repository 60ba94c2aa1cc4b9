import { describe, expect, it } from 'vitest';
import { problemHash, seedFromHash, solutionKey } from './problem-hash.js';

const base = {
  kind: 'ising',
  n: 3,
  linear: [0, 1, 0],
  lo: [0, 1],
  hi: [1, 2],
  value: [-1, 2],
  offset: 0.5,
};

describe('problemHash', () => {
  it('ignores the order of pairs, zero terms, −0 and an all-zero linear part given as empty', () => {
    const h = problemHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(problemHash({ ...base, lo: [1, 0], hi: [2, 1], value: [2, -1] })).toBe(h);
    expect(problemHash({ ...base, lo: [0, 1, 0], hi: [1, 2, 2], value: [-1, 2, 0] })).toBe(h);
    const zeros = { ...base, linear: [0, 0, 0] };
    expect(problemHash({ ...zeros, linear: [] })).toBe(problemHash(zeros));
    expect(problemHash({ ...zeros, linear: [-0, 0, 0] })).toBe(problemHash(zeros));
  });

  it('changes with anything that changes the problem', () => {
    const h = problemHash(base);
    expect(problemHash({ ...base, kind: 'qubo' })).not.toBe(h);
    expect(problemHash({ ...base, n: 4, linear: [0, 1, 0, 0] })).not.toBe(h);
    expect(problemHash({ ...base, value: [-1, 2.000001] })).not.toBe(h);
    expect(problemHash({ ...base, offset: 0 })).not.toBe(h);
    expect(problemHash({ ...base, extra: [[1, 2]] })).not.toBe(problemHash({ ...base, extra: [[1, 3]] }));
  });
});

describe('solutionKey and seedFromHash', () => {
  it('keys on the parameters, whatever their order', () => {
    const h = problemHash(base);
    expect(solutionKey(h, { a: 1, b: 'x' })).toBe(solutionKey(h, { b: 'x', a: 1 }));
    expect(solutionKey(h, { a: 1, b: 'x' })).not.toBe(solutionKey(h, { a: 2, b: 'x' }));
    expect(solutionKey(h, { t: null })).not.toBe(solutionKey(h, { t: 0 }));
  });

  it('derives a 48-bit safe integer seed', () => {
    const seed = seedFromHash(problemHash(base));
    expect(Number.isSafeInteger(seed)).toBe(true);
    expect(seed).toBeLessThan(2 ** 48);
    expect(seedFromHash('ffffffffffff' + '0'.repeat(52))).toBe(2 ** 48 - 1);
  });
});
