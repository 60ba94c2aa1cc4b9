/**
 * Which environment variables each service reads, and the check that a deployment file sets
 * only those, every required one, and every connection endpoint (whose defaults point at
 * 127.0.0.1 and are wrong in any container).
 *
 * Source of truth: a service that exists in the workspace (services/<name>/package.json) is
 * read from its built package index (`SERVICE_ENV`, the schema its config loader validates);
 * its absence or a missing export is an error, never a skip. For a service that does not exist
 * yet, the list below (from the design and the services' briefs) stands in, and the report says so.
 */
import { DeployInputError } from './errors.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeConfig } from '@simstream/config';
import { SERVICES, type ServiceName } from './repo.js';

const KAFKA = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_TOPIC_ENVIRONMENT',
];
const COMMON = ['INSTANCE_ID', 'LOG_LEVEL', 'OPS_PORT'];
const POSTGRES = ['DATABASE_URL', 'DATABASE_MIGRATE', 'DATABASE_POOL_MAX'];

/** Stand-in lists for services not in the workspace yet. */
export const EXPECTED_ENV: Readonly<Record<ServiceName, readonly string[]>> = {
  ingestion: [...KAFKA, ...COMMON, 'GRPC_HOST', 'GRPC_PORT', 'INGEST_ENSURE_TOPICS'],
  neuromorphic: [...KAFKA, ...COMMON, ...POSTGRES, 'SIMSTREAM_TF_BACKEND', 'NEURO_ENSURE_TOPICS'],
  quantum: [...KAFKA, ...COMMON, ...POSTGRES, 'GRPC_HOST', 'GRPC_PORT', 'REDIS_URL', 'QUANTUM_ENSURE_TOPICS'],
  query: [
    ...KAFKA,
    ...COMMON,
    ...POSTGRES,
    'GRPC_HOST',
    'GRPC_PORT',
    'REDIS_URL',
    'INFLUX_URL',
    'INFLUX_DATABASE',
    'INFLUX_TOKEN',
    'QUERY_ENSURE_TOPICS',
  ],
  gateway: [
    ...COMMON,
    ...POSTGRES,
    'HTTP_PORT',
    'QUERY_ADDRESS',
    'INGESTION_ADDRESS',
    'QUANTUM_ADDRESS',
    'REDIS_URL',
    'JWT_SECRET',
    'GATEWAY_BOOTSTRAP_ADMIN_KEY',
  ],
};

/** Endpoints whose defaults (127.0.0.1) never fit a container: deployment files must set them. */
export const CONNECTION_VARS = [
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'REDIS_URL',
  'INFLUX_URL',
  'QUERY_ADDRESS',
  'INGESTION_ADDRESS',
  'QUANTUM_ADDRESS',
] as const;

export interface ServiceEnvSpec {
  readonly service: ServiceName;
  /** 'schema': read from the built service; 'expected': the stand-in list (service not in the workspace). */
  readonly source: 'schema' | 'expected';
  readonly known: ReadonlySet<string>;
  readonly required: ReadonlySet<string>;
}

export function serviceExists(service: ServiceName, root: string): boolean {
  return existsSync(path.join(root, 'services', service, 'package.json'));
}

export async function loadServiceEnv(service: ServiceName, root: string): Promise<ServiceEnvSpec> {
  if (!serviceExists(service, root)) {
    const known = new Set(EXPECTED_ENV[service]);
    return { service, source: 'expected', known, required: new Set() };
  }
  const index = path.join(root, 'services', service, 'dist', 'index.js');
  if (!existsSync(index))
    throw new DeployInputError(
      `services/${service} exists but is not built (${index} missing): run pnpm build`,
    );
  const mod = (await import(pathToFileURL(index).href)) as { SERVICE_ENV?: unknown };
  if (typeof mod.SERVICE_ENV !== 'object' || mod.SERVICE_ENV === null)
    throw new DeployInputError(
      `services/${service}/dist/index.js does not export SERVICE_ENV (its env schema)`,
    );
  const vars = describeConfig(mod.SERVICE_ENV as Parameters<typeof describeConfig>[0]);
  return {
    service,
    source: 'schema',
    known: new Set(vars.map((v) => v.name)),
    required: new Set(vars.filter((v) => v.required).map((v) => v.name)),
  };
}

export async function loadAllServiceEnvs(root: string): Promise<Map<ServiceName, ServiceEnvSpec>> {
  const out = new Map<ServiceName, ServiceEnvSpec>();
  for (const service of SERVICES) out.set(service, await loadServiceEnv(service, root));
  return out;
}

/** Problems with the variables a deployment file sets for one service (empty: in sync). */
export function checkServiceEnv(spec: ServiceEnvSpec, set: Iterable<string>, where: string): string[] {
  const names = new Set(set);
  const problems: string[] = [];
  const origin = spec.source === 'schema' ? 'its config schema' : 'the expected list (service not built yet)';
  for (const name of [...names].sort())
    if (!spec.known.has(name)) problems.push(`${where}: ${spec.service} sets ${name}, unknown to ${origin}`);
  for (const name of [...spec.required].sort())
    if (!names.has(name))
      problems.push(`${where}: ${spec.service} does not set ${name}, which has no default`);
  for (const name of CONNECTION_VARS)
    if (spec.known.has(name) && !names.has(name))
      problems.push(`${where}: ${spec.service} does not set ${name} (its default is a loopback address)`);
  return problems;
}
