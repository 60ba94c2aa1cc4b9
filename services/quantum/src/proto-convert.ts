/** Outcomes and job rows as the messages of quantum.proto. */
import type { pb } from '@simstream/contracts';
import type { JobRow, JobState } from './job-store.js';
import type { Outcome } from './outcome.js';
import { outcomeFromJson } from './outcome-json.js';

export function solveResultMessage(o: Outcome): pb.SolveResult {
  return {
    energy: o.energy,
    solution: Buffer.from(o.solution.buffer, o.solution.byteOffset, o.solution.byteLength),
    ...(o.cut === null ? {} : { cut: o.cut }),
    reads: o.reads,
    sweeps: o.sweeps,
    timeToBestMs: o.timeToBestMs,
    totalMs: o.totalMs,
    solver: o.solver,
    backend: o.backend,
    stoppedBy: o.stoppedBy,
    problemHash: o.problemHash,
    cached: o.cached,
  };
}

const STATUS: Readonly<Record<JobState, pb.JobStatus>> = {
  queued: 'JOB_STATUS_QUEUED',
  running: 'JOB_STATUS_RUNNING',
  succeeded: 'JOB_STATUS_SUCCEEDED',
  failed: 'JOB_STATUS_FAILED',
  cancelled: 'JOB_STATUS_CANCELLED',
};

export function jobMessage(row: JobRow): pb.Job {
  return {
    jobId: row.job_id,
    tenant: row.tenant,
    status: STATUS[row.status],
    submittedAtMs: row.submitted_at.getTime(),
    startedAtMs: row.started_at?.getTime() ?? 0,
    finishedAtMs: row.finished_at?.getTime() ?? 0,
    ...(row.result === null ? {} : { result: solveResultMessage(outcomeFromJson(row.result)) }),
    error: row.error ?? '',
    variables: row.variables,
  };
}
