/**
 * Runs jobs from simstream.quantum.jobs.v1. The consumer's handler only claims a job (one
 * conditional UPDATE: queued → running with a lease) and starts it in the background, so a
 * ten-minute solve never holds up the consumer group (heartbeats, rebalances). The job's offset
 * stays below the commit floor until the job has ended, so if this pod dies its partition's
 * next owner reads the record again and, once the lease has run out, runs the job again.
 *
 * While a job runs, its lease is renewed every poll interval (~500 ms) by an UPDATE that also
 * returns `cancel_requested`: a CancelJob on any pod reaches the solver within one interval,
 * with no other channel needed. Polling was chosen over Redis pub/sub because it works with
 * Redis down (Redis is only a cache here) and doubles as the lease renewal.
 *
 * Which job runs next, and when, is the intake's (job-intake.ts: fair between tenants).
 */
import type { QuantumJob, QuantumResult } from '@simstream/contracts';
import { isRetriable, messageOf } from '@simstream/errors';
import { TopicName, type ConsumedRecord } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import { fromJobRecord, jobResult } from './job-record.js';
import type { JobStore } from './job-store.js';
import type { QuantumMetrics } from './metrics.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { outcomeToJson } from './outcome-json.js';
import { solutionKey } from './problem-hash.js';
import type { Limits, ValidParams, ValidProblem } from './request-problem.js';
import { JobIntake } from './job-intake.js';
import type { SolverSlot, SolverSlots } from './solver-slots.js';
import { lookup, remember, runSolver, type SolvingDeps } from './solving.js';

export { JobHeldError, JobSlotsFullError } from './job-intake.js';

/** What the runner needs of the jobs table (a fake in unit tests). */
export type JobRunnerStore = Pick<
  JobStore,
  'claim' | 'peek' | 'cancelAbandoned' | 'renew' | 'finish' | 'release'
>;

export interface JobRunnerDeps extends SolvingDeps {
  readonly store: JobRunnerStore;
  readonly slots: SolverSlots;
  readonly instanceId: string;
  readonly limits: Limits;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  /** Running jobs per tenant on this instance (default: slots - 1, at least 1; fair-queue.ts). */
  readonly perTenant?: number;
  /** Jobs read and waiting for a slot on this instance; past it the partition pauses. */
  readonly maxPending?: number;
  readonly metrics: QuantumMetrics;
  readonly logger: Logger;
  /** Resolves once the record is durable in Kafka. */
  readonly publish: (result: QuantumResult) => Promise<void>;
}

type StopWhy = 'cancel' | 'release' | 'lost';

