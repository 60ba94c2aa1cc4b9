/**
 * The query service's materializer on the real stack: frames through ingestion and results
 * straight onto the result topics land in Postgres exactly once per (simulation, kind, step) —
 * across a SIGKILL mid-run and replays of the same records — with counters that count rows, not
 * deliveries, versions that move only on change, InfluxDB points, job completions that never
 * leave a terminal status, and results of a simulation without frames visible to nobody.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { FrameUploader } from '@simstream/client';
import type { Frame } from '@simstream/contracts';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import type { InfluxWriter, Pool } from '@simstream/storage';
import {
  endOffsets,
  startIngestion,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';
import {
  ResultWriter,
  influxCount,
  neuromorphicResult,
  positionGroupAtEnd,
  queryClient,
  quantumResult,
  startQuery,
  testInflux,
  testPool,
  until,
  type QueryProcess,
} from './query-harness.js';

const FRAMES = 40;
const RESULTS = 300;
const BUCKETS = [0, 10, 20, 30];

describe('query materializer', () => {
  const run = randomUUID().slice(0, 8);
  const sim = `query-mat-${run}`;
  const orphan = `query-orphan-${run}`;
  const late = `query-influx-${run}`;
  const first = `query-first-${run}`;
  const tenant = `tenant-${run}`;
  const group = `simstream-query-test-${run}`;
  const base = Date.now() - 3_600_000;
  let kafka: KafkaClient;
  let pool: Pool;
  let influx: InfluxWriter;
  let writer: ResultWriter;
  let ingestion: IngestionProcess;
  let query: QueryProcess;

  const count = async (kind: string) =>
    Number(
      (
        await pool.query<{ n: string }>(
          kind === 'frame'
            ? 'SELECT count(*) AS n FROM frames WHERE simulation_id = $1'
            : 'SELECT count(*) AS n FROM results WHERE simulation_id = $1 AND kind = $2',
          kind === 'frame' ? [sim] : [sim, kind],
        )
      ).rows[0]!.n,
    );
  const simulationRow = async (id = sim) =>
    (await pool.query('SELECT * FROM simulations WHERE simulation_id = $1', [id])).rows[0] as
      Record<string, unknown> | undefined;
  /** Waits until the group has committed everything written to the result topics so far. */
  const caughtUp = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of [TopicName.neuromorphicResults, TopicName.quantumResults, TopicName.frames]) {
        const ends = await endOffsets(kafka, topic);
        await until(
          `group caught up on ${topic}`,
          () => admin.groupOffsets(group, topic),
          (parts) => parts.every((p) => p.offset >= (ends.get(p.partition) ?? 0)),
        );
      }
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    kafka = testKafka();
    pool = testPool();
    influx = testInflux();
    writer = new ResultWriter(kafka);
    [ingestion, query] = await Promise.all([
      startIngestion(),
      positionGroupAtEnd(kafka, group).then(() => startQuery(group)),
    ]);
  });
  afterAll(async () => {
    await query?.stop();
    await ingestion?.stop();
    await writer?.close();
    for (const table of ['frames', 'results', 'simulations'])
      await pool?.query(`DELETE FROM ${table} WHERE simulation_id IN ($1, $2, $3, $4)`, [
        sim,
        orphan,
        late,
        first,
      ]);
    await pool?.query('DELETE FROM jobs WHERE tenant = $1', [tenant]);
    await pool?.end();
  });

  it('writes each frame and result once, across a SIGKILL mid-run and replays', async () => {
    const client = await ingestionClientFor(ingestion.grpcAddress, tenant);
    const uploader = new FrameUploader(client, { simulationId: sim });
    await uploader.start();
    const framesSent = (async () => {
      for (let step = 0; step < FRAMES; step++)
        await uploader.send({ ...syntheticFrame(sim, step, 256), attributes: { kind: 'synthetic' } });
      await uploader.close();
    })();
    const neuro = Array.from({ length: RESULTS }, (_, step) => neuromorphicResult(sim, step, base + step));
    const quantum = BUCKETS.map((b) => quantumResult(sim, b, base + 10_000 + b));

    // First half, then a kill -9 while the rest is still being written.
    for (let i = 0; i < RESULTS / 2; i += 10) await writer.neuromorphic(neuro.slice(i, i + 10));
    await writer.quantum(quantum.slice(0, 2));
    await until(
      'some results materialized',
      () => count('neuromorphic'),
      (n) => n >= 50,
    );
    await query.kill9();
    for (let i = RESULTS / 2; i < RESULTS; i += 10) await writer.neuromorphic(neuro.slice(i, i + 10));
    await writer.neuromorphic(neuro.slice(0, 100)); // a producer's replay of the same records
    await writer.quantum(quantum); // the first two again
    await framesSent;
    client.close();
    query = await startQuery(group);

    await until(
      'all materialized',
      async () => [await count('frame'), await count('neuromorphic'), await count('quantum')],
      ([f, n, q]) => f === FRAMES && n === RESULTS && q === BUCKETS.length,
    );
    await caughtUp();
    const row = (await simulationRow())!;
    expect(row).toMatchObject({
      tenant,
      kind: 'synthetic',
      frames: String(FRAMES),
      first_step: '0',
      last_step: String(FRAMES - 1),
      neuromorphic_results: String(RESULTS),
      quantum_results: String(BUCKETS.length),
      last_anomaly_score: neuro[RESULTS - 1]!.anomalyScore,
    });
    const stored = await pool.query<{ step: string; score: number; trigger: string }>(
      `SELECT step, score, payload->>'triggerStep' AS trigger FROM results WHERE simulation_id = $1 AND kind = 'quantum' ORDER BY step`,
      [sim],
    );
    expect(stored.rows).toEqual(
      BUCKETS.map((b) => ({ step: String(b), score: -b - 0.5, trigger: String(b + 3) })),
    );

    // The whole history once more: nothing changes, not even the version.
    const version = row.version;
    await writer.neuromorphic(neuro);
    await writer.quantum(quantum);
    await caughtUp();
    expect(await count('neuromorphic')).toBe(RESULTS);
    expect(await simulationRow()).toMatchObject({ neuromorphic_results: String(RESULTS), version });

    // InfluxDB: one point per result, and one per field of every frame (points within the same
    // millisecond are kept apart by the step in the sub-millisecond part of the timestamp).
    expect(await influxCount(influx, 'anomaly', 'score', sim)).toBe(RESULTS);
    expect(await influxCount(influx, 'quantum', 'energy', sim)).toBe(BUCKETS.length);
    const frameRows = Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM frames WHERE simulation_id = $1`, [sim]))
        .rows[0]!.n,
    );
    expect(await influxCount(influx, 'frame_field', 'mean', sim)).toBe(frameRows * 2);
  });

  // A second copy of a (simulation, step) — a resend with another frame id, a result produced
  // again after a crash with other values — used to replace the first in Postgres and add a second
  // point in InfluxDB, so the frames table and the result a reader saw first disagreed.
  it('keeps the first durable copy of a (simulation, step) everywhere: frames, results, InfluxDB', async () => {
    const frame = (step: number, copy: number): Frame => ({
      frameId: randomUUID(),
      simulationId: first,
      step,
      simTime: step,
      fields: [
        {
          name: 'u',
          dtype: 'float32',
          shape: [2],
          codec: 'none',
          data: Buffer.from(new Float32Array([copy, copy]).buffer),
        },
      ],
      attributes: {},
      ingestedAt: base + 40_000 + copy * 1000 + step,
      tenant,
    });
    const firstFrames = [0, 1, 2].map((s) => frame(s, 1));
    const secondFrames = [0, 1, 2].map((s) => frame(s, 2));
    const firstResults = [0, 1, 2].map((s) => neuromorphicResult(first, s, base + 50_000 + s));
    const secondResults = firstResults.map((r) => ({
      ...r,
      anomalyScore: 0.99,
      producedAt: r.producedAt + 5000,
    }));
    await writer.frames(firstFrames);
    await writer.neuromorphic(firstResults);
    await caughtUp();
    await writer.frames(secondFrames);
    await writer.neuromorphic(secondResults);
    await caughtUp();

    const frames = await pool.query<{ frame_id: string; mean: string }>(
      `SELECT frame_id::text AS frame_id, fields->0->>'mean' AS mean FROM frames WHERE simulation_id = $1 ORDER BY step`,
      [first],
    );
    expect(frames.rows.map((r) => r.frame_id)).toEqual(firstFrames.map((f) => f.frameId));
    const results = await pool.query<{ score: number; produced: string }>(
      `SELECT score, (extract(epoch FROM produced_at) * 1000)::int8::text AS produced FROM results
       WHERE simulation_id = $1 AND kind = 'neuromorphic' ORDER BY step`,
      [first],
    );
    expect(results.rows).toEqual(
      firstResults.map((r) => ({ score: r.anomalyScore, produced: String(r.producedAt) })),
    );
    expect(await simulationRow(first)).toMatchObject({ frames: '3', neuromorphic_results: '3' });
    expect(await influxCount(influx, 'anomaly', 'score', first)).toBe(3);
    expect(await influxCount(influx, 'frame_field', 'mean', first)).toBe(3);
  });

  it('commits offsets only once InfluxDB holds the batch too (Postgres alone is not enough)', async () => {
    const committed = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.groupOffsets(group, TopicName.neuromorphicResults);
        return offsets.reduce((sum, p) => sum + Math.max(0, p.offset), 0);
      } finally {
        await admin.disconnect();
      }
    };
    await query.stop();
    query = await startQuery(group, { INFLUX_URL: 'http://127.0.0.1:1' });
    const before = await committed();
    await writer.neuromorphic([0, 1, 2].map((s) => neuromorphicResult(late, s, base + 30_000 + s)));
    await until(
      'rows in Postgres',
      () => simulationRow(late),
      (row) => row?.neuromorphic_results === '3',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await committed()).toBe(before);
    expect(await influxCount(influx, 'anomaly', 'score', late)).toBe(0);

    await query.stop();
    query = await startQuery(group);
    await until(
      'points in InfluxDB',
      () => influxCount(influx, 'anomaly', 'score', late),
      (n) => n === 3,
    );
    await caughtUp();
    expect(await committed()).toBe(before + 3);
    // The re-read batch changed nothing in Postgres.
    expect(await simulationRow(late)).toMatchObject({ neuromorphic_results: '3', version: '1' });
  });

  it('completes job rows idempotently and never moves a terminal status', async () => {
    const [running, cancelled, missing] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [id, status] of [
      [running, 'running'],
      [cancelled, 'cancelled'],
    ] as const) {
      await pool.query(
        `INSERT INTO jobs (job_id, tenant, status, problem_kind, variables, solver) VALUES ($1, $2, $3, 'maxcut', 4, 'sa')`,
        [id, tenant, status],
      );
    }
    const job = (jobId: string, energy: number) => ({
      ...quantumResult(sim, 0, base + 20_000),
      source: 'job' as const,
      simulationId: null,
      step: null,
      bucketStep: null,
      jobId,
      energy,
    });
    await writer.quantum([job(running, -7), job(cancelled, -3), job(missing, -1), job(running, -9)]);
    const jobs = await until(
      'jobs completed',
      async () =>
        (
          await pool.query<{ job_id: string; status: string; energy: number; finished: boolean }>(
            `SELECT job_id, status, (result->>'energy')::float8 AS energy, finished_at IS NOT NULL AS finished
             FROM jobs WHERE tenant = $1 ORDER BY status`,
            [tenant],
          )
        ).rows,
      (rows) => rows.every((r) => r.energy !== null),
    );
    // The first completion wins; a terminal status stays as it was.
    expect(jobs).toEqual([
      { job_id: cancelled, status: 'cancelled', energy: -3, finished: true },
      { job_id: running, status: 'succeeded', energy: -7, finished: true },
    ]);
    await until(
      'unknown job counted',
      () => fetch(`${query.opsUrl}/metrics`).then((r) => r.text()),
      (text) => /simstream_query_job_results_unknown_total\{[^}]*\} 1/.test(text),
    );
  });

  it('keeps results of a simulation whose frames were never seen invisible to every tenant', async () => {
    await writer.neuromorphic([neuromorphicResult(orphan, 0, base), neuromorphicResult(orphan, 1, base + 1)]);
    await until(
      'orphan stub',
      () => simulationRow(orphan),
      (row) => row?.neuromorphic_results === '2',
    );
    expect(await simulationRow(orphan)).toMatchObject({ tenant: '', frames: '0' });
    const client = queryClient(query.grpcAddress);
    try {
      for (const t of [tenant, 'default']) {
        await expect(client.getSimulation({ tenant: t, simulationId: orphan })).rejects.toMatchObject({
          code: grpc.status.NOT_FOUND,
        });
      }
    } finally {
      client.close();
    }
  });
});
