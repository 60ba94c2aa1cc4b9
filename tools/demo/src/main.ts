#!/usr/bin/env node
/**
 * The demo (README's first command): local infrastructure; the five services; two real
 * simulations (Gray–Scott reaction–diffusion and a lattice-Boltzmann Kármán vortex street)
 * streamed for DEMO_DURATION (seconds: 20s or 20; default 30s); then what arrived in Kafka,
 * and what the spiking detector and the optimiser made of it, read through the gateway. The
 * API key it creates goes to a 0600 file, whose path it prints. Exits non-zero when nothing
 * was measured (no frame acked or read back, no results). DEMO_KEEP=1 keeps the system running
 * afterwards (gateway, dashboard) until Ctrl-C.
 */
import path from 'node:path';
import { simulate, type SimulateProgress } from '@simstream/cli';
import { fieldArray } from '@simstream/contracts';
import { ConfigError, messageOf } from '@simstream/errors';
import { dataDir, endpoints, up, type ServiceName } from '@simstream/infra';
import { TopicName, createKafkaClient, ensureTopics, topicDefinitions } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { renderAscii } from '@simstream/sims';
import { SERVICE_LOG_DIR, Stack } from '@simstream/stack';
import { endOffsets, readArrived } from './arrived.js';
import { eventually, gatewayReader, type ResultView, type SimulationView } from './gateway.js';
import { writeKeyFile } from './key-file.js';
import { DEFAULT_DEMO_DURATION, demoSettings, describeDuration, type DemoSettings } from './settings.js';

const say = (line = '') => process.stdout.write(`${line}\n`);
const TENANT = 'demo';

let settings: DemoSettings;
try {
  settings = demoSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`demo: ${error.message}\n`);
  process.exit(2);
}
const { durationMs } = settings;

say('simstream demo\n');
say('1. Local infrastructure (no containers)');
await up(['kafka']);
for (const service of ['postgres', 'pgbouncer', 'redis', 'influxdb'] as ServiceName[]) {
  await up([service]).catch((error: unknown) => {
    say(`   ${service} could not start: ${messageOf(error).split('\n')[0]}`);
    say('   (the results path needs it; install it as the message says, then run the demo again)');
    process.exit(1);
  });
}
const e = endpoints();
say(
  `   Kafka ${e.kafkaBrokers.join(',')} (KRaft, Apache Kafka jars from Maven Central), Postgres behind PgBouncer, Redis, InfluxDB on loopback`,
);
const logger = createLogger({ service: 'demo', level: 'error', destination: process.stderr });
const kafka = createKafkaClient({ brokers: e.kafkaBrokers, clientId: 'simstream-demo' }, logger);
await ensureTopics(kafka, topicDefinitions(), logger);

say('\n2. The five services');
const stack = await Stack.create(kafka, { tenants: [TENANT], defaultPorts: true, quantumEverySteps: 200 });
const admin = gatewayReader(stack.gatewayUrl, stack.adminKey);
const key = (await admin.post('/v1/admin/keys', { name: 'demo', scopes: ['ingest', 'read'], tenant: TENANT }))
  .secret as string;
const keyFile = writeKeyFile(path.join(dataDir(), 'demo'), key);
say(
  `   ingestion ${stack.address('ingestion')}, query ${stack.address('query')}, quantum ${stack.address('quantum')} (gRPC); gateway ${stack.gatewayUrl}`,
);

