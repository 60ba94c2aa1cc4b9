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
  createKafka,
  setGroupOffsets,
  topicOffsets,
  type BatchingProducer,
  type ConsumedRecord,
  type Kafka,
} from '@simstream/kafka';
import { createLogger, type Logger } from '@simstream/observability';

export function quietLogger(name = 'test'): Logger {
  return createLogger({
    service: name,
    level: 'warn',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
}

export function testKafka(logger: Logger = quietLogger()): Kafka {
  return createKafka({ brokers: endpoints().kafkaBrokers, clientId: 'simstream-test' }, logger);
}

/** High watermark of every partition of `topic` (where new records will go). */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  return new Map((await topicOffsets(kafka, topic)).map((p) => [p.partition, p.high]));
}

export interface ReadOptions {
  readonly kafka: Kafka;
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
