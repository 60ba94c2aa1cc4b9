/**
 * The stores as the services use them, for real: numbered migrations applied once under a lock
 * (concurrently from two pools), a changed migration refused; InfluxDB line protocol written
 * and read back, rewrites idempotent; Redis failing fast (a cache miss) when it is unreachable.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '@simstream/infra';
import {
  InfluxWriter,
  createPool,
  createRedis,
  loadMigrations,
  migrate,
  type Pool,
} from '@simstream/storage';

describe('storage', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool({ url: endpoints().databaseUrl });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('applies the migrations once even when two instances start together, and refuses an edited one', async () => {
    const schema = `test_${randomUUID().slice(0, 8)}`;
    const url = new URL(endpoints().databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await pool.query(`CREATE SCHEMA ${schema}`);
    const a = createPool({ url: url.toString() });
    const b = createPool({ url: url.toString() });
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      const all = loadMigrations().map((m) => m.version);
      expect([...first, ...second].sort()).toEqual(all); // each applied exactly once
      expect(await migrate(a)).toEqual([]);
      const tables = await a.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'api_keys',
          'detector_checkpoints',
          'frames',
          'jobs',
          'results',
          'schema_migrations',
          'simulations',
        ]),
      );
      const edited = loadMigrations().map((m) => (m.version === 1 ? { ...m, checksum: 'different' } : m));
      await expect(migrate(a, undefined, edited)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
    } finally {
      await Promise.all([a.end(), b.end()]);
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('writes points to InfluxDB and reads them back; the same point twice is one point', async () => {
    const e = endpoints();
    const influx = new InfluxWriter({ url: e.influxUrl, database: e.influxDatabase });
    await influx.ping();
    const simulation = `storage-${randomUUID().slice(0, 8)}`;
    const point = {
      measurement: 'test_stats',
      tags: { simulation },
      fields: { mean: 0.25, frames: { int: 3 } },
      timestampMs: 1_700_000_000_000,
    };
    await influx.write([point]);
    await influx.write([
      point,
      { ...point, timestampMs: point.timestampMs + 1000, fields: { mean: 0.5, frames: { int: 4 } } },
    ]);
    const answer = (await influx.query(
      `SELECT mean, frames FROM test_stats WHERE simulation = '${simulation}'`,
    )) as {
      results: { series?: { values: [number, number, number][] }[] }[];
    };
    expect(answer.results[0]!.series![0]!.values).toEqual([
      [1_700_000_000_000, 0.25, 3],
      [1_700_000_001_000, 0.5, 4],
    ]);
  });

  it('talks to Redis, and fails fast instead of queueing when Redis is unreachable', async () => {
    const redis = createRedis({ url: endpoints().redisUrl });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
    const dead = createRedis({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    await dead.connect().catch(() => undefined);
    const started = Date.now();
    await expect(dead.get('x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    dead.disconnect();
  });
});
