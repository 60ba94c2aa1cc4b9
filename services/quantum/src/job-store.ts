/**
 * The jobs table (001_core.sql, lease in 030_quantum_state.sql): every state change is one
 * conditional UPDATE, so two pods never both run a job, a cancelled queued job is never
 * started, and only the pod holding a job's lease can finish or release it.
 */
import { databaseError, type Pool } from '@simstream/storage';
import type { OutcomeJson } from './outcome-json.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRow {
  readonly job_id: string;
  readonly tenant: string;
  readonly idempotency_key: string | null;
  readonly status: JobState;
  readonly problem_kind: string;
  readonly variables: number;
  readonly solver: string;
  readonly params: JobParams;
  readonly submitted_at: Date;
  readonly started_at: Date | null;
  readonly finished_at: Date | null;
  readonly cancel_requested: boolean;
  readonly worker: string | null;
  readonly result: OutcomeJson | null;
  readonly error: string | null;
  readonly lease_until: Date | null;
}

export interface JobParams {
  readonly problemHash: string;
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly reads: number | null;
  readonly targetEnergy: number | null;
  readonly couplings: number;
}

export interface NewJob {
  readonly jobId: string;
  readonly tenant: string;
  readonly idempotencyKey: string | undefined;
  readonly problemKind: string;
  readonly variables: number;
  readonly solver: string;
  readonly params: JobParams;
}

const COLUMNS = `job_id, tenant, idempotency_key, status, problem_kind, variables, solver, params, submitted_at,
  started_at, finished_at, cancel_requested, worker, result, error, lease_until`;

/** A queued job, unless the tenant already used its idempotency key (then nothing). */
const INSERT_JOB = `INSERT INTO jobs (job_id, tenant, idempotency_key, status, problem_kind, variables, solver, params)
  VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7)
  ON CONFLICT (tenant, idempotency_key) DO NOTHING
  RETURNING ${COLUMNS}`;

function insertValues(job: NewJob): unknown[] {
  return [
    job.jobId,
    job.tenant,
    job.idempotencyKey ?? null,
    job.problemKind,
    job.variables,
    job.solver,
    job.params,
  ];
}

export class JobStore {
  constructor(private readonly pool: Pool) {}

