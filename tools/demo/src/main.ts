#!/usr/bin/env node
/**
 * The demo (README's first command): local infrastructure, the ingestion service, two real
 * simulations (Gray–Scott reaction–diffusion and a lattice-Boltzmann Kármán vortex street)
 * streamed for DEMO_DURATION (default 20s), then what arrived in Kafka: frames, bytes,
 * per-partition counts, rates, and a thumbnail of the last frame read back from Kafka.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, type SimulateProgress } from '@simstream/cli';
import { parseDuration } from '@simstream/config';
import { fieldArray } from '@simstream/contracts';
import { messageOf } from '@simstream/errors';
import { endpoints, up, type ServiceName } from '@simstream/infra';
import { TopicName, createKafka, ensureTopics, topicDefinitions } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { renderAscii } from '@simstream/sims';
import { endOffsets, readArrived } from './arrived.js';
import { startIngestionProcess } from './ingestion-process.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const say = (line = '') => process.stdout.write(`${line}\n`);
const durationMs = parseDuration(process.env.DEMO_DURATION ?? '20s') ?? 20_000;

say('simstream demo\n');
say('1. Local infrastructure (no containers)');
await up(['kafka']);
for (const optional of ['postgres', 'redis', 'influxdb'] as ServiceName[]) {
  // Not used by ingestion yet; started so the whole stack is ready, skipped with a notice if it cannot be.
  await up([optional]).catch((error: unknown) =>
    say(
      `   notice: ${optional} not started (${messageOf(error).split('\n')[0]}); the demo goes on without it`,
    ),
  );
}
const brokers = endpoints().kafkaBrokers;
say(`   Kafka ${brokers.join(',')} (KRaft, Apache Kafka jars from Maven Central)`);

const logger = createLogger({ service: 'demo', level: 'error', destination: process.stderr });
const kafka = createKafka({ brokers, clientId: 'simstream-demo' }, logger);
const report = await ensureTopics(kafka, topicDefinitions(), logger);
say(`   topics: ${report.created.length} created, ${report.existing.length} already there`);

say('\n2. Ingestion service');
const ingestion = await startIngestionProcess(REPO_ROOT, { KAFKA_BROKERS: brokers.join(',') });
say(
  `   gRPC ${ingestion.grpcAddress}, metrics ${ingestion.opsUrl}/metrics, log ${path.relative(REPO_ROOT, ingestion.logFile)}`,
);

try {
  say(`\n3. Two simulations streamed for ${durationMs / 1000} s`);
  const run = Date.now().toString(36);
  const sims = [
    {
      kind: 'gray-scott',
      simulationId: `demo-gray-scott-${run}`,
      params: { nx: 256, ny: 256, preset: 'coral', substeps: 20 },
    },
    {
      kind: 'lbm-cylinder',
      simulationId: `demo-karman-${run}`,
      params: { nx: 400, ny: 100, reynolds: 150, substeps: 20 },
    },
  ];
  const from = await endOffsets(kafka);
  const latest = new Map<string, SimulateProgress>();
  const ticker = setInterval(() => {
    say(
      `   ${[...latest].map(([id, p]) => `${id.replace(`-${run}`, '')}: ${p.acked} acked, step ${p.step}`).join(' | ')}`,
    );
  }, 5000);
  const started = performance.now();
  const results = await Promise.all(
    sims.map((s) =>
      simulate({
        ...s,
        ingestion: ingestion.grpcAddress,
        durationMs,
        fps: 0,
        codec: 'none',
        onProgress: (p) => latest.set(s.simulationId, p),
        onEvent: (e) => say(`   ${s.simulationId}: ${e}`),
      }),
    ),
  );
  clearInterval(ticker);
  const wall = (performance.now() - started) / 1000;
  for (const r of results)
    say(
      `   ${r.simulationId}: ${r.acked} frames acknowledged by ingestion (acks=all), ${r.rejected} rejected`,
    );

  say('\n4. What arrived in Kafka (read back with read_committed, decoded from Avro)');
  const arrived = await readArrived(
    kafka,
    logger,
    from,
    new Map(results.map((r) => [r.simulationId, r.acked])),
  );
  say(
    `   topic ${TopicName.frames}: ${arrived.frames} frames, ${(arrived.bytes / 1e6).toFixed(1)} MB, ${(arrived.frames / wall).toFixed(1)} frames/s, ${(arrived.bytes / 1e6 / wall).toFixed(1)} MB/s over ${wall.toFixed(1)} s`,
  );
  say(
    `   per partition: ${[...arrived.perPartition]
      .sort((a, b) => a[0] - b[0])
      .map(([p, n]) => `p${p}=${n}`)
      .join(' ')}`,
  );
  for (const [id, s] of arrived.perSimulation) {
    say(
      `   ${id}: ${s.frames} frames, steps ${s.firstStep}..${s.lastStep}, ${(s.bytes / 1e6).toFixed(1)} MB, fields ${s.lastFrame.fields.map((f) => `${f.name}[${f.shape.join('×')}]`).join(' ')}`,
    );
  }
  const karman = [...arrived.perSimulation].find(([id]) => id.startsWith('demo-karman'))?.[1];
  const vorticity = karman?.lastFrame.fields.find((f) => f.name === 'vorticity');
  if (karman !== undefined && vorticity !== undefined) {
    say(`\n   vorticity of the last Kármán frame (step ${karman.lastStep}), as read back from Kafka:`);
    const data = (await fieldArray(vorticity)) as Float32Array;
    say(
      renderAscii({ name: 'vorticity', dtype: 'float32', shape: vorticity.shape, data }, 100, {
        min: -0.02,
        max: 0.02,
      }).replace(/^/gm, '   '),
    );
  }
  const missing = results.filter((r) => (arrived.perSimulation.get(r.simulationId)?.frames ?? 0) < r.acked);
  if (missing.length > 0) {
    say(
      `\n   MISSING: ${missing.map((r) => r.simulationId).join(', ')} have fewer frames in Kafka than acknowledged`,
    );
    process.exitCode = 1;
  } else {
    say('\n   every acknowledged frame is in Kafka.');
  }
  say(
    `\nNext: ./dev simstream tail -s ${results[1]!.simulationId} -n 3 · ./dev infra status · ./dev infra down`,
  );
} finally {
  await ingestion.stop();
}
