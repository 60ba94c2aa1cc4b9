/**
 * The outcome of one solve as the service reports it everywhere (gRPC, job rows, result
 * records, the cache): energy and solution in the problem's own terms, with its accounting.
 */
import type { SolveResult } from '@simstream/solver';
import type { StopReason } from '@simstream/contracts';

export interface Outcome {
  readonly energy: number;
  /** int8 per variable: spins (Ising), 0/1 (QUBO), side 0/1 (Max-Cut), part (partition). */
  readonly solution: Int8Array;
  readonly cut: number | null;
  readonly imbalance: number | null;
  readonly reads: number;
  readonly sweeps: number;
  readonly timeToBestMs: number;
  readonly totalMs: number;
  readonly solver: string;
  readonly backend: string;
  readonly stoppedBy: StopReason;
  readonly cached: boolean;
  readonly problemHash: string;
}

export function stopReason(stoppedBy: SolveResult['stoppedBy']): StopReason {
  return stoppedBy === 'time-limit' ? 'time_limit' : stoppedBy;
}

/** A solver result as an outcome; `kind` picks the solution's terms. */
export function outcomeOf(
  result: SolveResult,
  kind: 'ising' | 'qubo' | 'maxcut',
  problemHash: string,
): Outcome {
  const solution =
    kind === 'ising' ? Int8Array.from(result.spins) : Int8Array.from(result.spins, (s) => (s > 0 ? 1 : 0));
  return {
    energy: result.energy,
    solution,
    cut: result.cut ?? null,
    imbalance: null,
    reads: result.reads,
    sweeps: result.sweeps,
    timeToBestMs: result.timeToBestMs,
    totalMs: result.totalMs,
    solver: result.solver,
    backend: result.backend,
    stoppedBy: stopReason(result.stoppedBy),
    cached: false,
    problemHash,
  };
}
