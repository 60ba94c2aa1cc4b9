/**
 * The query service's configuration: environment variables, validated once at start.
 */
import { ConfigError } from '@simstream/errors';
import {
  GRPC_CONNECTION_AGE_ENV,
  GRPC_INTERNAL_ENV,
  GRPC_TLS_ENV,
  connectionAge,
  grpcTls,
  type ConnectionAge,
  type GrpcTls,
} from '@simstream/rpc';
import os from 'node:os';
import { env, loadConfig, z, type Env, type EnvVar } from '@simstream/config';
import {
  KAFKA_ENV,
  topicEnvironment,
  kafkaConnectionFromEnv,
  type KafkaConnectionConfig,
  type TopicEnvironment,
} from '@simstream/kafka';
import { INFLUX_ENV, POSTGRES_ENV, REDIS_ENV, databaseConfig, type DatabaseConfig } from '@simstream/storage';

const ROLES = ['materializer', 'server'] as const;
export type QueryRole = (typeof ROLES)[number];

/** A comma-separated, non-empty list of roles. */
function rolesVar(): EnvVar<QueryRole[]> {
  return z
    .string()
    .prefault('materializer,server')
    .transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(z.enum(ROLES, { message: `expected roles among ${ROLES.join(', ')}` })).min(1));
}

export const QUERY_ENV = {
  ...GRPC_TLS_ENV,
  ...GRPC_INTERNAL_ENV,
  ...GRPC_CONNECTION_AGE_ENV,
  /**
   * Service identities (certificate CN) allowed to call: the gateway (reads for its clients) and
   * ingestion (the analysis events of streams that opt in follow their results here).
   */
  GRPC_ALLOWED_CLIENTS: env.list('gateway,ingestion'),
  ...KAFKA_ENV,
  ...POSTGRES_ENV,
  ...REDIS_ENV,
  ...INFLUX_ENV,
  INSTANCE_ID: env.string(os.hostname()),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50052),
  /** Metrics and probes: loopback unless a cluster's probes need the pod address. */
  OPS_HOST: env.string('127.0.0.1'),
  OPS_PORT: env.port(9104),
  /**
   * What this process does: `materializer` (Kafka → Postgres and InfluxDB), `server` (gRPC
   * Query), or both. Split them to scale reads apart from the partition-bound materializer.
   */
  QUERY_ROLES: rolesVar(),
  QUERY_CONSUMER_GROUP: env.string('simstream-query'),
  /** Partitions materialized at the same time (one batch each). */
  QUERY_CONSUMER_CONCURRENCY: env.int({ min: 1, max: 36, default: 3 }),
  /** How long the group waits for a silent member (a killed pod) before giving its partitions away. */
  QUERY_CONSUMER_SESSION_TIMEOUT: env.duration('30s'),
  QUERY_ENSURE_TOPICS: env.bool(true),
  /** In-process LRU (L1) size, by the JSON size of the entries. */
  QUERY_L1_MAX_BYTES: env.bytes('64MiB'),
  /** Lifetime of cache entries (L1 and L2); versions make them stale much earlier on change. */
  QUERY_CACHE_TTL: env.duration('5m'),
  /**
   * How long a simulation's version learned locally is trusted without a fresh read from
   * Postgres: bounds staleness if a version message is lost (Redis pub/sub is at most once).
   */
  QUERY_VERSION_MAX_AGE: env.duration('30s'),
  /** Tails poll Postgres this often while Redis (the change notifications) is down. */
  QUERY_TAIL_POLL_INTERVAL: env.duration('500ms'),
  /** …and this often while notifications flow, in case one was lost. */
  QUERY_TAIL_SAFETY_POLL_INTERVAL: env.duration('5s'),
  /** Results per read while a tail catches up with history. */
  QUERY_TAIL_PAGE_SIZE: env.int({ min: 1, max: 10_000, default: 500 }),
  QUERY_MAX_TAIL_SUBSCRIBERS: env.int({ min: 1, max: 100_000, default: 2000 }),
  /**
   * Rows per Arrow record batch and per Postgres read of an export: what an export holds at a
   * time. `./dev bench export` on a quiet machine: 2,000 as many rows/s as 10,000, heap peak
   * ~43 MiB instead of ~105-128 MiB (under heavy load V8 collects later and both peak higher).
   */
  QUERY_EXPORT_BATCH_ROWS: env.int({ min: 100, max: 1_000_000, default: 2000 }),
  /** Timeout of one Postgres read (breaker) and of one Redis command (breaker). */
  QUERY_POSTGRES_TIMEOUT: env.duration('10s'),
  QUERY_DRAIN_TIMEOUT: env.duration('10s'),
};

