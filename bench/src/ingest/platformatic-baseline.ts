/**
 * Bare @platformatic/kafka producer loops on the same broker, records of the same size (no Avro,
 * no gRPC, no transactions), beside the kafkajs loops: idempotent, acks=all, ~1 MiB per send,
 * keys over 12 partitions. Runs as its own process (`node platformatic-baseline.js <brokers>
 * <topic> <size> <records> <inFlight> [plain|transactional]`, JSON on stdout) that imports the library directly.
 * `inFlight` sends at once: 1 is what the kafkajs `batched` loop does; 8 is what a peer measured
 * in issue 10 (the client pipelines the encoding of the next sends behind the one on the wire).
 *
 * `transactional` mode is the ceiling of ingestion's own design with the same library: one
 * transactional producer per stream (its own transactional id, its own key, so its own
 * partition), each writing transactions of INGEST_MAX_BATCH_BYTES (2 MiB) one after another —
 * what ingestion does per simulation, without gRPC, validation, Avro or progress records.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { throughput, type Throughput } from './stats.js';

async function loop(
  brokers: string[],
  topic: string,
  size: number,
  records: number,
  inFlight: number,
): Promise<Throughput & { cpuMs: number }> {
  const producer = new Producer({
    clientId: 'simstream-bench-platformatic',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  const payload = randomBytes(size);
  const keys = Array.from({ length: 12 }, (_, i) => Buffer.from(`bench-${i}`));
  const latencies: number[] = [];
  const perRequest = Math.max(1, Math.floor((1024 * 1024) / size));
  let next = 0;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < records) {
        const n = Math.min(perRequest, records - next);
        const first = next;
        next += n;
        const messages = Array.from({ length: n }, (_, i) => ({
          topic,
          key: keys[(first + i) % keys.length]!,
          value: payload,
        }));
        const t = performance.now();
        await producer.send({ messages });
        const ms = performance.now() - t;
        for (let i = 0; i < n; i++) latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  await producer.close();
  return {
    ...throughput(records, records * size, seconds, latencies),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function transactionalLoop(
  brokers: string[],
  topic: string,
  size: number,
  records: number,
  writers: number,
): Promise<Throughput & { cpuMs: number }> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const producers = Array.from(
    { length: writers },
    (_, i) =>
      new Producer({
        clientId: 'simstream-bench-platformatic-txn',
        bootstrapBrokers: brokers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        autocreateTopics: false,
        // As libs/kafka's transport: fast first retries (a transaction begun right after a commit
        // is refused with CONCURRENT_TRANSACTIONS while the markers are written), a new id.
        retries: 100,
        retryDelay: (_client, _operation, attempt) => Math.min(1000, 2 ** attempt),
        producerId: -1n,
        producerEpoch: -1,
        transactionalId: `bench-txn-${run}-${i}`,
      }),
  );
  const payload = randomBytes(size);
  const latencies: number[] = [];
  const perTransaction = Math.max(1, Math.floor((2 * 1024 * 1024) / size));
  const perWriter = Math.ceil(records / writers);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    producers.map(async (producer, w) => {
      const key = Buffer.from(`bench-txn-${w}`);
      for (let done = 0; done < perWriter;) {
        const n = Math.min(perTransaction, perWriter - done);
        done += n;
        const t = performance.now();
        const txn = await producer.beginTransaction();
        await txn.send({ messages: Array.from({ length: n }, () => ({ topic, key, value: payload })) });
        await txn.commit();
        const ms = performance.now() - t;
        for (let i = 0; i < n; i++) latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(producers.map((p) => p.close()));
  const total = perWriter * writers;
  return { ...throughput(total, total * size, seconds, latencies), cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Runs the loop in a fresh process. */
export async function platformaticLoop(
  brokers: readonly string[],
  topic: string,
  size: number,
  records: number,
  inFlight: number,
  mode: 'plain' | 'transactional' = 'plain',
): Promise<Throughput & { cpuMs?: number }> {
  // The loop reports the CPU of its measured window (start-up and connecting left out).
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      brokers.join(','),
      topic,
      String(size),
      String(records),
      String(inFlight),
      mode,
    ],
    { timeout: 600_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Throughput & { cpuMs: number };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [brokers, topic, size, records, inFlight, mode] = process.argv.slice(2);
  const result = await (mode === 'transactional' ? transactionalLoop : loop)(
    brokers!.split(','),
    topic!,
    Number(size),
    Number(records),
    Number(inFlight),
  );
  process.stdout.write(JSON.stringify(result));
}
