/**
 * Parallel tempering (replica exchange): R chains at inverse temperatures from hot to cold, a
 * Metropolis sweep each, then swaps between neighbouring temperatures, which let a chain stuck
 * in a cold valley heat up, escape and cool down elsewhere.
 *
 * The ladder starts geometric over the annealing range and adapts: every `adaptEvery` sweeps
 * the gaps are reshaped so that every neighbouring pair swaps about equally often (a gap whose
 * swaps are accepted too rarely shrinks), with the ends fixed. One read is one tempering run
 * until its sweeps are done or the solve stops; the best state any chain visits is offered.
 */
import { initFields, type CompiledIsing } from './compiled.js';
import type { Incumbent } from './incumbent.js';
import { greedyDescent, MetropolisKernel, type ChainState } from './metropolis.js';
import { Rng, randomSpins, streamSeed } from './rng.js';
import type { BetaRange } from './schedule.js';

export interface TemperingPlan {
  /** Inverse temperatures, hot to cold (copied per read; adaptation changes the copy). */
  readonly ladder: Float64Array;
  /** Sweeps per read; Infinity runs until the solve stops. */
  readonly sweeps: number;
  readonly adaptEvery: number;
  /**
   * End the read (so that the next one starts afresh) once the best energy has not improved for
   * max(minStale, staleFactor × the sweeps it took to reach it); 0 never does.
   */
  readonly staleFactor: number;
  readonly minStale: number;
}

/** Geometric ladder from betaStart (hot) to betaEnd (cold). */
export function geometricLadder(range: BetaRange, replicas: number): Float64Array {
  const b = new Float64Array(replicas);
  const r = Math.pow(range.betaEnd / range.betaStart, 1 / Math.max(1, replicas - 1));
  for (let k = 0; k < replicas; k++) b[k] = range.betaStart * Math.pow(r, k);
  b[replicas - 1] = range.betaEnd;
  return b;
}

/**
 * New ladder with gaps scaled by their swap acceptance (relative to the mean), damped by a
 * square root, renormalised to keep the ends; gaps stay in log β so the ladder stays ordered.
 */
export function adaptLadder(betas: Float64Array, accepted: Float64Array, tried: Float64Array): void {
  const m = betas.length - 1;
  if (m < 2) return;
  const logGap = new Float64Array(m);
  let meanRate = 0;
  const rate = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    rate[k] = tried[k]! > 0 ? accepted[k]! / tried[k]! : 0;
    meanRate += rate[k]!;
  }
  meanRate /= m;
  if (meanRate <= 0) return;
  let total = 0;
  for (let k = 0; k < m; k++) {
    const g = Math.log(betas[k + 1]! / betas[k]!);
    const scale = Math.sqrt((rate[k]! + 0.02) / (meanRate + 0.02));
    logGap[k] = g * Math.min(2, Math.max(0.5, scale));
    total += logGap[k]!;
  }
  const span = Math.log(betas[m]! / betas[0]!);
  for (let k = 0; k < m; k++) betas[k + 1] = betas[k]! * Math.exp((logGap[k]! * span) / total);
  for (let k = 0; k <= m; k++) {
    accepted[k] = 0;
    tried[k] = 0;
  }
}

export class Tempering {
  private readonly kernel: MetropolisKernel;

  constructor(
    private readonly p: CompiledIsing,
    private readonly plan: TemperingPlan,
  ) {
    this.kernel = new MetropolisKernel(p);
  }

  async read(read: number, seed: number, inc: Incumbent): Promise<void> {
    const { p, plan } = this;
    const R = plan.ladder.length;
    const rng = new Rng(streamSeed(seed, read));
    const chains: ChainState[] = [];
    for (let k = 0; k < R; k++) {
      const spins = randomSpins(p.n, rng);
      const field = new Float64Array(p.n);
      chains.push({
        spins,
        field,
        energy: initFields(p, spins, field),
        rng: streamSeed(seed ^ 0x5bd1e995, read * 1024 + k),
      });
    }
    const betas = plan.ladder.slice();
    // slot[k] = index of the chain currently at temperature k.
    const slot = Int32Array.from({ length: R }, (_, k) => k);
    const accepted = new Float64Array(R);
    const tried = new Float64Array(R);
    const best = new Int8Array(p.n);
    let bestEnergy = Infinity;
    let bestSweep = 0;
    for (let sweep = 0; sweep < plan.sweeps; sweep++) {
      for (let k = 0; k < R; k++) {
        const c = chains[slot[k]!]!;
        this.kernel.sweep(c, betas[k]!);
        if (c.energy < bestEnergy) {
          bestEnergy = c.energy;
          bestSweep = sweep;
          best.set(c.spins);
          if (bestEnergy < inc.energy) inc.offer(bestEnergy, best, read);
        }
      }
      inc.sweeps++;
      inc.attempts += p.n * R;
      for (let k = sweep & 1; k + 1 < R; k += 2) {
        const a = chains[slot[k]!]!;
        const b = chains[slot[k + 1]!]!;
        // Detailed balance: accept with min(1, exp((β_k − β_k+1)(E_k − E_k+1))).
        const x = (betas[k]! - betas[k + 1]!) * (a.energy - b.energy);
        tried[k]!++;
        if (x >= 0 || rng.next() < Math.exp(x)) {
          const t = slot[k]!;
          slot[k] = slot[k + 1]!;
          slot[k + 1] = t;
          accepted[k]!++;
        }
      }
      if (plan.adaptEvery > 0 && (sweep + 1) % plan.adaptEvery === 0) adaptLadder(betas, accepted, tried);
      if (inc.stopped()) break;
      if (plan.staleFactor > 0 && sweep - bestSweep > Math.max(plan.minStale, plan.staleFactor * bestSweep))
        break;
      if (inc.yieldDue()) await inc.yield();
    }
    // Polish the coldest chain and the best state seen.
    for (const c of [chains[slot[R - 1]!]!]) {
      greedyDescent(p, c);
      if (c.energy < bestEnergy) {
        bestEnergy = c.energy;
        best.set(c.spins);
      }
    }
    inc.reads++;
    inc.offer(bestEnergy, best, read);
  }
}
