/**
 * `pnpm bench python-sdk [--quick] [--sizes 16KiB,64KiB,1MiB] [--rounds 3]`
 *
 * One stream, as one simulation gets: the Python SDK (clients/python, `simstream.Uploader`) and
 * the TypeScript client (`FrameUploader`) send the same frames (one uint8 field of each size)
 * through the same ingestion (TLS, API key, Kafka transactions, acks=all), in alternating rounds
 * so drift in the machine's load falls on both. MB/s and ack latency p50/p99 per client, and
 * the ratio Python / TypeScript of the median MB/s per size.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseBytes } from '@simstream/config';
import { endpoints, up } from '@simstream/infra';
import { createKafkaClient, ensureTopics, topicDefinitions } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { REPO_ROOT, sdkPython } from '@simstream/stack';
import { fullPath, type FullPathTarget } from './ingest/full-path.js';
import { startBenchIngestion } from './ingest/ingestion.js';
import { round, throughput, type Throughput } from './ingest/stats.js';

const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`[bench python-sdk] ${line}\n`);

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The window both clients get: enough to keep the path busy (as in bench ingest). */
const windowBytes = (size: number) => Math.max(8 * 1024 * 1024, 2 * size);

async function pythonStream(
  python: string,
  target: FullPathTarget,
  size: number,
  frames: number,
  simulationId: string,
): Promise<Throughput> {
  const { stdout } = await run(
    python,
    [
      path.join(REPO_ROOT, 'bench', 'python', 'sdk_upload.py'),
      '--size',
      String(size),
      '--frames',
      String(frames),
      '--simulation-id',
      simulationId,
      '--max-unacked-bytes',
      String(windowBytes(size)),
    ],
    {
      env: {
        ...process.env,
        SIMSTREAM_INGEST: target.address,
        SIMSTREAM_API_KEY: target.apiKey,
        SIMSTREAM_CA: target.caFile,
      },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    },
  );
  const out = JSON.parse(stdout) as {
    seconds: number;
    latenciesMs: number[];
    acked: number;
    rejected: number;
  };
  if (out.acked !== frames)
    throw new Error(`python: ${out.acked} of ${frames} frames acked, ${out.rejected} rejected`);
  return throughput(frames, frames * size, out.seconds, out.latenciesMs);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function pythonSdkBench(args: string[]): Promise<unknown> {
  const quick = args.includes('--quick');
  const sizes = (arg(args, '--sizes') ?? '16KiB,64KiB,1MiB')
    .split(',')
    .map((s) => parseBytes(s) ?? Number.NaN);
  const rounds = Number(arg(args, '--rounds') ?? (quick ? 1 : 3));
  const budget = (quick ? 32 : 128) * 1024 * 1024;

  await up(['kafka', 'postgres', 'redis']);
  const logger = createLogger({ service: 'bench', level: 'warn', destination: process.stderr });
  const brokers = endpoints().kafkaBrokers;
  await ensureTopics(
    createKafkaClient({ brokers, clientId: 'simstream-bench' }, logger),
    topicDefinitions(),
    logger,
  );
  log('installing the SDK (clients/python) in .cache/venv-sdk');
  const python = await sdkPython();
  const ingestion = await startBenchIngestion(brokers);
  const target = ingestion.target;
  const id = Date.now().toString(36);
  const cases = [];
  try {
    const warm = randomBytes(65536);
    log('warm-up (not measured)');
    await fullPath(target, warm, 256, 1, `${id}-warm-ts`);
    await pythonStream(python, target, warm.length, 256, `bench-py-${id}-warm`);
    for (const size of sizes) {
      const frames = Math.max(64, Math.min(quick ? 2000 : 8000, Math.floor(budget / size)));
      const payload = randomBytes(size);
      const ts: Throughput[] = [];
      const py: Throughput[] = [];
      for (let r = 0; r < rounds; r++) {
        ts.push(await fullPath(target, payload, frames, 1, `${id}-ts-${r}`));
        py.push(await pythonStream(python, target, size, frames, `bench-py-${id}-${size}-${r}`));
        log(
          `${size} B × ${frames}, round ${r + 1}: TypeScript ${ts.at(-1)!.mbPerSecond} MB/s, Python ${py.at(-1)!.mbPerSecond} MB/s`,
        );
      }
      const tsMb = median(ts.map((t) => t.mbPerSecond));
      const pyMb = median(py.map((t) => t.mbPerSecond));
      cases.push({
        frameBytes: size,
        frames,
        typescript: ts,
        python: py,
        medianMbPerSecond: { typescript: tsMb, python: pyMb },
        ratios: { pythonToTypescript: round(pyMb / tsMb, 2) },
      });
    }
  } finally {
    await ingestion.stop();
  }
  return {
    description:
      'One StreamFrames stream per client, same frames (one uint8 field), same ingestion (TLS, API key, Kafka transaction, acks=all), window max(8 MiB, 2 frames) / 256 frames; latency from send() returning to the ack.',
    rounds,
    cases,
  };
}
