/**
 * Reading back what services wrote, with our own consumer (so reassembly, decoding and the
 * dead-letter path are exercised too), starting from end offsets taken before the test wrote.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { schemaRegistry } from '@simstream/contracts';
import { endpoints } from '@simstream/infra';
import {
  RecordConsumer,
  createKafkaClient,
  setGroupOffsets,
  topicOffsets,
  type BatchingProducer,
  type ConsumedRecord,
  type ConsumerTransportKind,
  type KafkaClient,
} from '@simstream/kafka';
import { createLogger, type Logger } from '@simstream/observability';

export function quietLogger(name = 'test'): Logger {
  return createLogger({
    service: name,
    level: 'warn',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
}

/** A client of the test broker; its transports are the defaults unless named. */
export function testKafka(
  logger: Logger = quietLogger(),
  transports: { consumer?: ConsumerTransportKind; producer?: 'kafkajs' | 'platformatic' } = {},
): KafkaClient {
  return createKafkaClient(
    {
      brokers: endpoints().kafkaBrokers,
      clientId: 'simstream-test',
      ...(transports.consumer === undefined ? {} : { consumerTransport: transports.consumer }),
      ...(transports.producer === undefined ? {} : { producerTransport: transports.producer }),
    },
    logger,
  );
}

/** High watermark of every partition of `topic` (where new records will go). */
export async function endOffsets(kafka: KafkaClient, topic: string): Promise<Map<number, number>> {
  return new Map((await topicOffsets(kafka, topic)).map((p) => [p.partition, p.high]));
}

export interface ReadOptions {
  readonly kafka: KafkaClient;
  readonly topic: string;
  readonly from: Map<number, number>;
  /** Stop once this holds for everything read so far. */
  readonly until: (records: readonly ConsumedRecord[]) => boolean;
  readonly timeoutMs?: number;
  readonly dlq?: { producer: BatchingProducer; topic: string };
  /** Only keep records for which this is true (others are read and dropped). */
  readonly filter?: (record: ConsumedRecord) => boolean;
  /** Once `until` holds, keep reading this long, so records written later (duplicates) are seen. */
  readonly settleMs?: number;
}

/** Reads `topic` from `from` until `until` holds; rejects on timeout with what was read. */
export async function readUntil(options: ReadOptions): Promise<ConsumedRecord[]> {
  const groupId = `simstream-test-reader-${randomUUID()}`;
  await setGroupOffsets(options.kafka, groupId, options.topic, options.from);
  const records: ConsumedRecord[] = [];
  const consumer = new RecordConsumer({
    kafka: options.kafka,
    logger: quietLogger('reader'),
    registry: schemaRegistry(),
    groupId,
    topics: [options.topic],
    name: 'test',
    ...(options.dlq === undefined ? {} : { dlq: options.dlq }),
  });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let settling: NodeJS.Timeout | undefined;
  await consumer.start((batch) => {
    for (const r of batch) if (options.filter?.(r) ?? true) records.push(r);
    if (settling === undefined && options.until(records)) {
      if (options.settleMs === undefined) done();
      else settling = setTimeout(done, options.settleMs);
    }
    return Promise.resolve();
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `read ${records.length} records of ${options.topic}, condition not met within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
    return records;
  } finally {
    clearTimeout(timer);
    clearTimeout(settling);
    await consumer.stop();
  }
}

/** A record as any Kafka client reads it (no decoding, no reassembly). */
export interface RawRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RawReaderOptions {
  readonly kafka: KafkaClient;
  readonly topic: string;
  /** Where to start per partition (default: the beginning). */
  readonly from?: ReadonlyMap<number, number>;
  /** Also records of open and aborted transactions. */
  readonly readUncommitted?: boolean;
  readonly maxBytesPerPartition?: number;
  /** Called with every record as it is read. */
  readonly onRecord?: (record: RawRecord) => void;
}

export interface RawReader {
  readonly records: readonly RawRecord[];
  /** When the last record was read (or the reader started). */
  readonly lastReadAt: number;
  stop(): Promise<void>;
}

/** A raw consumer of `topic` (its own group) on the client's consumer transport, running until stopped. */
export async function rawReader(options: RawReaderOptions): Promise<RawReader> {
  const groupId = `simstream-test-raw-${randomUUID()}`;
  const records: RawRecord[] = [];
  const state = { records, lastReadAt: Date.now() };
  const consumer = options.kafka.consumer({
    groupId,
    readUncommitted: options.readUncommitted ?? false,
    // Short fetch waits: disconnect waits for the fetch in flight.
    maxWaitTimeMs: 100,
    ...(options.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.maxBytesPerPartition }),
  });
  await consumer.connect();
  try {
    // From `from` by seeking once running (positioning the group first takes seconds: a test that
    // watches for a record written meanwhile would miss its moment).
    await consumer.subscribe([options.topic], { fromBeginning: options.from === undefined });
    await consumer.run({
      eachBatch: (batch, control) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers)) if (v !== undefined) headers[k] = v.toString();
          const record = {
            partition: batch.partition,
            offset: m.offset,
            key: m.key?.toString() ?? null,
            value: m.value,
            headers,
          };
          records.push(record);
          state.lastReadAt = Date.now();
          options.onRecord?.(record);
        }
        control.resolveOffset(batch.lastOffset);
        return Promise.resolve();
      },
    });
    for (const [partition, offset] of options.from ?? []) consumer.seek(options.topic, partition, offset);
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    records,
    get lastReadAt() {
      return state.lastReadAt;
    },
    stop: () => consumer.disconnect(),
  };
}

/**
 * Reads `topic` raw until `until` holds for what was read, then `settleMs` longer (so records
 * written after, such as duplicates, are seen too); rejects after `timeoutMs`.
 */
export async function readRawUntil(
  options: RawReaderOptions & {
    readonly until: (records: readonly RawRecord[]) => boolean;
    readonly settleMs?: number;
    readonly timeoutMs?: number;
  },
): Promise<RawRecord[]> {
  const reader = await rawReader(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    while (!options.until(reader.records)) {
      if (Date.now() > deadline)
        throw new Error(
          `read ${reader.records.length} records of ${options.topic}; condition not met in ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 0));
    return [...reader.records];
  } finally {
    await reader.stop();
  }
}
