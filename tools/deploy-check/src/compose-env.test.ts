/**
 * docker-compose.yml stays in sync with the services' config schemas: every variable it sets is
 * one the service reads, none it requires is missing, and every endpoint is set. Services in the
 * workspace are checked against their built SERVICE_ENV; the others against EXPECTED_ENV.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseComposeFile } from './compose-model.js';
import { SERVICES } from './repo.js';
import { checkServiceEnv, loadServiceEnv, serviceExists } from './service-env.js';
import { repoRoot } from './repo.js';

const root = repoRoot();
const compose = parseComposeFile(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'));

describe('docker-compose.yml environment', () => {
  it.each(
    SERVICES.map((s) => [s, serviceExists(s, root) ? 'its built SERVICE_ENV' : 'EXPECTED_ENV'] as const),
  )('%s matches %s', async (service) => {
    const spec = await loadServiceEnv(service, root);
    const env = compose.services[service]?.environment;
    expect(env, `service ${service} in docker-compose.yml`).toBeDefined();
    expect(checkServiceEnv(spec, Object.keys(env!), 'docker-compose.yml')).toEqual([]);
  });

  it('the migration job sets only what the query service reads', async () => {
    const spec = await loadServiceEnv('query', root);
    const env = compose.services.migrate!.environment;
    expect([...Object.keys(env)].filter((name) => !spec.known.has(name))).toEqual([]);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\/simstream$/);
  });
});

describe('checkServiceEnv', () => {
  const spec = {
    service: 'query' as const,
    source: 'schema' as const,
    known: new Set(['KAFKA_BROKERS', 'DATABASE_URL', 'LOG_LEVEL', 'QUERY_SECRET']),
    required: new Set(['QUERY_SECRET']),
  };
  it('reports unknown, required and endpoint variables', () => {
    expect(checkServiceEnv(spec, ['LOG_LEVEL', 'LOG_LEVELL', 'KAFKA_BROKERS'], 'f')).toEqual([
      'f: query sets LOG_LEVELL, unknown to its config schema',
      'f: query does not set QUERY_SECRET, which has no default',
      'f: query does not set DATABASE_URL (its default is a loopback address)',
    ]);
  });
  it('accepts a complete set', () => {
    expect(checkServiceEnv(spec, ['KAFKA_BROKERS', 'DATABASE_URL', 'QUERY_SECRET'], 'f')).toEqual([]);
  });
});
