/**
 * Jobs on Kafka: a validated problem and its parameters as a QuantumJob record on
 * simstream.quantum.jobs.v1 (arrays as little-endian bytes), and back (validated again, as
 * anything crossing Kafka is); a finished job as a QuantumResult record.
 */
import type { QuantumJob, QuantumResult } from '@simstream/contracts';
import type { Outcome } from './outcome.js';
import {
  validateParams,
  validateProblem,
  type Limits,
  type ValidParams,
  type ValidProblem,
} from './request-problem.js';

function f64Bytes(values: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let k = 0; k < values.length; k++) out.writeDoubleLE(values[k]!, k * 8);
  return out;
}

function u32Bytes(values: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(values.length * 4);
  for (let k = 0; k < values.length; k++) out.writeUInt32LE(values[k]!, k * 4);
  return out;
}

function f64Array(bytes: Buffer): number[] {
  const out = new Array<number>(Math.floor(bytes.length / 8));
  for (let k = 0; k < out.length; k++) out[k] = bytes.readDoubleLE(k * 8);
  return out;
}

function u32Array(bytes: Buffer): number[] {
  const out = new Array<number>(Math.floor(bytes.length / 4));
  for (let k = 0; k < out.length; k++) out[k] = bytes.readUInt32LE(k * 4);
  return out;
}

/** Bytes a job's arrays take in its record (the topic takes at most 8 MiB per record). */
export function jobRecordBytes(p: ValidProblem): number {
  return p.linear.length * 8 + p.value.length * 16;
}

export function toJobRecord(
  jobId: string,
  tenant: string,
  p: ValidProblem,
  params: ValidParams,
  submittedAt: number,
): QuantumJob {
  return {
    jobId,
    tenant,
    problemKind: p.kind,
    variables: p.n,
    linear: f64Bytes(p.linear),
    rows: u32Bytes(p.i),
    cols: u32Bytes(p.j),
    values: f64Bytes(p.value),
    offset: p.offset,
    solver: params.solver,
    seed: params.seed,
    timeLimitMs: params.timeLimitMs,
    reads: params.reads ?? 0,
    targetEnergy: params.targetEnergy ?? null,
    submittedAt,
  };
}

/** The problem and parameters of a job record; throws ValidationError when they are not valid here. */
export function fromJobRecord(
  job: QuantumJob,
  limits: Limits,
): { problem: ValidProblem; params: ValidParams } {
  const problem = validateProblem(
    {
      kind: job.problemKind,
      variables: job.variables,
      linear: f64Array(job.linear),
      i: u32Array(job.rows),
      j: u32Array(job.cols),
      value: f64Array(job.values),
      offset: job.offset,
    },
    limits,
  );
  const params = validateParams(
    {
      solver: job.solver,
      seed: job.seed,
      timeLimitMs: job.timeLimitMs,
      reads: job.reads,
      targetEnergy: job.targetEnergy ?? undefined,
    },
    limits,
  );
  return { problem, params };
}

/** The result record of a finished job (key: the job id). */
export function jobResult(job: QuantumJob, problem: ValidProblem, o: Outcome): QuantumResult {
  return {
    source: 'job',
    simulationId: null,
    step: null,
    bucketStep: null,
    jobId: job.jobId,
    problemKind: problem.kind,
    problemHash: o.problemHash,
    variables: problem.n,
    solver: o.solver,
    backend: o.backend,
    energy: o.energy,
    cut: o.cut,
    imbalance: null,
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
