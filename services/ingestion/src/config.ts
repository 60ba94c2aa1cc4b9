/**
 * The ingestion service's configuration: environment variables, validated once at start.
 */
import os from 'node:os';
import { env, loadConfig, type Env } from '@simstream/config';
import {
  KAFKA_ENV,
  kafkaConnectionFromEnv,
  type KafkaConnectionConfig,
  type TopicEnvironment,
  topicEnvironment,
} from '@simstream/kafka';
import type { FrameLimits } from '@simstream/contracts';
import { AUTH_ENV, authSettings, type AuthSettings } from '@simstream/auth';
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
import { POSTGRES_ENV, REDIS_ENV, databaseConfig, type DatabaseConfig } from '@simstream/storage';

export const INGESTION_ENV = {
  ...KAFKA_ENV,
  ...POSTGRES_ENV,
  ...REDIS_ENV,
  ...AUTH_ENV,
  ...GRPC_TLS_ENV,
  ...GRPC_INTERNAL_ENV,
  /** The internal port's connections (the gateway's IngestBatch calls, all unary). */
  ...GRPC_CONNECTION_AGE_ENV,
  /** Stable per instance (pod name): logs, server id in StreamOpened and GetStatus. */
  INSTANCE_ID: env.string(os.hostname()),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
  GRPC_HOST: env.string('0.0.0.0'),
  /** The public port: TLS, every call authenticated by an API key or JWT (`authorization` metadata). */
  GRPC_PORT: env.port(50051),
  /** The internal port: mutual TLS; only GRPC_ALLOWED_CLIENTS may call, naming the tenant they act for. */
  INTERNAL_GRPC_PORT: env.port(50054),
  /** Metrics and probes: loopback unless a cluster's probes need the pod address. */
  /**
   * The public port's connections carry StreamFrames streams that last as long as a simulation
   * runs (hours): an aged connection takes no new streams, and its open streams keep running
   * for the grace, which must outlast the longest stream (else it is cut and the client resumes).
   */
  INGEST_PUBLIC_MAX_CONNECTION_AGE: env.duration('5m'),
  INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE: env.duration('24h'),
  OPS_HOST: env.string('127.0.0.1'),
  OPS_PORT: env.port(9101),
  INGEST_MAX_FRAME_BYTES: env.bytes('256MiB'),
  INGEST_MAX_DECODED_FRAME_BYTES: env.bytes('512MiB'),
  INGEST_MAX_FIELDS: env.int({ min: 1, max: 1024, default: 64 }),
  INGEST_CHECK_FINITE: env.bool(false),
  INGEST_MAX_STREAM_INFLIGHT_BYTES: env.bytes('64MiB'),
  INGEST_MAX_INFLIGHT_BYTES: env.bytes('512MiB'),
  /**
   * HTTP/2 receive window per stream and per connection. Node's 64 KiB default holds one stream
   * to 64 KiB per event-loop round trip (measured: one stream of 64 KiB frames 20 MB/s; 1 MiB:
   * 48 MB/s). Memory: a stream that stopped reading can still have this much buffered per
   * connection, beyond the in-flight budgets.
   */
  INGEST_HTTP2_WINDOW: env.bytes('1MiB'),
  INGEST_KAFKA_OUTAGE_TIMEOUT: env.duration('30s'),
  /**
   * Kafka transaction timeout: how long a crashed instance's open transaction can hold back
   * read_committed consumers of its partitions (the next stream of the same simulation, on any
   * instance, aborts it at once).
   */
  INGEST_TRANSACTION_TIMEOUT: env.duration('15s'),
  /**
   * Record bytes per Kafka transaction. Measured on 64 KiB frames: 1–4 MiB costs the least CPU
   * per byte in ingestion and in the broker; 32 MiB batches cost ~1.5× more in ingestion
   * (kafkajs grows its request buffers by doubling, zero-filled) and ~3× more in the broker.
   */
  INGEST_MAX_BATCH_BYTES: env.bytes('2MiB'),
  /**
   * Each simulation is written by a transactional producer whose id is this prefix + the
   * simulation id: a new stream fences every older writer of its simulation on any instance.
   * With Kafka ACLs, grant TransactionalId Write on this prefix.
   */
  INGEST_TRANSACTIONAL_ID_PREFIX: env.string('simstream.ingest.'),
  INGEST_PROGRESS_CATCHUP_TIMEOUT: env.duration('20s'),
  INGEST_DRAIN_TIMEOUT: env.duration('30s'),
  INGEST_ENSURE_TOPICS: env.bool(true),
  /**
   * query's gRPC API (mutual TLS with this service's certificate): streams that opt in to
   * analysis events follow their simulation's results there (TailResults).
   */
  QUERY_ADDRESS: env.string('127.0.0.1:50052'),
  /** Analysis events held per stream for a client that does not read; past it the oldest are dropped. */
  INGEST_EVENTS_MAX_QUEUED: env.int({ min: 2, max: 100_000, default: 256 }),
  /** Longest wait between attempts to follow results again while query fails. */
  INGEST_EVENTS_RETRY_MAX_DELAY: env.duration('5s'),
};