/** Steps 3 to 6; resolves to the exit code: 1 when nothing was measured. */
async function streamAndShow(): Promise<number> {
  say(
    `\n3. Two simulations streamed for ${describeDuration(durationMs)} (DEMO_DURATION=${process.env.DEMO_DURATION?.trim() || DEFAULT_DEMO_DURATION}; a bare number is seconds)`,
  );
  const run = Date.now().toString(36);
  // The Kármán run starts as steady flow (Re 40, developed in 300 frames before the stream
  // starts) and has its Reynolds number raised past the onset of vortex shedding at its 330th
  // streamed frame: the detector's event comes back on the run's own stream. Not earlier: the
  // detector never alarms in a stream's first 300 frames (libs/neuro's probation), and the next
  // 30 teach it the flow's range.
  const karmanFps = 20;
  const burnIn = 300;
  const switchAt = burnIn + 330;
  const karmanFrames = Math.floor((durationMs / 1000) * karmanFps);
  const sims = [
    {
      kind: 'gray-scott',
      simulationId: `demo-gray-scott-${run}`,
      params: { nx: 128, ny: 128, preset: 'coral', substeps: 20 },
      fps: 10,
      burnInFrames: 0,
      changes: [],
    },
    {
      kind: 'lbm-cylinder',
      simulationId: `demo-karman-${run}`,
      params: { nx: 400, ny: 100, reynolds: 40, substeps: 10 },
      fps: karmanFps,
      burnInFrames: burnIn,
      changes: [{ atFrame: switchAt, parameters: { reynolds: 150 } }],
    },
  ];
  say(
    switchAt - burnIn < karmanFrames * 0.85
      ? `   the Kármán run (Re 40, steady) gets Re 150 at its frame ${switchAt - burnIn}: watch for its anomaly event`
      : `   (DEMO_DURATION is too short for the Kármán run's Reynolds switch at its frame ${switchAt - burnIn})`,
  );
  const anomalies: number[] = [];
  const from = await endOffsets(kafka);
  const latest = new Map<string, SimulateProgress>();
  const ticker = setInterval(
    () =>
      say(
        `   ${[...latest].map(([id, p]) => `${id.replace(`-${run}`, '')}: ${p.acked} frames acked, step ${p.step}`).join(' | ')}`,
      ),
    5000,
  );
  const started = performance.now();
  const results = await Promise.all(
    sims.map((s) =>
      simulate({
        ...s,
        connection: { address: stack.address('ingestion'), apiKey: key, caFile: stack.caFile },
        durationMs,
        codec: 'none',
        onProgress: (p) => latest.set(s.simulationId, p),
        onEvent: (m) => say(`   ${s.simulationId}: ${m}`),
        // What the detector finds comes back on the simulation's own stream, printed on arrival.
        analysisEvents: {
          kinds: ['anomaly', 'pattern_change'],
          action: 'log',
          lingerMs: 2000,
          onAnalysisEvent: (event) => {
            if (s.changes.length > 0 && event.kind === 'ANALYSIS_EVENT_KIND_ANOMALY')
              anomalies.push(Number(event.step));
          },
        },
      }),
    ),
  );
  clearInterval(ticker);
  const wall = (performance.now() - started) / 1000;
  const karmanRun = sims[1]!;
  const switchStep = switchAt * karmanRun.params.substeps;
  const caught = anomalies.filter((step) => step >= switchStep).sort((a, b) => a - b)[0];
  if (results[1]!.step > switchStep)
    say(
      caught === undefined
        ? `   the Reynolds switch (step ${switchStep}) raised no anomaly event while the run streamed`
        : `   the Reynolds switch at step ${switchStep}: anomaly event for step ${caught} (${(caught - switchStep) / karmanRun.params.substeps} frames later), pushed back on the run's own stream; ${anomalies.length - 1} other anomaly events`,
    );
  const acked = results.reduce((sum, r) => sum + r.acked, 0);
  if (acked === 0) {
    say(`\n   No frame was acked in ${wall.toFixed(1)} s: nothing to measure, the demo ends here.`);
    say(`   Service logs: ${SERVICE_LOG_DIR}`);
    return 1;
  }

  say('\n4. What arrived in Kafka (read back with read_committed, decoded from Avro)');
  const arrived = await readArrived(
    kafka,
    logger,
    from,
    new Map(results.map((r) => [r.simulationId, r.acked])),
  );
  if (arrived.frames === 0) {
    say(
      `\n   ${acked} frames were acked but none was read back from ${TopicName.frames}: the demo ends here.`,
    );
    return 1;
  }
  say(
    `   ${TopicName.frames}: ${arrived.frames} frames, ${(arrived.bytes / 1e6).toFixed(1)} MB, ${(arrived.frames / wall).toFixed(1)} frames/s over ${wall.toFixed(1)} s`,
  );
  say(
    `   per partition: ${[...arrived.perPartition]
      .sort((a, b) => a[0] - b[0])
      .map(([p, n]) => `p${p}=${n}`)
      .join(' ')}`,
  );
  const karman = arrived.perSimulation.get(sims[1]!.simulationId);
  const vorticity = karman?.lastFrame.fields.find((f) => f.name === 'vorticity');
  if (karman !== undefined && vorticity !== undefined) {
    say(`   vorticity of the last Kármán frame (step ${karman.lastStep}), read back from Kafka:`);
    const data = (await fieldArray(vorticity)) as Float32Array;
    say(
      renderAscii({ name: 'vorticity', dtype: 'float32', shape: vorticity.shape, data }, 100, {
        min: -0.02,
        max: 0.02,
      }).replace(/^/gm, '   '),
    );
  }

  say('\n5. What the analysis services found, through the gateway');
  const api = gatewayReader(stack.gatewayUrl, key);
  let missing = 0;
  for (const r of results) {
    if (r.acked === 0) {
      say(`   ${r.simulationId}: no frame acked, so no results to wait for`);
      missing++;
      continue;
    }
    const simPath = `/v1/simulations/${r.simulationId}`;
    const { value: sim, lastError } = await eventually(60_000, async () => {
      const s = (await api.get(simPath)) as unknown as SimulationView;
      return s.neuromorphic_results >= r.acked ? s : undefined;
    });
    if (sim === undefined) {
      const last = lastError === undefined ? '' : `; last answer: ${messageOf(lastError)}`;
      say(
        `   ${r.simulationId}: results not materialized within 60 s${last} (service logs: ${SERVICE_LOG_DIR})`,
      );
      missing++;
      continue;
    }
    say(
      `   ${r.simulationId}: ${sim.frames} frames, ${sim.neuromorphic_results} spiking-detector results, ${sim.quantum_results} partitions`,
    );
    const neuro = (await api.get(`${simPath}/results?kind=neuromorphic&limit=1000`)).results as ResultView[];
    // The newest results (the detector is still learning the flow in a short demo: its
    // anomaly likelihood settles after a few hundred frames).
    for (const n of neuro.slice(-3)) {
      const out = n.neuromorphic;
      if (out === undefined) continue;
      say(
        `     step ${String(n.step).padStart(5)}  anomaly ${n.score.toFixed(3)}  raw error ${out.raw_score.toFixed(3)}  spike rate ${out.spike_rate.toFixed(3)}  pattern ${out.pattern_id}  novelty ${out.novelty.toFixed(2)}  (${out.backend})`,
      );
    }
    const q = ((await api.get(`${simPath}/results?kind=quantum&limit=1000`)).results as ResultView[]).at(-1);
    if (q?.quantum !== undefined) {
      const out = q.quantum;
      say(
        `     partition of step ${q.step}: ${out.variables} blocks, cut ${(out.cut ?? 0).toFixed(2)}, imbalance ${((out.imbalance ?? 0) * 100).toFixed(2)} %, ${out.solver} in ${out.total_ms.toFixed(0)} ms${out.cached ? ' (cached)' : ''}`,
      );
    }
  }

  say('\n6. Where to look');
  say(`   API docs      ${stack.gatewayUrl}/docs`);
  say(`   dashboard     ${stack.gatewayUrl}/dashboard`);
  say(`   API key       of tenant '${TENANT}' (ingest, read) in ${keyFile} (readable by you only)`);
  say(
    `   a result feed curl -N -H "authorization: Bearer $(cat ${keyFile})" '${stack.gatewayUrl}/v1/simulations/${results[1]!.simulationId}/results/stream?kind=neuromorphic&from_step=0'`,
  );
  say(
    `   stream more   SIMSTREAM_API_KEY=$(cat ${keyFile}) ./dev simstream simulate --ca-file ${stack.caFile} -n 50  (TLS; the key proves the tenant)`,
  );
  say(
    `   metrics       ${[...stack.processes.values()].map((p) => `${p.name} ${p.opsUrl}/metrics`).join(', ')}`,
  );
  say(
    `   CLI           ./dev simstream tail -s ${results[1]!.simulationId} -n 3 · ./dev infra status · ./dev infra down`,
  );
  if (settings.keep) {
    say('\nRunning until Ctrl-C.');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  } else {
    say('\n(DEMO_KEEP=1 keeps the services running after the demo.)');
  }
  if (missing > 0) {
    say(`\nNo results through the gateway for ${missing} of ${results.length} simulations.`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await streamAndShow();
} finally {
  await stack.stop();
}
