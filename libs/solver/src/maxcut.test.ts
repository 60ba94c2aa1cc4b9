import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { cutValue, maxCutToIsing, parseGset } from './maxcut.js';
import { isingEnergy } from './problem.js';
import { Rng, randomSpins } from './rng.js';

const G11 = new URL('../../../data/gset/G11', import.meta.url);

function reason(text: string): string {
  try {
    parseGset(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations[0]!.reason;
  }
  throw new Error('expected a ValidationError');
}

describe('parseGset', () => {
  it('reads the header and 1-based edges', () => {
    const g = parseGset('4 3\n1 2 1\n2 3 -1\n1 4 1\n');
    expect(g.n).toBe(4);
    expect(Array.from(g.from)).toEqual([0, 1, 0]);
    expect(Array.from(g.to)).toEqual([1, 2, 3]);
    expect(Array.from(g.weight)).toEqual([1, -1, 1]);
  });

  it('reads a vendored G-set file', () => {
    const g = parseGset(readFileSync(G11, 'utf8'));
    expect(g.n).toBe(800);
    expect(g.from.length).toBe(1600);
  });

  it.each([
    ['', 'BAD_HEADER'],
    ['3\n', 'BAD_HEADER'],
    ['3 x\n', 'BAD_HEADER'],
    ['3 2\n1 2 1\n', 'TRUNCATED'],
    ['3 1\n1 2\n', 'BAD_EDGE'],
    ['3 1\n0 2 1\n', 'OUT_OF_RANGE'],
    ['3 1\n1 4 1\n', 'OUT_OF_RANGE'],
    ['3 1\n1 2 w\n', 'NOT_FINITE'],
    ['3 1\n1 2 1\n2 3 1\n', 'TRAILING'],
    ['3 1\n2 2 1\n', 'SELF_LOOP'],
    ['3 2\n1 2 1\n2 1 1\n', 'DUPLICATE'],
  ])('refuses %j', (text, expected) => {
    expect(reason(text)).toBe(expected);
  });
});

describe('Max-Cut as Ising', () => {
  it('has energy exactly -cut for every state', () => {
    const g = parseGset(readFileSync(G11, 'utf8'));
    const ising = maxCutToIsing(g);
    const rng = new Rng(3);
    for (let t = 0; t < 20; t++) {
      const s = randomSpins(g.n, rng);
      expect(isingEnergy(ising, s)).toBe(-cutValue(g, s));
    }
  });

  it('counts weights of edges across the partition', () => {
    const g = parseGset('3 3\n1 2 1\n2 3 2\n1 3 -1\n');
    expect(cutValue(g, [1, -1, -1])).toBe(1 - 1);
    expect(cutValue(g, [1, -1, 1])).toBe(1 + 2);
  });
});
