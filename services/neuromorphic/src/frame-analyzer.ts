/**
 * The consumer's handler: one partition's batch of frames in, one result per new frame out.
 *
 * Per batch: load the checkpoints of simulations seen for the first time since the assignment;
 * skip frames a simulation has already stepped (replays); extract features; step the detectors
 * round by round (the r-th frame of every simulation together, merged with the other partitions'
 * rounds by the coalescer); publish the results and wait for Kafka's acks; checkpoint the
 * simulations that are due. Only then does the handler return and the consumer commit, never
 * past the first frame not covered by a checkpoint (`commitFloor`). After a crash the frames
 * from there are read again: those the checkpoint covers are skipped, the others stepped again
 * from the checkpointed state, which (deterministic detector) reproduces the same results.
 */
import { RecordName, type Frame, type SchemaRegistry } from '@simstream/contracts';
import { UnavailableError, isRetriable, messageOf } from '@simstream/errors';
import type { ConsumedRecord, HandlerContext, OutRecord } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import type { CheckpointStore } from './checkpoint-store.js';
import { Checkpointer } from './checkpointer.js';
import type { DetectorBank, StreamDetector } from './detector-bank.js';
import { PartitionRevokedError, UnexpectedRecordError } from './errors.js';
import type { FrameFeatures } from '@simstream/neuro';
import { computeFeatures, readFrame } from './frame-features.js';
import { KeyedLock } from './keyed-lock.js';
import type { NeuroMetrics } from './metrics.js';
import { PartitionState, newTrack, type SimulationTrack } from './partition-state.js';
import { groupBy, rounds } from './rounds.js';
import { neuromorphicResult, resultRecord } from './result-record.js';
import type { StepCoalescer } from './step-coalescer.js';

export interface ResultSink {
  send(records: readonly OutRecord[]): Promise<unknown>;
}

export interface FrameAnalyzerOptions {
  readonly bank: DetectorBank;
  readonly coalescer: StepCoalescer;
  readonly store: CheckpointStore;
  readonly sink: ResultSink;
  readonly registry: SchemaRegistry;
  readonly resultsTopic: string;
  readonly metrics: NeuroMetrics;
  readonly logger: Logger;
  readonly maxFields: number;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly idleTimeoutMs: number;
  /** Undefined: every tenant. */
  readonly tenants?: ReadonlySet<string> | undefined;
  readonly now?: () => number;
}

/** Where a batch comes from; `heartbeat` keeps the group membership alive during long batches. */
export type BatchContext = Pick<HandlerContext, 'topic' | 'partition'> &
  Partial<Pick<HandlerContext, 'heartbeat'>>;

interface WorkItem {
  readonly simulationId: string;
  readonly record: ConsumedRecord;
  readonly frame: Frame;
  readonly track: SimulationTrack;
  readonly features: FrameFeatures;
  readonly featureMs: number;
}

export class FrameAnalyzer {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly locks = new KeyedLock();
  private readonly checkpoints: Checkpointer;
  private readonly now: () => number;

  constructor(private readonly options: FrameAnalyzerOptions) {
    this.now = options.now ?? Date.now;
    this.checkpoints = new Checkpointer(options.store, options.metrics, options.logger);
  }

  /** Simulations whose state this instance holds. */
  get simulations(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.simulations.size;
    return n;
  }

  /** The RecordConsumer handler. */
  handle(records: ConsumedRecord[], context: BatchContext): Promise<void> {
    const slot = `${context.topic}/${context.partition}`;
    return this.locks.run(slot, async () => {
      let part = this.partitions.get(slot);
      if (part === undefined) {
        part = new PartitionState();
        this.partitions.set(slot, part);
      }
      part.busy = true;
      try {
        await this.process(part, records, context);
      } finally {
        part.busy = false;
      }
    });
  }

  /** RecordConsumer's commitFloor. */
  commitFloor(topic: string, partition: number): number | undefined {
    return this.partitions.get(`${topic}/${partition}`)?.commitFloor();
  }

