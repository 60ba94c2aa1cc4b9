/**
 * The frames path: for the first frame of each K-step bucket of a simulation (steps are any
 * increasing integers: bucket = floor(step / K)), build the balanced-partition problem of its
 * grid, solve it (or take the cached solution of identical data), publish a QuantumResult whose
 * identity downstream is (simulation, bucketStep), and record the bucket as done.
 *
 * The solve is reproducible: fixed work (reads × sweeps) seeded from the problem's hash, so a
 * bucket solved twice in a failure window (the same frame re-read) gives the same answer; the
 * time limit is only a cap for an overloaded pod.
 */
import type { Frame, QuantumResult } from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { SolverWorkerError } from '@simstream/solver';
import { FrameSkippedError, activityGrid, pickField } from './activity-grid.js';
import type { BucketTracker } from './bucket-state.js';
import type { FrameSolverName, PartitionSettings } from './config.js';
import type { QuantumMetrics } from './metrics.js';
import { stopReason, type Outcome } from './outcome.js';
import { buildPartitionProblem, evaluatePartition, type PartitionProblem } from './partition-problem.js';
import { problemHash, seedFromHash, solutionKey } from './problem-hash.js';
import type { SolverSlots } from './solver-slots.js';
import { lookup, remember, runSolver, type SolvingDeps } from './solving.js';

export interface FrameSettings {
  readonly everyK: number;
  readonly partition: PartitionSettings;
  readonly solver: FrameSolverName;
  readonly reads: number;
  readonly sweeps: number;
  readonly timeLimitMs: number;
}

export interface FrameDeps extends SolvingDeps {
  readonly settings: FrameSettings;
  readonly buckets: BucketTracker;
  readonly slots: SolverSlots;
  readonly metrics: QuantumMetrics;
  readonly logger: Logger;
  /** Resolves once the record is durable in Kafka (acks=all). */
  readonly publish: (result: QuantumResult) => Promise<void>;
}

/** The hash of a partition problem: its couplings, and the loads and edges its quality is measured on. */
export function partitionHash(p: PartitionProblem): string {
  const { n, J, offset } = p.ising;
  const lo: number[] = [];
  const hi: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = J.rowPtr[i]!; k < J.rowPtr[i + 1]!; k++) {
      if (J.colIdx[k]! > i) {
        lo.push(i);
        hi.push(J.colIdx[k]!);
        value.push(J.values[k]!);
      }
    }
  }
  return problemHash({
    kind: 'partition',
    n,
    linear: p.ising.h,
    lo,
    hi,
    value,
    offset,
    extra: [[p.blocksY, p.blocksX], p.load, p.edgeFrom, p.edgeTo, p.edgeWeight],
  });
}

async function solvePartition(deps: FrameDeps, p: PartitionProblem, hash: string): Promise<Outcome> {
  const s = deps.settings;
  const slot = await deps.slots.acquire();
  try {
    const result = await runSolver(deps, slot.pool, {
      path: 'frame',
      problem: p.ising,
      solver: s.solver,
      seed: seedFromHash(hash),
      reads: s.reads,
      sweeps: s.sweeps,
      timeLimitMs: s.timeLimitMs,
    });
    const quality = evaluatePartition(p, result.spins);
    return {
      energy: result.energy,
      solution: quality.labels,
      cut: quality.cut,
      imbalance: quality.imbalance,
      reads: result.reads,
      sweeps: result.sweeps,
      timeToBestMs: result.timeToBestMs,
      totalMs: result.totalMs,
      solver: result.solver,
      backend: result.backend,
      stoppedBy: stopReason(result.stoppedBy),
      cached: false,
      problemHash: hash,
    };
  } catch (error) {
    // A worker thread that died is replaced on the next run: retry the frame, don't dead-letter it.
    if (error instanceof SolverWorkerError)
      throw new UnavailableError('solver', error.message, { cause: error });
    throw error;
  } finally {
    slot.release();
  }
}

/** Handles one frame: a result for its bucket if it is the first frame of a new bucket. */
export async function handleFrame(deps: FrameDeps, frame: Frame): Promise<'published' | 'skipped'> {
  const { metrics, settings } = deps;
  metrics.framesConsidered.inc();
  const bucketStep = Math.floor(frame.step / settings.everyK) * settings.everyK;
  if (bucketStep <= (await deps.buckets.lastEmitted(frame.simulationId))) {
    metrics.framesSkipped.inc({ reason: 'bucket_done' });
    return 'skipped';
  }
  let problem: PartitionProblem;
  try {
    const grid = await activityGrid(
      pickField(frame.fields, settings.partition.field),
      settings.partition.blocksPerSide,
    );
    problem = buildPartitionProblem(grid, settings.partition);
  } catch (error) {
    if (!(error instanceof FrameSkippedError)) throw error;
    metrics.framesSkipped.inc({ reason: error.code });
    deps.logger.debug(
      { simulationId: frame.simulationId, step: frame.step, reason: error.code },
      error.message,
    );
    return 'skipped';
  }
  const hash = partitionHash(problem);
  // Scoped by tenant: identical data of two tenants is solved twice rather than telling one
  // tenant (through `cached`) what another has computed.
  const key = solutionKey(hash, {
    tenant: frame.tenant,
    solver: settings.solver,
    reads: settings.reads,
    sweeps: settings.sweeps,
    timeLimitMs: settings.timeLimitMs,
  });
  let outcome = await lookup(deps, key, 'frame', problem.ising.n);
  if (outcome === undefined) {
    outcome = await solvePartition(deps, problem, hash);
    await remember(deps, key, outcome);
  }
  await deps.publish(resultRecord(frame, bucketStep, problem.ising.n, outcome));
  await deps.buckets.markEmitted(frame.simulationId, bucketStep);
  metrics.frameResultSeconds.observe(Math.max(0, Date.now() - frame.ingestedAt) / 1000);
  return 'published';
}

export function resultRecord(frame: Frame, bucketStep: number, variables: number, o: Outcome): QuantumResult {
  return {
    source: 'frame',
    simulationId: frame.simulationId,
    step: frame.step,
    bucketStep,
    jobId: null,
    problemKind: 'partition',
    problemHash: o.problemHash,
    variables,
    solver: o.solver,
    backend: o.backend,
    energy: o.energy,
    cut: o.cut,
    imbalance: o.imbalance,
    solution: Buffer.from(o.solution.buffer, o.solution.byteOffset, o.solution.byteLength),
    reads: o.reads,
    sweeps: o.sweeps,
    timeToBestMs: o.timeToBestMs,
    totalMs: o.totalMs,
    stoppedBy: o.stoppedBy,
    cached: o.cached,
    producedAt: Date.now(),
  };
}
