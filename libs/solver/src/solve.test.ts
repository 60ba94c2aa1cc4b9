import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type SimstreamError, ValidationError } from '@simstream/errors';
import { isingToQubo } from './convert.js';
import { cutValue, parseGset } from './maxcut.js';
import { createIsing, isingEnergy, quboEnergy } from './problem.js';
import { solve } from './solve.js';
import { SolverPool } from './worker-pool.js';
import { bruteForce, randomIsing } from './test-problems.js';
import type { Progress, SolverName } from './types.js';

const G11 = parseGset(readFileSync(new URL('../../../data/gset/G11', import.meta.url), 'utf8'));
// The worker runs from the built package: vitest sees only the .ts sources.
const WORKER = new URL('../dist/worker.js', import.meta.url);
if (!existsSync(fileURLToPath(WORKER))) {
  throw new Error('libs/solver/dist/worker.js is missing: build first (pnpm exec tsc -b libs/solver)');
}

describe('ground states of small problems (checked by brute force)', () => {
  const problems = [0, 1, 2, 3].map((k) => randomIsing(12 + k, 40 + k, 0.5, k % 2 === 1));
  const ground = problems.map(bruteForce);
  const solvers: [SolverName, object][] = [
    ['sa', { reads: 8 }],
    ['pt', { reads: 1, schedule: { sweeps: 300 } }],
    ['sb-ballistic', { reads: 1, bifurcation: { replicas: 32, steps: 300 } }],
    ['sb-discrete', { reads: 1, bifurcation: { replicas: 32, steps: 300 } }],
  ];
  it.each(solvers)('%s finds them', async (solver, extra) => {
    for (const [k, p] of problems.entries()) {
      const r = await solve(p, { solver, seed: 5, ...extra });
      expect(r.energy).toBe(ground[k]);
      expect(isingEnergy(p, r.spins)).toBe(r.energy);
      expect(r.solver).toBe(solver);
      expect(r.stoppedBy).toBe('completed');
    }
  });

  it('solves a QUBO in its own terms', async () => {
    const q = isingToQubo(problems[0]!);
    const r = await solve(q, { solver: 'sa', reads: 4, seed: 1 });
    expect(r.energy).toBe(ground[0]);
    expect(quboEnergy(q, r.bits!)).toBe(r.energy);
  });
});

describe('determinism', () => {
  it.each(['sa', 'pt'] as const)(
    '%s gives the same result twice for a seed, and another for another seed',
    async (solver) => {
      const opts = { solver, seed: 42, reads: 3, schedule: { sweeps: 60 } };
      const a = await solve(G11, opts);
      const b = await solve(G11, opts);
      expect(Array.from(b.spins)).toEqual(Array.from(a.spins));
      expect(b.sweeps).toBe(a.sweeps);
      const c = await solve(G11, { ...opts, seed: 43 });
      expect(Array.from(c.spins)).not.toEqual(Array.from(a.spins));
    },
  );

  it('gives the same result on worker threads as in the calling thread', async () => {
    const opts = { solver: 'sa' as const, seed: 9, reads: 6, schedule: { sweeps: 50 } };
    const one = await solve(G11, opts);
    const two = await solve(G11, { ...opts, workers: 2, workerUrl: WORKER });
    expect(two.workers).toBe(2);
    expect(two.reads).toBe(6);
    expect(two.energy).toBe(one.energy);
    expect(Array.from(two.spins)).toEqual(Array.from(one.spins));
    expect(two.cut).toBe(cutValue(G11, two.spins));
  });

  it('reuses a pool across solves and refuses work once it is closed', async () => {
    const pool = new SolverPool({ size: 2, workerUrl: WORKER });
    const opts = { solver: 'pt' as const, seed: 5, reads: 2, schedule: { sweeps: 30 }, pool };
    const a = await solve(G11, opts);
    const b = await solve(G11, opts);
    expect(Array.from(b.spins)).toEqual(Array.from(a.spins));
    await pool.close();
    const error = await solve(G11, opts).catch((e: unknown) => e);
    expect((error as SimstreamError).code).toBe('SOLVER_POOL_CLOSED');
  });

  it('is repeatable for simulated bifurcation', async () => {
    const opts = { solver: 'sb-discrete' as const, seed: 3, bifurcation: { replicas: 8, steps: 40 } };
    const a = await solve(G11, opts);
    const b = await solve(G11, opts);
    expect(Array.from(b.spins)).toEqual(Array.from(a.spins));
    expect(a.backend).not.toBe('cpu');
  });
});

