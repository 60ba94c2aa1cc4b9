/**
 * The Postgres backup and its restore, as the cluster runs them: k8s/base/postgres/backup.sh
 * (pg_dump, custom format, retention) and restore.sh (pg_restore in one transaction), run here
 * verbatim against the local Postgres. A scratch database with the schema and rows in every
 * table is dumped, restored into a second scratch database, and every table's row count and
 * content checksum compared.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, up } from '@simstream/infra';
import { createPool, migrate, type Pool } from '@simstream/storage';

const SCRIPTS = new URL('../../k8s/base/postgres/', import.meta.url);

/** Runs a program to its end: exit code and output, whatever the code. */
function runProgram(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: options.env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Row count and an order-independent checksum of every table of the public schema. */
async function snapshot(pool: Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const { rows } = await pool.query<{ n: string; sum: string | null }>(
      `SELECT count(*) AS n, sum(hashtext(x::text)::bigint)::text AS sum FROM "${t}" x`,
    );
    out[t] = `${rows[0]!.n} rows, checksum ${rows[0]!.sum ?? '-'}`;
  }
  return out;
}

describe('Postgres backup and restore (k8s/base/postgres/backup.sh, restore.sh)', () => {
  const id = randomUUID().slice(0, 8);
  const source = `backup_src_${id}`;
  const target = `backup_dst_${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'simstream-backup-'));
  let admin: Pool;
  let src: Pool;
  let dst: Pool;
  let libpq: Record<string, string>;

  beforeAll(async () => {
    await up(['postgres']);
    const url = new URL(endpoints().databaseUrl);
    libpq = {
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
    };
    admin = createPool({ url: endpoints().databaseUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${source}`);
    await admin.query(`CREATE DATABASE ${target}`);
    src = createPool({ url: withDatabase(endpoints().databaseUrl, source), max: 2 });
    dst = createPool({ url: withDatabase(endpoints().databaseUrl, target), max: 2 });
    await migrate(src);
    await src.query(`
      INSERT INTO simulations (simulation_id, tenant, frames) SELECT 'sim-' || i, 'acme', 100 FROM generate_series(1, 5) i;
      INSERT INTO frames (simulation_id, step, sim_time, frame_id, ingested_at, bytes, kafka_partition, kafka_offset, fields)
        SELECT 'sim-' || s, i, i * 0.1, gen_random_uuid(), now(), 4096, s, i, '[{"name":"u"}]'::jsonb
        FROM generate_series(1, 5) s, generate_series(1, 100) i;
      INSERT INTO results (simulation_id, kind, step, sim_time, score, payload, produced_at)
        SELECT simulation_id, 'neuromorphic', step, sim_time, step / 100.0, '{}'::jsonb, now() FROM frames;
      INSERT INTO api_keys (key_id, tenant, name, secret_hash, scopes) VALUES ('k1', 'acme', 'ci', 'h', ARRAY['ingest']);
      INSERT INTO detector_checkpoints (simulation_id, step, model, state)
        SELECT 'sim-' || i, 100, 'm', decode(repeat('ab', 5000), 'hex') FROM generate_series(1, 5) i;`);
  });

  afterAll(async () => {
    await Promise.all([src.end(), dst.end()]);
    await admin.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dumps in custom format, keeps the newest BACKUP_KEEP archives, and restores every row', async () => {
    const env = { ...process.env, ...libpq, PGDATABASE: source, BACKUP_DIR: dir, BACKUP_KEEP: '2' };
    for (let run = 0; run < 3; run++) {
      const r = await runProgram('sh', [new URL('backup.sh', SCRIPTS).pathname], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // Archive names carry the UTC second: the next run must land in another second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    const archives = readdirSync(dir).sort();
    expect(archives).toHaveLength(2);
    expect(archives.every((a) => a.startsWith(`${source}-`) && a.endsWith('.dump'))).toBe(true);
    // Custom format: pg_restore's own archive header.
    const list = await runProgram('pg_restore', ['--list', join(dir, archives[1]!)], { env });
    expect(list.stdout).toMatch(/Format: CUSTOM/);

    const restored = await runProgram(
      'sh',
      [new URL('restore.sh', SCRIPTS).pathname, join(dir, archives[1]!)],
      { env: { ...process.env, ...libpq, PGDATABASE: target } },
    );
    expect(restored.code).toBe(0);
    const before = await snapshot(src);
    expect(before.frames).toMatch(/^500 rows/);
    expect(before.results).toMatch(/^500 rows/);
    expect(await snapshot(dst)).toEqual(before);
  });

  it('refuses a retention that is not a positive count', async () => {
    const r = await runProgram('sh', [new URL('backup.sh', SCRIPTS).pathname], {
      env: { ...process.env, ...libpq, PGDATABASE: source, BACKUP_DIR: dir, BACKUP_KEEP: '0' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BACKUP_KEEP must be a positive integer/);
  });
});
