/**
 * Numbered SQL migrations (migrations/NNN_name.sql), applied in order, each in its own
 * transaction holding a transaction-scoped advisory lock, so that several instances starting at
 * once apply them exactly once, directly or through a transaction-mode pooler. An applied
 * migration whose file changed is an error, never silently re-run.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { SimstreamError } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { Pool } from './postgres.js';

export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);
const LOCK_KEY = 7_310_482_113; // arbitrary, constant: "simstream migrations"

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(new URL(file, dir), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file.slice(4, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export async function migrate(
  pool: Pool,
  logger?: Logger,
  migrations: Migration[] = loadMigrations(),
): Promise<number[]> {
  const applied: number[] = [];
  // One transaction per migration, each taking the lock for its own duration only: a session
  // lock (pg_advisory_lock) would be taken and released on whichever server connection a
  // transaction-mode pooler (PgBouncer) hands out, and could stay held forever on another.
  for (;;) {
    const next = await applyNext(pool, migrations);
    if (next === undefined) return applied;
    applied.push(next.version);
    logger?.info({ version: next.version, name: next.name }, 'migration applied');
  }
}

/** Applies the first pending migration under the lock; undefined when none is pending. */
async function applyNext(pool: Pool, migrations: readonly Migration[]): Promise<Migration | undefined> {
  const client = await pool.connect();
  let pending: Migration | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (
        await client.query<{ version: number; checksum: string }>(
          'SELECT version, checksum FROM schema_migrations',
        )
      ).rows.map((r) => [r.version, r.checksum]),
    );
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum === undefined) {
        pending = m;
        break;
      }
      if (checksum !== m.checksum) {
        throw new SimstreamError(
          'MIGRATION_CHANGED',
          `migration ${m.version}_${m.name} was applied with different contents; add a new migration instead of editing it`,
        );
      }
    }
    if (pending === undefined) {
      await client.query('COMMIT');
      return undefined;
    }
    try {
      await client.query(pending.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        pending.version,
        pending.name,
        pending.checksum,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      throw new SimstreamError(
        'MIGRATION_FAILED',
        `migration ${pending.version}_${pending.name} failed: ${String(error)}`,
        { cause: error },
      );
    }
    return pending;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
