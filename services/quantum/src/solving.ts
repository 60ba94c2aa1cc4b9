/**
 * One solve with everything around it: the cache look-up by key, the solve on a solver slot's
 * pool, the metrics, and storing the outcome (unless cancelled: a partial answer is not the
 * answer to the question asked).
 */
import {
  solve,
  type Problem,
  type Progress,
  type SolveResult,
  type SolverName,
  type SolverPool,
} from '@simstream/solver';
import type { QuantumMetrics, SolvePath } from './metrics.js';
import type { Outcome } from './outcome.js';
import { stopReason } from './outcome.js';
import type { SolutionCache } from './solution-cache.js';

export interface SolvingDeps {
  readonly cache: SolutionCache;
  readonly metrics: QuantumMetrics;
}

export interface SolveSpec {
  readonly path: SolvePath;
  readonly problem: Problem;
  readonly solver: SolverName;
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly reads?: number | undefined;
  readonly sweeps?: number | undefined;
  readonly targetEnergy?: number | undefined;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** The cached outcome for `key`, if any (Redis trouble is a miss). */
export async function lookup(
  deps: SolvingDeps,
  key: string,
  path: SolvePath,
  variables: number,
): Promise<Outcome | undefined> {
  const started = performance.now();
  const hit = await deps.cache.get(key);
  deps.metrics.cacheLookupSeconds.observe((performance.now() - started) / 1000);
  if (hit !== undefined) {
    deps.metrics.solves.inc({ path, solver: hit.solver, outcome: 'cached' });
    deps.metrics.variables.observe({ path }, variables);
  }
  return hit;
}

/** Runs the solver on `pool` with metrics; throws what the solver throws. */
export async function runSolver(deps: SolvingDeps, pool: SolverPool, spec: SolveSpec): Promise<SolveResult> {
  const { path } = spec;
  deps.metrics.inProgress.inc({ path });
  const started = performance.now();
  try {
    const result = await solve(spec.problem, {
      pool,
      solver: spec.solver,
      seed: spec.seed,
      timeLimitMs: spec.timeLimitMs,
      ...(spec.reads === undefined ? {} : { reads: spec.reads }),
      ...(spec.sweeps === undefined ? {} : { schedule: { sweeps: spec.sweeps } }),
      ...(spec.targetEnergy === undefined ? {} : { targetEnergy: spec.targetEnergy }),
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
      ...(spec.onProgress === undefined ? {} : { onProgress: spec.onProgress }),
      ...(spec.progressIntervalMs === undefined ? {} : { progressIntervalMs: spec.progressIntervalMs }),
    });
    deps.metrics.solves.inc({ path, solver: result.solver, outcome: stopReason(result.stoppedBy) });
    deps.metrics.variables.observe({ path }, spec.problem.n);
    return result;
  } catch (error) {
    deps.metrics.solves.inc({ path, solver: spec.solver, outcome: 'failed' });
    throw error;
  } finally {
    deps.metrics.inProgress.dec({ path });
    deps.metrics.solveSeconds.observe({ path }, (performance.now() - started) / 1000);
  }
}

/** Keeps an outcome for the next identical request; cancelled solves are not kept. */
export async function remember(deps: SolvingDeps, key: string, outcome: Outcome): Promise<void> {
  if (outcome.stoppedBy !== 'cancelled' && !outcome.cached) await deps.cache.set(key, outcome);
}
