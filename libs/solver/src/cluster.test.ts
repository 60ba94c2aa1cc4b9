import { describe, expect, it } from 'vitest';
import { alignGauge, ClusterScratch, clusterSize, houdayerMove } from './cluster.js';
import { compileIsing, initFields, type CompiledIsing } from './compiled.js';
import { MetropolisKernel, type ChainState } from './metropolis.js';
import { createIsing, type IsingProblem } from './problem.js';
import { Incumbent } from './incumbent.js';
import { Rng, randomSpins } from './rng.js';
import { solve } from './solve.js';
import { Tempering } from './tempering.js';
import { randomIsing } from './test-problems.js';

function chain(p: CompiledIsing, rng: Rng): ChainState {
  const spins = randomSpins(p.n, rng);
  const field = new Float64Array(p.n);
  return { spins, field, energy: initFields(p, spins, field), rng: (rng.next() * 4294967296) | 0 || 1 };
}

/** The chain's energy and fields agree with a recomputation from its spins. */
function expectConsistent(p: CompiledIsing, c: ChainState): void {
  const field = new Float64Array(p.n);
  const energy = initFields(p, c.spins, field);
  expect(c.energy).toBeCloseTo(energy, 9);
  for (let i = 0; i < p.n; i++) expect(c.field[i]).toBeCloseTo(field[i]!, 9);
}

/** A fieldless L×L toroidal grid with ±1 couplings (like G11, G57). */
function torus(L: number, seed: number): IsingProblem {
  const rng = new Rng(seed);
  const i: number[] = [];
  const j: number[] = [];
  const value: number[] = [];
  for (let r = 0; r < L; r++) {
    for (let c = 0; c < L; c++) {
      for (const q of [r * L + ((c + 1) % L), ((r + 1) % L) * L + c]) {
        i.push(r * L + c);
        j.push(q);
        value.push(rng.next() < 0.5 ? -1 : 1);
      }
    }
  }
  return createIsing({
    n: L * L,
    h: new Array<number>(L * L).fill(0),
    couplings: { i, j, value },
    offset: 0,
  });
}

describe('Houdayer cluster move', () => {
  const problems: [string, IsingProblem][] = [
    ['sparse with fields', randomIsing(60, 7, 0.06)],
    ['sparse dyadic with fields', randomIsing(50, 8, 0.08, true)],
    ['toroidal grid', torus(12, 9)],
  ];

  it.each(problems)('keeps energies and fields exact and the pair energy unchanged (%s)', (_, problem) => {
    const p = compileIsing(problem);
    const rng = new Rng(11);
    const kernel = new MetropolisKernel(p);
    const scratch = new ClusterScratch(p.n, 12345);
    const fieldless = p.h.every((v) => v === 0);
    let moved = 0;
    for (let trial = 0; trial < 20; trial++) {
      const a = chain(p, rng);
      const b = chain(p, rng);
      for (let step = 0; step < 30; step++) {
        // Mix in sweeps so that the two differ on fewer sites as they cool.
        kernel.sweep(a, 0.1 * step);
        kernel.sweep(b, 0.1 * step);
        alignGauge(p, a, b, fieldless);
        expectConsistent(p, b);
        const sum = a.energy + b.energy;
        const before = Int8Array.from(a.spins, (s, i) => s * b.spins[i]!);
        const size = houdayerMove(p, a, b, scratch);
        if (size > 0) moved++;
        expect(a.energy + b.energy).toBeCloseTo(sum, 9);
        expectConsistent(p, a);
        expectConsistent(p, b);
        // The overlap s·t is unchanged: both replicas flipped the same sites.
        expect(Int8Array.from(a.spins, (s, i) => s * b.spins[i]!)).toEqual(before);
      }
    }
    expect(moved).toBeGreaterThan(100);
  });

  it('flips exactly one connected component of the differing sites', () => {
    const p = compileIsing(torus(10, 3));
    const rng = new Rng(5);
    const scratch = new ClusterScratch(p.n, 777);
    for (let trial = 0; trial < 50; trial++) {
      const a = chain(p, rng);
      const b = chain(p, rng);
      const a0 = a.spins.slice();
      const b0 = b.spins.slice();
      const seedState = scratch.rng;
      const measured = clusterSize(p, a, b, scratch);
      expect(a.spins).toEqual(a0);
      expect(b.spins).toEqual(b0);
      scratch.rng = seedState;
      const size = houdayerMove(p, a, b, scratch);
      expect(size).toBe(measured);
      const flipped: number[] = [];
      for (let i = 0; i < p.n; i++) if (a.spins[i] !== a0[i]) flipped.push(i);
      expect(flipped.length).toBe(size);
      // Every differing neighbour of a flipped site was flipped too (the component is closed).
      const inCluster = new Set(flipped);
      for (const i of flipped) {
        for (let k = p.rowPtr[i]!; k < p.rowPtr[i + 1]!; k++) {
          const j = p.colIdx[k]!;
          if (a.spins[j] !== b.spins[j]) expect(inCluster.has(j)).toBe(true);
        }
      }
    }
  });

  it('gauge alignment keeps a fieldless replica exact and leaves at most half the sites differing', () => {
    const p = compileIsing(torus(9, 4));
    const rng = new Rng(6);
    for (let trial = 0; trial < 20; trial++) {
      const a = chain(p, rng);
      const b = chain(p, rng);
      const energy = b.energy;
      const differ = alignGauge(p, a, b, true);
      expect(2 * differ).toBeLessThanOrEqual(p.n);
      expect(b.energy).toBe(energy);
      expectConsistent(p, b);
    }
  });
});

