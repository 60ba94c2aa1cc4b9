/**
 * The whole system on the real infrastructure: real simulations streamed by the client and
 * uploaded through the gateway; every service killed with SIGKILL in turn while frames flow;
 * afterwards Postgres holds exactly one neuromorphic result per frame and one quantum result per
 * K-step bucket, no more and no fewer. Then, through the gateway: results served and cached,
 * served from Postgres with Redis stopped, another tenant refused, and the query breaker opening
 * when the query service dies and closing when it returns.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '@simstream/cli';
import { start, stop } from '@simstream/infra';
import type { KafkaClient } from '@simstream/kafka';
import { createPool, type Pool } from '@simstream/storage';
import { endpoints } from '@simstream/infra';
import { createSimulation } from '@simstream/sims';
import { Stack, metricValue, testKafka, type ServiceName, apiKeyFor, waitFor } from '../src/index.js';

const K = 100; // quantum: one result per simulation per 100 steps
const SUBSTEPS = 20; // steps per frame

const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined) =>
  waitFor(what, probe, timeoutMs, 250);

async function api(stack: Stack, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('the results path, end to end', () => {
  const run = randomUUID().slice(0, 8);
  const tenantA = `e2e-a-${run}`;
  const tenantB = `e2e-b-${run}`;
  const streamed = `e2e-gray-scott-${run}`;
  const uploaded = `e2e-upload-${run}`;
  let kafka: KafkaClient;
  let stack: Stack;
  let pool: Pool;
  let keyA = '';
  let keyB = '';
  const steps = new Map<string, number[]>();

  beforeAll(async () => {
    kafka = testKafka();
    pool = createPool({ url: endpoints().databaseUrl });
    stack = await Stack.create(kafka, { tenants: [tenantA, tenantB], quantumEverySteps: K });
    for (const [tenant, scopes, set] of [
      [tenantA, ['ingest', 'read'], (k: string) => (keyA = k)],
      [tenantB, ['read'], (k: string) => (keyB = k)],
    ] as const) {
      const created = await api(stack, stack.adminKey, 'POST', '/v1/admin/keys', {
        name: `e2e ${tenant}`,
        scopes,
        tenant,
      });
      expect(created.status).toBe(201);
      set(created.body!.secret as string);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await pool?.end();
  });

  it('keeps exactly one neuromorphic result per frame and one quantum result per bucket while every service is killed in turn', async () => {
    const FRAMES = 100;
    // The streamed simulation: Gray–Scott through the client, at a pace that spans the kills.
    let acked = 0;
    const streaming = simulate({
      kind: 'gray-scott',
      simulationId: streamed,
      connection: {
        address: stack.address('ingestion'),
        apiKey: await apiKeyFor(tenantA),
        caFile: stack.caFile,
      },
      params: { nx: 48, ny: 48, substeps: SUBSTEPS, seed: 3 },
      frames: FRAMES,
      fps: 12,
      codec: 'none',
      onProgress: (p) => (acked = p.acked),
    });
    // The uploaded simulation: lattice Boltzmann frames as JSON through the gateway.
    const lbm = createSimulation('lbm-cylinder', { nx: 64, ny: 32, substeps: SUBSTEPS, diameter: 6 });
    const uploadedSteps: number[] = [];
    const uploading = (async () => {
      for (let batch = 0; batch < 6; batch++) {
        const frames: unknown[] = [];
        for (let i = 0; i < 5; i++) {
          frames.push({
            step: lbm.step,
            sim_time: lbm.time,
            fields: lbm
              .fields()
              .slice(0, 2)
              .map((f) => ({
                name: f.name,
                dtype: 'float32',
                shape: [...f.shape],
                data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('base64'),
              })),
            attributes: { kind: 'lbm-cylinder' },
          });
          uploadedSteps.push(lbm.step);
          lbm.advance();
        }
        // Uploads may hit a restarting ingestion: retry a batch until every frame is acknowledged.
        await until('an upload batch accepted', 60_000, async () => {
          const r = await api(stack, keyA, 'POST', `/v1/simulations/${uploaded}/frames`, { frames });
          // A retry after a lost answer finds earlier frames durable: STEP_NOT_INCREASING is fine.
          const results = (r.body?.results ?? []) as { status: string; code?: string }[];
          return r.status === 200 &&
            results.every((x) => x.status === 'acked' || x.code === 'STEP_NOT_INCREASING')
            ? true
            : undefined;
        });
        await new Promise((r) => setTimeout(r, 700));
      }
    })();

    const order: ServiceName[] = ['neuromorphic', 'quantum', 'query', 'ingestion'];
    for (const [i, name] of order.entries()) {
      await until(`${(i + 1) * 18} acks`, 60_000, () =>
        Promise.resolve(acked >= (i + 1) * 18 ? true : undefined),
      );
      await stack.kill9(name);
      await new Promise((r) => setTimeout(r, 500));
      await stack.start(name);
    }
    const result = await streaming;
    await uploading;
    expect(result.acked).toBe(FRAMES);
    steps.set(
      streamed,
      Array.from({ length: FRAMES }, (_, i) => i * SUBSTEPS),
    );
    steps.set(uploaded, uploadedSteps);

    for (const [simulationId, frameSteps] of steps) {
      const buckets = new Set(frameSteps.map((s) => Math.floor(s / K) * K));
      const counts = async () => {
        const rows = await pool.query<{ kind: string; n: string; steps: string[] }>(
          `SELECT kind, count(*) AS n, array_agg(step::text ORDER BY step) AS steps FROM results WHERE simulation_id = $1 GROUP BY kind`,
          [simulationId],
        );
        return Object.fromEntries(rows.rows.map((r) => [r.kind, r]));
      };
      const done = await until(`results of ${simulationId}`, 180_000, async () => {
        const c = await counts();
        return Number(c.neuromorphic?.n ?? 0) >= frameSteps.length &&
          Number(c.quantum?.n ?? 0) >= buckets.size
          ? c
          : undefined;
      });
      // Exactly: one neuromorphic result per frame, one quantum result per bucket.
      expect(done.neuromorphic!.steps.map(Number)).toEqual(frameSteps);
      expect(done.quantum!.steps.map(Number)).toEqual([...buckets].sort((a, b) => a - b));
      const frames = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM frames WHERE simulation_id = $1',
        [simulationId],
      );
      expect(Number(frames.rows[0]!.n)).toBe(frameSteps.length);
    }
    // And still exactly that after the services have had time to replay anything pending.
    await new Promise((r) => setTimeout(r, 5000));
    const again = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM results WHERE simulation_id = ANY($1)`,
      [[...steps.keys()]],
    );
    const expected = [...steps.values()].reduce(
      (n, s) => n + s.length + new Set(s.map((x) => Math.floor(x / K))).size,
      0,
    );
    expect(Number(again.rows[0]!.n)).toBe(expected);
  });

  it('serves results through the gateway, from the cache after the first call, and from Postgres with Redis stopped', async () => {
    const path = `/v1/simulations/${streamed}/results?kind=neuromorphic&limit=1000`;
    const first = await api(stack, keyA, 'GET', path);
    expect(first.status).toBe(200);
    const items = first.body!.results as { step: number; anomaly_score?: number; neuromorphic?: unknown }[];
    expect(items.map((r) => r.step)).toEqual(steps.get(streamed));
    const queryOps = stack.process('query').opsUrl;
    const hits = () => metricValue(queryOps, 'simstream_query_cache_requests_total', { outcome: 'hit' });
    const before = await hits();
    expect((await api(stack, keyA, 'GET', path)).status).toBe(200);
    expect(await hits()).toBeGreaterThan(before);

    await stop('redis');
    try {
      const fresh = await api(
        stack,
        keyA,
        'GET',
        `/v1/simulations/${streamed}/results?kind=quantum&limit=1000`,
      );
      expect(fresh.status).toBe(200);
      expect((fresh.body!.results as unknown[]).length).toBeGreaterThan(0);
      const ready = (await (await fetch(`${queryOps}/readyz`)).json()) as {
        ready: boolean;
        degraded: { name: string }[];
      };
      expect(ready.ready).toBe(true);
      expect(ready.degraded.map((d) => d.name)).toContain('redis');
    } finally {
      await start('redis');
    }
  });

  it("refuses another tenant's data as not found", async () => {
    const other = await api(stack, keyB, 'GET', `/v1/simulations/${streamed}`);
    expect(other.status).toBe(404);
    expect(other.type).toContain('application/problem+json');
    expect(other.body).toMatchObject({ code: 'SIMULATION_NOT_FOUND' });
    const list = await api(stack, keyB, 'GET', '/v1/simulations');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(streamed);
    expect((await api(stack, keyA, 'GET', `/v1/simulations/${streamed}`)).status).toBe(200);
  });

  it('opens the query breaker when the query service dies and closes it when it returns', async () => {
    const gatewayOps = stack.process('gateway').opsUrl;
    const state = () => metricValue(gatewayOps, 'simstream_breaker_state', { breaker: 'query-read' });
    expect(await state()).toBe(0);
    await stack.kill9('query');
    const path = `/v1/simulations/${streamed}/results?kind=neuromorphic&limit=10`;
    await until('the breaker to open', 60_000, async () => {
      const r = await api(stack, keyA, 'GET', path);
      expect([503, 200]).toContain(r.status);
      return (await state()) === 2 ? true : undefined;
    });
    const refused = await api(stack, keyA, 'GET', path);
    expect(refused.status).toBe(503);
    expect(refused.type).toContain('application/problem+json');
    const ready = (await (await fetch(`${gatewayOps}/readyz`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(ready)).toContain('query-read');

    await stack.start('query');
    await until('the breaker to close', 60_000, async () => {
      const r = await api(stack, keyA, 'GET', path);
      return r.status === 200 && (await state()) === 0 ? true : undefined;
    });
  });
});
