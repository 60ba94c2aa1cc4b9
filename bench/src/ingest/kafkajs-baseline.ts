/**
 * Bare kafkajs producer loops on the same broker, records of the same size (no Avro, no gRPC,
 * no transactions): the ceiling of what a TypeScript producer reaches. Runs as its own process
 * (`node kafkajs-baseline.js <brokers> <topic> <size> <records> <mode>`, JSON on stdout) that
 * imports kafkajs directly, so it measures the stock library — not the CRC and buffer tuning
 * that @simstream/kafka applies to it.
 * `one-per-send` awaits each record (one request in flight); `batched` sends as many records
 * per request as fit in ~1 MiB, still one request in flight (what a careful kafkajs user does).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { throughput, type Throughput } from './stats.js';

export type LoopMode = 'one-per-send' | 'batched';

async function loop(
  brokers: string[],
  topic: string,
  size: number,
  records: number,
  mode: LoopMode,
): Promise<Throughput> {
  const kafka = new Kafka({ brokers, clientId: 'simstream-bench-stock', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const payload = randomBytes(size);
  const latencies: number[] = [];
  const perRequest = mode === 'one-per-send' ? 1 : Math.max(1, Math.floor((1024 * 1024) / size));
  const started = performance.now();
  let sent = 0;
  while (sent < records) {
    const n = Math.min(perRequest, records - sent);
    const messages = Array.from({ length: n }, (_, i) => ({
      key: `bench-${(sent + i) % 12}`,
      value: payload,
    }));
    const t = performance.now();
    await producer.send({ topic, acks: -1, messages });
    const ms = performance.now() - t;
    for (let i = 0; i < n; i++) latencies.push(ms);
    sent += n;
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return throughput(records, records * size, seconds, latencies);
}

/** Runs the loop in a fresh process with stock kafkajs. */
export async function kafkajsLoop(
  brokers: readonly string[],
  topic: string,
  size: number,
  records: number,
  mode: LoopMode,
): Promise<Throughput> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [fileURLToPath(import.meta.url), brokers.join(','), topic, String(size), String(records), mode],
    {
      timeout: 600_000,
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout) as Throughput;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [brokers, topic, size, records, mode] = process.argv.slice(2);
  const result = await loop(brokers!.split(','), topic!, Number(size), Number(records), mode as LoopMode);
  process.stdout.write(JSON.stringify(result));
}
