/**
 * `pnpm bench consume [--mb 256] [--record-kib 64] [--partitions 4] [--runs 2]`: how fast each
 * consumer transport (KAFKA_CONSUMER_TRANSPORT) reads a topic, to pick the default. Writes `--mb`
 * of records of `--record-kib` into a topic of its own (transactions of 2 MiB, as ingestion
 * writes), then reads it whole with a fresh group per run, read_committed, transports
 * alternating in the same process; the topic is deleted afterwards. MB/s is record value bytes
 * over the time from run() to the last record.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { endpoints } from '@simstream/infra';
import {
  BatchingProducer,
  PartitionCounts,
  createKafkaClient,
  ensureTopics,
  withAdmin,
  type ConsumerTransportKind,
  type KafkaClient,
} from '@simstream/kafka';
import { createLogger } from '@simstream/observability';

const log = (msg: string): void => void process.stderr.write(`[consume] ${msg}\n`);

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

async function readAll(
  kafka: KafkaClient,
  transport: ConsumerTransportKind,
  topic: string,
  records: number,
): Promise<{ seconds: number; bytes: number }> {
  const consumer = kafka.consumer(
    { groupId: `simstream-bench-consume-${randomUUID()}`, maxWaitTimeMs: 250 },
    transport,
  );
  let seen = 0;
  let bytes = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  const started = performance.now();
  await consumer.run({
    eachBatch: (batch, control) => {
      for (const m of batch.messages) bytes += m.value?.length ?? 0;
      seen += batch.messages.length;
      control.resolveOffset(batch.lastOffset);
      if (seen >= records) done();
      return Promise.resolve();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { seconds, bytes };
}

export default async function consume(args: string[]): Promise<unknown> {
  const mb = flag(args, '--mb', 256);
  const recordKiB = flag(args, '--record-kib', 64);
  const partitions = flag(args, '--partitions', 4);
  const runs = flag(args, '--runs', 2);
  const logger = createLogger({
    service: 'bench',
    level: 'warn',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const kafka = createKafkaClient({ brokers: endpoints().kafkaBrokers, clientId: 'simstream-bench' }, logger);
  const topic = `simstream.bench.consume-${randomUUID().slice(0, 8)}`;
  const records = Math.ceil((mb * 1024) / recordKiB);
  await ensureTopics(
    kafka,
    [{ name: topic, partitions, replicationFactor: 1, description: 'bench consume', config: {} }],
    logger,
  );
  try {
    const producer = new BatchingProducer({
      transport: kafka.producers('platformatic'),
      logger,
      partitions: new PartitionCounts(kafka),
      name: 'bench_consume',
      transactionalId: `${topic}-writer`,
      maxBatchBytes: 2 * 1024 * 1024,
    });
    const value = Buffer.alloc(recordKiB * 1024, 7);
    log(`writing ${records} records of ${recordKiB} KiB (${mb} MB) to ${topic}`);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < records; i++)
      sends.push(producer.send([{ topic, key: `k${i % 64}`, value }], { orderingKey: `k${i % 64}` }));
    await Promise.all(sends);
    await producer.close();

    const runsOut: { transport: ConsumerTransportKind; seconds: number; mbPerSecond: number }[] = [];
    for (let r = 0; r < runs; r++) {
      for (const transport of ['kafkajs', 'platformatic'] as const) {
        const { seconds, bytes } = await readAll(kafka, transport, topic, records);
        const mbPerSecond = bytes / 1e6 / seconds;
        log(
          `${transport}: ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(2)} s, ${mbPerSecond.toFixed(1)} MB/s`,
        );
        runsOut.push({
          transport,
          seconds: Number(seconds.toFixed(3)),
          mbPerSecond: Number(mbPerSecond.toFixed(1)),
        });
      }
    }
    const best = (t: ConsumerTransportKind) =>
      Math.max(...runsOut.filter((x) => x.transport === t).map((x) => x.mbPerSecond));
    return {
      records,
      recordKiB,
      partitions,
      megabytes: Number(((records * recordKiB * 1024) / 1e6).toFixed(1)),
      runs: runsOut,
      bestMbPerSecond: { kafkajs: best('kafkajs'), platformatic: best('platformatic') },
    };
  } finally {
    await withAdmin(kafka, (admin) => admin.deleteTopics([topic])).catch(() => undefined);
  }
}