describe('tempering with cluster moves', () => {
  const run = async (problem: IsingProblem, cluster: boolean): Promise<[Tempering, Incumbent]> => {
    const p = compileIsing(problem);
    const plan = { ladder: Float64Array.from([0.2, 0.4, 0.7, 1, 1.5, 2]), sweeps: 300, adaptEvery: 100 };
    const t = new Tempering(p, { ...plan, staleFactor: 0, minStale: 0, cluster });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const inc = new Incumbent({ start: performance.now(), deadline: Infinity, stop, target: -Infinity });
    await t.read(0, 9, inc);
    return [t, inc];
  };

  it('moves on a toroidal grid, where the clusters do not percolate', async () => {
    const [t] = await run(torus(24, 5), true);
    expect(t.clusterMoves.reduce((x, y) => x + y, 0)).toBeGreaterThan(300);
  });

  it('drops the second copy where they percolate, and then runs exactly as without it', async () => {
    const problem = randomIsing(80, 13, 0.3);
    const [t, on] = await run(problem, true);
    const [, off] = await run(problem, false);
    expect(t.clusterMoves.reduce((x, y) => x + y, 0)).toBe(0);
    expect(on.energy).toBe(off.energy);
    expect(on.spins).toEqual(off.spins);
  });

  it('is deterministic per seed and returns the energy of its spins', async () => {
    const problem = torus(16, 21);
    const run = () => solve(problem, { solver: 'pt', seed: 3, reads: 2, schedule: { sweeps: 400 } });
    const [x, y] = [await run(), await run()];
    expect(x.energy).toBe(y.energy);
    expect(x.spins).toEqual(y.spins);
    const p = compileIsing(problem);
    const field = new Float64Array(p.n);
    expect(initFields(p, x.spins, field)).toBe(x.energy);
  });

  it('can be turned off, and is rejected when not a boolean', async () => {
    const problem = torus(8, 2);
    const r = await solve(problem, {
      solver: 'pt',
      seed: 1,
      reads: 1,
      schedule: { sweeps: 100 },
      tempering: { cluster: false },
    });
    expect(r.energy).toBeLessThan(0);
    await expect(solve(problem, { tempering: { cluster: 'yes' as unknown as boolean } })).rejects.toThrow();
  });
});
