/**
 * The consumer every service uses: decodes Avro single objects, reassembles chunked frames,
 * sends what cannot be decoded to the dead-letter topic (with the reason in headers), hands
 * records to the service in partition order, and commits offsets only after the handler's
 * side effects are durable — and never past the first chunk of an incomplete frame.
 *
 * Backpressure: a handler that fails with a retriable error (a database is down) makes the
 * partition pause and seek back to the first unprocessed record, then resume after a backoff;
 * nothing is buffered meanwhile. A handler that fails non-retriably on a batch is retried record
 * by record, and only the records that still fail go to the dead-letter topic.
 */
import type { KafkaClient } from './client.js';
import type {
  BatchControl,
  ConsumedMessage,
  ConsumerBatch,
  ConsumerTransport,
} from './consumer-transport.js';
import { RevivingConsumer } from './revive.js';
import { AvroDecodeError, RecordName, type FrameChunk, type SchemaRegistry } from '@simstream/contracts';
import { SimstreamError, isRetriable, messageOf } from '@simstream/errors';
import {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  type Logger,
  type Registry,
} from '@simstream/observability';
import { Header } from './headers.js';
import { retryKafka } from './kafka-retry.js';
import { ChunkReassembler } from './reassembler.js';
import type { BatchingProducer, OutRecord } from './producer.js';

export interface ConsumedRecord<T = unknown> {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the message (of the last chunk for a chunked frame). */
  readonly offset: number;
  /** Offset of the first message it was built from (the first chunk). */
  readonly firstOffset: number;
  readonly key: string | null;
  /** Full Avro record name, e.g. io.simstream.v1.Frame (reassembled chunks give a Frame). */
  readonly name: string;
  readonly value: T;
  readonly timestamp: number;
  /** Encoded size in bytes. */
  readonly bytes: number;
}

export interface HandlerContext {
  readonly topic: string;
  readonly partition: number;
  heartbeat(): Promise<void>;
}

export type BatchHandler = (records: ConsumedRecord[], context: HandlerContext) => Promise<void>;

export interface RecordConsumerOptions {
  readonly kafka: KafkaClient;
  readonly logger: Logger;
  readonly registry: SchemaRegistry;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Producer for simstream.dlq.v1; without one, undecodable records are logged and skipped. */
  readonly dlq?: { readonly producer: BatchingProducer; readonly topic: string };
  readonly metrics?: Registry;
  /** Metric label, e.g. 'query'. */
  readonly name: string;
  readonly fromBeginning?: boolean;
  readonly maxFrameBytes?: number;
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
  /** A consumer silent this long (no fetch, batch or heartbeat) is replaced (default 45 s). */
  readonly stallMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
  /** Partitions handled at the same time (default 1: one batch at a time). */
  readonly concurrency?: number;
  /**
   * The lowest offset the service still needs re-read after a restart, per partition
   * (e.g. the first frame not yet covered by a state checkpoint); commits never pass it.
   */
  readonly commitFloor?: (topic: string, partition: number) => number | undefined;
  /**
   * Called after every rebalance with the partitions now assigned (topic → partitions). Every
   * assigned partition restarts from its committed offset: drop state of partitions lost.
   */
  readonly onAssignment?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
}

interface Metrics {
  readonly records: Counter;
  readonly dlq: Counter;
  readonly handlerSeconds: Histogram;
  readonly retries: Counter;
  readonly lag: Gauge;
  readonly pendingChunkBytes: Gauge;
}

/** The consumer group moved on under a batch (coordinator moved, rebalance): retry the batch. */
class GroupChangedError extends SimstreamError {
  constructor(cause: unknown) {
    super('KAFKA_GROUP_CHANGED', `the consumer group changed under the batch: ${messageOf(cause)}`, {
      retriable: true,
      cause,
    });
  }
}

class HandlerRejectedError extends SimstreamError {
  constructor(cause: unknown) {
    super('HANDLER_REJECTED', `the service could not process the record: ${messageOf(cause)}`, { cause });
  }
}

export class RecordConsumer {
  private readonly runner: RevivingConsumer;
  private handler: BatchHandler | undefined;
  private readonly reassembler: ChunkReassembler;
  private readonly metrics: Metrics | undefined;
  private readonly committed = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private connected = false;
  private stopping = false;
  private pausedByService = false;

