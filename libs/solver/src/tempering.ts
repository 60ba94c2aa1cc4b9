/**
 * Parallel tempering (replica exchange): R chains at inverse temperatures from hot to cold, a
 * Metropolis sweep each, then swaps between neighbouring temperatures, which let a chain stuck
 * in a cold valley heat up, escape and cool down elsewhere.
 *
 * The ladder starts geometric over the annealing range and adapts: every `adaptEvery` sweeps
 * the gaps are reshaped so that every neighbouring pair swaps about equally often (a gap whose
 * swaps are accepted too rarely shrinks), with the ends fixed. One read is one tempering run
 * until its sweeps are done or the solve stops; the best state any chain visits is offered.
 *
 * With `cluster`, a read runs two copies of the ladder and makes a Houdayer cluster move (see
 * cluster.ts) between the two replicas at each temperature after every sweep. The move only
 * helps where the sites on which the two replicas differ fall into several clusters (toroidal
 * grids like G11 and G57); on the random and planar G-set graphs they form one cluster, the
 * move just exchanges the two replicas, and a short trial at the start of the read drops the
 * second copy.
 */
import { alignGauge, ClusterScratch, clusterSize, houdayerMove } from './cluster.js';
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
  /**
   * Two copies of the ladder with Houdayer cluster moves between them at each temperature; a
   * read keeps the second copy only while the trial finds the moves useful (see TRIAL_SWEEP).
   */
  readonly cluster?: boolean;
  /** First (hottest) rung that gets cluster moves; colder ones all do. */
  readonly clusterFrom?: number;
}

/**
 * Sweeps between gauge alignments of the two copies (fieldless problems); the same sweeps
 * re-measure, at every rung, whether the cluster move is worth making there (see PERCOLATING).
 */
const GAUGE_EVERY = 16;
/**
 * A rung whose last measured cluster covered more than this share of the differing sites skips
 * the move until the next measurement: the differing sites percolate there, so the cluster is
 * (almost) all of them and flipping it only exchanges the two replicas, at the cost of a few
 * sweeps. On G14 every rung measured 0.85 or more and the moves took ~3× as long as the sweeps
 * of both copies; on the toroidal G11 the rungs measured 0.2–0.45.
 */
const PERCOLATING = 0.5;
/**
 * The trial: after the first sweep the cluster a move would flip is measured at every rung,
 * without moving. A read whose clusters covered on average more than PERCOLATING of the
 * differing sites drops the second copy (the moves would gain nothing, and the copy halves the
 * sweeps of the first); otherwise the moves start. On G14 (3 seeds) keeping the copy took the
 * time to the best-known cut from 1.5, 6.4, 2.9 s to 8.9 s, > 30 s, 26.9 s. The ratio is a
 * property of the graph more than of the states (at the first sweep and later: ≥ 0.85 on G14,
 * 0.2–0.45 on G11), so one measurement tells. A trial of 33 sweeps (three measurements) cost
 * G1–G6 about 20 ms of their 50–350 ms to target; this one costs one sweep.
 */
