/**
 * @simstream/solver: quantum-inspired Ising/QUBO solvers (simulated annealing, parallel
 * tempering, simulated bifurcation) behind one anytime `solve`, plus the problem model.
 */
export {
  createIsing,
  createQubo,
  isingEnergy,
  quboEnergy,
  spinsToBits,
  bitsToSpins,
  MAX_VARIABLES,
  MAX_COUPLINGS,
  type IsingProblem,
  type QuboProblem,
  type SparseRows,
  type TermList,
  type IsingInput,
  type QuboInput,
} from './problem.js';
export { quboToIsing, isingToQubo } from './convert.js';
export { createGraph, parseGset, maxCutToIsing, cutValue, type MaxCutGraph } from './maxcut.js';
export { validateIsing } from './validate.js';
export { solve, type SolveWithPool } from './solve.js';
export { SolverPool, SolverWorkerError, type SolverPoolOptions } from './worker-pool.js';
export type { BetaRange, ScheduleOptions } from './schedule.js';
export type {
  Problem,
  SolverName,
  StoppedBy,
  Progress,
  SolveOptions,
  SolveResult,
  TemperingOptions,
  BifurcationOptions,
} from './types.js';
