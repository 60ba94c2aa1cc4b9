/**
 * A compacted topic read whole into memory (a "table"), e.g. the last durable step of every
 * simulation. Every instance reads every partition (its own consumer group, no commits) from
 * the beginning, and knows when it has caught up with what was in the topic when it started.
 * Local writes are merged in at once so an instance always sees its own updates.
 *
 * `waitUntilCurrent(key)` gives a read that is as fresh as Kafka: it asks for the end of the
 * key's partition and waits until the table has read up to it, so every transaction committed
 * before the call (on any instance) is in the value returned after it.
 */
import type { SchemaRegistry } from '@simstream/contracts';
import { messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { KafkaClient } from './client.js';
import type { ConsumerTransport } from './consumer-transport.js';
import type { KafkaAdmin } from './kafka-admin.js';
import { retryKafka } from './kafka-retry.js';
import { topicOffsets } from './offsets.js';
import { partitionForKey } from './partitioner.js';
import { RevivingConsumer } from './revive.js';

export interface CompactedTableOptions<T> {
  readonly kafka: KafkaClient;
  readonly logger: Logger;
  readonly registry: SchemaRegistry;
  readonly topic: string;
  readonly recordName: string;
  /** Unique per instance: each instance reads the whole topic. */
  readonly groupId: string;
  /** Combines the value held with a newer one (e.g. keep the larger step). Default: the newer. */
  readonly merge?: (held: T, incoming: T) => T;
}

export class CompactedTable<T> {
  private readonly values = new Map<string, T>();
  private readonly consumer: RevivingConsumer;
  private readonly targets = new Map<number, number>();
  private readonly reached = new Map<number, number>();
  private caughtUp = false;
  private skipped = 0;
  private readonly waiters: (() => void)[] = [];
  /** Waits for a partition to be read up to an offset (waitUntilCurrent). */
  private readonly offsetWaiters = new Set<{ partition: number; offset: number; wake: () => void }>();
  private admin: KafkaAdmin | undefined;

  constructor(private readonly options: CompactedTableOptions<T>) {
    this.consumer = new RevivingConsumer({
      create: () => this.createConsumer(),
      start: (consumer) => this.run(consumer),
      logger: options.logger,
      name: options.groupId,
      stallMs: 45_000,
    });
  }

  private createConsumer(): ConsumerTransport {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      maxWaitTimeMs: 100,
    });
    // After every batch, also those with nothing but transaction markers (the last record of a
    // transactionally written topic is one): they never reach eachBatch.
    consumer.on('progress', (_topic, partition, lastOffset) => this.reachedOffset(partition, lastOffset));
    return consumer;
  }

  /** The table has read `partition` up to `lastOffset` (a batch ended there). */
  private reachedOffset(partition: number, lastOffset: number): void {
    const reached = Math.max(this.reached.get(partition) ?? -1, lastOffset);
    this.reached.set(partition, reached);
    for (const waiter of this.offsetWaiters)
      if (waiter.partition === partition && reached >= waiter.offset) waiter.wake();
    this.checkCaughtUp();
  }

  get size(): number {
    return this.values.size;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  get(key: string): T | undefined {
    return this.values.get(key);
  }

  /** Merges a value this instance has just written (visible before it comes back from Kafka). */
  put(key: string, value: T): void {
    const held = this.values.get(key);
    this.values.set(
      key,
      held === undefined || this.options.merge === undefined ? value : this.options.merge(held, value),
    );
  }

  async start(): Promise<void> {
    const { kafka, logger, topic } = this.options;
    for (const { partition, high, low } of await topicOffsets(kafka, topic, { logger })) {
      if (high > low) this.targets.set(partition, high - 1);
    }
    const admin = kafka.admin();
    await retryKafka(() => admin.connect(), { what: 'connecting an admin client', logger });
    this.admin = admin;
    await this.consumer.start();
    this.checkCaughtUp();
  }

  /** Reads the whole topic (again, after a revival: values merge, so re-reading is harmless). */
  private async run(consumer: ConsumerTransport): Promise<void> {
    const { logger, topic } = this.options;
    await retryKafka(
      async () => {
        await consumer.connect();
        await consumer.subscribe([topic], { fromBeginning: true });
      },
      { what: `subscribing to ${topic}`, logger },
    );
    await consumer.run({
      eachBatch: (batch, control) => {
        for (const message of batch.messages) {
          const key = message.key?.toString('utf8');
          if (key === undefined) continue;
          if (message.value === null) {
            this.values.delete(key); // tombstone
            continue;
          }
          try {
            this.put(key, this.options.registry.decodeAs<T>(this.options.recordName, message.value));
          } catch (error) {
            // Log the first few; count the rest (a polluted topic must not flood the logs).
            if (++this.skipped <= 5) {
              this.options.logger.warn(
                { topic: this.options.topic, offset: message.offset, err: messageOf(error) },
                'table record skipped',
              );
            }
          }
        }
        control.resolveOffset(batch.lastOffset);
        return Promise.resolve();
      },
    });
  }

  /** Resolves true once caught up, false if `timeoutMs` passes first. */
  async waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.caughtUp) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Resolves true once the table holds every record of `key` committed before this call (on
   * any instance), false if `timeoutMs` passes first.
   */
  async waitUntilCurrent(key: string, timeoutMs: number): Promise<boolean> {
    const admin = this.admin;
    if (admin === undefined) return false;
    const deadline = Date.now() + timeoutMs;
    if (!(await this.waitUntilCaughtUp(timeoutMs))) return false;
    // The last stable offset (admins list offsets read_committed; the producer contract test
    // relies on it): past every record committed before it. A transaction committed after one
    // still open at that point lies beyond it and is not waited for.
    const offsets = await admin.topicOffsets(this.options.topic);
    const partition = partitionForKey(key, offsets.length);
    const stable = Number(offsets.find((o) => o.partition === partition)?.high ?? 0);
    const target = stable - 1;
    if ((this.reached.get(partition) ?? -1) >= target || stable === 0) return true;
    return new Promise((resolve) => {
      const waiter = {
        partition,
        offset: target,
        wake: () => {
          clearTimeout(timer);
          this.offsetWaiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(
        () => {
          this.offsetWaiters.delete(waiter);
          resolve(false);
        },
        Math.max(deadline - Date.now(), 1),
      );
      this.offsetWaiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  private checkCaughtUp(): void {
    if (this.caughtUp) return;
    for (const [partition, target] of this.targets) {
      if ((this.reached.get(partition) ?? -1) < target) return;
    }
    this.caughtUp = true;
    this.options.logger.info(
      { topic: this.options.topic, keys: this.values.size, skipped: this.skipped },
      'table caught up',
    );
    for (const wake of this.waiters.splice(0)) wake();
  }
}