describe('anytime behaviour', () => {
  it.each(['sa', 'pt', 'sb-ballistic'] as const)(
    '%s stops on an abort signal and returns its best so far',
    async (solver) => {
      const controller = new AbortController();
      const seen: Progress[] = [];
      const r = await solve(G11, {
        solver,
        seed: 1,
        timeLimitMs: 60_000,
        bifurcation: { replicas: 8, steps: 400 },
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          seen.push(p);
          if (seen.length === 3) controller.abort();
        },
      });
      expect(r.stoppedBy).toBe('cancelled');
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(r.cut).toBe(cutValue(G11, r.spins));
      expect(r.energy).toBe(-r.cut!);
      expect(r.energy).toBeLessThanOrEqual(seen[2]!.bestEnergy);
    },
  );

  it('returns a state even when aborted before it starts', async () => {
    const r = await solve(G11, { solver: 'pt', signal: AbortSignal.abort() });
    expect(r.stoppedBy).toBe('cancelled');
    expect(r.spins.length).toBe(800);
    expect(r.cut).toBe(cutValue(G11, r.spins));
  });

  it.each(['sa', 'pt'] as const)('%s honours a time limit, on worker threads too', async (solver) => {
    const inThread = await solve(G11, { solver, seed: 2, timeLimitMs: 150 });
    expect(inThread.stoppedBy).toBe('time-limit');
    const pooled = await solve(G11, { solver, seed: 2, timeLimitMs: 150, workers: 2, workerUrl: WORKER });
    expect(pooled.stoppedBy).toBe('time-limit');
    expect(pooled.cut).toBe(cutValue(G11, pooled.spins));
  });

  it('stops at the target energy and reports monotone progress', async () => {
    const seen: Progress[] = [];
    const r = await solve(G11, {
      solver: 'sa',
      seed: 4,
      timeLimitMs: 20_000,
      targetEnergy: -500,
      progressIntervalMs: 0,
      onProgress: (p) => seen.push(p),
    });
    expect(r.stoppedBy).toBe('target');
    expect(r.cut).toBeGreaterThanOrEqual(500);
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]!.bestEnergy).toBeLessThan(seen[k - 1]!.bestEnergy);
      expect(seen[k]!.elapsedMs).toBeGreaterThanOrEqual(seen[k - 1]!.elapsedMs);
      expect(seen[k]!.sweeps).toBeGreaterThanOrEqual(seen[k - 1]!.sweeps);
    }
    expect(seen.at(-1)!.bestEnergy).toBe(r.energy);
    expect(r.timeToBestMs).toBeLessThanOrEqual(r.totalMs);
  });
});

describe('edge cases', () => {
  it.each(['sa', 'pt', 'sb-ballistic', 'sb-discrete'] as const)(
    '%s handles one variable with a field',
    async (solver) => {
      const p = createIsing({ n: 1, h: [2], couplings: { i: [], j: [], value: [] }, offset: 1 });
      const r = await solve(p, {
        solver,
        seed: 1,
        reads: 1,
        schedule: { sweeps: 10 },
        bifurcation: { replicas: 2, steps: 10 },
      });
      expect(Array.from(r.spins)).toEqual([-1]);
      expect(r.energy).toBe(-1);
    },
  );
});

describe('options', () => {
  it.each([
    [{ reads: 0 }, 'reads'],
    [{ workers: 1.5 }, 'workers'],
    [{ timeLimitMs: -1 }, 'timeLimitMs'],
    [{ solver: 'quantum' }, 'solver'],
    [{ schedule: { betaStart: -1 } }, 'schedule.betaStart'],
  ])('refuses %j', async (opts, field) => {
    const error = await solve(G11, opts as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]!.field).toBe(field);
  });
});
