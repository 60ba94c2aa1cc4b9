/**
 * ConsumerTransport on @platformatic/kafka 2.12.1: its Consumer keeps the group membership
 * (JoinGroup/SyncGroup, heartbeats on its own timer, rejoining on a rebalance) and sends our
 * fetches and commits; the fetch loop is ours, on its public `fetch` (raw record batches).
 *
 * Why not its MessagesStream: it hands out records one by one and commits through its own queue,
 * with no seek and no per-partition pause; and its read_committed filtering (inside `fetch`) lets
 * records of aborted transactions through when their abort marker is not in the same fetch
 * (read-committed.ts). Our loop filters again with the fetch's aborted-transaction list, hands out
 * one batch per partition and fetch, and keeps positions, pauses and seeks itself.
 *
 * After every group join, each assigned partition restarts from its committed offset (the
 * beginning or the end when it has none), as with kafkajs. A batch callback that rejects makes
 * every partition restart from its committed offset after a backoff (kafkajs restarts its consumer).
 * Heartbeats do not wait for batches (the client sends them on a timer): a slow batch cannot cost
 * the membership, and `heartbeat()` only tells whether the group moved on under the batch.
 */
import { EventEmitter } from 'node:events';
import {
  Consumer,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  type ConsumerOptions,
  type GroupAssignment,
} from '@platformatic/kafka';
import { messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { KafkaConnectionConfig } from '../connection.js';
import type {
  BatchCallback,
  ConsumerEvents,
  ConsumerTransport,
  ConsumerTransportOptions,
} from '../consumer-transport.js';
import { KafkaRequestError } from '../kafka-errors.js';
import {
  connectionOptions,
  fromPlatformaticRequest,
  mappedRequest as mapped,
} from './platformatic-connection.js';
import { messagesOf, type FetchedPartitionData } from './platformatic-records.js';

type Client = Consumer<Buffer, Buffer, Buffer, Buffer>;
/** The response of Consumer.fetch (its type is not exported by name). */
type FetchResponse = Awaited<ReturnType<Client['fetch']>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const slot = (topic: string, partition: number) => `${topic}\u0000${partition}`;
export class PlatformaticConsumer implements ConsumerTransport {
  private readonly client: Client;
  private readonly events = new EventEmitter();
  private topics: readonly string[] = [];
  private fromBeginning = true;
  private running = false;
  /** The first join succeeded (the client rejoins by itself after that). */
  private joined = false;
  /** The current assignment was announced (the `assignment` event). */
  private announced = true;
  /** The generation of the batches in hand, if any. */
  private delivering: number | undefined;
  private loop: Promise<void> | undefined;
  /** Bumped by every group join: batches of an older generation are stale. */
  private generation = 0;
  private assignment: GroupAssignment[] = [];
  /** Next offset to fetch per partition of the current generation (absent: load the committed one). */
  private readonly positions = new Map<string, bigint>();
  /** Seeks asked for, applied over the committed offsets when positions are (re)loaded. */
  private readonly seeks = new Map<string, bigint>();
  /** Per partition: bumped by each seek, so a batch fetched before it is stale. */
  private readonly seekEpochs = new Map<string, number>();
  private readonly pausedTopics = new Set<string>();
  private readonly pausedPartitions = new Set<string>();

  constructor(
    config: KafkaConnectionConfig,
    private readonly options: ConsumerTransportOptions,
    private readonly logger: Logger,
  ) {
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    const client: ConsumerOptions<Buffer, Buffer, Buffer, Buffer> = {
      ...connectionOptions(config),
      groupId: options.groupId,
      sessionTimeout,
      rebalanceTimeout: Math.max(60_000, sessionTimeout),
      heartbeatInterval: Math.min(options.heartbeatIntervalMs ?? 3000, sessionTimeout),
      autocommit: false,
      retries: 10,
      retryDelay: (_client, _operation, attempt) => Math.min(2000, 100 * 2 ** attempt),
    };
    this.client = new Consumer(client);
    this.client.on('consumer:group:join', (payload) => this.onJoin(payload.assignments ?? []));
    this.client.on('consumer:heartbeat:end', () => this.emit('alive'));
    // A rejoin that failed for good: no more heartbeats, the membership is gone.
    this.client.on('error', (error: Error) => this.giveUp(fromPlatformaticRequest(error)));
  }

  async connect(): Promise<void> {
    // The client connects on demand; asking for metadata proves a broker answers.
    await mapped(() => this.client.metadata({ topics: [] }));
  }

  async subscribe(topics: readonly string[], options: { readonly fromBeginning: boolean }): Promise<void> {
    await mapped(() => this.client.metadata({ topics: [...topics], autocreateTopics: false }));
    this.topics = [...topics];
    this.fromBeginning = options.fromBeginning;
  }

  run(options: { readonly eachBatch: BatchCallback; readonly concurrency?: number }): Promise<void> {
    for (const topic of this.topics) this.client.topics.track(topic);
    this.running = true;
    // Joins in the loop, as kafkajs joins after run() returns: a coordinator still loading is
    // waited for there, not failed on.
    this.loop = this.fetchLoop(options.eachBatch, Math.max(1, options.concurrency ?? 1));
    return Promise.resolve();
  }

  commitOffsets(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
    // A batch of an earlier generation must not commit: what it computed may no longer hold (the
    // group moved on, the partition may be another member's), and the client would commit it
    // under the new generation. The batch fails and its partitions restart from their commits.
    if (this.delivering !== undefined && this.delivering !== this.generation)
      return Promise.reject(
        new KafkaRequestError(
          true,
          'ILLEGAL_GENERATION',
          new Error('the consumer group moved on under the batch'),
        ),
      );
    return mapped(() =>
      this.client.commit({
        offsets: offsets.map((o) => ({ ...o, offset: BigInt(o.offset), leaderEpoch: -1 })),
      }),
    );
  }

  seek(topic: string, partition: number, offset: number): void {
    const key = slot(topic, partition);
    this.seekEpochs.set(key, (this.seekEpochs.get(key) ?? 0) + 1);
    // Before the partition's position is known (not joined yet): applied when it is loaded.
    if (this.positions.has(key)) this.positions.set(key, BigInt(offset));
    else this.seeks.set(key, BigInt(offset));
  }

  pause(topics: readonly string[]): void {
    for (const topic of topics) this.pausedTopics.add(topic);
  }

  resume(topics: readonly string[]): void {
    for (const topic of topics) this.pausedTopics.delete(topic);
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: ConsumerEvents[E]): void {
    this.events.on(event, listener);
  }

  async disconnect(): Promise<void> {
    this.running = false;
    await this.loop;
    try {
      await this.client.close();
    } catch (error) {
      // Leaving the group failed (a coordinator gone): close the connections anyway.
      this.logger.debug({ err: messageOf(error) }, 'leaving the consumer group failed');
      await mapped(() => this.client.close(true));
    }
  }

  private emit<E extends keyof ConsumerEvents>(event: E, ...args: Parameters<ConsumerEvents[E]>): void {
    this.events.emit(event, ...args);
  }

  private onJoin(assignments: GroupAssignment[]): void {
    this.generation++;
    this.assignment = assignments.filter((a) => this.topics.includes(a.topic));
    this.positions.clear();
    this.announced = false;
    this.emit('alive');
  }

  /**
   * The client rejoins on its own timer, also while a batch is in hand; the assignment event waits
   * until no batch is (kafkajs only joins between batches): listeners drop per-partition state
   * on it (RecordConsumer resets chunk reassembly), which a batch still in hand must not see go.
   */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    const assignment: Record<string, number[]> = {};
    for (const a of this.assignment) assignment[a.topic] = [...a.partitions];
    this.emit('assignment', assignment);
  }

  /** Positions of the assigned partitions: a seek, else the committed offset, else the start or end. */
  private async loadPositions(generation: number): Promise<void> {
    const missing = this.assignment
      .map((a) => ({
        topic: a.topic,
        partitions: a.partitions.filter((p) => !this.positions.has(slot(a.topic, p))),
      }))
      .filter((a) => a.partitions.length > 0);
    if (missing.length === 0) return;
    const committed = await mapped(() => this.client.listCommittedOffsets({ topics: missing }));
    const ends = await mapped(() =>
      this.client.listOffsets({
        topics: missing.map((a) => a.topic),
        partitions: Object.fromEntries(missing.map((a) => [a.topic, a.partitions])),
        timestamp: this.fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
      }),
    );
    if (generation !== this.generation) return; // joined again meanwhile: load for the new one
    for (const { topic, partitions } of missing) {
      for (const partition of partitions) {
        const key = slot(topic, partition);
        const seek = this.seeks.get(key);
        const at = committed.get(topic)?.[partition] ?? -1n;
        this.positions.set(key, seek ?? (at >= 0n ? at : (ends.get(topic)?.[partition] ?? 0n)));
        this.seeks.delete(key);
      }
    }
  }

  private async fetchLoop(eachBatch: BatchCallback, concurrency: number): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.joined) {
          await mapped(() => this.client.joinGroup({}));
          this.joined = true;
        }
        const generation = this.generation;
        if (!this.client.isActive() || generation === 0) {
          await sleep(50);
          continue;
        }
        this.announce();
        await this.loadPositions(generation);
        const response = await this.fetchOnce(generation);
        this.emit('alive');
        if (response !== undefined) await this.deliver(response, generation, eachBatch, concurrency);
        failures = 0;
      } catch (error) {
        if (!this.running) return;
        // Start over from the committed offsets, as kafkajs does when it restarts a consumer.
        this.positions.clear();
        if (error instanceof KafkaRequestError && !error.retriable) {
          this.giveUp(error);
          return;
        }
        failures++;
        this.logger[failures > 3 ? 'warn' : 'debug'](
          { err: messageOf(error), groupId: this.options.groupId, failures },
          'consuming failed; retrying from the committed offsets',
        );
        await sleep(Math.min(5000, 200 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  /** This member cannot go on (its client said so): a new one must take over (revive.ts). */
  private giveUp(error: unknown): void {
    if (!this.running) return;
    this.running = false;
    this.emit('crash', error instanceof Error ? error : new Error(messageOf(error)), false);
  }

  /** One fetch from every leader of an unpaused assigned partition; undefined when there is none. */
  private async fetchOnce(generation: number): Promise<Map<string, FetchedPartition> | undefined> {
    const wanted = this.assignment.flatMap((a) =>
      this.pausedTopics.has(a.topic)
        ? []
        : a.partitions
            .filter((p) => !this.pausedPartitions.has(slot(a.topic, p)))
            .map((p) => ({ topic: a.topic, partition: p })),
    );
    if (wanted.length === 0) {
      await sleep(this.options.maxWaitTimeMs ?? 250);
      return undefined;
    }
    const metadata = await mapped(() => this.client.metadata({ topics: [...this.topics] }));
    const byNode = new Map<number, { topicId: string; topic: string; partition: number; offset: bigint }[]>();
    for (const { topic, partition } of wanted) {
      const topicMetadata = metadata.topics.get(topic);
      const leader = topicMetadata?.partitions[partition]?.leader ?? -1;
      const offset = this.positions.get(slot(topic, partition));
      if (topicMetadata === undefined || leader < 0 || offset === undefined) continue;
      const list = byNode.get(leader) ?? [];
      list.push({ topicId: topicMetadata.id, topic, partition, offset });
      byNode.set(leader, list);
    }
    const out = new Map<string, FetchedPartition>();
    await Promise.all(
      [...byNode].map(async ([node, partitions]) => {
        const topicIds = new Map(partitions.map((p) => [p.topicId, p.topic]));
        const requested = new Map(partitions.map((p) => [slot(p.topic, p.partition), p.offset]));
        let response: FetchResponse;
        try {
          response = await this.client.fetch({
            node,
            topics: partitions.map((p) => ({
              topicId: p.topicId,
              partitions: [
                {
                  partition: p.partition,
                  fetchOffset: p.offset,
                  partitionMaxBytes: this.options.maxBytesPerPartition ?? 8 * 1024 * 1024,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                },
              ],
            })),
            minBytes: 1,
            maxBytes: this.options.maxBytes ?? 64 * 1024 * 1024,
            maxWaitTime: this.options.maxWaitTimeMs ?? 250,
            isolationLevel: this.options.readUncommitted
              ? FetchIsolationLevels.READ_UNCOMMITTED
              : FetchIsolationLevels.READ_COMMITTED,
          });
        } catch (error) {
          if (this.resetOutOfRange(error, topicIds, generation)) return;
          throw fromPlatformaticRequest(error);
        }
        for (const topicResponse of response.responses) {
          const topic = topicIds.get(topicResponse.topicId);
          if (topic === undefined) continue;
          for (const p of topicResponse.partitions) {
            const from = requested.get(slot(topic, p.partitionIndex));
            // A partition lingering in the fetch session, not asked for this time: stale.
            if (from === undefined) continue;
            out.set(slot(topic, p.partitionIndex), { topic, partition: p.partitionIndex, from, data: p });
          }
        }
      }),
    );
    return out;
  }

  /** Partitions whose position is out of range restart at the beginning or end; true if any did. */
  private resetOutOfRange(error: unknown, topicIds: Map<string, string>, generation: number): boolean {
    const response = (error as { response?: FetchResponse }).response;
    if (response === undefined || generation !== this.generation) return false;
    let reset = false;
    for (const t of response.responses) {
      const topic = topicIds.get(t.topicId);
      for (const p of t.partitions) {
        if (topic === undefined || p.errorCode !== 1 /* OFFSET_OUT_OF_RANGE */) continue;
        this.positions.set(
          slot(topic, p.partitionIndex),
          this.fromBeginning ? p.logStartOffset : p.highWatermark,
        );
        reset = true;
      }
    }
    if (reset) this.logger.warn({ groupId: this.options.groupId }, 'fetch position out of range; reset');
    return reset;
  }

  private async deliver(
    fetched: Map<string, FetchedPartition>,
    generation: number,
    eachBatch: BatchCallback,
    concurrency: number,
  ): Promise<void> {
    const queue = [...fetched.values()];
    const worker = async () => {
      for (let item = queue.shift(); item !== undefined && this.running; item = queue.shift())
        await this.deliverPartition(item, generation, eachBatch);
    };
    this.delivering = generation;
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    } finally {
      this.delivering = undefined;
    }
  }

  private async deliverPartition(
    item: FetchedPartition,
    generation: number,
    eachBatch: BatchCallback,
  ): Promise<void> {
    const { topic, partition, from, data } = item;
    const key = slot(topic, partition);
    const { messages, end } = messagesOf(data, from, this.options.readUncommitted ?? false);
    const lastOffset = Number(end) - 1;
    const seekEpoch = this.seekEpochs.get(key) ?? 0;
    const stale = () => generation !== this.generation || (this.seekEpochs.get(key) ?? 0) !== seekEpoch;
    if (messages.length > 0) {
      let resolved: number | undefined;
      await eachBatch(
        {
          topic,
          partition,
          messages,
          lastOffset,
          offsetLag: () => Math.max(0, Number(data.highWatermark) - 1 - lastOffset),
        },
        {
          heartbeat: () => this.heartbeat(generation),
          isRunning: () => this.running,
          isStale: stale,
          resolveOffset: (offset) => {
            if (!stale()) resolved = offset;
          },
          pause: () => {
            this.pausedPartitions.add(key);
            return () => this.pausedPartitions.delete(key);
          },
        },
      );
      if (resolved !== undefined && !stale()) this.positions.set(key, BigInt(resolved) + 1n);
    } else if (end > from && !stale()) {
      // Nothing but markers or aborted records: move past them.
      this.positions.set(key, end);
    }
    if (end > from) this.emit('progress', topic, partition, lastOffset);
  }

  /** Heartbeats run on the client's own timer; this says whether the group moved on under a batch. */
  private heartbeat(generation: number): Promise<void> {
    this.emit('alive');
    if (generation === this.generation && this.client.isActive()) return Promise.resolve();
    return Promise.reject(
      new KafkaRequestError(true, 'REBALANCE_IN_PROGRESS', new Error('the consumer group is rebalancing')),
    );
  }
}

interface FetchedPartition {
  readonly topic: string;
  readonly partition: number;
  /** The position the fetch started at. */
  readonly from: bigint;
  readonly data: FetchedPartitionData;
}
