/**
 * Random problems and brute force for the unit tests (not exported by the package).
 */
import { createIsing, createQubo, isingEnergy, type IsingProblem, type QuboProblem } from './problem.js';
import { Rng } from './rng.js';

/** Random Ising problem with integer or dyadic (k/8) data on a random sparse graph. */
export function randomIsing(n: number, seed: number, density = 0.4, dyadic = false): IsingProblem {
  const rng = new Rng(seed);
  const value = (): number => {
    const v = rng.int(21) - 10;
    return dyadic ? v / 8 : v;
  };
  const i: number[] = [];
  const j: number[] = [];
  const v: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (rng.next() < density) {
        i.push(a);
        j.push(b);
        v.push(value() || 1);
      }
    }
  }
  const h = Array.from({ length: n }, () => (rng.next() < 0.5 ? value() : 0));
  return createIsing({ n, h, couplings: { i, j, value: v }, offset: value() });
}

export function randomQubo(n: number, seed: number, density = 0.4, dyadic = false): QuboProblem {
  const rng = new Rng(seed);
  const i: number[] = [];
  const j: number[] = [];
  const v: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      if (rng.next() < density) {
        i.push(a);
        j.push(b);
        const x = rng.int(41) - 20;
        v.push(dyadic ? x / 4 : x);
      }
    }
  }
  return createQubo({ n, terms: { i, j, value: v }, offset: rng.int(11) - 5 });
}

/** Exhaustive minimum of an Ising problem (n ≤ 20). */
export function bruteForce(problem: IsingProblem): number {
  const n = problem.n;
  const s = new Int8Array(n);
  let best = Infinity;
  for (let mask = 0; mask < 1 << n; mask++) {
    for (let k = 0; k < n; k++) s[k] = (mask >> k) & 1 ? 1 : -1;
    best = Math.min(best, isingEnergy(problem, s));
  }
  return best;
}
