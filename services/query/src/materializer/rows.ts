/**
 * What the materializer writes, made from the records it consumes: a frame-index row with
 * per-field statistics, a result row (neuromorphic, or quantum keyed by its bucket), or a job
 * update. Pure apart from decompressing field data; invalid records raise RecordInvalidError
 * (not retriable: the consumer sends them to the dead-letter topic).
 */
import { fieldArray, type Frame, type NeuromorphicResult, type QuantumResult } from '@simstream/contracts';
import { SimstreamError } from '@simstream/errors';
import { fieldStats } from './field-stats.js';

export type StoredResultKind = 'neuromorphic' | 'quantum';

/** JSON of one field in frames.fields (statistics null when the field had no finite value). */
export interface FieldSummaryJson {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly codec: string;
  readonly bytes: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly l2: number | null;
  readonly nonFinite: number;
}

export interface FrameRow {
  readonly simulationId: string;
  readonly tenant: string;
  readonly step: number;
  readonly simTime: number;
  readonly frameId: string;
  readonly ingestedAtMs: number;
  readonly bytes: number;
  readonly partition: number;
  readonly offset: number;
  readonly fields: FieldSummaryJson[];
  readonly attributes: Record<string, string>;
}

export interface ResultRow {
  readonly simulationId: string;
  readonly kind: StoredResultKind;
  /** Identity step: the frame's step, or a quantum result's bucket step. */
  readonly step: number;
  readonly simTime: number;
  readonly score: number;
  readonly payload: Record<string, unknown>;
  readonly producedAtMs: number;
}

export interface JobUpdate {
  readonly jobId: string;
  readonly status: 'succeeded' | 'cancelled';
  readonly result: Record<string, unknown>;
  readonly finishedAtMs: number;
}

export class RecordInvalidError extends SimstreamError {
  constructor(message: string) {
    super('RECORD_INVALID', message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export async function frameRow(
  frame: Frame,
  where: { partition: number; offset: number; bytes: number },
): Promise<FrameRow> {
  if (!UUID.test(frame.frameId)) throw new RecordInvalidError(`frame id '${frame.frameId}' is not a UUID`);
  const fields: FieldSummaryJson[] = [];
  for (const field of frame.fields) {
    const stats = fieldStats(await fieldArray(field), field.dtype);
    fields.push({
      name: field.name,
      dtype: field.dtype,
      shape: field.shape,
      codec: field.codec,
      bytes: field.data.length,
      min: finiteOrNull(stats.min),
      max: finiteOrNull(stats.max),
      mean: finiteOrNull(stats.mean),
      std: finiteOrNull(stats.std),
      l2: finiteOrNull(stats.l2),
      nonFinite: stats.nonFinite,
    });
  }
  return {
    simulationId: frame.simulationId,
    tenant: frame.tenant,
    step: frame.step,
    simTime: frame.simTime,
    frameId: frame.frameId,
    ingestedAtMs: frame.ingestedAt,
    bytes: where.bytes,
    partition: where.partition,
    offset: where.offset,
    fields,
    attributes: frame.attributes,
  };
}

export function neuromorphicRow(r: NeuromorphicResult): ResultRow {
  return {
    simulationId: r.simulationId,
    kind: 'neuromorphic',
    step: r.step,
    simTime: r.simTime,
    score: r.anomalyScore,
    producedAtMs: r.producedAt,
    payload: {
      anomalyScore: r.anomalyScore,
      rawScore: r.rawScore,
      featureNames: r.featureNames,
      features: r.features,
      prediction: r.prediction,
      spikeRate: r.spikeRate,
      patternId: r.patternId,
      novelty: r.novelty,
      processingMs: r.processingMs,
      backend: r.backend,
      model: r.model,
    },
  };
}

/** The solver's outcome, as stored in results.payload and jobs.result (solution in base64). */
function quantumOutcome(r: QuantumResult): Record<string, unknown> {
  return {
    problemKind: r.problemKind,
    problemHash: r.problemHash,
    variables: r.variables,
    solver: r.solver,
    backend: r.backend,
    energy: r.energy,
    cut: r.cut,
    imbalance: r.imbalance,
    solution: r.solution.toString('base64'),
    reads: r.reads,
    sweeps: r.sweeps,
    timeToBestMs: r.timeToBestMs,
    totalMs: r.totalMs,
    stoppedBy: r.stoppedBy,
    cached: r.cached,
  };
}

/** A frame-derived quantum result: one per simulation and bucket (`bucketStep ?? step`). */
export function quantumRow(r: QuantumResult): ResultRow {
  const step = r.bucketStep ?? r.step;
  if (r.simulationId === null || step === null)
    throw new RecordInvalidError('a frame-derived quantum result needs simulationId and step');
  return {
    simulationId: r.simulationId,
    kind: 'quantum',
    step,
    // Quantum results carry no simulation time; the frames table has it for the step.
    simTime: NaN,
    score: r.energy,
    producedAtMs: r.producedAt,
    payload: { ...quantumOutcome(r), triggerStep: r.step ?? step },
  };
}

export function jobUpdate(r: QuantumResult): JobUpdate {
  if (r.jobId === null || !UUID.test(r.jobId))
    throw new RecordInvalidError(`a job result needs a UUID job id, got '${r.jobId ?? ''}'`);
  return {
    jobId: r.jobId.toLowerCase(),
    status: r.stoppedBy === 'cancelled' ? 'cancelled' : 'succeeded',
    result: { ...quantumOutcome(r), producedAt: r.producedAt },
    finishedAtMs: r.producedAt,
  };
}
