/**
 * One Kafka writer per simulation at a time, across every instance.
 *
 * Whoever takes a simulation (a stream, or an IngestBatch call) opens a transactional producer
 * whose transactional id is the simulation's own. Initialising it bumps the id's epoch in Kafka:
 * every earlier writer of that simulation, on this instance or on any other replica, is fenced,
 * and its open transaction is completed or aborted before the initialisation returns. Only then
 * is the simulation's progress read (up to the end of its partition), so the step reported to
 * the client is final: nothing at or below it can still be written by an older writer, and
 * nothing above it ever will be. A fenced writer never re-initialises (fixed epoch): its writes
 * fail with UNAVAILABLE and its client reconnects, to learn the durable step afresh. (Not ABORTED:
 * the fence may come from a stale writer whose initialisation was stuck behind a broker outage
 * and completed late, after the client had already reconnected; the client must not give up.)
 */
import { UnavailableError, messageOf } from '@simstream/errors';
import {
  BatchingProducer,
  type Delivery,
  type OutRecord,
  type PartitionCounts,
  type ProducerMetrics,
  type ProducerTransportFactory,
  type SendOptions,
} from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import type { FrameSink } from './ingestor.js';

export interface SimulationWriter extends FrameSink {
  /** Delivers what is queued, then lets go of the producer. */
  close(): Promise<void>;
}

export interface SimulationWriters {
  /** Takes the simulation in Kafka (fencing every earlier writer of it) and returns its writer. */
  open(simulationId: string): Promise<SimulationWriter>;
  /** Milliseconds since a live writer's writes started failing, or undefined. */
  unavailableForMs(): number | undefined;
}

export interface KafkaSimulationWritersOptions {
  /** The client library that writes (KAFKA_PRODUCER_TRANSPORT). */
  readonly transport: ProducerTransportFactory;
  readonly logger: Logger;
  readonly partitions: PartitionCounts;
  readonly metrics: ProducerMetrics;
  /** Prefix of every simulation's transactional id (ACLs can grant it as a prefix). */
  readonly transactionalIdPrefix: string;
  readonly maxBatchBytes: number;
  readonly maxPartitionBytes: (topic: string) => number;
  readonly outageTimeoutMs: number;
  readonly transactionTimeoutMs: number;
}

/** The transactional id that owns a simulation's writes. */
export function transactionalIdOf(prefix: string, simulationId: string): string {
  return `${prefix}${simulationId}`;
}

export class KafkaSimulationWriters implements SimulationWriters {
  private readonly live = new Set<BatchingProducer>();

  constructor(private readonly options: KafkaSimulationWritersOptions) {}

  async open(simulationId: string): Promise<SimulationWriter> {
    const o = this.options;
    const transactionalId = transactionalIdOf(o.transactionalIdPrefix, simulationId);
    const producer = new BatchingProducer({
      transport: o.transport,
      logger: o.logger,
      partitions: o.partitions,
      name: 'ingest',
      metrics: o.metrics,
      transactionalId,
      fixedEpoch: true,
      fencedError: (cause) =>
        new UnavailableError(
          'kafka',
          `another writer took over simulation '${simulationId}' in Kafka; reconnect to resume`,
          { cause },
        ),
      maxBatchBytes: o.maxBatchBytes,
      maxPartitionBytes: o.maxPartitionBytes,
      outageTimeoutMs: o.outageTimeoutMs,
      transactionTimeoutMs: o.transactionTimeoutMs,
    });
    this.live.add(producer);
    const release = async () => {
      await producer.close();
      this.live.delete(producer);
    };
    try {
      await producer.connect({ timeoutMs: o.outageTimeoutMs });
    } catch (error) {
      void release();
      throw new UnavailableError(
        'kafka',
        `cannot take over simulation '${simulationId}': ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    return {
      send: (records: readonly OutRecord[], options?: SendOptions): Promise<Delivery[]> =>
        producer.send(records, options),
      close: release,
    };
  }

  unavailableForMs(): number | undefined {
    let longest: number | undefined;
    for (const p of this.live) {
      const ms = p.unavailableForMs;
      if (ms !== undefined && (longest === undefined || ms > longest)) longest = ms;
    }
    return longest;
  }
}