  /** RecordConsumer's onAssignment: lets go of partitions no longer ours (checkpointing what it safely can). */
  onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    const kept = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)));
    for (const [slot, part] of this.partitions) {
      if (kept.has(slot)) continue;
      this.partitions.delete(slot);
      part.revoked = true;
      const final = part.settled ? this.checkpoints.export(part.pending()) : [];
      for (const t of part.simulations.values()) t.detector?.dropStream(t.simulationId);
      this.options.logger.info({ partition: slot, checkpoints: final.length }, 'partition revoked');
      this.checkpoints.inBackground(final, 'revocation');
    }
  }

  /**
   * Periodic upkeep: checkpoints simulations due by age (idle partitions commit nothing, but a
   * restart then skips instead of re-stepping) and drops simulations idle past the timeout.
   */
  async sweep(): Promise<void> {
    const { checkpointEvery: every, checkpointIntervalMs: intervalMs, idleTimeoutMs } = this.options;
    for (const slot of [...this.partitions.keys()]) {
      await this.locks.run(slot, async () => {
        const part = this.partitions.get(slot);
        if (part === undefined || !part.settled) return;
        const now = this.now();
        const idle = [...part.simulations.values()].filter((t) => now - t.lastSeen >= idleTimeoutMs);
        const due = new Set([
          ...part.due({ every, intervalMs }, now),
          ...idle.filter((t) => t.sinceCheckpoint > 0),
        ]);
        try {
          await this.checkpoints.checkpoint(part, [...due], 'interval');
        } catch (error) {
          this.options.logger.warn({ err: error, partition: slot }, 'checkpoint failed; retried later');
          return;
        }
        for (const t of idle) {
          t.detector?.dropStream(t.simulationId);
          part.simulations.delete(t.simulationId);
        }
      });
    }
  }

  /** After the consumer stopped: checkpoints every simulation with durable, uncovered progress. */
  async shutdown(): Promise<void> {
    for (const slot of [...this.partitions.keys()]) {
      await this.locks.run(slot, async () => {
        const part = this.partitions.get(slot);
        if (part === undefined || !part.settled) return;
        await this.checkpoints
          .checkpoint(part, part.pending(), 'shutdown')
          .catch((error: unknown) =>
            this.options.logger.warn({ err: error, partition: slot }, 'final checkpoint failed'),
          );
      });
    }
    await this.checkpoints.settle();
  }

  private async process(
    part: PartitionState,
    records: readonly ConsumedRecord[],
    context: BatchContext,
  ): Promise<void> {
    const { metrics, tenants } = this.options;
    const owned = () => {
      if (part.revoked) throw new PartitionRevokedError(context.topic, context.partition);
    };
    // Everything that can reject a record happens before any state changes, so that the
    // consumer's record-by-record retry (and dead-lettering) finds the state as it was.
    const frames: { record: ConsumedRecord; frame: Frame }[] = [];
    for (const record of records) {
      if (record.name !== RecordName.Frame) throw new UnexpectedRecordError(record.name, record.offset);
      const frame = record.value as Frame;
      if (tenants !== undefined && !tenants.has(frame.tenant))
        metrics.framesSkipped.inc({ reason: 'tenant' });
      else frames.push({ record, frame });
    }
    await this.track(
      part,
      frames.map((f) => f.frame.simulationId),
    );
    owned();

    const work: WorkItem[] = [];
    const accepted = new Map<string, number>();
    for (const { record, frame } of frames) {
      const track = part.simulations.get(frame.simulationId)!;
      track.lastSeen = this.now();
      if (frame.step <= (accepted.get(frame.simulationId) ?? track.lastStep)) {
        metrics.framesSkipped.inc({ reason: 'replay' });
        continue;
      }
      accepted.set(frame.simulationId, frame.step);
      const data = await readFrame(frame, this.options.maxFields);
      const started = performance.now();
      const features = computeFeatures(data);
      const featureMs = performance.now() - started;
      metrics.featureSeconds.observe(featureMs / 1000);
      work.push({ simulationId: frame.simulationId, record, frame, track, features, featureMs });
    }
    const detectors = new Map<number, StreamDetector>();
    for (const dim of new Set(work.map((w) => w.features.values.length)))
      detectors.set(dim, await this.options.bank.get(dim));
    owned();

    for (const round of rounds(work)) {
      const groups = groupBy(round, (w) => detectors.get(w.features.values.length)!);
      for (const [detector, items] of groups)
        for (const w of items) this.checkpoints.attach(w.track, detector, w.features.layout);
      const outcomes = await Promise.all(
        [...groups].map(async ([detector, items]) => {
          const inputs = items.map((w) => ({ streamId: w.simulationId, features: w.features.values }));
          return { detector, items, outcome: await this.options.coalescer.step(detector, inputs) };
        }),
      );
      if (part.revoked) {
        // States stepped after the revocation dropped them are not ours: forget them again.
        for (const w of work) w.track.detector?.dropStream(w.simulationId);
        owned();
      }
      // kafkajs heartbeats only when asked (throttled to its interval); a rebalance it reports
      // is handled by the consumer on its next request, not here.
      context.heartbeat?.().catch(() => undefined);
      const now = this.now();
      for (const { detector, items, outcome } of outcomes) {
        metrics.stepSeconds.observe(outcome.stepMs / 1000);
        metrics.stepStreams.observe(outcome.streams);
        items.forEach((w, i) => {
          const result = outcome.results[i]!;
          const processingMs = w.featureMs + outcome.stepMs;
          const value = neuromorphicResult({
            frame: w.frame,
            features: w.features,
            result,
            detector,
            processingMs,
            producedAt: now,
          });
          part.outbox.push(resultRecord(this.options.registry, this.options.resultsTopic, value));
          const t = w.track;
          t.lastStep = w.frame.step;
          t.sinceCheckpoint++;
          t.pendingFrom ??= w.record.firstOffset;
          t.pendingSince ??= now;
          metrics.framesProcessed.inc();
          metrics.frameSeconds.observe(processingMs / 1000);
          if (result.alarm) metrics.alarms.inc();
        });
      }
    }

    await this.publish(part);
    owned();
    const { checkpointEvery: every, checkpointIntervalMs: intervalMs } = this.options;
    await this.checkpoints.checkpoint(part, part.due({ every, intervalMs }, this.now()), 'due');
    // Never let the consumer commit for a partition that left during the write: without its
    // state there is no commit floor, and Kafka would take the commit from a former owner.
    owned();
  }

  /** Adds simulations seen for the first time since the assignment, with their checkpoints. */
  private async track(part: PartitionState, simulationIds: readonly string[]): Promise<void> {
    const unknown = [...new Set(simulationIds)].filter((id) => !part.simulations.has(id));
    if (unknown.length === 0) return;
    const checkpoints = await this.options.store.load(unknown);
    const now = this.now();
    for (const id of unknown) {
      if (part.simulations.has(id)) continue;
      const checkpoint = checkpoints.get(id);
      part.simulations.set(id, newTrack(id, checkpoint, now));
      if (checkpoint === undefined) this.options.metrics.checkpointsLoaded.inc({ outcome: 'none' });
    }
  }

  private async publish(part: PartitionState): Promise<void> {
    if (part.outbox.length === 0) return;
    const records = part.outbox;
    try {
      await this.options.sink.send(records);
    } catch (error) {
      // Retriable either way: a permanent refusal must pause the partition, not dead-letter frames.
      throw isRetriable(error)
        ? error
        : new UnavailableError('kafka', `results not written: ${messageOf(error)}`, { cause: error });
    }
    part.outbox = part.outbox === records ? [] : part.outbox.slice(records.length);
    this.options.metrics.resultsPublished.inc(records.length);
  }
}
