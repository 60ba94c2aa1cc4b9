/**
 * The @platformatic/kafka producer transport: its Producer (idempotent, acks=all) behind
 * ProducerTransport, transactions through its transactional API. Its errors become
 * KafkaWriteError here (Kafka's error type from the protocol errors it carries, classified like
 * every other transport's), so nothing above this module sees a @platformatic/kafka type.
 *
 * Two things this client does differently from kafkajs, handled here:
 * - it initialises a transactional id with producer id 0 and epoch 0 unless told otherwise, and a
 *   broker that knows the id under another producer id answers PRODUCER_FENCED: a new instance
 *   could never take over. We pass -1/-1 (KIP-360's "no producer yet"), as the Java client does.
 * - it shares one in-flight AddPartitionsToTxn among concurrent sends of a transaction, so the
 *   partitions of a send that joined late would never be added: sends of a transaction go one at
 *   a time (parallelPartitionSends false; the client sends one call's partitions itself).
 */
import { readFileSync } from 'node:fs';
import {
  Producer,
  ProduceAcks,
  type MessageToProduce,
  type ProduceResult,
  type ProducerOptions,
} from '@platformatic/kafka';
import { KafkaWriteError, kindOfKafkaType, type KafkaFailureKind } from '../kafka-errors.js';
import type { KafkaConnectionConfig } from '../connection.js';
import type {
  PartitionBaseOffset,
  ProducerTransport,
  ProducerTransportFactory,
  TransportRecord,
  TransportTransaction,
} from '../producer-transport.js';

type Client = Producer<string, Buffer, string, string | Buffer>;
type Options = ProducerOptions<string, Buffer, string, string | Buffer>;
type Message = MessageToProduce<string, Buffer, string, string | Buffer>;
/** The client's Transaction class is not exported; its type is what beginTransaction gives. */
type Transaction = Awaited<ReturnType<Client['beginTransaction']>>;

const toBuffer = (data?: string | Buffer): Buffer | undefined =>
  data === undefined ? undefined : typeof data === 'string' ? Buffer.from(data) : data;

const SASL = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** The @platformatic/kafka transport, connecting with our connection config. */
export function platformaticTransport(config: KafkaConnectionConfig): ProducerTransportFactory {
  // Read once: every producer (one per simulation in ingestion) shares the CA.
  const ca =
    config.ssl !== undefined && config.ssl !== false && config.ssl.caFile !== undefined
      ? readFileSync(config.ssl.caFile, 'utf8')
      : undefined;
  return (options) => {
    const client: Options = {
      clientId: config.clientId,
      bootstrapBrokers: [...config.brokers],
      connectTimeout: config.connectionTimeoutMs ?? 3000,
      requestTimeout: config.requestTimeoutMs ?? 30_000,
      // The client sends it both as the produce timeout and as InitProducerId's transaction timeout.
      timeout: options.transactionTimeoutMs,
      idempotent: true,
      acks: ProduceAcks.ALL,
      compression: options.compression,
      autocreateTopics: false,
      // Retries without end, fast at first; the batching producer bounds the total time with its
      // outage deadline. A transaction begun right after a commit is nearly always refused with
      // CONCURRENT_TRANSACTIONS while the coordinator writes the markers, so the first retries
      // are what every transaction waits for. Measured (sequential transactions of 64 KiB, one
      // writer): 1 ms first retry, p50 5.1–5.5 ms per transaction; 3 ms, 9.9–10.3 ms.
      retries: Number.MAX_SAFE_INTEGER,
      retryDelay: (_client, _operation, attempt) => Math.min(1000, 2 ** attempt),
      serializers: { key: toBuffer, headerKey: toBuffer, headerValue: toBuffer },
      producerId: -1n,
      producerEpoch: -1,
      ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
    };
    if (config.ssl !== undefined && config.ssl !== false) client.tls = ca === undefined ? {} : { ca: [ca] };
    if (config.sasl !== undefined)
      client.sasl = {
        mechanism: SASL[config.sasl.mechanism],
        username: config.sasl.username,
        password: config.sasl.password,
      };
    return new PlatformaticTransport(new Producer(client));
  };
}

