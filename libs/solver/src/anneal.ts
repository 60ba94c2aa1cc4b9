/**
 * Simulated annealing: one read is a geometric inverse-temperature schedule from a random
 * state, then a zero-temperature descent. Without a fixed sweep count, read r anneals for
 * base × luby(r) sweeps: the Luby restart sequence is within a log factor of the best fixed
 * restart length for any distribution of time to solution, which we do not know in advance.
 */
import { initFields, type CompiledIsing } from './compiled.js';
import type { Incumbent } from './incumbent.js';
import { greedyDescent, MetropolisKernel, type ChainState } from './metropolis.js';
import { Rng, randomSpins, streamSeed } from './rng.js';
import { geometricBetas, type BetaRange } from './schedule.js';

/** i-th term (1-based) of the Luby sequence 1 1 2 1 1 2 4 1 1 2 1 1 2 4 8 … */
export function luby(i: number): number {
  for (;;) {
    let k = 1;
    while ((1 << k) - 1 < i) k++;
    if ((1 << k) - 1 === i) return 1 << (k - 1);
    i -= (1 << (k - 1)) - 1;
  }
}

export interface AnnealPlan {
  readonly range: BetaRange;
  /** Fixed sweeps per read, or undefined for the Luby sequence. */
  readonly sweeps?: number;
  /** Unit of the Luby sequence. */
  readonly baseSweeps: number;
}

/** Sweeps of the shortest Luby read: enough for a few field relaxations of an average spin. */
export function defaultBaseSweeps(p: CompiledIsing): number {
  return Math.max(64, Math.min(1024, Math.round(p.n / 8)));
}

export function sweepsForRead(plan: AnnealPlan, read: number): number {
  return plan.sweeps ?? plan.baseSweeps * luby(read + 1);
}

export class Annealer {
  private readonly kernel: MetropolisKernel;
  private readonly schedules = new Map<number, Float64Array>();

  constructor(
    private readonly p: CompiledIsing,
    private readonly plan: AnnealPlan,
  ) {
    this.kernel = new MetropolisKernel(p);
  }

  private betas(sweeps: number): Float64Array {
    let b = this.schedules.get(sweeps);
    if (b === undefined) {
      b = geometricBetas(this.plan.range, sweeps);
      this.schedules.set(sweeps, b);
    }
    return b;
  }

  /** Runs read `read` (seeded from seed and read) and offers what it finds to the incumbent. */
  async read(read: number, seed: number, inc: Incumbent): Promise<void> {
    const p = this.p;
    const rng = new Rng(streamSeed(seed, read));
    const spins = randomSpins(p.n, rng);
    const field = new Float64Array(p.n);
    const st: ChainState = { spins, field, energy: initFields(p, spins, field), rng: rng.raw };
    const best = spins.slice();
    let bestEnergy = st.energy;
    const betas = this.betas(sweepsForRead(this.plan, read));
    for (let k = 0; k < betas.length; k++) {
      this.kernel.sweep(st, betas[k]!);
      inc.sweeps++;
      inc.attempts += p.n;
      if (st.energy < bestEnergy) {
        bestEnergy = st.energy;
        best.set(spins);
        if (bestEnergy < inc.energy) inc.offer(bestEnergy, best, read);
      }
      if (inc.stopped()) break;
      if (inc.yieldDue()) await inc.yield();
    }
    greedyDescent(p, st);
    if (st.energy < bestEnergy) {
      bestEnergy = st.energy;
      best.set(spins);
    } else if (bestEnergy < st.energy) {
      st.spins.set(best);
      st.energy = initFields(p, st.spins, st.field);
      greedyDescent(p, st);
      bestEnergy = st.energy;
      best.set(st.spins);
    }
    inc.reads++;
    inc.offer(bestEnergy, best, read);
  }
}