const TRIAL_SWEEP = 0;

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
  /** Cluster moves need fieldless problems for the gauge alignment to be exact. */
  private readonly fieldless: boolean;
  /** Per temperature: cluster moves made and their total size (diagnostics). */
  readonly clusterMoves: Float64Array;
  readonly clusterSizes: Float64Array;
  readonly differ: Float64Array;
  readonly differCount: Float64Array;
  /** Cluster moves skipped because the rung percolated (diagnostics). */
  readonly clusterSkips: Float64Array;

  constructor(
    private readonly p: CompiledIsing,
    private readonly plan: TemperingPlan,
  ) {
    this.kernel = new MetropolisKernel(p);
    this.fieldless = p.h.every((v) => v === 0);
    this.clusterMoves = new Float64Array(plan.ladder.length);
    this.clusterSizes = new Float64Array(plan.ladder.length);
    this.differ = new Float64Array(plan.ladder.length);
    this.differCount = new Float64Array(plan.ladder.length);
    this.clusterSkips = new Float64Array(plan.ladder.length);
  }

  /** R chains at random states, the k-th with its own Metropolis stream `first + k`. */
  private chains(R: number, rng: Rng, seed: number, read: number, first: number): ChainState[] {
    const p = this.p;
    const chains: ChainState[] = [];
    for (let k = 0; k < R; k++) {
      const spins = randomSpins(p.n, rng);
      const field = new Float64Array(p.n);
      chains.push({
        spins,
        field,
        energy: initFields(p, spins, field),
        rng: streamSeed(seed ^ 0x5bd1e995, read * 1024 + first + k),
      });
    }
    return chains;
  }

  async read(read: number, seed: number, inc: Incumbent): Promise<void> {
    const { p, plan } = this;
    const R = plan.ladder.length;
    const rng = new Rng(streamSeed(seed, read));
    const chains = this.chains(R, rng, seed, read, 0);
    // The second copy draws from streams of its own and neither touches the first nor counts
    // for the ladder during the trial, so a read that drops it after the trial is, up to the
    // time the trial took, exactly the read it would have been without `cluster`.
    const rng2 = new Rng(streamSeed(seed ^ 0x27d4eb2f, read));
    if (plan.cluster) chains.push(...this.chains(R, rng2, seed, read, R));
    let copies = plan.cluster ? 2 : 1;
    let trial = plan.cluster === true;
    const scratch = new ClusterScratch(p.n, streamSeed(seed ^ 0x165667b1, read));
    const betas = plan.ladder.slice();
    // slot[c·R + k] = index of the chain of copy c currently at temperature k.
    const slot = Int32Array.from({ length: copies * R }, (_, k) => k);
    const accepted = new Float64Array(R);
    const tried = new Float64Array(R);
    const best = new Int8Array(p.n);
    let bestEnergy = Infinity;
    let bestSweep = 0;
    const consider = (c: ChainState, sweep: number): void => {
      if (c.energy < bestEnergy) {
        bestEnergy = c.energy;
        bestSweep = sweep;
        best.set(c.spins);
        if (bestEnergy < inc.energy) inc.offer(bestEnergy, best, read);
      }
    };
    const clusterFrom = Math.max(0, Math.min(R, plan.clusterFrom ?? 0));
    // Per rung: did the last measured cluster cover more than PERCOLATING of the differing sites?
    const percolates = new Uint8Array(R);
    let shareSum = 0;
    let shareCount = 0;
    for (let sweep = 0; sweep < plan.sweeps; sweep++) {
      for (let c = 0; c < copies; c++) {
        for (let k = 0; k < R; k++) {
          const ch = chains[slot[c * R + k]!]!;
          this.kernel.sweep(ch, betas[k]!);
          if (c === 0 || !trial) consider(ch, sweep);
        }
      }
      inc.sweeps++;
      inc.attempts += p.n * R * copies;
      for (let k = copies === 2 ? clusterFrom : R; k < R; k++) {
        const a = chains[slot[k]!]!;
        const b = chains[slot[R + k]!]!;
        let size: number;
        if (sweep % GAUGE_EVERY === 0) {
          // alignGauge flips b only: the first copy stays untouched during the trial.
          const differing = alignGauge(p, a, b, this.fieldless);
          this.differ[k]! += differing;
          this.differCount[k]!++;
          size = trial ? clusterSize(p, a, b, scratch) : houdayerMove(p, a, b, scratch);
          percolates[k] = size > PERCOLATING * differing ? 1 : 0;
          if (differing > 0) {
            shareSum += size / differing;
            shareCount++;
          }
        } else if (trial || percolates[k] === 1) {
          this.clusterSkips[k]!++;
          continue;
        } else {
          size = houdayerMove(p, a, b, scratch);
        }
        if (trial) continue;
        this.clusterMoves[k]!++;
        this.clusterSizes[k]! += size;
        consider(a, sweep);
        consider(b, sweep);
      }
      if (trial && sweep === TRIAL_SWEEP) {
        trial = false;
        if (shareCount === 0 || shareSum > PERCOLATING * shareCount) copies = 1;
      }
      for (let c = 0; c < copies; c++) {
        const o = c * R;
        const r = c === 0 ? rng : rng2;
        const counted = c === 0 || !trial;
        for (let k = sweep & 1; k + 1 < R; k += 2) {
          const a = chains[slot[o + k]!]!;
          const b = chains[slot[o + k + 1]!]!;
          // Detailed balance: accept with min(1, exp((β_k − β_k+1)(E_k − E_k+1))).
          const x = (betas[k]! - betas[k + 1]!) * (a.energy - b.energy);
          if (counted) tried[k]!++;
          if (x >= 0 || r.next() < Math.exp(x)) {
            const t = slot[o + k]!;
            slot[o + k] = slot[o + k + 1]!;
            slot[o + k + 1] = t;
            if (counted) accepted[k]!++;
          }
        }
      }
      if (plan.adaptEvery > 0 && (sweep + 1) % plan.adaptEvery === 0) adaptLadder(betas, accepted, tried);
      if (inc.stopped()) break;
      if (plan.staleFactor > 0 && sweep - bestSweep > Math.max(plan.minStale, plan.staleFactor * bestSweep))
        break;
      if (inc.yieldDue()) await inc.yield();
    }
    // Polish the coldest chains and the best state seen.
    for (let c = 0; c < copies; c++) {
      const ch = chains[slot[c * R + R - 1]!]!;
      greedyDescent(p, ch);
      if (ch.energy < bestEnergy) {
        bestEnergy = ch.energy;
        best.set(ch.spins);
      }
    }
    inc.reads++;
    inc.offer(bestEnergy, best, read);
  }
}
