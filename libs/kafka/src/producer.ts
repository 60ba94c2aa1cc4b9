/**
 * The batching producer every service uses to write to Kafka.
 *
 * A transport (producer-transport.ts: kafkajs or @platformatic/kafka, behind one small interface)
 * sends one request per call and keeps nothing in flight per partition for us, so batching is ours: callers enqueue *groups* of records; while one request (or transaction) is
 * in flight the next groups accumulate, and go together in the next one ("natural batching":
 * no linger when idle, large batches under load). One request/transaction is in flight at a
 * time, which also keeps the idempotent producer's sequence numbers in order.
 *
 * Transactional mode (a `transactionalId`): each batch is one Kafka transaction, so a group
 * (e.g. the chunks of a large frame plus its progress record) becomes visible to read_committed
 * consumers all at once or never. A group's promise resolves with the offsets only after the
 * commit (acks=all): that is what callers may acknowledge.
 *
 * Failures: transient errors are retried until `outageTimeoutMs` has passed since the batch
 * first failed; then the batch's groups are rejected with UnavailableError. A rejected group
 * poisons its `orderingKey`: later groups with the same key are rejected too, never written
 * after it, so the order of a stream is never broken by a retry that the caller does later.
 *
 * Fixed epoch (`fixedEpoch`): the producer initialises its transactional id once and never
 * again. A writer that owns a transactional id per simulation must not re-initialise after a
 * failure: that would fence the newer owner that may have taken over meanwhile, and write on
 * from a state that is no longer current. Such a producer retries only inside its epoch (after a
 * successful abort); anything that would need a new producer ends it, and every later send fails.
 */
import { CancelledError, SimstreamError, UnavailableError, messageOf } from '@simstream/errors';
import type { Logger, Registry } from '@simstream/observability';
import { equalJitterBackoffMs } from '@simstream/resilience';
import { producerMetrics, type ProducerMetrics } from './producer-metrics.js';
import { recordBytes, type Delivery, type OutRecord } from './produce-plan.js';
import {
  KafkaRejectedError,
  ProducerFencedError,
  classifyKafkaError,
  kafkaErrorType,
} from './kafka-errors.js';
import type { PartitionCounts } from './admin.js';
import type { ProducerTransport, ProducerTransportFactory } from './producer-transport.js';
import { AbortFailedError, writeBatch } from './write-batch.js';

export type { Delivery, OutRecord } from './produce-plan.js';

export interface SendOptions {
  /** Groups with the same key keep their order; a failed group rejects the later ones. */
  readonly orderingKey?: string;
  /** Aborting before the group is taken into a request rejects it with CancelledError. */
  readonly signal?: AbortSignal;
}

export interface BatchingProducerOptions {
  /** The client library that writes (KafkaClient.producers()). */
  readonly transport: ProducerTransportFactory;
  readonly logger: Logger;
  readonly partitions: PartitionCounts;
  /** Metric label, e.g. 'frames'. */
  readonly name: string;
  readonly registry?: Registry;
  /** Makes every batch a Kafka transaction. Must be unique per live instance. */
  readonly transactionalId?: string;
  /** Record bytes per batch (transaction). */
  readonly maxBatchBytes?: number;
  /** Largest record batch per partition per request: the topic's max.message.bytes, with headroom. */
  readonly maxPartitionBytes?: (topic: string) => number;
  readonly outageTimeoutMs?: number;
  readonly transactionTimeoutMs?: number;
  readonly compression?: 'none' | 'gzip';
  /** Metrics shared by many producers of one kind (else made from `registry` and `name`). */
  readonly metrics?: ProducerMetrics;
  /** Never re-initialise the transactional id after a failure (see the module's header). */
  readonly fixedEpoch?: boolean;
  /** The error sends fail with once another producer has fenced this one. */
  readonly fencedError?: (cause: unknown) => Error;
}

interface Pending {
  readonly records: readonly OutRecord[];
  readonly bytes: number;
  readonly orderingKey: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly enqueuedAt: number;
  resolve(deliveries: Delivery[]): void;
  reject(error: Error): void;
}

