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
 * Jobs read from Kafka wait in a FairQueue (fair-queue.ts: round-robin over tenants, a cap of
 * running jobs per tenant) rather than in partition order, so one tenant's flood of long jobs
 * never keeps another tenant's short job waiting; their offsets stay below the commit floor
 * while they wait. Past `maxPending` waiting jobs the partition pauses and is read again.
 */
import { RecordName, type QuantumJob, type QuantumResult } from '@simstream/contracts';
import { SimstreamError, isRetriable, messageOf } from '@simstream/errors';
import { TopicName, type ConsumedRecord } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import { fromJobRecord, jobResult } from './job-record.js';
import type { JobStore } from './job-store.js';
import type { QuantumMetrics } from './metrics.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { outcomeToJson } from './outcome-json.js';
import { solutionKey } from './problem-hash.js';
import type { Limits, ValidParams, ValidProblem } from './request-problem.js';
import { FairQueue, defaultPerTenant } from './fair-queue.js';
import type { SolverSlot, SolverSlots } from './solver-slots.js';
import { lookup, remember, runSolver, type SolvingDeps } from './solving.js';

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

/** Every job slot of this pod is busy and enough jobs wait: the partition pauses (retriable) and is read again. */
export class JobSlotsFullError extends SimstreamError {
  constructor(slots: number) {
    super('JOB_SLOTS_FULL', `all ${slots} job slots of this instance are busy`, { retriable: true });
  }
}

/** Another pod holds a live lease on the job (a partition just moved): read it again later. */
export class JobHeldError extends SimstreamError {
  constructor(jobId: string) {
    super('JOB_HELD', `job ${jobId} is running on another instance`, { retriable: true });
  }
}

type StopWhy = 'cancel' | 'release' | 'lost';

interface Pending {
  readonly record: ConsumedRecord;
  readonly job: QuantumJob;
}

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
  private readonly pending = new FairQueue<Pending>();
  private readonly runningByTenant = new Map<string, number>();
  private readonly perTenant: number;
  private readonly maxPending: number;
  private pumping: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Jobs whose end could not be recorded: their offsets stay uncommitted until a restart. */
  private readonly unsettled: { partition: number; offset: number }[] = [];
  private stopping = false;

  constructor(private readonly deps: JobRunnerDeps) {
    this.perTenant = deps.perTenant ?? defaultPerTenant(deps.slots.size);
    this.maxPending = deps.maxPending ?? deps.slots.size * 32;
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * The consumer's handler: queues the jobs of a batch (per tenant) and starts what the free
   * slots and the tenants' caps allow. A failure to claim (Postgres down) or a job another pod
   * holds fails the batch (retriable): the partition is read again, queued jobs are not doubled.
   */
  async handle(records: readonly ConsumedRecord[]): Promise<void> {
    for (const record of records) {
      if (record.name !== RecordName.QuantumJob) continue;
      const job = record.value as QuantumJob;
      if (this.running.has(job.jobId) || this.pending.has(job.jobId)) continue;
      if (this.pending.size >= this.maxPending) {
        await this.pump();
        throw new JobSlotsFullError(this.deps.slots.size);
      }
      this.pending.push({ tenant: job.tenant, id: job.jobId, item: { record, job } });
    }
    await this.pump();
  }

  /** Starts queued jobs while slots are free; one pump at a time. */
  private pump(): Promise<void> {
    this.pumping ??= this.startQueued().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  /** After a job ends: start the next; a failure is retried after a poll interval. */
  private pumpLater(): void {
    this.pump().catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'could not start a queued job; retrying');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pumpLater(), this.deps.pollIntervalMs);
      this.retryTimer.unref();
    });
  }

  private async startQueued(): Promise<void> {
    while (!this.stopping) {
      const slot = this.deps.slots.tryAcquire();
      if (slot === undefined) return;
      const next = this.pending.next((t) => this.runningByTenant.get(t) ?? 0, this.perTenant);
      if (next === undefined) {
        slot.release();
        return;
      }
      const { record, job } = next.item;
      let claimed;
      try {
        claimed = await this.deps.store.claim(job.jobId, this.deps.instanceId, this.deps.leaseMs);
      } catch (error) {
        slot.release();
        this.pending.push(next);
        throw error;
      }
      if (claimed === undefined) {
        slot.release();
        try {
          await this.explainUnclaimed(job.jobId);
        } catch (error) {
          if (error instanceof JobHeldError) this.pending.push(next);
          throw error;
        }
        continue;
      }
      this.start(record, job, slot);
    }
  }

  private async explainUnclaimed(jobId: string): Promise<void> {
    if (this.stopping) throw new JobHeldError(jobId);
    const state = await this.deps.store.peek(jobId);
    if (state === undefined) {
      this.deps.logger.warn({ jobId }, 'job record without a job row; skipped');
    } else if (state.cancelRequested && (state.status === 'queued' || state.status === 'running')) {
      if (state.status === 'running' && state.leaseValid) return; // its pod is stopping it
      await this.deps.store.cancelAbandoned(jobId);
    } else if (state.status === 'running' && state.leaseValid) {
      throw new JobHeldError(jobId);
    }
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
    this.runningByTenant.set(job.tenant, (this.runningByTenant.get(job.tenant) ?? 0) + 1);
    this.deps.metrics.jobs.inc({ event: 'started' });
    this.deps.metrics.jobsRunning.set(this.running.size);
    entry.done = this.run(entry, job, slot)
      .catch((error: unknown) => this.deps.logger.error({ err: error, jobId: job.jobId }, 'job run failed'))
      .finally(() => {
        slot.release();
        this.running.delete(job.jobId);
        const left = (this.runningByTenant.get(job.tenant) ?? 1) - 1;
        if (left > 0) this.runningByTenant.set(job.tenant, left);
        else this.runningByTenant.delete(job.tenant);
        this.deps.metrics.jobsRunning.set(this.running.size);
        if (!this.stopping) this.pumpLater();
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
    const waiting = this.pending
      .entries()
      .map((e) => ({ partition: e.item.record.partition, offset: e.item.record.firstOffset }));
    for (const e of [...this.running.values(), ...this.unsettled, ...waiting]) {
      if (e.partition === partition && (floor === undefined || e.offset < floor)) floor = e.offset;
    }
    return floor;
  }

  /** After a rebalance: jobs of partitions now elsewhere go back to the queue for their new owner. */
  onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    const mine = new Set(assignment[TopicName.quantumJobs] ?? []);
    for (const entry of this.running.values()) if (!mine.has(entry.partition)) this.stopRun(entry, 'release');
    // Waiting jobs were never claimed: the partition's new owner reads them again.
    this.pending.remove((e) => !mine.has(e.item.record.partition));
  }

  /** Graceful stop: jobs get `graceMs` to finish, then go back to the queue. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.pending.remove(() => true);
    const all = () => Promise.all([...this.running.values()].map((e) => e.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const entry of this.running.values()) this.stopRun(entry, 'release');
    await all();
  }
}
