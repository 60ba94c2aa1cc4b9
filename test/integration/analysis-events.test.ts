/**
 * Analysis events pushed back into StreamFrames (issue 12 §2), on the real services and the
 * local Kafka, Postgres, Redis and InfluxDB: real Gray–Scott frames go through ingestion, the
 * spiking detector and the quantum partitioner, query materializes the results, and ingestion
 * follows them on query (mutual TLS, its own certificate) to push events to the streams that
 * opted in. Every expectation is derived from the results Postgres holds for the simulation
 * (anomaly: score >= threshold; pattern change: pattern differs from the previous result;
 * every partition), and compared exactly with what each stream received.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '@simstream/cli';
import { FrameUploader, type EventOptions, type IngestionClient } from '@simstream/client';
import type { AnalysisEventOutput, StreamFramesResponseOutput } from '@simstream/contracts';
import { endpoints } from '@simstream/infra';
import type { KafkaClient } from '@simstream/kafka';
import { createSimulation } from '@simstream/sims';
import { createPool, type Pool } from '@simstream/storage';
import { Stack, apiKeyFor, ingestionClientFor, metricValue, testKafka, waitFor } from '../src/index.js';

const K = 10; // one quantum partition per 10 steps
const GRID = { nx: 48, ny: 48, substeps: 10, seed: 7 };
const ANOMALY = 'ANALYSIS_EVENT_KIND_ANOMALY';
const PATTERN = 'ANALYSIS_EVENT_KIND_PATTERN_CHANGE';
const QUANTUM = 'ANALYSIS_EVENT_KIND_QUANTUM_PARTITION';

const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined) =>
  waitFor(what, probe, timeoutMs, 200);

const keyOf = (e: { kind: string; step: number }) => `${e.kind.slice(20)} ${e.step}`;
const keys = (events: readonly { kind: string; step: number }[]) => [...new Set(events.map(keyOf))].sort();

/** The events a stream with threshold `threshold` must get for steps >= sinceStep, from Postgres. */
async function expectedEvents(
  pool: Pool,
  simulationId: string,
  threshold: number,
  sinceStep = 0,
): Promise<string[]> {
  const neuro = await pool.query<{ step: string; score: number; pattern: number }>(
    `SELECT step, (payload->>'anomalyScore')::float8 AS score, (payload->>'patternId')::int AS pattern
       FROM results WHERE simulation_id = $1 AND kind = 'neuromorphic' AND step >= $2 ORDER BY step`,
    [simulationId, Math.max(0, sinceStep - 1)],
  );
  const quantum = await pool.query<{ step: string }>(
    `SELECT step FROM results WHERE simulation_id = $1 AND kind = 'quantum' AND step >= $2`,
    [simulationId, sinceStep],
  );
  const out: { kind: string; step: number }[] = [];
  let previous: number | undefined;
  for (const row of neuro.rows) {
    const step = Number(row.step);
    if (step >= sinceStep) {
      if (row.score >= threshold) out.push({ kind: ANOMALY, step });
      if (previous !== undefined && previous !== row.pattern) out.push({ kind: PATTERN, step });
    }
    previous = row.pattern;
  }
  for (const row of quantum.rows) out.push({ kind: QUANTUM, step: Number(row.step) });
  return keys(out);
}

/** Streams `frames` Gray–Scott frames with steps 0, 1, 2 … through a FrameUploader. */
async function streamFrames(
  client: IngestionClient,
  simulationId: string,
  frames: number,
  options: {
    events?: EventOptions;
    fps?: number;
    afterAck?: (acked: number) => Promise<void>;
    onReceived?: (events: AnalysisEventOutput[]) => void;
  } = {},
) {
  const sim = createSimulation('gray-scott', GRID);
  const received: AnalysisEventOutput[] = [];
  options.onReceived?.(received);
  let acked = 0;
  const uploader = new FrameUploader(client, {
    simulationId,
    attributes: { kind: 'gray-scott' },
    ...(options.events === undefined
      ? {}
      : { events: { ...options.events, onEvent: (e) => received.push(e) } }),
    onAck: () => acked++,
  });
  await uploader.start();
  for (let step = 0; step < frames; step++) {
    await uploader.send({ step, simTime: sim.time, fields: sim.fields() });
    sim.advance();
    await new Promise((r) => setTimeout(r, 1000 / (options.fps ?? 20)));
    await options.afterAck?.(acked);
  }
  await uploader.flush();
  return { uploader, received, acked: () => acked };
}

/** A raw StreamFrames call (no client library): every response it gets. */
function rawStream(client: IngestionClient, open: Record<string, unknown>) {
  const call = client.streamFrames();
  const responses: StreamFramesResponseOutput[] = [];
  let error: unknown;
  call.on('data', (r: StreamFramesResponseOutput) => responses.push(r));
  call.on('error', (e) => (error = e));
  call.write({ open });
  return { call, responses, error: () => error };
}

