#!/usr/bin/env node
/**
 * simstream-migrate: applies the pending Postgres migrations and exits 0 (the Helm pre-install /
 * pre-upgrade hook Job runs it). Reads only the Postgres variables (DATABASE_URL …).
 */
import { loadConfig } from '@simstream/config';
import { ConfigError, messageOf } from '@simstream/errors';
import { createLogger } from '@simstream/observability';
import { POSTGRES_ENV, createPool, migrate } from '@simstream/storage';

const logger = createLogger({ service: 'migrate', level: 'info' });
let config;
try {
  config = loadConfig(POSTGRES_ENV);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`simstream-migrate: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const pool = createPool({ url: config.DATABASE_URL, max: 1, applicationName: 'simstream-migrate' });
try {
  const applied = await migrate(pool, logger);
  logger.info({ applied }, applied.length === 0 ? 'schema up to date' : 'migrations applied');
} catch (error) {
  logger.error({ err: error }, `migration failed: ${messageOf(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
