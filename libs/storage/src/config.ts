/** Environment variables of the stores, shared by the services that use them. */
import { env } from '@simstream/config';

export const POSTGRES_ENV = {
  DATABASE_URL: env.string('postgres://simstream:simstream@127.0.0.1:5432/simstream'),
  DATABASE_POOL_MAX: env.int({ min: 1, max: 200, default: 10 }),
  DATABASE_STATEMENT_TIMEOUT: env.duration('30s'),
  /** Apply pending migrations at start (the Helm hook Job does it in a cluster). */
  DATABASE_MIGRATE: env.bool(true),
};

/** The Postgres settings of a service, from validated POSTGRES_ENV values. */
export interface DatabaseConfig {
  readonly url: string;
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  readonly migrate: boolean;
}

export function databaseConfig(c: {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  DATABASE_STATEMENT_TIMEOUT: number;
  DATABASE_MIGRATE: boolean;
}): DatabaseConfig {
  return {
    url: c.DATABASE_URL,
    poolMax: c.DATABASE_POOL_MAX,
    statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT,
    migrate: c.DATABASE_MIGRATE,
  };
}

export const REDIS_ENV = {
  REDIS_URL: env.string('redis://127.0.0.1:6379'),
  REDIS_COMMAND_TIMEOUT: env.duration('500ms'),
};

export const INFLUX_ENV = {
  INFLUX_URL: env.string('http://127.0.0.1:8086'),
  INFLUX_DATABASE: env.string('simstream'),
  INFLUX_TOKEN: env.optionalString(),
  INFLUX_USERNAME: env.optionalString(),
  INFLUX_PASSWORD: env.optionalString(),
};
