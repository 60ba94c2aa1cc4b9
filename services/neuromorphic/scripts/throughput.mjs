#!/usr/bin/env node
/**
 * Throughput of the whole neuromorphic service (Kafka in, features, detector, Kafka out,
 * checkpoints) on Gray–Scott frames: writes a backlog of frames straight to the frames topic
 * (Avro, as ingestion writes them), then starts the built service (dist/main.js) on it with a
 * consumer group positioned at the backlog and a Postgres schema of its own, and times the
 * drain from its metrics. Prints one JSON line.
 *
 *   pnpm exec tsc -b services/neuromorphic libs/sims
 *   node services/neuromorphic/scripts/throughput.mjs --sims 8 --frames 50 --grid 256
 *
 * Needs the local infrastructure (`pnpm infra up`); KAFKA_BROKERS and DATABASE_URL as for the service.
 * SERVICE_NODE_ARGS (space-separated) go to the service's node (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RecordName, schemaRegistry } from '@simstream/contracts';
import { BatchingProducer, PartitionCounts, TopicName, createKafkaClient } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { createSimulation } from '@simstream/sims';
import { createPool } from '@simstream/storage';

const { values: args } = parseArgs({
  options: {
    sims: { type: 'string', default: '8' },
    frames: { type: 'string', default: '50' },
    grid: { type: 'string', default: '256' },
    concurrency: { type: 'string', default: '12' },
    backend: { type: 'string', default: 'auto' },
  },
});
const SIMS = Number(args.sims);
const FRAMES = Number(args.frames);
const GRID = Number(args.grid);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://simstream:simstream@127.0.0.1:5432/simstream';
const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

const run = randomUUID().slice(0, 8);
const tenant = `bench-${run}`;
const group = `simstream-neuromorphic-bench-${run}`;
const schema = `neuro_bench_${run}`;
const logger = createLogger({ service: 'bench', level: 'warn' });
const kafka = createKafkaClient({ brokers, clientId: 'simstream-bench' }, logger);
const avro = schemaRegistry();

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function metrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  return {
    processed: value('simstream_neuromorphic_frames_processed_total'),
    stepCount: value('simstream_neuromorphic_step_seconds_count'),
    stepSum: value('simstream_neuromorphic_step_seconds_sum'),
    streamsSum: value('simstream_neuromorphic_step_streams_sum'),
    featureSum: value('simstream_neuromorphic_feature_seconds_sum'),
    featureCount: value('simstream_neuromorphic_feature_seconds_count'),
    checkpoints: value('simstream_neuromorphic_checkpoints_written_total'),
  };
}

const admin = kafka.admin();
await admin.connect();
const start = new Map((await admin.topicOffsets(TopicName.frames)).map((p) => [p.partition, p.high]));
await admin.setGroupOffsets(group, TopicName.frames, start);
await admin.disconnect();

// The backlog: SIMS simulations × FRAMES frames, two float32 fields of GRID × GRID each.
const producer = new BatchingProducer({
  transport: kafka.producers(),
  logger,
  partitions: new PartitionCounts(kafka),
  name: 'bench',
});
await producer.connect();
const sims = Array.from({ length: SIMS }, (_, i) =>
  createSimulation('gray-scott', { nx: GRID, ny: GRID, substeps: 2, seed: i + 1 }),
);
let frameBytes = 0;
for (let step = 0; step < FRAMES; step++) {
  const records = sims.map((sim, i) => {
    const fields = sim.fields().map((f) => ({
      name: f.name,
      dtype: f.dtype,
      shape: [...f.shape],
      codec: 'none',
      data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
    }));
    frameBytes = fields.reduce((n, f) => n + f.data.length, 0);
    const frame = {
      frameId: randomUUID(),
      simulationId: `bench-${run}-${i}`,
      step,
      simTime: sim.time,
      fields,
      attributes: {},
      ingestedAt: Date.now(),
      tenant,
    };
    const value = avro.encode(RecordName.Frame, frame, frameBytes + 4096);
    return { topic: TopicName.frames, key: frame.simulationId, value };
  });
  await producer.send(records);
  for (const sim of sims) sim.advance();
}
await producer.close();

const pool = createPool({ url: databaseUrl });
await pool.query(`CREATE SCHEMA ${schema}`);
const url = new URL(databaseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);
const opsPort = await freePort();
const launched = performance.now();
const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
const child = spawn(process.execPath, [...nodeArgs, main], {
  env: {
    ...process.env,
    OPS_PORT: String(opsPort),
    DATABASE_URL: url.toString(),
    NEURO_CONSUMER_GROUP: group,
    NEURO_TENANTS: tenant,
    NEURO_PARTITION_CONCURRENCY: args.concurrency,
    SIMSTREAM_TF_BACKEND: args.backend,
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const ops = `http://127.0.0.1:${opsPort}`;
const total = SIMS * FRAMES;
let first;
let m;
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
  try {
    m = await metrics(ops);
  } catch {
    continue; // not listening yet
  }
  if (first === undefined && m.processed > 0) first = { at: performance.now(), ...m };
  if (m.processed >= total) break;
}
const done = performance.now();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
await pool.query(`DROP SCHEMA ${schema} CASCADE`);
await pool.end();

const steady = (m.processed - first.processed) / ((done - first.at) / 1000);
console.log(
  JSON.stringify({
    sims: SIMS,
    framesPerSim: FRAMES,
    grid: `${GRID}x${GRID}`,
    frameBytes,
    frames: total,
    framesPerSecond: Math.round(steady * 10) / 10,
    megabytesPerSecond: Math.round((steady * frameBytes) / 1e5) / 10,
    wallSecondsFromLaunch: Math.round((done - launched) / 100) / 10,
    meanStreamsPerStep: Math.round((m.streamsSum / m.stepCount) * 10) / 10,
    meanStepMs: Math.round((m.stepSum / m.stepCount) * 1e4) / 10,
    meanFeatureMsPerFrame: Math.round((m.featureSum / m.featureCount) * 1e4) / 10,
    checkpoints: m.checkpoints,
  }),
);
