/**
 * Postgres pools: bounded, with a statement timeout, and errors that say whether retrying can
 * help (connection trouble, serialization failures) so consumers pause instead of dropping.
 */
import pg from 'pg';
import { SimstreamError, UnavailableError, messageOf } from '@simstream/errors';
import type { DatabaseConfig } from './config.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PostgresOptions {
  readonly url: string;
  readonly max?: number;
  readonly statementTimeoutMs?: number;
  readonly applicationName?: string;
}

/** The pool of a service: its database settings, named `simstream-<service>-<instance>` in pg_stat_activity. */
export function servicePool(database: DatabaseConfig, applicationName: string): Pool {
  return createPool({
    url: database.url,
    max: database.poolMax,
    statementTimeoutMs: database.statementTimeoutMs,
    applicationName,
  });
}

export function createPool(options: PostgresOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'simstream',
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes worth retrying: connection exceptions, serialization/deadlock, shutdown. */
const RETRIABLE_SQLSTATE = /^(08|40|53|57P0[1-3])/;

/** Our error for a failed query: UnavailableError when a retry can help, else the SQL error. */
export function databaseError(error: unknown, what: string): SimstreamError {
  const code = (error as { code?: string }).code;
  if (
    code === undefined ||
    RETRIABLE_SQLSTATE.test(code) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
  ) {
    return new UnavailableError('postgres', `${what}: ${messageOf(error)}`, { cause: error });
  }
  return new SimstreamError('DATABASE_ERROR', `${what}: ${messageOf(error)} (SQLSTATE ${code})`, {
    cause: error,
  });
}

/** Runs `fn` in a transaction (BEGIN … COMMIT, ROLLBACK on error). */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
