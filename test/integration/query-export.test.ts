/**
 * Arrow exports of any size through the gateway, on the real query service and Postgres: rows
 * written as the materializer writes them, exported with `Accept: application/vnd.apache.arrow.stream`,
 * read by pyarrow batch by batch and compared value by value with Postgres (3,000 rows, the size
 * that used to stall after 48 KiB, and 100,000 rows); every export counted by outcome on both
 * services, refused ones and a client that goes away mid-export included.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '@simstream/storage';
import { REPO_ROOT, metricValue, pythonWith } from '../src/index.js';
import { bootstrapKey, call, startGateway, type GatewayProcess, mintKey } from './gateway-harness.js';
import { startQuery, testPool, until, type QueryProcess } from './query-harness.js';

const ARROW = 'application/vnd.apache.arrow.stream';
const BIG = 100_000;

/** Results of one simulation as the materializer stores them (payload of neuromorphicRow). */
async function seed(pool: Pool, simulationId: string, tenant: string, rows: number): Promise<void> {
  await pool.query(
    `INSERT INTO simulations (simulation_id, tenant, kind, first_seen, last_seen, neuromorphic_results)
     VALUES ($1, $2, 'gray-scott', now(), now(), $3)`,
    [simulationId, tenant, rows],
  );
  await pool.query(
    `INSERT INTO results (simulation_id, kind, step, sim_time, score, payload, produced_at)
     SELECT $1, 'neuromorphic', s, s * 0.01, ((s * 37) % 100) / 100.0,
       jsonb_build_object('anomalyScore', ((s * 37) % 100) / 100.0, 'rawScore', s / 7.0,
         'featureNames', jsonb_build_array('u.mean', 'u.std'), 'features', jsonb_build_array(0.5, 0.25),
         'prediction', jsonb_build_array(0.5, 0.125), 'spikeRate', 0.125, 'patternId', s % 3,
         'novelty', s / 1000.0, 'processingMs', 1.5, 'backend', 'cpu', 'model', 'm-' || (s % 5)),
       to_timestamp(1700000000 + s / 100.0)
     FROM generate_series(0, $2::int - 1) AS s`,
    [simulationId, rows],
  );
}

/** What an export of `simulationId` must hold, one array per column, from Postgres. */
async function expectedColumns(pool: Pool, simulationId: string): Promise<Record<string, unknown[]>> {
  const agg = (expression: string) => `array_agg(${expression} ORDER BY step)`;
  const { rows } = await pool.query<{ columns: Record<string, unknown[]> }>(
    `SELECT json_build_object(
       'step', ${agg('step')},
       'sim_time', ${agg('sim_time')},
       'produced_at', ${agg('round(extract(epoch FROM produced_at) * 1000)::int8')},
       'score', ${agg('score')},
       'anomaly_score', ${agg(`(payload->>'anomalyScore')::float8`)},
       'raw_score', ${agg(`(payload->>'rawScore')::float8`)},
       'pattern_id', ${agg(`(payload->>'patternId')::int4`)},
       'novelty', ${agg(`(payload->>'novelty')::float8`)},
       'backend', ${agg(`payload->>'backend'`)},
       'model', ${agg(`payload->>'model'`)}) AS columns
     FROM results WHERE simulation_id = $1 AND kind = 'neuromorphic'`,
    [simulationId],
  );
  return rows[0]!.columns;
}

interface Check {
  readonly rows: number;
  readonly batches: number;
  readonly columns: Record<string, string>;
  readonly missing_columns: string[];
  readonly mismatches: unknown[];
}

