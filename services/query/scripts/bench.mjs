#!/usr/bin/env node
/**
 * Query service benchmark on the local stack (`pnpm infra up`, `pnpm build` first):
 *  1. materializer catch-up: N results and M frames are written to the topics first, then a
 *     fresh instance (its own consumer group) materializes them; rows/s from first to last row;
 *  2. ListResults / GetSimulation latency served from L1, from L2 (an instance with no L1), and
 *     uncached (Redis unreachable, no L1: Postgres every call), sequential calls.
 * Usage: node services/query/scripts/bench.mjs [--results 20000] [--frames 2000] [--calls 400]
 * Prints JSON on stdout; progress on stderr.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { RecordName, loadQueryContract, schemaRegistry } from '@simstream/contracts';
import { BatchingProducer, PartitionCounts, TopicName, createKafkaClient } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { createPool } from '@simstream/storage';

const { values: opts } = parseArgs({
  options: {
    results: { type: 'string', default: '20000' },
    frames: { type: 'string', default: '2000' },
    calls: { type: 'string', default: '400' },
  },
});
const RESULTS = Number(opts.results);
const FRAMES = Number(opts.frames);
const CALLS = Number(opts.calls);
const SIMS = 20;
const here = path.dirname(fileURLToPath(import.meta.url));
const main = path.join(here, '..', 'dist', 'main.js');
const log = (msg) => process.stderr.write(`${msg}\n`);
const env = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://simstream:simstream@127.0.0.1:5432/simstream',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  INFLUX_URL: process.env.INFLUX_URL ?? 'http://127.0.0.1:8086',
  LOG_LEVEL: 'warn',
};
const logger = createLogger({ service: 'bench', level: 'warn' });
const kafka = createKafkaClient(
  { brokers: env.KAFKA_BROKERS.split(','), clientId: 'simstream-bench' },
  logger,
);
const pool = createPool({ url: env.DATABASE_URL, max: 2 });
const run = randomUUID().slice(0, 8);
const group = `simstream-query-bench-${run}`;
const topics = [TopicName.frames, TopicName.neuromorphicResults, TopicName.quantumResults];

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function start(extra) {
  const [grpcPort, opsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      ...env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      OPS_PORT: String(opsPort),
      QUERY_CONSUMER_GROUP: group,
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).ok) break;
    } catch {
      // not yet
    }
    if (i > 300) throw new Error('query did not get ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, address: `127.0.0.1:${grpcPort}` };
}

async function positionAtEnd() {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = [];
  for (const topic of topics)
    for (const p of await admin.topicOffsets(topic))
      offsets.push({ topic, partition: p.partition, offset: p.high });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe(topics, { fromBeginning: true });
  const joined = new Promise((resolve) => consumer.on('assignment', resolve));
  await consumer.run({ eachBatch: async () => {} });
  consumer.pause(topics);
  await joined;
  await consumer.commitOffsets(offsets);
  await consumer.disconnect();
}

async function produce() {
  const avro = schemaRegistry();
  const producer = new BatchingProducer({
    transport: kafka.producers(),
    logger,
    partitions: new PartitionCounts(kafka),
    name: 'bench',
  });
  const base = Date.now() - 3_600_000;
  const sims = Array.from({ length: SIMS }, (_, i) => `bench-${run}-${i}`);
  const grid = new Float32Array(64 * 64).map((_, i) => Math.sin(i));
  const data = Buffer.from(grid.buffer);
  const sends = [];
  for (let i = 0; i < FRAMES; i++) {
    const sim = sims[i % SIMS];
    const step = Math.floor(i / SIMS);
    const frame = {
      frameId: randomUUID(),
      simulationId: sim,
      step,
      simTime: step,
      tenant: 'bench',
      attributes: { kind: 'bench' },
      ingestedAt: base + i,
      fields: ['u', 'v'].map((name) => ({ name, dtype: 'float32', shape: [64, 64], codec: 'none', data })),
    };
    sends.push(
      producer.send([{ topic: TopicName.frames, key: sim, value: avro.encode(RecordName.Frame, frame) }]),
    );
  }
  for (let i = 0; i < RESULTS; i++) {
    const sim = sims[i % SIMS];
    const step = Math.floor(i / SIMS);
    const r = {
      simulationId: sim,
      step,
      simTime: step,
      anomalyScore: (step % 97) / 97,
      rawScore: 1,
      featureNames: ['a', 'b', 'c', 'd'],
      features: [1, 2, 3, 4],
      prediction: [1, 2, 3, 4],
      spikeRate: 0.1,
      patternId: step % 5,
      novelty: 0.2,
      processingMs: 1,
      backend: 'cpu',
      model: 'bench',
      producedAt: base + i,
    };
    sends.push(
      producer.send([
        {
          topic: TopicName.neuromorphicResults,
          key: sim,
          value: avro.encode(RecordName.NeuromorphicResult, r),
        },
      ]),
    );
  }
  await Promise.all(sends);
  await producer.close();
  return sims;
}

const count = async (sims) => {
  const r = await pool.query(
    `SELECT (SELECT count(*) FROM results WHERE simulation_id = ANY($1)) AS results, (SELECT count(*) FROM frames WHERE simulation_id = ANY($1)) AS frames`,
    [sims],
  );
  return { results: Number(r.rows[0].results), frames: Number(r.rows[0].frames) };
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(address, call, n) {
  const { proto } = loadQueryContract();
  const client = new proto.simstream.v1.QueryService(address, grpc.credentials.createInsecure());
  const invoke = (req) =>
    new Promise((resolve, reject) => client[call.method](req, (e, r) => (e ? reject(e) : resolve(r))));
  for (let i = 0; i < 20; i++) await invoke(call.request); // warm-up (fills the caches)
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await invoke(call.request);
    ms.push(performance.now() - t);
  }
  client.close();
  ms.sort((a, b) => a - b);
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    calls: n,
    p50_ms: r(percentile(ms, 50)),
    p90_ms: r(percentile(ms, 90)),
    p99_ms: r(percentile(ms, 99)),
    mean_ms: r(ms.reduce((s, x) => s + x, 0) / n),
  };
}

log(`positioning group ${group} at the end of the topics`);
await positionAtEnd();
log(`producing ${RESULTS} results and ${FRAMES} frames (64x64 float32 x 2 fields)`);
const sims = await produce();
log('starting the materializer');
const t0 = performance.now();
const materializer = await start({});
let first;
for (;;) {
  const c = await count(sims);
  if (first === undefined && c.results + c.frames > 0) first = { at: performance.now(), ...c };
  if (c.results >= RESULTS && c.frames >= FRAMES) break;
  await new Promise((r) => setTimeout(r, 100));
}
const seconds = (performance.now() - first.at) / 1000;
const materialize = {
  results: RESULTS,
  frames: FRAMES,
  seconds_from_first_row: Math.round(seconds * 100) / 100,
  seconds_from_start: Math.round(((performance.now() - t0) / 1000) * 100) / 100,
  rows_per_second: Math.round((RESULTS + FRAMES - first.results - first.frames) / seconds),
};
log(JSON.stringify(materialize));

const l2only = await start({ QUERY_ROLES: 'server', QUERY_L1_MAX_BYTES: '1' });
const uncached = await start({
  QUERY_ROLES: 'server',
  QUERY_L1_MAX_BYTES: '1',
  REDIS_URL: 'redis://127.0.0.1:1',
});
const listResults = {
  method: 'ListResults',
  request: { tenant: 'bench', simulationId: sims[0], kind: 'RESULT_KIND_NEUROMORPHIC', pageSize: 100 },
};
const getSimulation = { method: 'GetSimulation', request: { tenant: 'bench', simulationId: sims[0] } };
const queries = {};
for (const [name, call] of [
  ['ListResults(100)', listResults],
  ['GetSimulation', getSimulation],
]) {
  queries[name] = {
    l1: await latency(materializer.address, call, CALLS),
    l2: await latency(l2only.address, call, CALLS),
    postgres: await latency(uncached.address, call, CALLS),
  };
  log(`${name}: ${JSON.stringify(queries[name])}`);
}
for (const p of [materializer, l2only, uncached]) p.child.kill('SIGTERM');
for (const t of ['frames', 'results', 'simulations'])
  await pool.query(`DELETE FROM ${t} WHERE simulation_id = ANY($1)`, [sims]);
await pool.end();
process.stdout.write(`${JSON.stringify({ materialize, queries }, null, 2)}\n`);