export interface QueryConfig {
  readonly instanceId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly roles: ReadonlySet<QueryRole>;
  readonly grpc: { readonly host: string; readonly port: number };
  readonly opsHost: string;
  readonly opsPort: number;
  readonly grpcTls: GrpcTls;
  /** Connection age and grace of the gRPC server (the grace covers ingestion's event tails). */
  readonly connectionAge: ConnectionAge;
  /** Service identities (certificate CN) allowed to call. */
  readonly allowedClients: readonly string[];
  readonly kafka: KafkaConnectionConfig;
  readonly topicEnvironment: TopicEnvironment;
  readonly ensureTopics: boolean;
  readonly consumerGroup: string;
  readonly consumerConcurrency: number;
  readonly consumerSessionTimeoutMs: number;
  readonly postgres: DatabaseConfig & { readonly readTimeoutMs: number };
  readonly redis: { readonly url: string; readonly commandTimeoutMs: number };
  readonly influx: {
    readonly url: string;
    readonly database: string;
    readonly token?: string;
    readonly username?: string;
    readonly password?: string;
  };
  readonly cache: { readonly l1MaxBytes: number; readonly ttlMs: number; readonly versionMaxAgeMs: number };
  readonly tail: {
    readonly pollIntervalMs: number;
    readonly safetyPollIntervalMs: number;
    readonly maxSubscribers: number;
    readonly pageSize: number;
  };
  readonly exportBatchRows: number;
  readonly drainTimeoutMs: number;
}

export function loadQueryConfig(source: Env = process.env): QueryConfig {
  const c = loadConfig(QUERY_ENV, source);
  const tlsProblems: string[] = [];
  const tls = grpcTls(c, tlsProblems);
  if (tlsProblems.length > 0) throw new ConfigError(tlsProblems);
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    instanceId: c.INSTANCE_ID,
    logLevel: c.LOG_LEVEL,
    roles: new Set(c.QUERY_ROLES),
    grpc: { host: c.GRPC_HOST, port: c.GRPC_PORT },
    opsHost: c.OPS_HOST,
    opsPort: c.OPS_PORT,
    grpcTls: tls,
    connectionAge: connectionAge(c),
    allowedClients: c.GRPC_ALLOWED_CLIENTS,
    kafka: kafkaConnectionFromEnv(c),
    topicEnvironment: topicEnvironment(c.KAFKA_TOPIC_ENVIRONMENT),
    ensureTopics: c.QUERY_ENSURE_TOPICS,
    consumerGroup: c.QUERY_CONSUMER_GROUP,
    consumerConcurrency: c.QUERY_CONSUMER_CONCURRENCY,
    consumerSessionTimeoutMs: c.QUERY_CONSUMER_SESSION_TIMEOUT,
    postgres: { ...databaseConfig(c), readTimeoutMs: c.QUERY_POSTGRES_TIMEOUT },
    redis: { url: c.REDIS_URL, commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT },
    influx: {
      url: c.INFLUX_URL,
      database: c.INFLUX_DATABASE,
      ...optional('token', c.INFLUX_TOKEN),
      ...optional('username', c.INFLUX_USERNAME),
      ...optional('password', c.INFLUX_PASSWORD),
    },
    cache: {
      l1MaxBytes: c.QUERY_L1_MAX_BYTES,
      ttlMs: c.QUERY_CACHE_TTL,
      versionMaxAgeMs: c.QUERY_VERSION_MAX_AGE,
    },
    tail: {
      pollIntervalMs: c.QUERY_TAIL_POLL_INTERVAL,
      safetyPollIntervalMs: c.QUERY_TAIL_SAFETY_POLL_INTERVAL,
      maxSubscribers: c.QUERY_MAX_TAIL_SUBSCRIBERS,
      pageSize: c.QUERY_TAIL_PAGE_SIZE,
    },
    exportBatchRows: c.QUERY_EXPORT_BATCH_ROWS,
    drainTimeoutMs: c.QUERY_DRAIN_TIMEOUT,
  };
}
