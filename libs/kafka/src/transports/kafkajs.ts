/**
 * The kafkajs producer transport: a kafkajs Producer (idempotent, one request in flight, acks=all)
 * behind ProducerTransport. kafkajs's errors become KafkaWriteError here, classified as before
 * (kafka-errors.ts), so nothing above this module sees a kafkajs type.
 */
import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { KafkaWriteError, classifyKafkaError, kafkaErrorType } from '../kafka-errors.js';
import type {
  PartitionBaseOffset,
  ProducerTransport,
  ProducerTransportFactory,
  ProducerTransportOptions,
  TransportRecord,
  TransportTransaction,
} from '../producer-transport.js';

/** The kafkajs producer transport on a kafkajs client (client.ts makes it). */
export function kafkajsTransport(kafka: Kafka): ProducerTransportFactory {
  return (options) => new KafkajsTransport(kafka, options);
}

/** A kafkajs error as our KafkaWriteError (the kafkajs error is its cause). */
export function fromKafkajs(error: unknown): KafkaWriteError {
  if (error instanceof KafkaWriteError) return error;
  return new KafkaWriteError(classifyKafkaError(error), kafkaErrorType(error), error);
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw fromKafkajs(error);
  }
}

type Batch = Parameters<Producer['sendBatch']>[0];

class KafkajsTransport implements ProducerTransport {
  readonly parallelPartitionSends = true;
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;

  constructor(kafka: Kafka, options: ProducerTransportOptions) {
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      ...(options.transactionalId === undefined
        ? {}
        : { transactionalId: options.transactionalId, transactionTimeout: options.transactionTimeoutMs }),
      // Fast first retries: right after a commit the coordinator answers CONCURRENT_TRANSACTIONS
      // to the next transaction until its markers are written (a few ms).
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: 3,
        maxRetryTime: 1000,
        factor: 0.2,
        multiplier: 2,
      },
    });
  }

  connect(): Promise<void> {
    return mapped(this.producer.connect());
  }

  async init(): Promise<void> {
    // kafkajs initialises the transactional id with the first transaction; an empty one that
    // is aborted at once makes a restarted instance abort its predecessor's transaction now.
    const txn = await mapped(this.producer.transaction());
    await mapped(txn.abort());
  }

  send(records: readonly TransportRecord[]): Promise<PartitionBaseOffset[]> {
    return mapped(this.producer.sendBatch(this.batch(records))).then(offsetsOf);
  }

  async begin(): Promise<TransportTransaction> {
    const txn = await mapped(this.producer.transaction());
    return {
      send: (records) => mapped(txn.sendBatch(this.batch(records))).then(offsetsOf),
      commit: () => mapped(txn.commit()),
      abort: () => mapped(txn.abort()),
      get active() {
        return txn.isActive();
      },
    };
  }

  disconnect(): Promise<void> {
    return mapped(this.producer.disconnect());
  }

  private batch(records: readonly TransportRecord[]): Batch {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      const message: Message = { key: r.key, value: r.value, partition: r.partition };
      if (r.headers !== undefined) message.headers = r.headers;
      const list = byTopic.get(r.topic);
      if (list === undefined) byTopic.set(r.topic, [message]);
      else list.push(message);
    }
    return {
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
      compression: this.compression,
    };
  }
}

function offsetsOf(metadata: RecordMetadata[]): PartitionBaseOffset[] {
  return metadata.map((m) => ({
    topic: m.topicName,
    partition: m.partition,
    baseOffset: m.baseOffset === undefined ? undefined : Number(m.baseOffset),
  }));
}
