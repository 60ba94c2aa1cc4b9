/**
 * The seam between our batching producer (producer.ts: batches, ordering keys, outage deadline,
 * fixed epoch, metrics) and a Kafka client library. A transport is one client's producer, shaped
 * like kafkajs's own: connect, initialise the producer id, send (outside a transaction or inside
 * one), commit or abort, disconnect. It holds every line of client-library code (transports/*),
 * and it rejects only with KafkaWriteError (kafka-errors.ts): what kind of failure, and Kafka's
 * error type, so the domain logic never sees a library's error classes.
 */
import type { OutRecord } from './produce-plan.js';

/** A record whose partition is chosen (the producer places records before sending them). */
export type TransportRecord = Pick<OutRecord, 'topic' | 'key' | 'value' | 'headers'> & {
  readonly partition: number;
};

/** Where a send's records of one partition went: the first at `baseOffset`, the others after it. */
export interface PartitionBaseOffset {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: number | undefined;
}

export interface ProducerTransportOptions {
  /** Transactional producer with this id (else idempotent only). */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs: number;
  readonly compression: 'none' | 'gzip';
}

export interface TransportTransaction {
  /** Writes records inside the transaction (acks=all); visible to read_committed after commit. */
  send(records: readonly TransportRecord[]): Promise<PartitionBaseOffset[]>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** Neither committed nor aborted yet. */
  readonly active: boolean;
}

/**
 * One idempotent producer (acks=all) of one client library; a new instance after a failure that
 * needs one. Every method rejects with KafkaWriteError only.
 */
export interface ProducerTransport {
  connect(): Promise<void>;
  /**
   * Initialises the transactional id (transactional producers only; idempotent ones initialise
   * on their first send): a new epoch of the transactional id, which fences
   * every earlier producer of the id and completes (or aborts) its open transaction first.
   */
  init(): Promise<void>;
  /** Writes records outside a transaction (idempotent, acks=all). */
  send(records: readonly TransportRecord[]): Promise<PartitionBaseOffset[]>;
  /** Starts a transaction (transactional producers only; one at a time). */
  begin(): Promise<TransportTransaction>;
  disconnect(): Promise<void>;
  /**
   * How a transaction should be sent. true: one call per partition, partitions in parallel
   * (kafkajs: see produce-plan.ts, splitByPartition). false: one call at a time, each with any
   * partitions (the client sends a call's partitions itself).
   */
  readonly parallelPartitionSends: boolean;
}

/** Makes a transport for one producer (BatchingProducer calls it again for a fresh producer). */
export type ProducerTransportFactory = (options: ProducerTransportOptions) => ProducerTransport;

/** Which client library writes: KAFKA_PRODUCER_TRANSPORT. */
export type ProducerTransportKind = 'kafkajs' | 'platformatic';
export const PRODUCER_TRANSPORTS = ['kafkajs', 'platformatic'] as const;
/** The transport when KAFKA_PRODUCER_TRANSPORT is not set: the faster full path in `bench ingest` (README). */
export const DEFAULT_PRODUCER_TRANSPORT: ProducerTransportKind = 'platformatic';
