/**
 * Writing one valid frame: give it an id and ingestion time, encode it (chunks when too large
 * for one Kafka message), add the simulation's Progress record, and hand the group to the
 * simulation's writer (see simulation-writers.ts). Resolves with the ack once the transaction
 * has committed. Callers write only steps above the last durable one, so progress records only
 * ever move forward.
 */
import { randomUUID } from 'node:crypto';
import {
  RecordName,
  type Frame,
  type Progress,
  type SchemaRegistry,
  type ValidFrame,
} from '@simstream/contracts';
import { frameRecords, type Delivery, type OutRecord, type SendOptions } from '@simstream/kafka';
import type { ProgressStore } from './progress.js';

export interface FrameSink {
  send(records: readonly OutRecord[], options?: SendOptions): Promise<Delivery[]>;
}

export interface FrameAckInfo {
  readonly simulationId: string;
  readonly step: number;
  readonly partition: number;
  readonly offset: number;
  readonly chunks: number;
  readonly lastDurableStep: number;
}

export interface IngestorOptions {
  readonly registry: SchemaRegistry;
  readonly progress: ProgressStore;
  readonly serverId: string;
  readonly topics: { readonly frames: string; readonly progress: string };
  /** Largest single record on the frames topic, and the chunk size beyond it. */
  readonly maxRecordBytes: number;
  readonly chunkBytes: number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export class Ingestor {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: IngestorOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  /** Builds the records of a frame (frame or chunks, then progress). Pure. */
  records(frame: ValidFrame, tenant: string): { frame: Frame; records: OutRecord[]; chunks: number } {
    const o = this.options;
    const full: Frame = {
      frameId: this.newId(),
      simulationId: frame.simulationId,
      step: frame.step,
      simTime: frame.simTime,
      fields: frame.fields,
      attributes: frame.attributes,
      ingestedAt: this.now(),
      tenant,
    };
    const frameRecs = frameRecords(o.registry, full, {
      topic: o.topics.frames,
      maxRecordBytes: o.maxRecordBytes,
      chunkBytes: o.chunkBytes,
    });
    const progress: Progress = {
      simulationId: full.simulationId,
      lastDurableStep: full.step,
      frameId: full.frameId,
      serverId: o.serverId,
      updatedAt: full.ingestedAt,
    };
    const progressRecord: OutRecord = {
      topic: o.topics.progress,
      key: full.simulationId,
      value: o.registry.encode(RecordName.Progress, progress),
      // One progress record per simulation and transaction: the newest.
      coalesce: `progress/${full.simulationId}`,
    };
    return { frame: full, records: [...frameRecs, progressRecord], chunks: frameRecs.length };
  }

  /** Writes the frame through `sink`; resolves once Kafka holds it (and its progress) durably. */
  async write(
    frame: ValidFrame,
    tenant: string,
    sink: FrameSink,
    options: SendOptions = {},
  ): Promise<FrameAckInfo> {
    const { frame: full, records, chunks } = this.records(frame, tenant);
    const deliveries = await sink.send(records, options);
    const last = deliveries[chunks - 1]!;
    this.options.progress.markDurable({
      simulationId: full.simulationId,
      lastDurableStep: full.step,
      frameId: full.frameId,
      serverId: this.options.serverId,
      updatedAt: full.ingestedAt,
    });
    return {
      simulationId: full.simulationId,
      step: full.step,
      partition: last.partition,
      offset: last.offset,
      chunks,
      lastDurableStep: this.options.progress.lastDurableStep(full.simulationId) ?? full.step,
    };
  }
}
