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
const COMMON = ['INSTANCE_ID', 'LOG_LEVEL', 'OPS_HOST', 'OPS_PORT'];
const POSTGRES = ['DATABASE_URL', 'DATABASE_MIGRATE', 'DATABASE_POOL_MAX', 'DATABASE_STATEMENT_TIMEOUT'];
const REDIS = ['REDIS_URL', 'REDIS_COMMAND_TIMEOUT'];
const TLS = [
  'GRPC_TLS_CA_FILE',
  'GRPC_TLS_CERT_FILE',
  'GRPC_TLS_KEY_FILE',
  'GRPC_TLS_RELOAD_INTERVAL',
  'GRPC_INSECURE',
];
const AUTH = [
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'AUTH_CACHE_TTL',
  'AUTH_STALE_IF_ERROR',
  'AUTH_FAILURES_PER_KEY',
  'AUTH_FAILURES_PER_ADDRESS',
  'AUTH_FAILURE_WINDOW',
];

/** Stand-in lists for services not in the workspace yet. */
export const EXPECTED_ENV: Readonly<Record<ServiceName, readonly string[]>> = {
  ingestion: [
    ...KAFKA,
    ...COMMON,
    ...POSTGRES,
    ...REDIS,
    ...TLS,
    ...AUTH,
    'GRPC_HOST',
    'GRPC_PORT',
    'INTERNAL_GRPC_PORT',
    'GRPC_ALLOWED_CLIENTS',
    'INGEST_ENSURE_TOPICS',
  ],
  neuromorphic: [...KAFKA, ...COMMON, ...POSTGRES, 'SIMSTREAM_TF_BACKEND', 'NEURO_ENSURE_TOPICS'],
  quantum: [
    ...KAFKA,
    ...COMMON,
    ...POSTGRES,
    ...REDIS,
    ...TLS,
    'GRPC_HOST',
    'GRPC_PORT',
    'GRPC_ALLOWED_CLIENTS',
    'QUANTUM_ENSURE_TOPICS',
  ],
  query: [
    ...KAFKA,
    ...COMMON,
    ...POSTGRES,
    ...REDIS,
    ...TLS,
    'GRPC_HOST',
    'GRPC_PORT',
    'GRPC_ALLOWED_CLIENTS',
    'INFLUX_URL',
    'INFLUX_DATABASE',
    'INFLUX_TOKEN',
    'QUERY_ENSURE_TOPICS',
  ],
  gateway: [
    ...COMMON,
    ...POSTGRES,
    ...REDIS,
    ...TLS,
    ...AUTH,
    'HTTP_PORT',
    'QUERY_ADDRESS',
    'INGESTION_ADDRESS',
    'QUANTUM_ADDRESS',
    'GATEWAY_BOOTSTRAP_ADMIN_KEY',
  ],
};

/**
 * Endpoints whose defaults (127.0.0.1) never fit a container: deployment files must set them.
 * OPS_HOST too: on loopback, kubelet probes and Prometheus cannot reach /healthz, /readyz, /metrics.
 */
export const CONNECTION_VARS = [
  'OPS_HOST',
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'REDIS_URL',
  'INFLUX_URL',
  'QUERY_ADDRESS',
  'INGESTION_ADDRESS',
  'QUANTUM_ADDRESS',
] as const;

const TLS_FILES = ['GRPC_TLS_CA_FILE', 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE'];

export interface ServiceEnvSpec {
  readonly service: ServiceName;
  /** 'schema': read from the built service; 'expected': the stand-in list (service not in the workspace). */
  readonly source: 'schema' | 'expected';
  readonly known: ReadonlySet<string>;
  readonly required: ReadonlySet<string>;
  /** Parsed defaults (sizes in bytes, durations in ms) from the schema; absent for the stand-in list. */
  readonly defaults?: ReadonlyMap<string, unknown>;
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
    defaults: new Map(vars.map((v) => [v.name, v.default])),
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
  // gRPC over TLS needs its three files; the schema cannot say so (GRPC_INSECURE=true replaces them).
  if (spec.known.has('GRPC_TLS_CERT_FILE') && !names.has('GRPC_INSECURE'))
    for (const name of TLS_FILES)
      if (!names.has(name))
        problems.push(`${where}: ${spec.service} does not set ${name} (gRPC over TLS needs it)`);
  return problems;
}
