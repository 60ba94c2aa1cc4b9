import { describe, expect, it } from 'vitest';
import { isingToQubo, quboToIsing } from './convert.js';
import { bitsToSpins, isingEnergy, quboEnergy, spinsToBits } from './problem.js';
import { Rng } from './rng.js';
import { randomIsing, randomQubo } from './test-problems.js';
import { validateIsing } from './validate.js';

function randomBits(n: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
}

describe('QUBO ↔ Ising', () => {
  it.each([false, true])('QUBO → Ising keeps every energy to the last bit (dyadic: %s)', (dyadic) => {
    const rng = new Rng(11);
    for (let t = 0; t < 20; t++) {
      const q = randomQubo(5 + t, 100 + t, 0.5, dyadic);
      const ising = quboToIsing(q);
      validateIsing(ising);
      for (let k = 0; k < 50; k++) {
        const bits = randomBits(q.n, rng);
        expect(isingEnergy(ising, bitsToSpins(bits))).toBe(quboEnergy(q, bits));
      }
    }
  });

  it.each([false, true])('Ising → QUBO keeps every energy to the last bit (dyadic: %s)', (dyadic) => {
    const rng = new Rng(12);
    for (let t = 0; t < 20; t++) {
      const p = randomIsing(5 + t, 200 + t, 0.5, dyadic);
      const q = isingToQubo(p);
      for (let k = 0; k < 50; k++) {
        const bits = randomBits(p.n, rng);
        expect(quboEnergy(q, bits)).toBe(isingEnergy(p, bitsToSpins(bits)));
      }
    }
  });

  it('round-trips Ising → QUBO → Ising to the same problem', () => {
    const p = randomIsing(30, 7, 0.3, true);
    const back = quboToIsing(isingToQubo(p));
    expect(back.offset).toBe(p.offset);
    expect(Array.from(back.h)).toEqual(Array.from(p.h));
    expect(Array.from(back.J.rowPtr)).toEqual(Array.from(p.J.rowPtr));
    expect(Array.from(back.J.colIdx)).toEqual(Array.from(p.J.colIdx));
    expect(Array.from(back.J.values)).toEqual(Array.from(p.J.values));
  });

  it('maps spins and bits both ways', () => {
    expect(Array.from(spinsToBits([1, -1, 1]))).toEqual([1, 0, 1]);
    expect(Array.from(bitsToSpins([0, 1]))).toEqual([-1, 1]);
  });
});