describe('Arrow exports through the gateway', () => {
  const run = randomUUID().slice(0, 8);
  const tenant = `export-${run}`;
  const small = `export-3k-${run}`;
  const big = `export-100k-${run}`;
  const files: string[] = [];
  let pool: Pool;
  let query: QueryProcess;
  let gateway: GatewayProcess;
  let key = '';
  let python = '';

  const file = (name: string) => {
    const f = path.join(tmpdir(), `${name}-${run}.arrow`);
    files.push(f);
    return f;
  };

  /** Streams an export to a file (never buffered whole); fails instead of hanging. */
  async function download(simulationId: string, to: string, timeoutMs = 60_000) {
    const res = await fetch(`${gateway.url}/v1/simulations/${simulationId}/results?kind=neuromorphic`, {
      headers: { authorization: `Bearer ${key}`, accept: ARROW },
      signal: AbortSignal.timeout(timeoutMs),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(ARROW);
    await pipeline(Readable.fromWeb(res.body! as WebReadableStream<Uint8Array>), createWriteStream(to));
  }

  async function check(simulationId: string, stream: string): Promise<Check> {
    const expected = `${stream}.expected.json`;
    files.push(expected);
    await writeFile(expected, JSON.stringify(await expectedColumns(pool, simulationId)));
    const { stdout } = await promisify(execFile)(
      python,
      [path.join(REPO_ROOT, 'test/python/check_arrow_export.py'), stream, expected],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as Check;
  }

  const exports = (service: { opsUrl: string }, prefix: string, outcome: string) =>
    metricValue(service.opsUrl, `${prefix}_exports_total`, { outcome });

  beforeAll(async () => {
    pool = testPool();
    await Promise.all([seed(pool, small, tenant, 3000), seed(pool, big, tenant, BIG)]);
    query = await startQuery(`simstream-query-export-${run}`, { QUERY_ROLES: 'server' });
    const admin = bootstrapKey();
    gateway = await startGateway({
      QUERY_ADDRESS: query.grpcAddress,
      QUANTUM_ADDRESS: '127.0.0.1:9', // not used here
      INGESTION_ADDRESS: '127.0.0.1:9',
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
    });
    key = await mintKey(gateway, admin, tenant, ['read']);
    python = await pythonWith(['pyarrow==26.0.1']);
  });

  afterAll(async () => {
    await gateway?.stop();
    await query?.stop();
    await pool?.query('DELETE FROM results WHERE simulation_id = ANY($1)', [[small, big]]);
    await pool?.query('DELETE FROM simulations WHERE simulation_id = ANY($1)', [[small, big]]);
    await pool?.end();
    await Promise.all(files.map((f) => rm(f, { force: true })));
  });

  it('exports 3,000 rows in full (this size stalled after 48 KiB)', async () => {
    const stream = file('small');
    await download(small, stream, 20_000);
    const result = await check(small, stream);
    expect(result).toMatchObject({ rows: 3000, missing_columns: [], mismatches: [] });
  });

  it('exports 100,000 rows that pyarrow reads equal to Postgres, in batches', async () => {
    const stream = file('big');
    await download(big, stream);
    const result = await check(big, stream);
    expect(result).toMatchObject({ rows: BIG, missing_columns: [], mismatches: [] });
    expect(result.batches).toBeGreaterThan(1);
    expect(result.columns).toMatchObject({
      step: 'int64',
      produced_at: 'timestamp[ms, tz=UTC]',
      pattern_id: 'int32',
      model: 'string',
    });
  });

  it('counts every export by outcome, a client that goes away included', async () => {
    expect(await exports(query, 'simstream_query', 'ok')).toBe(2);
    expect(await exports(gateway, 'simstream_gateway', 'ok')).toBe(2);
    const unknown = await call(`${gateway.url}/v1/simulations/no-such-${run}/results?kind=neuromorphic`, {
      key,
      headers: { accept: ARROW },
    });
    expect(unknown.status).toBe(404);
    expect(await exports(gateway, 'simstream_gateway', 'rejected')).toBe(1);

    // Read the first bytes, stop reading (backpressure holds the rest upstream), then leave.
    const controller = new AbortController();
    const res = await fetch(`${gateway.url}/v1/simulations/${big}/results?kind=neuromorphic`, {
      headers: { authorization: `Bearer ${key}`, accept: ARROW },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await until(
      'cancelled exports counted',
      async () => [
        await exports(query, 'simstream_query', 'cancelled'),
        await exports(gateway, 'simstream_gateway', 'cancelled'),
      ],
      (counts) => counts.every((n) => n === 1),
      10_000,
    );
    expect(await exports(query, 'simstream_query', 'ok')).toBe(2);
    expect(await metricValue(query.opsUrl, 'simstream_query_exports_in_progress')).toBe(0);
  });
});