  constructor(private readonly options: RecordConsumerOptions) {
    this.runner = new RevivingConsumer({
      create: () => this.createConsumer(),
      start: (consumer) => this.run(consumer),
      logger: options.logger,
      name: options.groupId,
      stallMs: options.stallMs ?? 45_000,
      quiet: () => this.pausedByService,
    });
    this.reassembler = new ChunkReassembler({ maxFrameBytes: options.maxFrameBytes ?? 512 * 1024 * 1024 });
    const registers = options.metrics === undefined ? [] : [options.metrics];
    const label = options.name;
    this.metrics =
      options.metrics === undefined
        ? undefined
        : {
            records: new Counter({
              name: `simstream_consumer_${label}_records_total`,
              help: 'Records handed to the service, by topic and record',
              labelNames: ['topic', 'record'],
              registers,
            }),
            dlq: new Counter({
              name: `simstream_consumer_${label}_dead_letters_total`,
              help: 'Records sent to the dead-letter topic, by reason',
              labelNames: ['reason'],
              registers,
            }),
            handlerSeconds: new Histogram({
              name: `simstream_consumer_${label}_handler_seconds`,
              help: 'Time the service took per batch',
              buckets: LATENCY_BUCKETS,
              registers,
            }),
            retries: new Counter({
              name: `simstream_consumer_${label}_retries_total`,
              help: 'Batches paused and re-read after a retriable failure',
              registers,
            }),
            lag: new Gauge({
              name: `simstream_consumer_${label}_lag_records`,
              help: 'Records between the last fetched and the end of the partition',
              labelNames: ['topic', 'partition'],
              registers,
            }),
            pendingChunkBytes: new Gauge({
              name: `simstream_consumer_${label}_pending_chunk_bytes`,
              help: 'Bytes of chunked frames not yet complete',
              registers,
            }),
          };
  }

