import { describe, expect, it } from 'vitest';
import { isingEnergy, solve } from '@simstream/solver';
import { blockActivity, type ActivityGrid } from './activity-grid.js';
import { buildPartitionProblem, evaluatePartition } from './partition-problem.js';

const OPTIONS = { activityWeight: 0.8, balanceTolerance: 0.02 };

/** A grid of values f(y, x), in blocks (activity = |f − mean|). */
function grid(ny: number, nx: number, f: (y: number, x: number) => number, blocksPerSide = 16): ActivityGrid {
  return blockActivity(ny, nx, 1, (i) => f(Math.floor(i / nx), i % nx), blocksPerSide);
}

function randomSpins(n: number, seed: number): Int8Array {
  let x = seed | 1;
  return Int8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 1 ? 1 : -1;
  });
}

describe('buildPartitionProblem', () => {
  it('has energy = cut + λ (Σ load·s)² for any assignment', () => {
    const p = buildPartitionProblem(
      grid(40, 56, (y, x) => Math.exp(-((x - 10) ** 2 + (y - 30) ** 2) / 50)),
      OPTIONS,
    );
    expect(p.ising.n).toBe(256);
    for (let seed = 1; seed < 6; seed++) {
      const spins = randomSpins(p.ising.n, seed);
      let d = 0;
      for (let i = 0; i < p.ising.n; i++) d += p.load[i]! * spins[i]!;
      const { cut } = evaluatePartition(p, spins);
      expect(isingEnergy(p.ising, spins)).toBeCloseTo(cut + p.lambda * d * d, 9);
    }
  });

  it('normalises loads and edge weights to an average of 1', () => {
    const p = buildPartitionProblem(
      grid(33, 47, (y, x) => (x * y) % 7),
      OPTIONS,
    );
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(p.load)).toBeCloseTo(1, 12);
    expect(mean(p.edgeWeight)).toBeCloseTo(1, 12);
    // 16×16 blocks: 2·16·15 neighbour pairs.
    expect(p.edgeWeight.length).toBe(480);
  });

  it('uses fewer blocks than cells, a chain for 1-D fields, and cell counts for a constant field', () => {
    expect(
      buildPartitionProblem(
        grid(3, 5, () => 1),
        OPTIONS,
      ).ising.n,
    ).toBe(15);
    const chain = buildPartitionProblem(
      grid(1, 1000, () => 0),
      OPTIONS,
    );
    expect([chain.blocksY, chain.blocksX]).toEqual([1, 256]);
    expect(chain.edgeWeight.length).toBe(255);
    // 1000 cells in 256 blocks of 3 or 4 cells: load follows the cell count (no activity).
    const loads = new Set([...chain.load].map((l) => Math.round((l * 1000) / 256)));
    expect(loads).toEqual(new Set([3, 4]));
  });

  it('matches brute force on a small grid', async () => {
    const p = buildPartitionProblem(
      grid(3, 4, (y, x) => (y === 0 && x < 2 ? 5 : 1)),
      OPTIONS,
    );
    const n = p.ising.n;
    let best = Infinity;
    for (let mask = 0; mask < 1 << n; mask++) {
      const spins = Int8Array.from({ length: n }, (_, i) => ((mask >> i) & 1 ? 1 : -1));
      best = Math.min(best, isingEnergy(p.ising, spins));
    }
    const result = await solve(p.ising, { solver: 'sa', seed: 3, reads: 8, schedule: { sweeps: 300 } });
    expect(result.energy).toBeCloseTo(best, 9);
  });

  it('cuts a uniform grid straight through the middle', async () => {
    const p = buildPartitionProblem(
      grid(64, 64, () => 0, 8),
      OPTIONS,
    );
    const result = await solve(p.ising, { solver: 'sa', seed: 5, reads: 16, schedule: { sweeps: 500 } });
    const q = evaluatePartition(p, result.spins);
    expect(q.cut).toBeCloseTo(8, 9);
    expect(q.imbalance).toBe(0);
  });

  it('splits a busy strip across the parts instead of halving the grid', async () => {
    // All activity in the left quarter: 16 busy blocks weigh 3.4 each, the 48 others 0.2, so
    // halving left|right is far out of balance; the optimum cuts the grid (and the strip)
    // horizontally in the middle: balance exact, cut 2 busy + 6 quiet edges.
    const p = buildPartitionProblem(
      grid(64, 64, (y, x) => (x < 16 ? ((x + y) % 2 === 0 ? 1 : -1) : 0), 8),
      OPTIONS,
    );
    expect(p.load[0]).toBeCloseTo(3.4, 9);
    expect(p.load[7]).toBeCloseTo(0.2, 9);
    const result = await solve(p.ising, { solver: 'sa', seed: 9, reads: 16, schedule: { sweeps: 500 } });
    const q = evaluatePartition(p, result.spins);
    expect(q.imbalance).toBeCloseTo(0, 9);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) expect(q.labels[y * 8 + x]).toBe(y < 4 ? 0 : 1);
    }
  });
});

describe('evaluatePartition', () => {
  it('labels block 0 as part 0, so both spin signs give one answer', () => {
    const p = buildPartitionProblem(
      grid(4, 4, (y) => y),
      OPTIONS,
    );
    const spins = randomSpins(p.ising.n, 17);
    const flipped = Int8Array.from(spins, (s) => -s);
    const a = evaluatePartition(p, spins);
    const b = evaluatePartition(p, flipped);
    expect(a.labels[0]).toBe(0);
    expect([...b.labels]).toEqual([...a.labels]);
    expect(b.cut).toBe(a.cut);
    expect(b.imbalance).toBe(a.imbalance);
  });
});
