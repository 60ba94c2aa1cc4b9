/**
 * The Query API on the real stack: tenant isolation (another tenant's simulation is NOT_FOUND),
 * keyset paging and filters, L1/L2 caching with versions (a second instance served from Redis,
 * a new result visible at once), an instance without Redis answering from Postgres, tails that
 * go from history to live without a gap (with notifications and by polling), latest-only tails,
 * and Arrow IPC exports that pyarrow and polars read as they are.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { FrameUploader } from '@simstream/client';
import type { pb } from '@simstream/contracts';
import type { KafkaClient } from '@simstream/kafka';
import type { Pool } from '@simstream/storage';
import {
  metricValue,
  patternBytes,
  pythonWith,
  startIngestion,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';
import {
  ResultWriter,
  allSteps,
  collectTail,
  neuromorphicResult,
  positionGroupAtEnd,
  quantumResult,
  queryClient,
  readExport,
  startQuery,
  testPool,
  until,
  type QueryClient,
  type QueryProcess,
} from './query-harness.js';

const FRAMES = 30;
const NEURO = 'RESULT_KIND_NEUROMORPHIC';
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('query API', () => {
  const id = randomUUID().slice(0, 8);
  const sim = `query-api-${id}`;
  const tenant = `tenant-a-${id}`;
  const other = `tenant-b-${id}`;
  const group = `simstream-query-test-${id}`;
  const base = Date.now() - 3_600_000;
  const at = (step: number) => base + step * 10;
  let kafka: KafkaClient;
  let pool: Pool;
  let writer: ResultWriter;
  let ingestion: IngestionProcess;
  let a: QueryProcess; // materializer + server
  let b: QueryProcess; // server, same Redis
  let c: QueryProcess; // server, Redis unreachable
  let qa: QueryClient;
  let qb: QueryClient;
  let qc: QueryClient;

  const neuro = (from: number, to: number) =>
    writer.neuromorphic(range(from, to).map((s) => neuromorphicResult(sim, s, at(s))));
  const count = async (client: QueryClient) =>
    (await client.listResults({ tenant, simulationId: sim, kind: NEURO, pageSize: 1000 })).results.length;

  beforeAll(async () => {
    kafka = testKafka();
    pool = testPool();
    writer = new ResultWriter(kafka);
    [ingestion, a, b, c] = await Promise.all([
      startIngestion(),
      // Small tail pages: history goes out in many reads while new results keep coming.
      positionGroupAtEnd(kafka, group).then(() => startQuery(group, { QUERY_TAIL_PAGE_SIZE: '7' })),
      startQuery(`${group}-unused`, { QUERY_ROLES: 'server' }),
      startQuery(`${group}-unused`, {
        QUERY_ROLES: 'server',
        REDIS_URL: 'redis://127.0.0.1:1',
        QUERY_TAIL_PAGE_SIZE: '7',
      }),
    ]);
    [qa, qb, qc] = [a, b, c].map((p) => queryClient(p.grpcAddress)) as [
      QueryClient,
      QueryClient,
      QueryClient,
    ];

    const client = await ingestionClientFor(ingestion.grpcAddress, tenant);
    const uploader = new FrameUploader(client, { simulationId: sim });
    await uploader.start();
    for (let step = 0; step < FRAMES; step++)
      await uploader.send({
        ...syntheticFrame(sim, step, 256),
        attributes: { kind: 'synthetic', n: String(step) },
      });
    await uploader.close();
    client.close();
    await neuro(0, 59);
    await writer.quantum([0, 10, 20].map((s) => quantumResult(sim, s, at(s) + 5)));
    await until(
      'materialized',
      () => qa.getSimulation({ tenant, simulationId: sim }).catch(() => undefined),
      (s) => s?.frames === FRAMES && s.neuromorphicResults === 60 && s.quantumResults === 3,
    );
  });
  afterAll(async () => {
    for (const q of [qa, qb, qc]) q?.close();
    await Promise.all([a, b, c, ingestion].map((p) => p?.stop()));
    await writer?.close();
    for (const table of ['frames', 'results', 'simulations'])
      await pool?.query(`DELETE FROM ${table} WHERE simulation_id = $1`, [sim]);
    await pool?.end();
  });

  it('shows a simulation to its tenant only: to anyone else it does not exist', async () => {
    const s = await qa.getSimulation({ tenant, simulationId: sim });
    expect(s).toMatchObject({ tenant, kind: 'synthetic', firstStep: 0, lastStep: FRAMES - 1 });
    expect(s.attributes).toEqual({ kind: 'synthetic', n: String(FRAMES - 1) });
    expect(s.lastAnomalyScore).toBe(neuromorphicResult(sim, 59, 0).anomalyScore);
    const notFound = { code: grpc.status.NOT_FOUND };
    await expect(qa.getSimulation({ tenant: other, simulationId: sim })).rejects.toMatchObject(notFound);
    await expect(qa.listResults({ tenant: other, simulationId: sim, kind: NEURO })).rejects.toMatchObject(
      notFound,
    );
    await expect(qa.getSimulation({ tenant, simulationId: `${sim}-nope` })).rejects.toMatchObject(notFound);
    const tail = collectTail(
      qa,
      { tenant: other, simulationId: sim, kind: NEURO, fromStep: 0 },
      () => true,
      5000,
    );
    await expect(tail).rejects.toMatchObject(notFound);
    expect((await qa.listSimulations({ tenant })).simulations.map((x) => x.simulationId)).toEqual([sim]);
    expect((await qa.listSimulations({ tenant: other })).simulations).toEqual([]);
  });

  it('pages results in step order and filters by step and time; frames carry field statistics', async () => {
    const all = await allSteps(qa, { tenant, simulationId: sim, kind: NEURO, pageSize: 7 });
    expect(all).toEqual({ steps: range(0, 59), pages: 9 });
    expect(
      (await allSteps(qa, { tenant, simulationId: sim, kind: NEURO, fromStep: 5, toStep: 12 })).steps,
    ).toEqual(range(5, 12));
    const byTime = await qa.listResults({
      tenant,
      simulationId: sim,
      kind: NEURO,
      fromTimeMs: at(10),
      toTimeMs: at(20),
    });
    expect(byTime.results.map((r) => r.step)).toEqual(range(10, 20));
    const first = byTime.results[0]!;
    expect(first).toMatchObject({
      output: 'neuromorphic',
      producedAtMs: at(10),
      score: neuromorphicResult(sim, 10, 0).anomalyScore,
    });
    expect(first.neuromorphic).toMatchObject({
      patternId: 1,
      backend: 'cpu',
      featureNames: ['u.mean', 'u.std'],
    });

    const quantum = await qa.listResults({ tenant, simulationId: sim, kind: 'RESULT_KIND_QUANTUM' });
    expect(quantum.results.map((r) => [r.step, r.score, r.quantum?.solution.toString('hex')])).toEqual([
      [0, -0.5, '00010001'],
      [10, -10.5, '00010001'],
      [20, -20.5, '00010001'],
    ]);
    expect(quantum.results[1]!.simTime).toBeCloseTo(0.13, 9); // from the frame that triggered it (step 13)

    const frames = await qa.listResults({
      tenant,
      simulationId: sim,
      kind: 'RESULT_KIND_FRAME',
      fromStep: 3,
      toStep: 3,
    });
    const summary = frames.results[0]!.frame!;
    const bytes = patternBytes(sim, 3, 'u', 1024);
    const mean = bytes.reduce((s, x) => s + x, 0) / bytes.length;
    expect(summary.fields[0]).toMatchObject({
      name: 'u',
      dtype: 'uint8',
      shape: [1024],
      min: Math.min(...bytes),
      max: Math.max(...bytes),
    });
    expect(summary.fields[0]!.mean).toBeCloseTo(mean, 9);
    expect(frames.results[0]!.score).toBeCloseTo(mean, 9);

    const invalid = (request: pb.ListResultsRequest, reason: string) =>
      expect(qa.listResults(request)).rejects.toSatisfy(
        (e: grpc.ServiceError) =>
          e.code === grpc.status.INVALID_ARGUMENT && e.metadata.get('simstream-reason')[0] === reason,
      );
    await invalid({ tenant, simulationId: sim }, 'KIND_REQUIRED');
    await invalid({ tenant, simulationId: sim, kind: NEURO, fromStep: 9, toStep: 3 }, 'STEP_RANGE_INVALID');
    const page = await qa.listResults({ tenant, simulationId: sim, kind: NEURO, pageSize: 5 });
    await invalid(
      { tenant, simulationId: sim, kind: 'RESULT_KIND_QUANTUM', pageToken: page.nextPageToken },
      'PAGE_TOKEN_INVALID',
    );
    await invalid({ tenant: 'Not A Tenant', simulationId: sim, kind: NEURO }, 'TENANT_INVALID');
    // A step no row can have (uint64 on the wire) is the caller's error, never SQL's: it used to
    // reach Postgres (SQLSTATE 22003) and come back as INTERNAL quoting the SQL error.
    for (const fromStep of [1e19, 2 ** 63])
      await expect(qa.listResults({ tenant, simulationId: sim, kind: NEURO, fromStep })).rejects.toSatisfy(
        (e: grpc.ServiceError) =>
          e.code === grpc.status.INVALID_ARGUMENT &&
          e.metadata
            .get('simstream-field-violation')
            .some((v) => String(v).startsWith('from_step: OUT_OF_RANGE')) &&
          !/SQLSTATE|bigint/.test(e.details),
      );
  });

  it('serves a repeated query from L1, another instance from Redis, and a new result at once', async () => {
    const request = { tenant, simulationId: sim, kind: NEURO, pageSize: 1000 } as const;
    const l1 = await metricValue(a.opsUrl, 'simstream_query_cache_requests_total', {
      level: 'l1',
      outcome: 'hit',
    });
    await qa.listResults(request);
    await qa.listResults(request);
    expect(
      await metricValue(a.opsUrl, 'simstream_query_cache_requests_total', { level: 'l1', outcome: 'hit' }),
    ).toBeGreaterThan(l1);
    const fromRedis = await qb.listResults(request);
    expect(
      await metricValue(b.opsUrl, 'simstream_query_cache_requests_total', { level: 'l2', outcome: 'hit' }),
    ).toBe(1);
    expect(fromRedis.results).toHaveLength(60);
    expect(fromRedis).toEqual(await qa.listResults(request));

    await neuro(60, 60);
    await until(
      'A sees the new result',
      () => count(qa),
      (n) => n === 61,
      10_000,
    );
    await until(
      'B sees it too (stale entry unreachable)',
      () => count(qb),
      (n) => n === 61,
      5000,
    );
  });

  it('answers from Postgres when Redis is unreachable, and is ready (Redis degraded)', async () => {
    const ready = (await (await fetch(`${c.opsUrl}/readyz`)).json()) as {
      ready: boolean;
      degraded: { name: string }[];
    };
    expect(ready.ready).toBe(true);
    expect(ready.degraded.map((d) => d.name)).toContain('redis');
    expect(await count(qc)).toBe(61);
    expect(await qc.getSimulation({ tenant, simulationId: sim })).toEqual(
      await qa.getSimulation({ tenant, simulationId: sim }),
    );
    await neuro(61, 61);
    await until(
      'C sees the new result',
      () => count(qc),
      (n) => n === 62,
      10_000,
    );
    expect(
      await metricValue(c.opsUrl, 'simstream_query_cache_requests_total', { level: 'l2', outcome: 'hit' }),
    ).toBe(0);
  });

  it('tails history then live without a gap or a duplicate, notified (A) and polling (C)', async () => {
    const last = 161;
    const request = { tenant, simulationId: sim, kind: NEURO, fromStep: 0 } as const;
    const tails = [qa, qc].map((q) => collectTail(q, request, (steps) => steps.at(-1) === last));
    for (let s = 62; s <= last; s += 10) {
      await neuro(s, Math.min(last, s + 9));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const steps of await Promise.all(tails)) expect(steps).toEqual(range(0, last));
  });

  it('latest-only sends the newest result now and then only newer ones, never a backlog', async () => {
    let seen: number[] = [];
    const tail = collectTail(qa, { tenant, simulationId: sim, kind: NEURO, latestOnly: true }, (steps) => {
      seen = steps;
      return steps.at(-1) === 261;
    });
    await until(
      'first message',
      () => Promise.resolve(seen.length),
      (n) => n > 0,
      5000,
    );
    expect(seen[0]).toBe(161);
    await neuro(162, 261);
    const steps = await tail;
    expect(steps.at(-1)).toBe(261);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1]!)).toBe(true);
    expect(steps.length).toBeLessThan(20);
  });

  it('exports ranges as Arrow IPC streams that pyarrow and polars read as they are', async () => {
    const python = await pythonWith(['pyarrow==26.0.1', 'polars==2.1.0']);
    const exportTo = (request: pb.ExportArrowRequest) => readExport(qa, request, python);

    const neuroExport = await exportTo({ tenant, simulationId: sim, kind: NEURO });
    const expected = range(0, 261).map((s) => neuromorphicResult(sim, s, 0).anomalyScore);
    for (const reader of ['pyarrow', 'polars'] as const) {
      expect(neuroExport[reader].rows).toBe(262);
      expect(neuroExport[reader].steps).toEqual(range(0, 261));
      expect(neuroExport[reader].score_sum).toBeCloseTo(
        expected.reduce((s, x) => s + x, 0),
        9,
      );
    }
    expect(neuroExport.pyarrow.first_produced_ms).toBe(at(0));
    expect(neuroExport.pyarrow.columns).toMatchObject({
      step: 'int64',
      produced_at: 'timestamp[ms, tz=UTC]',
      anomaly_score: 'double',
      pattern_id: 'int32',
      backend: 'string',
    });
    expect(neuroExport.polars.columns).toMatchObject({
      step: 'Int64',
      pattern_id: 'Int32',
      backend: 'String',
    });

    const frames = await exportTo({
      tenant,
      simulationId: sim,
      kind: 'RESULT_KIND_FRAME',
      fromStep: 10,
      toStep: 19,
    });
    expect(frames.polars.steps).toEqual(range(10, 19));
    expect(frames.pyarrow.columns).toMatchObject({ frame_id: 'string', u_mean: 'double', v_l2: 'double' });

    const quantum = await exportTo({ tenant, simulationId: sim, kind: 'RESULT_KIND_QUANTUM' });
    expect(quantum.pyarrow).toMatchObject({ rows: 3, steps: [0, 10, 20], score_sum: -31.5 });
    expect(quantum.polars.columns).toMatchObject({
      energy: 'Float64',
      cut: 'Float64',
      trigger_step: 'Int64',
    });

    const empty = await exportTo({ tenant, simulationId: sim, kind: NEURO, fromStep: 100_000 });
    expect(empty.pyarrow.rows).toBe(0);
    expect(empty.polars.rows).toBe(0);
    expect(Object.keys(empty.polars.columns)).toEqual(Object.keys(neuroExport.polars.columns));
  });
});