  private async query<R extends object>(what: string, sql: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw databaseError(error, what);
    }
  }

  /** Inserts a queued job; with an idempotency key already used by the tenant, returns that job instead. */
  async insert(job: NewJob): Promise<{ row: JobRow; created: boolean }> {
    const inserted = await this.query<JobRow>('creating a job', INSERT_JOB, insertValues(job));
    if (inserted[0] !== undefined) return { row: inserted[0], created: true };
    const existing = await this.query<JobRow>(
      'reading a job',
      `SELECT ${COLUMNS} FROM jobs WHERE tenant = $1 AND idempotency_key = $2`,
      [job.tenant, job.idempotencyKey],
    );
    if (existing[0] === undefined) return this.insert(job); // deleted meanwhile (enqueue failed): try again
    return { row: existing[0], created: false };
  }

  /**
   * Inserts a queued job unless `tenant` already has `maxActive` jobs queued or running; the
   * count and the insert hold a per-tenant transaction lock, so concurrent submits on any
   * number of instances never pass the cap together. Undefined when the tenant is full.
   */
  async insertWithin(job: NewJob, maxActive: number): Promise<{ row: JobRow; created: boolean } | undefined> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw databaseError(error, 'creating a job');
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`jobs:${job.tenant}`]);
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM jobs WHERE tenant = $1 AND status IN ('queued', 'running')`,
        [job.tenant],
      );
      if (Number(rows[0]?.n ?? 0) >= maxActive) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const inserted = await client.query<JobRow>(INSERT_JOB, insertValues(job));
      await client.query('COMMIT');
      // A concurrent submit with the same idempotency key won: answer with its job.
      return inserted.rows[0] !== undefined ? { row: inserted.rows[0], created: true } : this.insert(job);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw databaseError(error, 'creating a job');
    } finally {
      client.release();
    }
  }

  async hasKey(tenant: string, idempotencyKey: string): Promise<boolean> {
    const rows = await this.query<{ one: number }>(
      'reading a job',
      'SELECT 1 AS one FROM jobs WHERE tenant = $1 AND idempotency_key = $2',
      [tenant, idempotencyKey],
    );
    return rows.length > 0;
  }

  /** Removes a job that could not be enqueued (so that a retry with its key starts afresh). */
  async discard(jobId: string): Promise<void> {
    await this.query('discarding a job', `DELETE FROM jobs WHERE job_id = $1 AND status = 'queued'`, [jobId]);
  }

  async get(tenant: string, jobId: string): Promise<JobRow | undefined> {
    const rows = await this.query<JobRow>(
      'reading a job',
      `SELECT ${COLUMNS} FROM jobs WHERE job_id = $1 AND tenant = $2`,
      [jobId, tenant],
    );
    return rows[0];
  }

  /** Requests cancellation: a queued job is cancelled at once, a running one by its pod. */
  async cancel(tenant: string, jobId: string): Promise<JobRow | undefined> {
    const rows = await this.query<JobRow>(
      'cancelling a job',
      `UPDATE jobs SET cancel_requested = true,
         status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
         finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END
       WHERE job_id = $1 AND tenant = $2 AND status IN ('queued', 'running')
       RETURNING ${COLUMNS}`,
      [jobId, tenant],
    );
    return rows[0] ?? (await this.get(tenant, jobId));
  }

  /** Takes a queued job, or a running one whose lease ran out; undefined when not ours to take. */
  async claim(jobId: string, worker: string, leaseMs: number): Promise<JobRow | undefined> {
    const rows = await this.query<JobRow>(
      'claiming a job',
      `UPDATE jobs SET status = 'running', worker = $2, started_at = now(), error = NULL,
         lease_until = now() + $3 * interval '1 millisecond'
       WHERE job_id = $1 AND NOT cancel_requested
         AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())))
       RETURNING ${COLUMNS}`,
      [jobId, worker, leaseMs],
    );
    return rows[0];
  }

  /** Why a claim failed: the row's state (undefined: no such job). */
  async peek(
    jobId: string,
  ): Promise<{ status: JobState; leaseValid: boolean; cancelRequested: boolean } | undefined> {
    const rows = await this.query<{ status: JobState; lease_valid: boolean; cancel_requested: boolean }>(
      'reading a job',
      `SELECT status, coalesce(lease_until >= now(), false) AS lease_valid, cancel_requested FROM jobs WHERE job_id = $1`,
      [jobId],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : { status: row.status, leaseValid: row.lease_valid, cancelRequested: row.cancel_requested };
  }

  /** A job nobody runs whose cancel was requested (e.g. its pod died): cancelled, never run again. */
  async cancelAbandoned(jobId: string): Promise<void> {
    await this.query(
      'cancelling an abandoned job',
      `UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_until = NULL
       WHERE job_id = $1 AND cancel_requested
         AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())))`,
      [jobId],
    );
  }

  /** Extends our lease; tells whether a cancel was requested, or undefined when the job is no longer ours. */
  async renew(
    jobId: string,
    worker: string,
    leaseMs: number,
  ): Promise<{ cancelRequested: boolean } | undefined> {
    const rows = await this.query<{ cancel_requested: boolean }>(
      'renewing a job lease',
      `UPDATE jobs SET lease_until = now() + $3 * interval '1 millisecond'
       WHERE job_id = $1 AND worker = $2 AND status = 'running'
       RETURNING cancel_requested`,
      [jobId, worker, leaseMs],
    );
    return rows[0] === undefined ? undefined : { cancelRequested: rows[0].cancel_requested };
  }

  /** Records the end of a job we hold; false when it is no longer ours. */
  async finish(
    jobId: string,
    worker: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    result: OutcomeJson | null,
    error: string | null,
  ): Promise<boolean> {
    const rows = await this.query(
      'finishing a job',
      // The materializer may have marked it succeeded from the published result already: the
      // same end, so still ours to record.
      `UPDATE jobs SET status = $3, result = $4, error = $5, finished_at = COALESCE(finished_at, now()),
         lease_until = NULL
       WHERE job_id = $1 AND worker = $2 AND (status = 'running' OR status = $3)
       RETURNING job_id`,
      [jobId, worker, status, result, error],
    );
    return rows.length > 0;
  }

  /** Puts a job we hold back in the queue (shutdown, partition moved): its partition's owner runs it again. */
  async release(jobId: string, worker: string): Promise<void> {
    await this.query(
      'releasing a job',
      `UPDATE jobs SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
         finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END,
         worker = NULL, started_at = NULL, lease_until = NULL
       WHERE job_id = $1 AND worker = $2 AND status = 'running'`,
      [jobId, worker],
    );
  }

  async countQueued(): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'counting queued jobs',
      `SELECT count(*) AS n FROM jobs WHERE status = 'queued'`,
      [],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