interface Running {
  readonly jobId: string;
  readonly partition: number;
  readonly offset: number;
  readonly controller: AbortController;
  why: StopWhy | undefined;
  polling: boolean;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class JobRunner {
  private readonly running = new Map<string, Running>();
  /** Jobs whose end could not be recorded: their offsets stay uncommitted until a restart. */
  private readonly unsettled: { partition: number; offset: number }[] = [];
  private stopping = false;

  private readonly intake: JobIntake;

  constructor(private readonly deps: JobRunnerDeps) {
    this.intake = new JobIntake({
      ...deps,
      isRunning: (jobId) => this.running.has(jobId),
      start: (record, job, slot) => this.start(record, job, slot),
    });
  }

  get size(): number {
    return this.running.size;
  }

  /** The consumer's handler: the intake queues the batch's jobs and starts what it may. */
  handle(records: readonly ConsumedRecord[]): Promise<void> {
    return this.intake.offer(records);
  }

  private start(record: ConsumedRecord, job: QuantumJob, slot: SolverSlot): void {
    const entry: Running = {
      jobId: job.jobId,
      partition: record.partition,
      offset: record.firstOffset,
      controller: new AbortController(),
      why: undefined,
      polling: false,
      done: Promise.resolve(),
    };
    this.running.set(job.jobId, entry);
    this.deps.metrics.jobs.inc({ event: 'started' });
    this.deps.metrics.jobsRunning.set(this.running.size);
    entry.done = this.run(entry, job, slot)
      .catch((error: unknown) => this.deps.logger.error({ err: error, jobId: job.jobId }, 'job run failed'))
      .finally(() => {
        slot.release();
        this.running.delete(job.jobId);
        this.deps.metrics.jobsRunning.set(this.running.size);
        this.intake.ended(job.tenant);
      });
  }

  private async run(entry: Running, job: QuantumJob, slot: SolverSlot): Promise<void> {
    let problem: ValidProblem;
    let params: ValidParams;
    try {
      ({ problem, params } = fromJobRecord(job, this.deps.limits));
    } catch (error) {
      await this.settle(entry, () => this.finish(entry, 'failed', undefined, messageOf(error)));
      return;
    }
    const key = solutionKey(problem.hash, {
      tenant: job.tenant,
      solver: params.solver,
      seed: params.seed,
      timeLimitMs: params.timeLimitMs,
      reads: params.reads ?? null,
      targetEnergy: params.targetEnergy ?? null,
    });
    const poller = setInterval(() => void this.poll(entry), this.deps.pollIntervalMs);
    let outcome: Outcome;
    try {
      outcome =
        (await lookup(this.deps, key, 'job', problem.n)) ??
        outcomeOf(
          await runSolver(this.deps, slot.pool, {
            path: 'job',
            problem: problem.problem,
            solver: params.solver,
            seed: params.seed,
            timeLimitMs: params.timeLimitMs,
            reads: params.reads,
            targetEnergy: params.targetEnergy,
            signal: entry.controller.signal,
          }),
          problem.kind,
          problem.hash,
        );
    } catch (error) {
      clearInterval(poller);
      this.deps.logger.warn({ err: error, jobId: entry.jobId }, 'job failed');
      await this.settle(entry, () => this.finish(entry, 'failed', undefined, messageOf(error)));
      return;
    }
    clearInterval(poller);
    switch (entry.why) {
      case 'cancel':
        await this.settle(entry, () => this.finish(entry, 'cancelled', outcome, null));
        return;
      case 'release':
        await this.settle(entry, async () => {
          await this.deps.store.release(entry.jobId, this.deps.instanceId);
          this.deps.metrics.jobs.inc({ event: 'released' });
        });
        return;
      case 'lost':
        this.deps.logger.warn({ jobId: entry.jobId }, 'job lease lost to another instance; result dropped');
        return;
      default:
        await remember(this.deps, key, outcome);
        await this.settle(entry, async () => {
          await this.deps.publish(jobResult(job, problem, outcome));
          await this.finish(entry, 'succeeded', outcome, null);
        });
    }
  }

  private async finish(
    entry: Running,
    status: 'succeeded' | 'failed' | 'cancelled',
    outcome: Outcome | undefined,
    error: string | null,
  ): Promise<void> {
    const ours = await this.deps.store.finish(
      entry.jobId,
      this.deps.instanceId,
      status,
      outcome === undefined ? null : outcomeToJson(outcome),
      error,
    );
    if (ours) this.deps.metrics.jobs.inc({ event: status });
    else this.deps.logger.warn({ jobId: entry.jobId, status }, 'job no longer held by this instance');
  }

  /** Retries recording a job's end while the stores are down; gives up (keeping its offset) only when stopping. */
  private async settle(entry: Running, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn();
        return;
      } catch (error) {
        if (!isRetriable(error) || (this.stopping && attempt >= 2)) {
          this.deps.logger.error({ err: error, jobId: entry.jobId }, 'could not record the end of a job');
          this.unsettled.push({ partition: entry.partition, offset: entry.offset });
          return;
        }
        await sleep(Math.min(5000, 200 * 2 ** attempt));
      }
    }
  }

  private async poll(entry: Running): Promise<void> {
    if (entry.polling || entry.why !== undefined) return;
    entry.polling = true;
    try {
      const lease = await this.deps.store.renew(entry.jobId, this.deps.instanceId, this.deps.leaseMs);
      if (lease === undefined) this.stopRun(entry, 'lost');
      else if (lease.cancelRequested) this.stopRun(entry, 'cancel');
    } catch (error) {
      this.deps.logger.warn({ err: error, jobId: entry.jobId }, 'could not renew a job lease');
    } finally {
      entry.polling = false;
    }
  }

  private stopRun(entry: Running, why: StopWhy): void {
    if (entry.why !== undefined) return;
    entry.why = why;
    entry.controller.abort();
  }

  /** Commits never pass the first running (or unsettled) job of a partition. */
  commitFloor(topic: string, partition: number): number | undefined {
    if (topic !== TopicName.quantumJobs) return undefined;
    let floor: number | undefined;
    for (const e of [...this.running.values(), ...this.unsettled, ...this.intake.waiting()]) {
      if (e.partition === partition && (floor === undefined || e.offset < floor)) floor = e.offset;
    }
    return floor;
  }

  /** After a rebalance: jobs of partitions now elsewhere go back to the queue for their new owner. */
  onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    const mine = new Set(assignment[TopicName.quantumJobs] ?? []);
    for (const entry of this.running.values()) if (!mine.has(entry.partition)) this.stopRun(entry, 'release');
    this.intake.keepPartitions(mine);
  }

  /** Graceful stop: jobs get `graceMs` to finish, then go back to the queue. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.intake.stop();
    const all = () => Promise.all([...this.running.values()].map((e) => e.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const entry of this.running.values()) this.stopRun(entry, 'release');
    await all();
  }
}
