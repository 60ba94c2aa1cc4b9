/**
 * `pnpm bench ingest [--quick] [--sizes 4KiB,64KiB,1MiB,8MiB] [--streams 4]`
 *
 * Frames/s, MB/s and p50/p99 ack latency per frame size over the full path (gRPC client →
 * ingestion → Kafka, acks=all, transactional), and in the same run, on the same broker and
 * the same bytes: bare kafkajs producer loops and Kafka's Java ProducerPerformance. Ratios of
 * the full path to each peer are reported per size.
 */
import { randomBytes } from 'node:crypto';
import { parseBytes } from '@simstream/config';
import { endpoints, up } from '@simstream/infra';
import {
  FRAMES_MAX_MESSAGE_BYTES,
  TopicName,
  createKafka,
  ensureTopics,
  topicDefinitions,
  type Kafka,
} from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { fullPath } from './ingest/full-path.js';
import { startBenchIngestion } from './ingest/ingestion.js';
import { javaProducerPerformance } from './ingest/java-baseline.js';
import { kafkajsLoop } from './ingest/kafkajs-baseline.js';
import { round } from './ingest/stats.js';

const BENCH_TOPIC = 'simstream.bench.v1';
const log = (line: string) => process.stderr.write(`[bench ingest] ${line}\n`);

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function ensureBenchTopic(kafka: Kafka): Promise<void> {
  // Like the frames topic, but takes 8 MiB records whole (the baselines do not chunk).
  const frames = topicDefinitions().find((t) => t.name === TopicName.frames)!;
  const logger = createLogger({ service: 'bench', level: 'warn', destination: process.stderr });
  await ensureTopics(
    kafka,
    [
      {
        ...frames,
        name: BENCH_TOPIC,
        description: 'benchmark peers',
        config: {
          ...frames.config,
          'max.message.bytes': String(16 * 1024 * 1024),
          'retention.ms': String(3600_000),
          'retention.bytes': String(2 * 1024 ** 3),
        },
      },
    ],
    logger,
  );
}

export default async function ingestBench(args: string[]): Promise<unknown> {
  const quick = args.includes('--quick');
  const sizes = (arg(args, '--sizes') ?? '4KiB,64KiB,1MiB,8MiB')
    .split(',')
    .map((s) => parseBytes(s) ?? Number.NaN);
  const streams = Number(arg(args, '--streams') ?? 4);
  // Bytes per case: enough for a few seconds of steady state, fewer with --quick.
  const budget = (quick ? 64 : 256) * 1024 * 1024;

  await up(['kafka', 'postgres', 'redis']);
  const brokers = endpoints().kafkaBrokers;
  const kafka = createKafka(
    { brokers, clientId: 'simstream-bench' },
    createLogger({ service: 'bench', level: 'error', destination: process.stderr }),
  );
  await ensureTopics(
    kafka,
    topicDefinitions(),
    createLogger({ service: 'bench', level: 'warn', destination: process.stderr }),
  );
  await ensureBenchTopic(kafka);
  const ingestion = await startBenchIngestion(brokers);
  const client = ingestion.target;
  const run = Date.now().toString(36);
  const cases = [];
  try {
    // A broker started moments ago (as `infra up` just did) spends most of its CPU in the JIT
    // for the first minute of transactional produce traffic (measured: C2 compiler threads at
    // 40–67 % of a core while the request handlers used 20 %), which would bill the first cases
    // for the broker's warm-up. Warm every path once with 64 MiB before measuring.
    if (!quick) {
      const warm = randomBytes(65536);
      log('warming the broker (64 MiB through each path, not measured)');
      await fullPath(client, warm, 1024, streams, `${run}-broker-warm`);
      await kafkajsLoop(brokers, BENCH_TOPIC, warm.length, 1024, 'batched');
      await javaProducerPerformance(brokers[0]!, BENCH_TOPIC, warm.length, 1024);
    }
    for (const size of sizes) {
      const records = Math.max(quick ? 24 : 64, Math.min(quick ? 5000 : 20000, Math.floor(budget / size)));
      const payload = randomBytes(size);
      log(`${size} B × ${records}: full path (${streams} streams)`);
      // Warm-up (connections, JIT, transactions) is not measured.
      await fullPath(client, payload, Math.min(records, 64), streams, `${run}-warm`);
      const full = await fullPath(client, payload, records, streams, run);
      log(`  ${full.mbPerSecond} MB/s; kafkajs loops`);
      const one = await kafkajsLoop(
        brokers,
        BENCH_TOPIC,
        size,
        Math.min(records, Math.ceil(records / (size < 65536 ? 8 : 1))),
        'one-per-send',
      );
      const batched = await kafkajsLoop(brokers, BENCH_TOPIC, size, records, 'batched');
      log(`  kafkajs ${one.mbPerSecond} / ${batched.mbPerSecond} MB/s; Java ProducerPerformance`);
      const java = await javaProducerPerformance(brokers[0]!, BENCH_TOPIC, size, records);
      log(`  java ${java.mbPerSecond} MB/s`);
      const bestKafkajs = Math.max(one.mbPerSecond, batched.mbPerSecond);
      cases.push({
        frameBytes: size,
        records,
        chunked: size + 1024 > FRAMES_MAX_MESSAGE_BYTES - 64 * 1024,
        fullPath: full,
        kafkajsOnePerSend: one,
        kafkajsBatched: batched,
        javaProducerPerformance: java,
        ratios: {
          fullPathToBestKafkajs: round(full.mbPerSecond / bestKafkajs, 2),
          fullPathToJava: round(full.mbPerSecond / java.mbPerSecond, 2),
          bestKafkajsToJava: round(bestKafkajs / java.mbPerSecond, 2),
        },
      });
    }
  } finally {
    await ingestion.stop();
  }
  return {
    description:
      'Full path = TS client → gRPC StreamFrames → ingestion (validation, Avro single-object, Kafka transaction with progress record, acks=all) → Kafka, ack back; peers write raw records of the same size to a 12-partition topic on the same broker (acks=all, idempotent).',
    streams,
    cases,
  };
}