export interface IngestionConfig {
  readonly instanceId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly grpc: {
    readonly host: string;
    readonly port: number;
    readonly internalPort: number;
    readonly allowedClients: readonly string[];
    readonly tls: GrpcTls;
    /** Connection age of the public port (long streams) and of the internal port (unary calls). */
    readonly publicConnectionAge: ConnectionAge;
    readonly internalConnectionAge: ConnectionAge;
  };
  readonly ops: { readonly host: string; readonly port: number };
  readonly database: DatabaseConfig;
  readonly redis: { readonly url: string; readonly commandTimeoutMs: number };
  readonly auth: AuthSettings;
  readonly kafka: KafkaConnectionConfig;
  readonly topicEnvironment: TopicEnvironment;
  readonly ensureTopics: boolean;
  readonly limits: FrameLimits;
  readonly maxStreamInFlightBytes: number;
  readonly maxInFlightBytes: number;
  readonly http2WindowBytes: number;
  readonly outageTimeoutMs: number;
  readonly transactionTimeoutMs: number;
  readonly maxBatchBytes: number;
  readonly transactionalIdPrefix: string;
  readonly progressCatchUpTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly events: {
    readonly queryAddress: string;
    readonly maxQueued: number;
    readonly retryMaxDelayMs: number;
  };
}

export function loadIngestionConfig(source: Env = process.env): IngestionConfig {
  const c = loadConfig(INGESTION_ENV, source);
  const problems: string[] = [];
  const auth = authSettings(c, problems);
  const tls = grpcTls(c, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    instanceId: c.INSTANCE_ID,
    logLevel: c.LOG_LEVEL,
    grpc: {
      host: c.GRPC_HOST,
      port: c.GRPC_PORT,
      internalPort: c.INTERNAL_GRPC_PORT,
      allowedClients: c.GRPC_ALLOWED_CLIENTS,
      tls,
      publicConnectionAge: {
        maxAgeMs: c.INGEST_PUBLIC_MAX_CONNECTION_AGE,
        graceMs: c.INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE,
      },
      internalConnectionAge: connectionAge(c),
    },
    ops: { host: c.OPS_HOST, port: c.OPS_PORT },
    database: databaseConfig(c),
    redis: { url: c.REDIS_URL, commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT },
    auth,
    kafka: kafkaConnectionFromEnv(c),
    topicEnvironment: topicEnvironment(c.KAFKA_TOPIC_ENVIRONMENT),
    ensureTopics: c.INGEST_ENSURE_TOPICS,
    limits: {
      maxFrameBytes: c.INGEST_MAX_FRAME_BYTES,
      maxDecodedFrameBytes: c.INGEST_MAX_DECODED_FRAME_BYTES,
      maxFields: c.INGEST_MAX_FIELDS,
      maxAttributes: 64,
      checkFinite: c.INGEST_CHECK_FINITE,
    },
    maxStreamInFlightBytes: c.INGEST_MAX_STREAM_INFLIGHT_BYTES,
    maxInFlightBytes: c.INGEST_MAX_INFLIGHT_BYTES,
    http2WindowBytes: c.INGEST_HTTP2_WINDOW,
    outageTimeoutMs: c.INGEST_KAFKA_OUTAGE_TIMEOUT,
    transactionTimeoutMs: c.INGEST_TRANSACTION_TIMEOUT,
    maxBatchBytes: c.INGEST_MAX_BATCH_BYTES,
    transactionalIdPrefix: c.INGEST_TRANSACTIONAL_ID_PREFIX,
    progressCatchUpTimeoutMs: c.INGEST_PROGRESS_CATCHUP_TIMEOUT,
    drainTimeoutMs: c.INGEST_DRAIN_TIMEOUT,
    events: {
      queryAddress: c.QUERY_ADDRESS,
      maxQueued: c.INGEST_EVENTS_MAX_QUEUED,
      retryMaxDelayMs: c.INGEST_EVENTS_RETRY_MAX_DELAY,
    },
  };
}