  private createConsumer(): ConsumerTransport {
    const options = this.options;
    const consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      heartbeatIntervalMs: 3000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 8 * 1024 * 1024,
      maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
      maxWaitTimeMs: 250,
    });
    consumer.on('assignment', (assignment) => {
      // Every assigned partition restarts from its committed offset after a rebalance, and our
      // commits never pass an incomplete frame: start reassembly afresh.
      this.reassembler.reset();
      options.onAssignment?.(assignment);
      options.logger.info({ assignment, groupId: options.groupId }, 'consumer group joined');
    });
    return consumer;
  }

  /** True once connected and subscribed (for readiness). */
  get isRunning(): boolean {
    return this.connected && !this.stopping && !this.runner.stalled;
  }

  async start(handler: BatchHandler): Promise<void> {
    this.handler = handler;
    await this.runner.start();
    this.connected = true;
  }

  private async run(consumer: ConsumerTransport): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) throw new Error('RecordConsumer.run before start');
    await retryKafka(
      async () => {
        await consumer.connect();
        await consumer.subscribe(this.options.topics, { fromBeginning: this.options.fromBeginning ?? true });
      },
      { what: `subscribing to ${this.options.topics.join(', ')}`, logger: this.options.logger },
    );
    await consumer.run({
      concurrency: this.options.concurrency ?? 1,
      eachBatch: (batch, control) => this.onBatch(batch, control, handler),
    });
  }

  /** Stops fetching, lets the batch in hand finish and commit, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.runner.stop();
    this.connected = false;
  }

  pause(): void {
    this.pausedByService = true;
    this.runner.current.pause(this.options.topics);
  }

  resume(): void {
    this.pausedByService = false;
    this.runner.current.resume(this.options.topics);
  }

  private async onBatch(batch: ConsumerBatch, payload: BatchControl, handler: BatchHandler): Promise<void> {
    // A heartbeat fails while the group coordinator moves or the group rebalances (a broker
    // lost): the batch is retried, never taken for a bad record (that sent good records to the
    // dead-letter topic in test:chaos).
    const heartbeat = async () => {
      try {
        await payload.heartbeat();
      } catch (error) {
        throw new GroupChangedError(error);
      }
    };
    const { topic, partition } = batch;
    const records: ConsumedRecord[] = [];
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) return;
      const record = await this.decode(topic, partition, message);
      if (record !== undefined) records.push(record);
    }
    this.metrics?.pendingChunkBytes.set(this.reassembler.pendingBytes());
    this.metrics?.lag.set({ topic, partition: String(partition) }, batch.offsetLag());

    if (records.length > 0) {
      const outcome = await this.handle(records, handler, { topic, partition, heartbeat });
      if (outcome !== 'done') {
        // Retriable failure: re-read from the first unprocessed record after a pause.
        const slot = `${topic}/${partition}`;
        const attempt = (this.failures.get(slot) ?? 0) + 1;
        this.failures.set(slot, attempt);
        this.metrics?.retries.inc();
        const backoff = this.options.retryBackoffMs ?? { initial: 200, max: 10_000 };
        const delay = Math.min(backoff.max, backoff.initial * 2 ** (attempt - 1));
        this.options.logger.warn(
          { topic, partition, offset: outcome.from, attempt, delayMs: delay, err: outcome.error },
          'handler failed (retriable); pausing partition',
        );
        // Re-read from the earlier of the failed record and the first chunk of any incomplete
        // frame, with reassembly started afresh, so that every chunk comes again in order.
        const from = this.reassembler.committable(partition, outcome.from);
        this.reassembler.dropPartition(partition);
        this.runner.current.seek(topic, partition, from);
        const resume = payload.pause();
        setTimeout(resume, delay).unref();
        return;
      }
      this.failures.delete(`${topic}/${partition}`);
    }
    // The fetch position moves past the batch; the committed offset may stay behind it (at the
    // first chunk of an incomplete frame), so that a restart re-reads that frame whole.
    payload.resolveOffset(batch.lastOffset);
    await this.commit(topic, partition, batch.lastOffset + 1);
    await payload.heartbeat(); // the transport handles its own errors here (a rebalance: rejoin)
  }

  /** Runs the handler; on a non-retriable failure isolates the bad records one by one. */
  private async handle(
    records: ConsumedRecord[],
    handler: BatchHandler,
    context: HandlerContext,
  ): Promise<'done' | { from: number; error: unknown }> {
    const started = performance.now();
    try {
      await handler(records, context);
      this.count(records);
      return 'done';
    } catch (error) {
      if (isRetriable(error)) return { from: minFirstOffset(records), error };
      this.options.logger.warn(
        { err: error, topic: context.topic, partition: context.partition, records: records.length },
        'handler rejected a batch; retrying record by record',
      );
    } finally {
      this.metrics?.handlerSeconds.observe((performance.now() - started) / 1000);
    }
    for (const [i, record] of records.entries()) {
      try {
        await handler([record], context);
        this.count([record]);
      } catch (error) {
        if (isRetriable(error)) return { from: minFirstOffset(records.slice(i)), error };
        await this.deadLetter(
          context.topic,
          context.partition,
          record.offset,
          null,
          new HandlerRejectedError(error),
          record.key,
        );
      }
    }
    return 'done';
  }

  private count(records: ConsumedRecord[]): void {
    for (const r of records) this.metrics?.records.inc({ topic: r.topic, record: r.name });
  }

  private async decode(
    topic: string,
    partition: number,
    message: ConsumedMessage,
  ): Promise<ConsumedRecord | undefined> {
    const offset = message.offset;
    const key = message.key === null ? null : message.key.toString('utf8');
    const value = message.value;
    const base = { topic, partition, key, timestamp: message.timestamp };
    if (value === null) {
      await this.deadLetter(
        topic,
        partition,
        offset,
        null,
        new AvroDecodeError('AVRO_BAD_MAGIC', 'record has no value'),
        key,
      );
      return undefined;
    }
    try {
      const decoded = this.options.registry.decode(value);
      if (decoded.name !== RecordName.FrameChunk) {
        return {
          ...base,
          offset,
          firstOffset: offset,
          name: decoded.name,
          value: decoded.value,
          bytes: value.length,
        };
      }
      const result = this.reassembler.add(partition, offset, decoded.value as FrameChunk);
      if (result.kind === 'pending') return undefined;
      if (result.kind === 'invalid') {
        await this.deadLetter(
          topic,
          partition,
          offset,
          value,
          new SimstreamError(result.reason, `${result.message} (offsets ${result.offsets.join(',')})`),
          key,
        );
        return undefined;
      }
      const frame = this.options.registry.decodeAs(RecordName.Frame, result.frameBytes);
      return {
        ...base,
        offset,
        firstOffset: result.firstOffset,
        name: RecordName.Frame,
        value: frame,
        bytes: result.frameBytes.length,
      };
    } catch (error) {
      if (!(error instanceof SimstreamError)) throw error;
      await this.deadLetter(topic, partition, offset, value, error, key);
      return undefined;
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    offset: number,
    value: Buffer | null,
    error: SimstreamError,
    key: string | null,
  ): Promise<void> {
    this.metrics?.dlq.inc({ reason: error.code });
    const context = {
      topic,
      partition,
      offset,
      reason: error.code,
      error: error.message,
      groupId: this.options.groupId,
    };
    if (this.options.dlq === undefined) {
      this.options.logger.error(context, 'undecodable record skipped (no dead-letter topic configured)');
      return;
    }
    const record: OutRecord = {
      topic: this.options.dlq.topic,
      key: key ?? `${topic}/${partition}`,
      value: value ?? Buffer.alloc(0),
      headers: {
        [Header.dlqReason]: error.code,
        [Header.dlqError]: error.message.slice(0, 1000),
        [Header.dlqTopic]: topic,
        [Header.dlqPartition]: String(partition),
        [Header.dlqOffset]: String(offset),
        [Header.dlqGroup]: this.options.groupId,
      },
    };
    // Awaited: the offset is committed only once the dead letter is durable.
    await this.options.dlq.producer.send([record]);
    this.options.logger.warn(context, 'record sent to the dead-letter topic');
  }

  private async commit(topic: string, partition: number, next: number): Promise<void> {
    const floor = this.options.commitFloor?.(topic, partition);
    const offset = Math.min(this.reassembler.committable(partition, next), floor ?? Number.POSITIVE_INFINITY);
    const slot = `${topic}/${partition}`;
    if (this.committed.get(slot) === offset) return;
    await this.runner.current.commitOffsets([{ topic, partition, offset }]);
    this.committed.set(slot, offset);
  }
}

function minFirstOffset(records: readonly ConsumedRecord[]): number {
  return records.reduce((min, r) => Math.min(min, r.firstOffset), Number.POSITIVE_INFINITY);
}
