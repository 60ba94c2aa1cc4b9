/**
 * The services' Postgres code paths through PgBouncer in transaction mode — the pooler the
 * cluster puts between every service and Postgres, run locally by `infra up` — from several
 * pools at once, as several pods would: migrations, API keys, simulation ownership, quantum jobs
 * (the per-tenant cap under its transaction lock, claims), quantum buckets, detector
 * checkpoints and the materializer's transactional write, replayed. Every count must come out
 * exact: nothing lost, nothing doubled. Each run gets a scratch database of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresKeyStore, postgresOwnership, type Guard } from '@simstream/auth';
import { endpoints, up } from '@simstream/infra';
import { PostgresCheckpointStore } from '@simstream/neuromorphic';
import { JobStore, postgresBucketStore, type NewJob } from '@simstream/quantum';
import { planBatch, writePlan, type FrameRow, type ResultRow } from '@simstream/query';
import { createPool, loadMigrations, migrate, withTransaction, type Pool } from '@simstream/storage';

/** Pods sharing the database, each with its own pool, as DATABASE_POOL_MAX gives them. */
const PODS = 4;
const POOL_MAX = 4;
/** The services wrap each statement in their Postgres breaker; here it just runs. */
const guard: Guard = (_what, fn) => fn();

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

describe('Postgres through PgBouncer in transaction mode', () => {
  const database = `pooler_${randomUUID().slice(0, 8)}`;
  let admin: Pool;
  let pods: Pool[] = [];

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await pods[0]!.query<{ n: string }>(sql, params)).rows[0]!.n);

  beforeAll(async () => {
    await up(['postgres', 'pgbouncer']);
    admin = createPool({ url: endpoints().databaseUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${database}`);
    const pooled = withDatabase(endpoints().pooledDatabaseUrl, database);
    // As servicePool builds them: node-postgres sends statement_timeout at login, which
    // PgBouncer refuses unless it is told to ignore it (it sets the timeout itself).
    pods = Array.from({ length: PODS }, (_, i) =>
      createPool({ url: pooled, max: POOL_MAX, statementTimeoutMs: 30_000, applicationName: `pod-${i}` }),
    );
  });

  afterAll(async () => {
    await Promise.all(pods.map((p) => p.end()));
    // FORCE: PgBouncer keeps its server connections to the scratch database open.
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('applies every migration exactly once when all pods migrate at once, and leaves no lock held', async () => {
    const applied = await Promise.all(pods.map((p) => migrate(p)));
    expect(applied.flat().sort((a, b) => a - b)).toEqual(loadMigrations().map((m) => m.version));
    expect(await Promise.all(pods.map((p) => migrate(p)))).toEqual(pods.map(() => []));
    const { rows } = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND d.datname = $1`,
      [database],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('runs under the statement timeout the pooler sets on its server connections', async () => {
    for (const p of pods) {
      const { rows } = await p.query<{ t: string }>(`SELECT current_setting('statement_timeout') AS t`);
      expect(rows[0]!.t).toBe('30s');
    }
  });

  it('stores API keys and simulation claims from every pod: one row each, one owner each', async () => {
    const keys = pods.map((p) => postgresKeyStore(p, guard));
    const ids = Array.from({ length: 60 }, (_, i) => `k${i}-${randomUUID().slice(0, 8)}`);
    // Every pod inserts every key: exactly one insert per key wins.
    const inserted = await Promise.all(
      keys.flatMap((store) =>
        ids.map((keyId) =>
          store.insert({ keyId, tenant: 'acme', name: keyId, secretHash: 'h', scopes: ['ingest'] }),
        ),
      ),
    );
    expect(inserted.filter(Boolean)).toHaveLength(ids.length);
    expect(await count('SELECT count(*) AS n FROM api_keys')).toBe(ids.length);

    const owners = pods.map((p) => postgresOwnership(p, guard));
    const sims = Array.from({ length: 80 }, (_, i) => `claim-${i}`);
    const answers = await Promise.all(
      sims.map((sim) => Promise.all(owners.map((o, i) => o.claim(sim, `tenant-${i}`)))),
    );
    for (const perSim of answers) expect(new Set(perSim).size).toBe(1);
    expect(await count('SELECT count(*) AS n FROM gateway_simulation_owners')).toBe(sims.length);
  });

  it('keeps the per-tenant job cap, one job per idempotency key, and one claim per job', async () => {
    const stores = pods.map((p) => new JobStore(p));
    const job = (tenant: string, idempotencyKey?: string): NewJob => ({
      jobId: randomUUID(),
      tenant,
      idempotencyKey,
      problemKind: 'ising',
      variables: 4,
      solver: 'annealing',
      params: { problemHash: 'h', seed: 1, timeLimitMs: 100, reads: null, targetEnergy: null, couplings: 3 },
    });
    const cap = 9;
    const submitted = await Promise.all(
      stores.flatMap((s) => Array.from({ length: 6 }, () => s.insertWithin(job('capped'), cap))),
    );
    expect(submitted.filter((r) => r?.created === true)).toHaveLength(cap);
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE tenant = 'capped'`)).toBe(cap);

    const same = await Promise.all(stores.map((s) => s.insertWithin(job('keyed', 'once'), 100)));
    expect(new Set(same.map((r) => r!.row.job_id)).size).toBe(1);
    expect(same.filter((r) => r!.created)).toHaveLength(1);

    const ids = submitted.filter((r) => r?.created === true).map((r) => r!.row.job_id);
    const claims = await Promise.all(
      ids.map((id) => Promise.all(stores.map((s, i) => s.claim(id, `worker-${i}`, 60_000)))),
    );
    for (const perJob of claims) expect(perJob.filter((c) => c !== undefined)).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM jobs WHERE tenant = 'capped' AND status = 'running'`)).toBe(
      cap,
    );
  });

  it('moves quantum buckets and detector checkpoints only forward, whichever pod writes last', async () => {
    const sims = Array.from({ length: 24 }, (_, i) => `fwd-${i}`);
    const buckets = pods.map((p) => postgresBucketStore(p));
    await Promise.all(buckets.flatMap((b, pod) => sims.map((sim) => b.save(sim, 100 * (pod + 1)))));
    const loaded = await Promise.all(sims.map((sim) => buckets[1]!.load(sim)));
    expect(loaded).toEqual(sims.map(() => 100 * PODS));

    const checkpoints = pods.map((p) => new PostgresCheckpointStore(p));
    const state = new Uint8Array(4096).fill(7);
    await Promise.all(
      checkpoints.map((store, pod) =>
        store.save(sims.map((simulationId) => ({ simulationId, step: pod, model: 'm', state }))),
      ),
    );
    const back = await checkpoints[2]!.load(sims);
    expect([...back.values()].map((c) => c.step)).toEqual(sims.map(() => PODS - 1));
    expect(await count('SELECT count(*) AS n FROM detector_checkpoints')).toBe(sims.length);
  });

  it("materializes every frame and result once when each batch is written by two pods at once (the materializer's transaction)", async () => {
    const sims = Array.from({ length: 6 }, (_, i) => `mat-${i}`);
    const steps = 50;
    const frames: FrameRow[] = sims.flatMap((simulationId, s) =>
      Array.from({ length: steps }, (_, step) => ({
        simulationId,
        tenant: 'acme',
        step,
        simTime: step * 0.1,
        frameId: randomUUID(),
        ingestedAtMs: 1_700_000_000_000 + step,
        bytes: 1024,
        partition: s,
        offset: step,
        fields: [],
        attributes: {},
      })),
    );
    const results: ResultRow[] = frames.map((f) => ({
      simulationId: f.simulationId,
      kind: 'neuromorphic',
      step: f.step,
      simTime: f.simTime,
      score: f.step / steps,
      payload: { score: f.step / steps },
      producedAtMs: f.ingestedAtMs + 5,
    }));
    // Batches of 25 frames with their results; each written by two pods concurrently (a replay
    // after a rebalance), batches of all pods in flight together.
    const batches = [];
    for (let at = 0; at < frames.length; at += 25)
      batches.push(planBatch(frames.slice(at, at + 25), results.slice(at, at + 25), []));
    await Promise.all(
      batches.flatMap((plan, i) =>
        [pods[i % PODS]!, pods[(i + 1) % PODS]!].map((pool) =>
          withTransaction(pool, (client) => writePlan(client, plan)),
        ),
      ),
    );
    expect(await count('SELECT count(*) AS n FROM frames')).toBe(frames.length);
    expect(await count(`SELECT count(*) AS n FROM results WHERE kind = 'neuromorphic'`)).toBe(results.length);
    const { rows } = await pods[3]!.query<{ simulation_id: string; frames: string; n: string }>(
      `SELECT simulation_id, frames, neuromorphic_results AS n FROM simulations ORDER BY simulation_id`,
    );
    expect(rows.map((r) => [r.simulation_id, Number(r.frames), Number(r.n)])).toEqual(
      sims.map((s) => [s, steps, steps]),
    );
  });
});