const POISON_TTL_MS = 10 * 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class BatchingProducer {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private running = false;
  private closing = false;
  private producer: ProducerTransport | undefined;
  private connecting: Promise<ProducerTransport> | undefined;
  private readonly poisoned = new Map<string, number>();
  private unavailableSince: number | undefined;
  /** Producers initialised so far (each one a new epoch of the transactional id). */
  private epochs = 0;
  private fatal: Error | undefined;
  private readonly metrics: ProducerMetrics | undefined;
  private readonly maxBatchBytes: number;
  private readonly outageTimeoutMs: number;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(private readonly options: BatchingProducerOptions) {
    this.maxBatchBytes = options.maxBatchBytes ?? 32 * 1024 * 1024;
    this.outageTimeoutMs = options.outageTimeoutMs ?? 30_000;
    this.metrics =
      options.metrics ??
      (options.registry === undefined ? undefined : producerMetrics(options.registry, options.name));
  }

  get transactional(): boolean {
    return this.options.transactionalId !== undefined;
  }

  /** Bytes enqueued and not yet delivered or rejected. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Milliseconds since Kafka writes started failing, or undefined when writes go through. */
  get unavailableForMs(): number | undefined {
    return this.unavailableSince === undefined ? undefined : Date.now() - this.unavailableSince;
  }

  /**
   * Connects (and, when transactional, fences any previous instance with our id). With
   * `timeoutMs`, gives up after that long (KAFKA_TIMEOUT; the clients themselves retry without end).
   */
  async connect(options: { timeoutMs?: number } = {}): Promise<void> {
    const connecting = this.ensureProducer();
    await (options.timeoutMs === undefined ? connecting : this.withDeadline(connecting, options.timeoutMs));
  }

  /**
   * Enqueues a group of records written atomically (transactional mode) and in order.
   * Resolves with one delivery per record once Kafka holds them durably.
   */
  async send(records: readonly OutRecord[], options: SendOptions = {}): Promise<Delivery[]> {
    if (this.fatal !== undefined) throw this.fatal;
    if (this.closing) throw new UnavailableError('kafka', 'producer is shutting down');
    if (options.orderingKey !== undefined && this.poisoned.has(options.orderingKey)) {
      throw new UnavailableError(
        'kafka',
        'an earlier write of this stream failed; reconnect and resend from the last ack',
      );
    }
    // Queued synchronously, so groups keep the order of the calls; partitions are chosen when
    // the batch is written (partition counts may need a metadata request).
    const bytes = records.reduce((sum, r) => sum + recordBytes(r), 0);
    return new Promise<Delivery[]>((resolve, reject) => {
      this.queue.push({
        records,
        bytes,
        orderingKey: options.orderingKey,
        signal: options.signal,
        enqueuedAt: Date.now(),
        resolve,
        reject,
      });
      this.queued += bytes;
      this.metrics?.queuedBytes.inc(bytes);
      this.kick();
    });
  }

  /** Resolves when everything enqueued so far is delivered or rejected. */
  async flush(): Promise<void> {
    while (this.running) await this.idle;
  }

  /** Stops accepting, delivers what is queued (bounded by the outage timeout), disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
    await this.connecting?.catch(() => undefined);
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        if (batch.length > 0) await this.deliver(batch);
      }
    } catch (error) {
      // deliver() settles every group itself; reaching here is a bug, not a Kafka failure.
      this.options.logger.error({ err: error }, 'producer loop failed');
      this.rejectAll(this.queue.splice(0), error as Error);
    } finally {
      this.running = false;
      this.markIdle();
    }
  }

  /** Takes the next groups, up to maxBatchBytes (at least one), skipping cancelled and poisoned ones. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      this.queue.shift();
      if (next.signal?.aborted) {
        this.settle(next, new CancelledError('write cancelled before it was sent'));
        continue;
      }
      if (next.orderingKey !== undefined && this.poisoned.has(next.orderingKey)) {
        this.settle(
          next,
          new UnavailableError(
            'kafka',
            'an earlier write of this stream failed; reconnect and resend from the last ack',
          ),
        );
        continue;
      }
      batch.push(next);
      bytes += next.bytes;
    }
    return batch;
  }

  private settle(pending: Pending, result: Error | Delivery[]): void {
    this.queued -= pending.bytes;
    this.metrics?.queuedBytes.dec(pending.bytes);
    if (result instanceof Error) {
      if (pending.orderingKey !== undefined) this.poison(pending.orderingKey);
      pending.reject(result);
    } else {
      pending.resolve(result);
    }
  }

  private rejectAll(groups: Pending[], error: Error): void {
    for (const group of groups) this.settle(group, error);
  }

  private poison(key: string): void {
    const now = Date.now();
    this.poisoned.set(key, now);
    for (const [k, at] of this.poisoned) if (now - at > POISON_TTL_MS) this.poisoned.delete(k);
  }

  private async deliver(groups: Pending[]): Promise<void> {
    const bytes = groups.reduce((sum, g) => sum + g.bytes, 0);
    let firstFailure: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const remaining =
        firstFailure === undefined
          ? this.outageTimeoutMs
          : this.outageTimeoutMs - (Date.now() - firstFailure);
      try {
        const deliveries = await this.withDeadline(this.attempt(groups), Math.max(remaining, 1));
        this.metrics?.requestSeconds.observe((performance.now() - started) / 1000);
        this.metrics?.batchBytes.observe(bytes);
        this.metrics?.batches.inc();
        this.unavailableSince = undefined;
        let at = 0;
        for (const group of groups) {
          this.settle(group, deliveries.slice(at, at + group.records.length));
          at += group.records.length;
        }
        return;
      } catch (error) {
        const kind = error instanceof DeadlineError ? 'timeout' : classifyKafkaError(error);
        this.metrics?.failures.inc({ kind });
        firstFailure ??= Date.now();
        this.unavailableSince ??= firstFailure;
        const log = { err: error, kind, attempt, groups: groups.length, bytes, producer: this.options.name };
        if (kind === 'fenced' || (this.options.fixedEpoch === true && isEpochError(error))) {
          this.fatal =
            this.options.fencedError?.(error) ??
            new ProducerFencedError(this.options.transactionalId ?? '', error);
          this.options.logger.warn(log, 'producer fenced: another producer owns the transactional id');
          this.rejectAll([...groups, ...this.queue.splice(0)], this.fatal);
          await this.discardProducer();
          return;
        }
        if (
          this.options.fixedEpoch === true &&
          (kind === 'timeout' ||
            kind === 'reset' ||
            error instanceof AbortFailedError ||
            Date.now() - firstFailure >= this.outageTimeoutMs ||
            this.closing)
        ) {
          // Continuing would need a new epoch, and only a new owner may take one.
          this.metrics?.failures.inc({ kind: 'lost' });
          this.fatal = new UnavailableError(
            'kafka',
            `the writer lost its Kafka producer (${kind}: ${messageOf(error)}); reconnect to resume`,
            { cause: error },
          );
          this.options.logger.warn(log, 'fixed-epoch producer lost; failing its writes');
          const first = kind === 'permanent' ? new KafkaRejectedError(error) : this.fatal;
          this.rejectAll(groups, first);
          this.rejectAll(this.queue.splice(0), this.fatal);
          await this.discardProducer();
          return;
        }
        if (kind === 'permanent') {
          this.options.logger.error(log, 'Kafka refused a batch');
          this.rejectAll(groups, new KafkaRejectedError(error));
          return;
        }
        // A timed-out attempt may still be running inside the client: drop that producer so that
        // its late writes are fenced (transactional) and the next attempt starts clean.
        if (
          this.options.fixedEpoch !== true &&
          (kind === 'timeout' || kind === 'reset' || this.transactional)
        )
          await this.discardProducer();
        if (kind === 'timeout' || Date.now() - firstFailure >= this.outageTimeoutMs || this.closing) {
          this.options.logger.error(log, 'Kafka unavailable past the outage timeout; failing the batch');
          this.rejectAll(
            groups,
            new UnavailableError(
              'kafka',
              `no successful write for ${this.outageTimeoutMs} ms: ${messageOf(error)}`,
              { cause: error },
            ),
          );
          return;
        }
        this.options.logger.warn(log, 'Kafka write failed; retrying');
        await sleep(equalJitterBackoffMs(attempt, 100, 2000));
      }
    }
  }

  private async withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
    });
    work.catch(() => undefined); // a late failure after the deadline is not unhandled
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async ensureProducer(): Promise<ProducerTransport> {
    if (this.producer !== undefined) return this.producer;
    if (this.fatal !== undefined) throw this.fatal;
    if (this.options.fixedEpoch === true && this.epochs > 0)
      throw new UnavailableError('kafka', 'the writer lost its Kafka producer; reconnect to resume');
    this.connecting ??= (async () => {
      const producer = this.options.transport({
        ...(this.options.transactionalId === undefined
          ? {}
          : { transactionalId: this.options.transactionalId }),
        transactionTimeoutMs: this.options.transactionTimeoutMs ?? 30_000,
        compression: this.options.compression ?? 'none',
      });
      try {
        await producer.connect();
        // Initialise the transactional id now, so that a restarted instance aborts its
        // predecessor's open transaction before serving.
        if (this.transactional) await producer.init();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      this.epochs++;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) await producer.disconnect().catch(() => undefined);
  }

  /** One try at writing the batch (see write-batch.ts). */
  private async attempt(groups: Pending[]): Promise<Delivery[]> {
    const producer = await this.ensureProducer();
    return writeBatch(
      producer,
      groups.flatMap((g) => g.records),
      {
        transactional: this.transactional,
        partitions: this.options.partitions,
        maxPartitionBytes: (topic) => this.options.maxPartitionBytes?.(topic) ?? 1024 * 1024,
      },
    );
  }
}

/** Kafka's answer to a producer whose epoch a newer producer of the same id has bumped. */
function isEpochError(error: unknown): boolean {
  return kafkaErrorType(error) === 'INVALID_PRODUCER_EPOCH';
}

class DeadlineError extends SimstreamError {
  constructor(ms: number) {
    super('KAFKA_TIMEOUT', `Kafka did not finish the write (or the connect) within ${ms} ms`, {
      retriable: true,
    });
  }
}
