/**
 * Jobs read from Kafka until a solver slot takes them: they wait in a FairQueue (fair-queue.ts:
 * round-robin over tenants, a cap of running jobs per tenant) rather than in partition order,
 * so one tenant's flood of long jobs never keeps another tenant's short job waiting. Waiting
 * jobs are not claimed (their rows stay queued) and their offsets stay below the commit floor;
 * past `maxPending` of them the partition pauses and is read again (JobSlotsFullError).
 */
import { RecordName, type QuantumJob } from '@simstream/contracts';
import { SimstreamError } from '@simstream/errors';
import type { ConsumedRecord } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import { FairQueue, defaultPerTenant } from './fair-queue.js';
import type { JobStore } from './job-store.js';
import type { SolverSlot, SolverSlots } from './solver-slots.js';

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

export interface JobIntakeDeps {
  readonly store: Pick<JobStore, 'claim' | 'peek' | 'cancelAbandoned'>;
  readonly slots: SolverSlots;
  readonly instanceId: string;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
  /** Running jobs per tenant on this instance (default: slots - 1, at least 1). */
  readonly perTenant?: number;
  /** Jobs waiting for a slot on this instance; past it the partition pauses. */
  readonly maxPending?: number;
  readonly isRunning: (jobId: string) => boolean;
  /** Runs a claimed job on `slot`; the runner calls `ended(tenant)` when it is over. */
  readonly start: (record: ConsumedRecord, job: QuantumJob, slot: SolverSlot) => void;
}

interface Pending {
  readonly record: ConsumedRecord;
  readonly job: QuantumJob;
}

export class JobIntake {
  private readonly pending = new FairQueue<Pending>();
  private readonly runningByTenant = new Map<string, number>();
  private readonly perTenant: number;
  private readonly maxPending: number;
  private pumping: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: JobIntakeDeps) {
    this.perTenant = deps.perTenant ?? defaultPerTenant(deps.slots.size);
    this.maxPending = deps.maxPending ?? deps.slots.size * 32;
  }

  /**
   * Queues the jobs of a batch and starts what the free slots and the tenants' caps allow. A
   * failure to claim (Postgres down) or a job another pod holds fails the batch (retriable): the
   * partition is read again, and jobs already waiting are not queued twice.
   */
  async offer(records: readonly ConsumedRecord[]): Promise<void> {
    for (const record of records) {
      if (record.name !== RecordName.QuantumJob) continue;
      const job = record.value as QuantumJob;
      if (this.deps.isRunning(job.jobId) || this.pending.has(job.jobId)) continue;
      if (this.pending.size >= this.maxPending) {
        await this.pump();
        throw new JobSlotsFullError(this.deps.slots.size);
      }
      this.pending.push({ tenant: job.tenant, id: job.jobId, item: { record, job } });
    }
    await this.pump();
  }

  /** A job of `tenant` is over: its slot goes to the next in turn. */
  ended(tenant: string): void {
    const left = (this.runningByTenant.get(tenant) ?? 1) - 1;
    if (left > 0) this.runningByTenant.set(tenant, left);
    else this.runningByTenant.delete(tenant);
    if (!this.stopped) this.pumpLater();
  }

  /** Kafka positions of the waiting jobs (their offsets must not be committed past). */
  waiting(): { partition: number; offset: number }[] {
    return this.pending
      .entries()
      .map((e) => ({ partition: e.item.record.partition, offset: e.item.record.firstOffset }));
  }

  /** Waiting jobs of partitions now elsewhere: never claimed, their new owner reads them again. */
  keepPartitions(mine: ReadonlySet<number>): void {
    this.pending.remove((e) => !mine.has(e.item.record.partition));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.pending.remove(() => true);
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
    while (!this.stopped) {
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
      this.runningByTenant.set(job.tenant, (this.runningByTenant.get(job.tenant) ?? 0) + 1);
      this.deps.start(record, job, slot);
    }
  }

  private async explainUnclaimed(jobId: string): Promise<void> {
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
}
