/**
 * SubmitJob, GetJob and CancelJob: a job is a row in Postgres (its state, visible only to its
 * tenant) and a record on simstream.quantum.jobs.v1 (its problem), written in that order; a
 * row whose record could not be written is removed again, so nothing is queued that no pod
 * will ever read.
 */
import { randomUUID } from 'node:crypto';
import type { QuantumJob, pb } from '@simstream/contracts';
import {
  FailedPreconditionError,
  LimitExceededError,
  NotFoundError,
  ValidationError,
} from '@simstream/errors';
import { jobRecordBytes, toJobRecord } from './job-record.js';
import type { JobRow, JobStore } from './job-store.js';
import type { QuantumMetrics } from './metrics.js';
import { jobMessage } from './proto-convert.js';
import { validateRequest, type Limits } from './request-problem.js';

/** No job with that id for the caller's tenant (gRPC NOT_FOUND). */
export class JobNotFoundError extends NotFoundError {
  constructor(jobId: string) {
    super('JOB_NOT_FOUND', `no job ${jobId}`);
  }
}

export interface JobsApiDeps {
  readonly store: JobStore;
  readonly limits: Limits;
  readonly metrics: QuantumMetrics;
  /** Resolves once the record is durable in Kafka. */
  readonly enqueue: (job: QuantumJob) => Promise<void>;
  /** How long CancelJob waits for a running job to stop before answering. */
  readonly cancelWaitMs: number;
  readonly pollMs: number;
  /** Jobs one tenant may have queued or running (a soft cap: two submits at once may both pass). */
  readonly maxJobsPerTenant: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_KEY_LENGTH = 256;
/** Below the jobs topic's 8 MiB record limit, with room for the record's other fields. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024 - 128 * 1024;

function checkJobId(jobId: string): void {
  if (!UUID.test(jobId)) {
    throw new ValidationError([{ field: 'job_id', reason: 'JOB_ID_INVALID', description: 'must be a UUID' }]);
  }
}

export async function submitJob(
  deps: JobsApiDeps,
  tenant: string,
  request: pb.SubmitJobRequest__Output,
): Promise<pb.Job> {
  const key = request.idempotencyKey === '' ? undefined : request.idempotencyKey;
  if (key !== undefined && key.length > MAX_KEY_LENGTH) {
    throw new ValidationError([
      {
        field: 'idempotency_key',
        reason: 'IDEMPOTENCY_KEY_INVALID',
        description: `at most ${MAX_KEY_LENGTH} characters, got ${key.length}`,
      },
    ]);
  }
  const { problem, params } = validateRequest(request.problem, request.params, deps.limits);
  if (jobRecordBytes(problem) > MAX_RECORD_BYTES) {
    throw new ValidationError([
      {
        field: 'problem',
        reason: 'TOO_MANY',
        description: `the problem takes ${jobRecordBytes(problem)} bytes as a job; at most ${MAX_RECORD_BYTES}`,
      },
    ]);
  }
  const repeat = key !== undefined && (await deps.store.hasKey(tenant, key));
  const jobId = randomUUID();
  const job = {
    jobId,
    tenant,
    idempotencyKey: key,
    problemKind: problem.kind,
    variables: problem.n,
    solver: params.solver,
    params: {
      problemHash: problem.hash,
      seed: params.seed,
      timeLimitMs: params.timeLimitMs,
      reads: params.reads ?? null,
      targetEnergy: params.targetEnergy ?? null,
      couplings: problem.value.length,
    },
  };
  // A repeat with an idempotency key is answered whatever the count (it adds nothing); a new job
  // is counted against the tenant's cap in the same transaction that inserts it.
  const inserted = repeat
    ? await deps.store.insert(job)
    : await deps.store.insertWithin(job, deps.maxJobsPerTenant);
  if (inserted === undefined)
    throw new LimitExceededError(
      'QUANTUM_MAX_JOBS_PER_TENANT',
      `this tenant already has ${deps.maxJobsPerTenant} jobs queued or running, its most; wait for one to end`,
      { code: 'TENANT_JOBS_LIMIT', retriable: true },
    );
  const { row, created } = inserted;
  if (!created && row.params.problemHash !== problem.hash) {
    throw new FailedPreconditionError(
      'IDEMPOTENCY_KEY_REUSED',
      `idempotency key '${key}' was used for job ${row.job_id} with a different problem`,
    );
  }
  // A repeat of a queued job is enqueued again: if the first record never made it, this one
  // does; if it did, the second claim finds the job taken and skips it.
  if (created || row.status === 'queued') {
    try {
      await deps.enqueue(toJobRecord(row.job_id, tenant, problem, params, row.submitted_at.getTime()));
    } catch (error) {
      if (created) await deps.store.discard(row.job_id).catch(() => undefined);
      throw error;
    }
  }
  if (created) deps.metrics.jobs.inc({ event: 'submitted' });
  return jobMessage(row);
}

export async function getJob(deps: JobsApiDeps, tenant: string, jobId: string): Promise<pb.Job> {
  checkJobId(jobId);
  const row = await deps.store.get(tenant, jobId);
  if (row === undefined) throw new JobNotFoundError(jobId);
  return jobMessage(row);
}

/**
 * Cancels a job: a queued one at once; for a running one, waits up to `cancelWaitMs` for its
 * pod to stop it, and answers with the state then (RUNNING if it has not stopped yet).
 */
export async function cancelJob(deps: JobsApiDeps, tenant: string, jobId: string): Promise<pb.Job> {
  checkJobId(jobId);
  let row: JobRow | undefined = await deps.store.cancel(tenant, jobId);
  if (row === undefined) throw new JobNotFoundError(jobId);
  const deadline = Date.now() + deps.cancelWaitMs;
  while (row.status === 'running' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs));
    row = (await deps.store.get(tenant, jobId)) ?? row;
  }
  return jobMessage(row);
}