class PlatformaticTransport implements ProducerTransport {
  readonly parallelPartitionSends = false;

  constructor(private readonly producer: Client) {}

  async connect(): Promise<void> {
    // The client connects on demand; asking for metadata proves a broker answers.
    await mapped(this.producer.metadata({ topics: [] }));
  }

  async init(): Promise<void> {
    // Beginning a transaction initialises the transactional id (InitProducerId); cancelling it
    // is local, and the next transaction reuses the producer id and epoch.
    const txn = await mapped(this.producer.beginTransaction());
    await mapped(txn.cancel());
  }

  send(records: readonly TransportRecord[]): Promise<PartitionBaseOffset[]> {
    return mapped(this.producer.send({ messages: records.map(messageOf) })).then(offsetsOf);
  }

  async begin(): Promise<TransportTransaction> {
    return new PlatformaticTransaction(await mapped(this.producer.beginTransaction()));
  }

  async disconnect(): Promise<void> {
    // Forced: a producer dropped after a deadline may still be retrying a request.
    await mapped(this.producer.close(true));
  }
}

class PlatformaticTransaction implements TransportTransaction {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly txn: Transaction) {}

  get active(): boolean {
    return !this.txn.completed;
  }

  send(records: readonly TransportRecord[]): Promise<PartitionBaseOffset[]> {
    // One at a time (see the module's header), in the order of the calls.
    const sent = this.tail.then(() => this.txn.send({ messages: records.map(messageOf) }));
    this.tail = sent.catch(() => undefined);
    return mapped(sent).then(offsetsOf);
  }

  commit(): Promise<void> {
    return mapped(this.txn.commit());
  }

  abort(): Promise<void> {
    return mapped(this.txn.abort());
  }
}

function messageOf(r: TransportRecord): Message {
  const message: Message = { topic: r.topic, key: r.key, value: r.value, partition: r.partition };
  if (r.headers !== undefined) message.headers = r.headers;
  return message;
}

function offsetsOf(result: ProduceResult): PartitionBaseOffset[] {
  return (result.offsets ?? []).map((o) => ({
    topic: o.topic,
    partition: o.partition,
    baseOffset: Number(o.offset),
  }));
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw fromPlatformatic(error);
  }
}

const SEVERITY: Record<KafkaFailureKind, number> = { transient: 0, permanent: 1, reset: 2, fenced: 3 };

/**
 * A @platformatic/kafka error as our KafkaWriteError. Its errors nest (retries and several
 * brokers give a MultipleErrors of attempts, each maybe a response of several protocol errors);
 * the most severe Kafka error type in the tree decides.
 */
export function fromPlatformatic(error: unknown): KafkaWriteError {
  if (error instanceof KafkaWriteError) return error;
  let best: { kind: KafkaFailureKind; type: string | undefined } | undefined;
  const consider = (kind: KafkaFailureKind, type: string | undefined) => {
    const rank = best === undefined ? -1 : SEVERITY[best.kind];
    if (SEVERITY[kind] > rank || (SEVERITY[kind] === rank && best?.type === undefined)) best = { kind, type };
  };
  const seen = new Set<unknown>();
  const visit = (current: unknown): void => {
    if (current === null || typeof current !== 'object' || seen.has(current)) return;
    seen.add(current);
    const { apiId, code, errors, cause } = current as {
      apiId?: unknown;
      code?: unknown;
      errors?: unknown;
      cause?: unknown;
    };
    if (typeof apiId === 'string') consider(kindOfKafkaType(apiId), apiId);
    else if (code === 'PLT_KFK_AUTHENTICATION') consider('permanent', 'SASL_AUTHENTICATION_FAILED');
    else if (code === 'PLT_KFK_UNSUPPORTED_COMPRESSION' || code === 'PLT_KFK_UNSUPPORTED_API')
      consider('permanent', undefined);
    // The client refusing a call in its state (a transaction completed or taken over): this
    // producer cannot go on, a new one can.
    else if (code === 'PLT_KFK_USER') consider('reset', undefined);
    if (Array.isArray(errors)) for (const e of errors) visit(e);
    visit(cause);
  };
  visit(error);
  return new KafkaWriteError(best?.kind ?? 'transient', best?.type, error);
}