describe('analysis events on StreamFrames, against the real services', () => {
  const run = randomUUID().slice(0, 8);
  const tenantA = `events-a-${run}`;
  const tenantB = `events-b-${run}`;
  let kafka: KafkaClient;
  let stack: Stack;
  let pool: Pool;
  let clientA: IngestionClient;
  let clientB: IngestionClient;
  const optedIn = `events-in-${run}`;

  beforeAll(async () => {
    kafka = testKafka();
    pool = createPool({ url: endpoints().databaseUrl });
    stack = await Stack.create(kafka, {
      tenants: [tenantA, tenantB],
      quantumEverySteps: K,
      // A restarted query rejoins its consumer group without waiting 30 s for its dead self.
      env: { query: { QUERY_CONSUMER_SESSION_TIMEOUT: '6s' } },
    });
    await apiKeyFor(tenantA);
    clientA = await ingestionClientFor(stack.address('ingestion'), tenantA);
    clientB = await ingestionClientFor(stack.address('ingestion'), tenantB);
  }, 300_000);

  afterAll(async () => {
    clientA?.close();
    clientB?.close();
    await stack?.stop();
    await pool?.end();
  });

  it("a stream that opts in gets its own simulation's events; one that does not, none; another tenant's stream, only its own", async () => {
    const N = 40;
    const quiet = `events-out-${run}`;
    const other = `events-other-${run}`;
    // The stream that does not opt in, raw: whatever the server sends is seen.
    const raw = rawStream(clientA, { simulationId: quiet, attributes: {} });
    const [a, b] = await Promise.all([
      streamFrames(clientA, optedIn, N, { events: { anomalyThreshold: 0 } }),
      streamFrames(clientB, other, N, { events: { kinds: ['anomaly'], anomalyThreshold: 0 } }),
      (async () => {
        const sim = createSimulation('gray-scott', GRID);
        await until('the quiet stream to open', 30_000, () => (raw.responses.length > 0 ? true : undefined));
        for (let step = 0; step < N; step++) {
          raw.call.write({
            frame: {
              step,
              simTime: sim.time,
              fields: sim.fields().map((f) => ({
                name: f.name,
                dtype: 'DTYPE_FLOAT32',
                shape: [...f.shape],
                data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
              })),
            },
          });
          sim.advance();
          await new Promise((r) => setTimeout(r, 50));
        }
      })(),
    ]);
    // Every anomaly (threshold 0: every frame) and every partition arrives while the streams stay open.
    const expectedA = await until('all events of the opted-in stream', 120_000, async () => {
      const quantum = await pool.query(
        `SELECT 1 FROM results WHERE simulation_id = $1 AND kind = 'quantum'`,
        [optedIn],
      );
      const expected = await expectedEvents(pool, optedIn, 0);
      const anomalies = expected.filter((k) => k.startsWith('ANOMALY')).length;
      return anomalies === N && quantum.rowCount === N / K && keys(a.received).length === expected.length
        ? expected
        : undefined;
    });
    expect(keys(a.received)).toEqual(expectedA);
    expect(expectedA.filter((k) => k.startsWith('QUANTUM'))).toHaveLength(N / K);
    // Gray–Scott's spots growing change the detector's pattern a few times in 40 frames.
    expect(expectedA.filter((k) => k.startsWith('PATTERN')).length).toBeGreaterThan(0);
    expect(a.received.every((e) => e.simulationId === optedIn)).toBe(true);
    const anomaly = a.received.find((e) => e.kind === ANOMALY)!;
    expect(anomaly.neuromorphic?.threshold).toBe(0);
    expect(anomaly.reason).toMatch(/^anomaly score \d\.\d\d >= 0\.00$/);
    const partition = a.received.find((e) => e.kind === QUANTUM)!;
    expect(partition.partition?.variables).toBeGreaterThan(0);
    expect(partition.score).toBe(partition.partition?.energy);

    await until("the other tenant's events", 60_000, () =>
      keys(b.received).length === N ? true : undefined,
    );
    expect(keys(b.received)).toEqual(
      await expectedEvents(pool, other, 0).then((e) => e.filter((k) => k.startsWith('ANOMALY'))),
    );
    expect(b.received.every((e) => e.simulationId === other && e.kind === ANOMALY)).toBe(true);

    // The quiet stream got its acks and nothing else, although its frames were analysed too.
    await until('results of the quiet stream', 60_000, async () =>
      (await expectedEvents(pool, quiet, 0)).filter((k) => k.startsWith('ANOMALY')).length === N
        ? true
        : undefined,
    );
    expect(raw.error()).toBeUndefined();
    expect(raw.responses.filter((r) => r.ack != null)).toHaveLength(N);
    expect(raw.responses.filter((r) => r.event != null)).toEqual([]);
    raw.call.end();
    await a.uploader.close();
    await b.uploader.close();
  }, 300_000);

  it('a stream that reconnects with since_step gets the events of those steps again; another tenant cannot ask', async () => {
    const since = 25;
    const expected = await expectedEvents(pool, optedIn, 0, since);
    const again = rawStream(clientA, {
      simulationId: optedIn,
      attributes: {},
      events: { anomalyThreshold: 0, sinceStep: since },
    });
    const events = () => again.responses.flatMap((r) => (r.event == null ? [] : [r.event]));
    await until('the events since step 25', 60_000, () =>
      keys(events()).length >= expected.length ? true : undefined,
    );
    expect(keys(events())).toEqual(expected);
    expect(events().every((e) => e.step >= since)).toBe(true);
    again.call.end();

    // Tenant B naming A's simulation: NOT_FOUND, and no event.
    const intruder = rawStream(clientB, {
      simulationId: optedIn,
      attributes: {},
      events: { anomalyThreshold: 0, sinceStep: 0 },
    });
    await until('the intruder to be refused', 30_000, () =>
      intruder.error() !== undefined ? true : undefined,
    );
    expect((intruder.error() as { code: number }).code).toBe(5);
    expect(intruder.responses).toEqual([]);
  }, 120_000);

  it('query killed mid-run: every frame is still acked, and the events resume once it is back', async () => {
    const N = 40;
    const simulationId = `events-outage-${run}`;
    const errorsBefore = await metricValue(
      stack.process('ingestion').opsUrl,
      'simstream_ingest_event_follow_errors_total',
    );
    let killed = false;
    const streamed = await streamFrames(clientA, simulationId, N, {
      events: { kinds: ['anomaly'], anomalyThreshold: 0 },
      fps: 10,
      afterAck: async (acked) => {
        if (!killed && acked >= 10) {
          killed = true;
          await stack.kill9('query');
        }
      },
    });
    // Frames never waited for query: all acked while it was down.
    expect(streamed.acked()).toBe(N);
    expect(stack.processes.has('query')).toBe(false);
    expect(
      await metricValue(stack.process('ingestion').opsUrl, 'simstream_ingest_event_follow_errors_total'),
    ).toBeGreaterThan(errorsBefore);
    await stack.start('query');
    await until('every anomaly event after the outage', 120_000, () =>
      keys(streamed.received).length === N ? true : undefined,
    );
    expect(keys(streamed.received)).toEqual(Array.from({ length: N }, (_, s) => `ANOMALY ${s}`).sort());
    await streamed.uploader.close();
  }, 300_000);

  it('simulate --on-event checkpoint writes the current fields when an event arrives', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'simstream-checkpoints-'));
    const simulationId = `events-cli-${run}`;
    const seen: AnalysisEventOutput[] = [];
    const result = await simulate({
      kind: 'gray-scott',
      simulationId,
      connection: {
        address: stack.address('ingestion'),
        apiKey: await apiKeyFor(tenantA),
        caFile: stack.caFile,
      },
      params: { nx: 32, ny: 32, substeps: 5 },
      frames: 3,
      fps: 5,
      codec: 'none',
      analysisEvents: {
        kinds: ['anomaly'],
        anomalyThreshold: 0,
        action: 'checkpoint',
        checkpointDir: dir,
        lingerMs: 15_000,
        onAnalysisEvent: (e) => seen.push(e),
      },
    });
    expect(result.acked).toBe(3);
    expect(result.analysisEvents).toBe(3);
    expect(result.checkpoints).toBe(3);
    const first = seen[0]!;
    const folders = path.join(dir, simulationId);
    const folder = path.join(
      folders,
      readdirSync(folders).find((f) => f.endsWith(`-anomaly-${first.step}`))!,
    );
    const meta = JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8')) as {
      fields: { name: string; shape: number[]; file: string }[];
      event: { step: number; kind: string };
    };
    expect(meta.event).toMatchObject({ step: first.step, kind: 'anomaly' });
    for (const f of meta.fields) {
      expect(existsSync(path.join(folder, f.file))).toBe(true);
      expect(statSync(path.join(folder, f.file)).size).toBe(f.shape.reduce((a, b) => a * b, 1) * 4);
    }
  }, 120_000);

  it('the TypeScript uploader, its stream broken by a kill -9 of ingestion, asks since the last event it saw and hands each over once', async () => {
    const N = 30;
    const simulationId = `events-reconnect-${run}`;
    let killed = false;
    let received: AnalysisEventOutput[] = [];
    const streamed = await streamFrames(clientA, simulationId, N, {
      events: { kinds: ['anomaly'], anomalyThreshold: 0 },
      fps: 10,
      afterAck: async () => {
        if (killed || received.length < 10) return;
        killed = true;
        await stack.kill9('ingestion');
        await stack.start('ingestion');
      },
      onReceived: (events) => (received = events),
    });
    await until('every anomaly event after the reconnect', 120_000, () =>
      keys(streamed.received).length === N ? true : undefined,
    );
    expect(killed).toBe(true);
    expect(streamed.uploader.stats.reconnects).toBeGreaterThan(0);
    // Handed over once each, although the reopened stream sent the last one seen again.
    expect(streamed.received.map(keyOf).sort()).toEqual(
      Array.from({ length: N }, (_, s) => `ANOMALY ${s}`).sort(),
    );
    expect(streamed.uploader.eventStats!.duplicates).toBeGreaterThan(0);
    await streamed.uploader.close();
  }, 300_000);
});
