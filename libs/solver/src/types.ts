/**
 * The public option and result types of `solve`.
 */
import type { IsingProblem, QuboProblem } from './problem.js';
import type { MaxCutGraph } from './maxcut.js';
import type { ScheduleOptions } from './schedule.js';

export type Problem = IsingProblem | QuboProblem | MaxCutGraph;

export type SolverName = 'sa' | 'pt' | 'sb-ballistic' | 'sb-discrete' | 'auto';

export type StoppedBy = 'completed' | 'time-limit' | 'target' | 'cancelled';

export interface Progress {
  /** Best energy so far (never increases between two calls). */
  readonly bestEnergy: number;
  /** Milliseconds since solve started. */
  readonly elapsedMs: number;
  /** Work so far over all reads: SA sweeps, PT ladder sweeps (every replica once), SB steps × replicas. */
  readonly sweeps: number;
  /** Cut of the best state so far, for Max-Cut problems. */
  readonly cut?: number;
}

export interface TemperingOptions {
  /**
   * Replicas of a geometric ladder over the schedule's β range. Default: the ladder is measured
   * on the problem by a pilot anneal (its length follows from the energy curve).
   */
  readonly replicas?: number;
  /** Sweeps between feedback updates of the ladder (default 500); 0 keeps the initial ladder. */
  readonly adaptEvery?: number;
  /**
   * Houdayer cluster moves between two copies of the ladder (default true). A read drops the
   * second copy after a short trial when the moves cannot help (their clusters percolate), so
   * the option mainly matters on low-dimensional graphs such as toroidal grids.
   */
  readonly cluster?: boolean;
}

export interface BifurcationOptions {
  /** Replicas evolved together as rows of one tensor (default 64). */
  readonly replicas?: number;
  /** Time steps per read (default 1000). */
  readonly steps?: number;
  /** Step size (default 0.5). */
  readonly dt?: number;
}

export interface SolveOptions {
  readonly solver?: SolverName;
  /** Reads are seeded from (seed, read index): same seed and same work give the same result. */
  readonly seed?: number;
  /** Stop after this long and return the best so far. */
  readonly timeLimitMs?: number;
  readonly signal?: AbortSignal;
  /** Called whenever the best energy improves (at most every `progressIntervalMs`). */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  /**
   * Independent reads. Given: exactly that many (fewer if stopped). Not given: as many as the
   * time limit allows, or 16 without a time limit.
   */
  readonly reads?: number;
  /** Worker threads for independent reads (CPU solvers); default 1 (the calling thread). */
  readonly workers?: number;
  /** Stop as soon as a state with energy ≤ target is found (for a Max-Cut graph: energy = -cut). */
  readonly targetEnergy?: number;
  readonly schedule?: ScheduleOptions;
  readonly tempering?: TemperingOptions;
  readonly bifurcation?: BifurcationOptions;
  /** Overrides where the worker script is (tests point it at the built dist/). */
  readonly workerUrl?: URL;
}

export interface SolveResult {
  /** Energy of `spins` in the problem's own terms (QUBO energy for a QUBO, -cut for a graph). */
  readonly energy: number;
  readonly spins: Int8Array;
  /** For QUBO problems: x = (1 + s) / 2. */
  readonly bits?: Uint8Array;
  /** For Max-Cut graphs. */
  readonly cut?: number;
  readonly reads: number;
  /** SA sweeps, PT ladder sweeps (every replica once), SB steps × replicas, over all reads. */
  readonly sweeps: number;
  /** Single-spin flip attempts made by the CPU kernels (0 for SB). */
  readonly flipAttempts: number;
  readonly timeToBestMs: number;
  readonly totalMs: number;
  /** 'cpu' for the typed-array solvers, else the tfjs backend name. */
  readonly backend: string;
  readonly solver: Exclude<SolverName, 'auto'>;
  readonly workers: number;
  readonly stoppedBy: StoppedBy;
}
