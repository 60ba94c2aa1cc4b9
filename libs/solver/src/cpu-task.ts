/**
 * A CPU solve as plain data (so it can be posted to a worker thread) and the loop that runs its
 * reads in one thread: reads first, first + stride, … below `readLimit`, until the incumbent
 * says stop. Read r's randomness depends only on (seed, r), so the reads done, and the best of
 * them, do not depend on how reads are spread over threads.
 */
import { Annealer, type AnnealPlan } from './anneal.js';
import type { CompiledIsing } from './compiled.js';
import type { Incumbent } from './incumbent.js';
import { Tempering, type TemperingPlan } from './tempering.js';

export type CpuPlan = ({ readonly solver: 'sa' } & AnnealPlan) | ({ readonly solver: 'pt' } & TemperingPlan);

export interface CpuTask {
  readonly plan: CpuPlan;
  readonly seed: number;
  /** Exclusive bound on read indices; Infinity to read until stopped. */
  readonly readLimit: number;
}

interface ReadSolver {
  read(read: number, seed: number, inc: Incumbent): Promise<void>;
}

function readSolver(p: CompiledIsing, plan: CpuPlan): ReadSolver {
  return plan.solver === 'sa' ? new Annealer(p, plan) : new Tempering(p, plan);
}

export async function runReads(
  p: CompiledIsing,
  task: CpuTask,
  first: number,
  stride: number,
  inc: Incumbent,
): Promise<void> {
  const solver = readSolver(p, task.plan);
  for (let r = first; r < task.readLimit; r += stride) {
    // A stopped solve still gets one (short) read, so that there is always a state to return.
    if (inc.spins !== undefined && inc.stopped()) break;
    await solver.read(r, task.seed, inc);
  }
}
