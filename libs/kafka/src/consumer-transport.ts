/**
 * The seam between our consumers (consumer.ts: decoding, reassembly, DLQ, commits; table.ts:
 * compacted tables) and a Kafka client library, shaped by what RecordConsumer needs and close to
 * kafkajs's own consumer: connect, subscribe, run with a callback per fetched batch of one
 * partition, manual commits, seek, pause/resume, and events for group assignments, signs of life
 * and crashes the client gave up on. A transport (transports/*) holds every line of client code;
 * it rejects with KafkaRequestError only (kafka-errors.ts), so nothing above it sees a library type.
 *
 * Every transport reads read_committed unless asked otherwise, and never hands out a record of
 * an aborted transaction, however the transactions of a partition interleave.
 */

/** A record as fetched: offsets and timestamps as numbers (safe below 2^53). */
export interface ConsumedMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Milliseconds since the epoch (the record's create or log-append time). */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
}

/** The records of one partition from one fetch (aborted records and markers left out). */
export interface ConsumerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
  /**
   * The offset the fetch position reaches with this batch, minus one: the last record's offset,
   * or past filtered records and markers (a batch may hold no messages yet move on).
   */
  readonly lastOffset: number;
  /** Records between lastOffset and the end of the partition (the high watermark). */
  offsetLag(): number;
}

/** What a batch callback may do while it holds the batch. */
export interface BatchControl {
  /** Tells the group this member is alive; rejects when the group moved on (rebalance). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once a seek or a rebalance made this batch's records out of date. */
  isStale(): boolean;
  /** The fetch position moves past `offset` (the next fetch starts after it). */
  resolveOffset(offset: number): void;
  /** Pauses this partition; the function returned resumes it. */
  pause(): () => void;
}

export type BatchCallback = (batch: ConsumerBatch, control: BatchControl) => Promise<void>;

export interface ConsumerTransportOptions {
  readonly groupId: string;
  /** Read records of open and aborted transactions too (default false: read_committed). */
  readonly readUncommitted?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
  /** How long the broker may hold a fetch waiting for records (also bounds how long stop waits). */
  readonly maxWaitTimeMs?: number;
}

/** topic → partitions now assigned to this member. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

export interface ConsumerEvents {
  /** The member joined the group (again) with this assignment; every partition restarts from its committed offset. */
  assignment: (assignment: Assignment) => void;
  /**
   * The fetch position of a partition passed `lastOffset`: after every batch, also after one
   * whose records were all filtered out (markers, aborted records), which never reaches eachBatch.
   */
  progress: (topic: string, partition: number, lastOffset: number) => void;
  /** A sign of life: a fetch, a batch, a heartbeat. */
  alive: () => void;
  /** The client stopped consuming for good (`restart` false) or is restarting itself. */
  crash: (error: Error, restart: boolean) => void;
}

/**
 * One consumer group member of one client library. Topics must exist (no auto-creation). A new
 * instance after a crash (revive.ts). Every method rejects with KafkaRequestError only; errors
 * thrown by the batch callback are the callback's own.
 */
export interface ConsumerTransport {
  connect(): Promise<void>;
  /** Where partitions without a committed offset start: the beginning, or the end. */
  subscribe(topics: readonly string[], options: { readonly fromBeginning: boolean }): Promise<void>;
  /**
   * Joins the group and calls `eachBatch` per fetched batch, at most `concurrency` partitions at a
   * time (default 1); resolves once running. A callback that rejects gets the batch again (from
   * the last resolved offset), after the client's own backoff.
   */
  run(options: { readonly eachBatch: BatchCallback; readonly concurrency?: number }): Promise<void>;
  /** Commits, for each partition, the offset of the next record to read. */
  commitOffsets(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void>;
  /** The next fetch of this partition starts at `offset` (once running; before the group is joined too). */
  seek(topic: string, partition: number, offset: number): void;
  pause(topics: readonly string[]): void;
  resume(topics: readonly string[]): void;
  on<E extends keyof ConsumerEvents>(event: E, listener: ConsumerEvents[E]): void;
  /** Stops fetching, lets the batch in hand finish, leaves the group, closes connections. */
  disconnect(): Promise<void>;
}

/** Makes one consumer (a new one after each revival). */
export type ConsumerTransportFactory = (options: ConsumerTransportOptions) => ConsumerTransport;

/** Which client library consumes: KAFKA_CONSUMER_TRANSPORT. */
export type ConsumerTransportKind = 'kafkajs' | 'platformatic';
export const CONSUMER_TRANSPORTS = ['kafkajs', 'platformatic'] as const;
/** The transport when KAFKA_CONSUMER_TRANSPORT is not set (README: why). */
export const DEFAULT_CONSUMER_TRANSPORT: ConsumerTransportKind = 'platformatic';
