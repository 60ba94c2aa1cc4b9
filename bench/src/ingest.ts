/**
 * `pnpm bench ingest [--quick] [--sizes 4KiB,64KiB,1MiB,8MiB] [--streams 4] [--no-latency] [--no-cpu]`
 *
 * Frames/s, MB/s and p50/p99 ack latency per frame size over the full path (gRPC client →
 * ingestion → Kafka, acks=all, transactional) on every producer transport (ingestion started once
 * per KAFKA_PRODUCER_TRANSPORT), and in the same run, on the same broker and the same bytes: bare
 * producer loops of every transport's library and Kafka's Java ProducerPerformance. Ratios of
 * the full path to each peer are reported per size; `fullPath` is the default transport's.
 * Then, on the default transport: the open-loop latency curve (ack p50/p99 with 25, 50 and 75 %
 * of the measured maximum offered) and ingestion's CPU per MB by stage (two profiled runs).
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseBytes } from '@simstream/config';
import { endpoints, status, up } from '@simstream/infra';
import {
  DEFAULT_PRODUCER_TRANSPORT,
  FRAMES_MAX_MESSAGE_BYTES,
  PRODUCER_TRANSPORTS,
  TopicName,
  createKafkaClient,
  ensureTopics,
  topicDefinitions,
  type KafkaClient,
} from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { cpuPerMbByStage } from './ingest/cpu-stages.js';
import { fullPath } from './ingest/full-path.js';
import { openLoop } from './ingest/open-loop.js';
import { startBenchIngestion, type BenchIngestion } from './ingest/ingestion.js';
import { javaProducerPerformance } from './ingest/java-baseline.js';
import { kafkajsLoop } from './ingest/kafkajs-baseline.js';
import { platformaticLoop } from './ingest/platformatic-baseline.js';
import { measureCpu, perMegabyte } from './ingest/process-cpu.js';
import { round } from './ingest/stats.js';

const BENCH_TOPIC = 'simstream.bench.v1';
const log = (line: string) => process.stderr.write(`[bench ingest] ${line}\n`);

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function ensureBenchTopic(kafka: KafkaClient): Promise<void> {
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
  const kafka = createKafkaClient(
    { brokers, clientId: 'simstream-bench' },
    createLogger({ service: 'bench', level: 'error', destination: process.stderr }),
  );
  await ensureTopics(
    kafka,
    topicDefinitions(),
    createLogger({ service: 'bench', level: 'warn', destination: process.stderr }),
  );
  await ensureBenchTopic(kafka);
  // One ingestion per transport, each with its own instance id and simulations.
  const ingestions = new Map<string, BenchIngestion>();
  const run = Date.now().toString(36);
  const cases = [];
  try {
    for (const transport of PRODUCER_TRANSPORTS)
      ingestions.set(
        transport,
        await startBenchIngestion(brokers, {
          KAFKA_PRODUCER_TRANSPORT: transport,
          INSTANCE_ID: `bench-${transport}`,
        }),
      );
    // CPU per MB of each process a case keeps busy (the broker is the same process for all).
    const brokerPid = (await status(['kafka']))[0]?.pid ?? undefined;
    const broker: Record<string, number> =
      brokerPid === null || brokerPid === undefined ? {} : { broker: brokerPid };
    const fullPaths = async (payload: Buffer, frames: number, tag: string) => {
      const out: Record<
        string,
        Awaited<ReturnType<typeof fullPath>> & { cpuMsPerMb: Record<string, number> }
      > = {};
      for (const [transport, ingestion] of ingestions) {
        const { result, cpuMs } = await measureCpu(
          { client: 'self', ingestion: ingestion.pid, ...broker },
          () => fullPath(ingestion.target, payload, frames, streams, `${run}-${transport}${tag}`),
        );
        out[transport] = { ...result, cpuMsPerMb: perMegabyte(cpuMs, result.bytes) };
      }
      return out;
    };
    // A peer in its own process reports the CPU of its measured window as `cpuMs`; the broker's
    // is measured here.
    const peer = async <T extends { bytes: number; cpuMs?: number }>(fn: () => Promise<T>) => {
      const { result, cpuMs } = await measureCpu(broker, fn);
      const { cpuMs: producer, ...rest } = result;
      return {
        ...rest,
        cpuMsPerMb: perMegabyte({ ...(producer === undefined ? {} : { producer }), ...cpuMs }, result.bytes),
      };
    };
    // A broker started moments ago (as `infra up` just did) spends most of its CPU in the JIT
    // for the first minute of transactional produce traffic (measured: C2 compiler threads at
    // 40–67 % of a core while the request handlers used 20 %), which would bill the first cases
    // for the broker's warm-up. Warm every path once with 64 MiB before measuring.
    if (!quick) {
      const warm = randomBytes(65536);
      log('warming the broker (64 MiB through each path, not measured)');
      await fullPaths(warm, 1024, '-broker-warm');
      await kafkajsLoop(brokers, BENCH_TOPIC, warm.length, 1024, 'batched');
      await platformaticLoop(brokers, BENCH_TOPIC, warm.length, 1024, 8);
      await javaProducerPerformance(brokers[0]!, BENCH_TOPIC, warm.length, 1024);
    }
    for (const size of sizes) {
      const records = Math.max(quick ? 24 : 64, Math.min(quick ? 5000 : 20000, Math.floor(budget / size)));
      const payload = randomBytes(size);
      log(`${size} B × ${records}: full path per transport (${streams} streams)`);
      // Warm-up (connections, JIT, transactions) is not measured.
      await fullPaths(payload, Math.min(records, 64), '-warm');
      const full = await fullPaths(payload, records, '');
      log(
        `  ${Object.entries(full)
          .map(([t, r]) => `${t} ${r.mbPerSecond}`)
          .join(', ')} MB/s; bare loops`,
      );
      const one = await kafkajsLoop(
        brokers,
        BENCH_TOPIC,
        size,
        Math.min(records, Math.ceil(records / (size < 65536 ? 8 : 1))),
        'one-per-send',
      );
      const batched = await kafkajsLoop(brokers, BENCH_TOPIC, size, records, 'batched');
      const platformatic1 = await platformaticLoop(brokers, BENCH_TOPIC, size, records, 1);
      const platformatic8 = await peer(() => platformaticLoop(brokers, BENCH_TOPIC, size, records, 8));
      // Ingestion's design on the same library without the rest of the path: one transactional
      // writer per stream, 2 MiB transactions (what the full path could reach at best).
      const transactional = await peer(() =>
        platformaticLoop(brokers, BENCH_TOPIC, size, records, streams, 'transactional'),
      );
      log(
        `  kafkajs ${one.mbPerSecond} / ${batched.mbPerSecond}, platformatic ${platformatic1.mbPerSecond} / ${platformatic8.mbPerSecond}, transactional ${transactional.mbPerSecond} MB/s; Java ProducerPerformance`,
      );
      const { cpuMs: javaCpu, ...javaRun } = await javaProducerPerformance(
        brokers[0]!,
        BENCH_TOPIC,
        size,
        records,
        broker,
      );
      const java = { ...javaRun, cpuMsPerMb: perMegabyte(javaCpu, javaRun.bytes) };
      log(`  java ${java.mbPerSecond} MB/s`);
      const cpuTotal = (perMb: Record<string, number>) => perMb.total ?? Number.NaN;
      const defaultIngestion = ingestions.get(DEFAULT_PRODUCER_TRANSPORT)!;
      const latencyCurve = [];
      if (!args.includes('--no-latency')) {
        for (const load of [0.25, 0.5, 0.75]) {
          const point = await openLoop(
            defaultIngestion.target,
            payload,
            full[DEFAULT_PRODUCER_TRANSPORT]!.mbPerSecond,
            load,
            quick ? 3 : 8,
            streams,
            `${run}-${load}`,
          );
          log(
            `  open loop at ${load * 100} %: ack p50 ${point.latencyP50Ms} ms, p99 ${point.latencyP99Ms} ms`,
          );
          latencyCurve.push(point);
        }
      }
      const cpuMsPerMb = args.includes('--no-cpu')
        ? undefined
        : await cpuPerMbByStage(
            (nodeArgs) =>
              startBenchIngestion(
                brokers,
                { KAFKA_PRODUCER_TRANSPORT: DEFAULT_PRODUCER_TRANSPORT, INSTANCE_ID: 'bench-cpu' },
                nodeArgs,
              ),
            (target, frames, tag) => fullPath(target, payload, frames, streams, `${run}-${tag}`),
            records,
            (records * size) / 1e6,
          );
      if (cpuMsPerMb !== undefined) log(`  ingestion CPU per MB by stage: ${JSON.stringify(cpuMsPerMb)}`);
      const bestKafkajs = Math.max(one.mbPerSecond, batched.mbPerSecond);
      const fastestBare = Math.max(bestKafkajs, platformatic1.mbPerSecond, platformatic8.mbPerSecond);
      const defaultPath = full[DEFAULT_PRODUCER_TRANSPORT]!;
      const ratiosOf = (mbPerSecond: number) => ({
        fullPathToJava: round(mbPerSecond / java.mbPerSecond, 2),
        fullPathToFastestBare: round(mbPerSecond / fastestBare, 2),
      });
      cases.push({
        frameBytes: size,
        records,
        chunked: size + 1024 > FRAMES_MAX_MESSAGE_BYTES - 64 * 1024,
        fullPath: { ...defaultPath, transport: DEFAULT_PRODUCER_TRANSPORT },
        fullPathByTransport: full,
        kafkajsOnePerSend: one,
        kafkajsBatched: batched,
        platformaticBatched: platformatic1,
        platformaticBatched8InFlight: platformatic8,
        platformaticTransactional: transactional,
        javaProducerPerformance: java,
        latencyCurve,
        ingestionCpuMsPerMb: cpuMsPerMb,
        ratios: {
          ...ratiosOf(defaultPath.mbPerSecond),
          fullPathToBestKafkajs: round(defaultPath.mbPerSecond / bestKafkajs, 2),
          bestKafkajsToJava: round(bestKafkajs / java.mbPerSecond, 2),
          fastestBareToJava: round(fastestBare / java.mbPerSecond, 2),
          // CPU of every process per MB, full path over Java (client + ingestion + broker against
          // producer + broker), and the MB/s the machine's cores could carry at each cost.
          fullPathToTransactionalBare: round(defaultPath.mbPerSecond / transactional.mbPerSecond, 2),
          fullPathCpuToJava: round(cpuTotal(defaultPath.cpuMsPerMb) / cpuTotal(java.cpuMsPerMb), 2),
          cpuBoundMbPerSecond: {
            fullPath: round((cpus().length * 1000) / cpuTotal(defaultPath.cpuMsPerMb), 1),
            java: round((cpus().length * 1000) / cpuTotal(java.cpuMsPerMb), 1),
            transactionalBare: round((cpus().length * 1000) / cpuTotal(transactional.cpuMsPerMb), 1),
          },
          byTransport: Object.fromEntries(Object.entries(full).map(([t, r]) => [t, ratiosOf(r.mbPerSecond)])),
        },
      });
    }
  } finally {
    for (const ingestion of ingestions.values()) await ingestion.stop();
  }
  return {
    description:
      'Full path = TS client → gRPC StreamFrames → ingestion (validation, Avro single-object, Kafka transaction with progress record, acks=all) → Kafka, ack back, once per producer transport (fullPath: the default one); peers write raw records of the same size to a 12-partition topic on the same broker (acks=all, idempotent): kafkajs one per send and ~1 MiB per send, @platformatic/kafka ~1 MiB per send with 1 and 8 sends in flight and one transactional writer per stream (2 MiB transactions, as ingestion writes), Java ProducerPerformance. cpuMsPerMb: CPU milliseconds per MB of every process a case keeps busy (client, ingestion, broker; the producer process of a peer and the broker).',
    streams,
    cases,
  };
}
