/**
 * The gateway's configuration: environment variables, validated once at start (every bad
 * variable listed at once).
 */
import os from 'node:os';
import { TENANT_PATTERN } from '@simstream/contracts';
import { ConfigError } from '@simstream/errors';
import { env, loadConfig, type Env } from '@simstream/config';
import { GRPC_TLS_ENV, grpcTls, type GrpcTls } from '@simstream/rpc';
import { POSTGRES_ENV, REDIS_ENV, databaseConfig, type DatabaseConfig } from '@simstream/storage';
import { AUTH_ENV, authSettings, parseApiKey, type AuthSettings } from '@simstream/auth';

export const GATEWAY_ENV = {
  ...POSTGRES_ENV,
  ...REDIS_ENV,
  ...AUTH_ENV,
  ...GRPC_TLS_ENV,
  INSTANCE_ID: env.string(os.hostname()),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
  HTTP_HOST: env.string('0.0.0.0'),
  HTTP_PORT: env.port(8080),
  /** Metrics and probes: loopback unless a cluster's probes need the pod address. */
  OPS_HOST: env.string('127.0.0.1'),
  OPS_PORT: env.port(9105),
  QUERY_ADDRESS: env.string('127.0.0.1:50052'),
  /** Ingestion's internal (mTLS) port: the gateway calls it with the caller's tenant. */
  INGESTION_ADDRESS: env.string('127.0.0.1:50054'),
  QUANTUM_ADDRESS: env.string('127.0.0.1:50053'),
  /** Largest binary frame upload (Arrow, Avro). */
  GATEWAY_MAX_BODY_BYTES: env.bytes('64MiB'),
  /** Largest JSON frame upload (base64 costs a third more than binary). */
  GATEWAY_MAX_JSON_FRAMES_BYTES: env.bytes('16MiB'),
  /** Largest body of every other route (optimisation problems, admin). */
  GATEWAY_MAX_REQUEST_BYTES: env.bytes('4MiB'),
  GATEWAY_MAX_FRAMES_PER_UPLOAD: env.int({ min: 1, max: 100_000, default: 10_000 }),
  /** Upload bodies held at once by this replica; past it, uploads get 503 UPLOADS_BUSY. */
  GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES: env.bytes('256MiB'),
  /** Requests per key and window, counted across replicas in Redis. */
  GATEWAY_RATE_LIMIT: env.int({ min: 1, default: 600 }),
  GATEWAY_RATE_WINDOW: env.duration('1m'),
  /** A full sk_<id>_<secret> key inserted (hashed) at start when absent: the first admin. */
  GATEWAY_BOOTSTRAP_ADMIN_KEY: env.optionalString(),
  /** The operator's tenant: its admin keys manage keys of every tenant. */
  GATEWAY_OPERATOR_TENANT: env.string('operator'),
  GATEWAY_QUERY_TIMEOUT: env.duration('5s'),
  GATEWAY_INGEST_TIMEOUT: env.duration('60s'),
  /** Longest synchronous solve (the quantum service caps time limits too). */
  GATEWAY_SOLVE_TIMEOUT: env.duration('120s'),
  GATEWAY_BREAKER_RESET: env.duration('5s'),
  /** How long a last good answer (simulation list and details) may serve while query is down. */
  GATEWAY_FALLBACK_TTL: env.duration('2m'),
  GATEWAY_SSE_HEARTBEAT: env.duration('15s'),
  /** How often a live stream opened with `wait=true` asks whether its simulation has started. */
  GATEWAY_SSE_WAIT_POLL_INTERVAL: env.duration('250ms'),
  GATEWAY_MAX_SSE_CLIENTS: env.int({ min: 1, default: 2000 }),
  GATEWAY_DRAIN_TIMEOUT: env.duration('10s'),
  /** Upload bytes one tenant may hold at once on this replica (its share of the budget above). */
  GATEWAY_MAX_UPLOAD_TENANT_BYTES: env.bytes('128MiB'),
  /** After GATEWAY_UPLOAD_GRACE, an upload body must average at least this many bytes a second… */
  GATEWAY_UPLOAD_MIN_RATE: env.bytes('16KiB'),
  GATEWAY_UPLOAD_GRACE: env.duration('5s'),
  /** …and arrive whole within this (else 408 UPLOAD_TOO_SLOW). */
  GATEWAY_UPLOAD_BODY_TIMEOUT: env.duration('300s'),
  /** Event streams one tenant may hold open on this replica (else 429 TOO_MANY_STREAMS). */
  GATEWAY_MAX_SSE_CLIENTS_PER_TENANT: env.int({ min: 1, default: 50 }),
  /** Threads decoding Arrow and Avro uploads (1 or 2: decoding never takes every core). */
  GATEWAY_DECODE_WORKERS: env.int({ min: 1, max: 2, default: 1 }),
  /** Heap of each decode thread; a body needing more is refused (422 UPLOAD_DECODE_OUT_OF_MEMORY). */
  GATEWAY_DECODE_WORKER_HEAP: env.bytes('256MiB'),
  /** Decoding deadline: this much plus GATEWAY_DECODE_DEADLINE_PER_MIB per MiB of body (else 422). */
  GATEWAY_DECODE_DEADLINE: env.duration('2s'),
  GATEWAY_DECODE_DEADLINE_PER_MIB: env.duration('50ms'),
};

export interface GatewayConfig {
  readonly instanceId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly http: { readonly host: string; readonly port: number };
  readonly ops: { readonly host: string; readonly port: number };
  readonly grpcTls: GrpcTls;
  readonly database: DatabaseConfig;
  readonly redis: { readonly url: string; readonly commandTimeoutMs: number };
  readonly addresses: { readonly query: string; readonly ingestion: string; readonly quantum: string };
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxJsonFramesBytes: number;
    readonly maxRequestBytes: number;
    readonly maxFramesPerUpload: number;
    readonly maxUploadInFlightBytes: number;
    readonly maxSseClients: number;
  };
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  readonly auth: AuthSettings & {
    readonly bootstrapAdminKey?: string;
    readonly operatorTenant: string;
  };
  readonly timeouts: {
    readonly queryMs: number;
    readonly ingestMs: number;
    readonly solveMs: number;
    readonly breakerResetMs: number;
  };
  readonly fallbackTtlMs: number;
  readonly sseHeartbeatMs: number;
  readonly sseWaitPollMs: number;
  readonly drainTimeoutMs: number;
  /** Caps per tenant, so that one tenant cannot take what all share. */
  readonly perTenant: { readonly maxUploadBytes: number; readonly maxSseClients: number };
  readonly uploadRate: {
    readonly minBytesPerSecond: number;
    readonly graceMs: number;
    readonly maxMs: number;
  };
  /** The upload decoders' worker pool (libs/uploads). */
  readonly decode: {
    readonly workers: number;
    readonly workerHeapMb: number;
    readonly deadlineBaseMs: number;
    readonly deadlineMsPerMiB: number;
  };
}

export function loadGatewayConfig(source: Env = process.env): GatewayConfig {
  const c = loadConfig(GATEWAY_ENV, source);
  const problems: string[] = [];
  if (c.GATEWAY_BOOTSTRAP_ADMIN_KEY !== undefined && parseApiKey(c.GATEWAY_BOOTSTRAP_ADMIN_KEY) === undefined)
    problems.push(
      'GATEWAY_BOOTSTRAP_ADMIN_KEY: expected sk_<key id>_<secret> (see services/gateway/README.md)',
    );
  if (!TENANT_PATTERN.test(c.GATEWAY_OPERATOR_TENANT))
    problems.push(`GATEWAY_OPERATOR_TENANT: does not match ${TENANT_PATTERN.source}`);
  const auth = authSettings(c, problems);
  const tls = grpcTls(c, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    instanceId: c.INSTANCE_ID,
    logLevel: c.LOG_LEVEL,
    http: { host: c.HTTP_HOST, port: c.HTTP_PORT },
    ops: { host: c.OPS_HOST, port: c.OPS_PORT },
    grpcTls: tls,
    database: databaseConfig(c),
    redis: { url: c.REDIS_URL, commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT },
    addresses: { query: c.QUERY_ADDRESS, ingestion: c.INGESTION_ADDRESS, quantum: c.QUANTUM_ADDRESS },
    limits: {
      maxBodyBytes: c.GATEWAY_MAX_BODY_BYTES,
      maxJsonFramesBytes: c.GATEWAY_MAX_JSON_FRAMES_BYTES,
      maxRequestBytes: c.GATEWAY_MAX_REQUEST_BYTES,
      maxFramesPerUpload: c.GATEWAY_MAX_FRAMES_PER_UPLOAD,
      maxUploadInFlightBytes: c.GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES,
      maxSseClients: c.GATEWAY_MAX_SSE_CLIENTS,
    },
    rateLimit: { max: c.GATEWAY_RATE_LIMIT, windowMs: c.GATEWAY_RATE_WINDOW },
    auth: {
      ...auth,
      bootstrapAdminKey: c.GATEWAY_BOOTSTRAP_ADMIN_KEY,
      operatorTenant: c.GATEWAY_OPERATOR_TENANT,
    },
    timeouts: {
      queryMs: c.GATEWAY_QUERY_TIMEOUT,
      ingestMs: c.GATEWAY_INGEST_TIMEOUT,
      solveMs: c.GATEWAY_SOLVE_TIMEOUT,
      breakerResetMs: c.GATEWAY_BREAKER_RESET,
    },
    fallbackTtlMs: c.GATEWAY_FALLBACK_TTL,
    sseHeartbeatMs: c.GATEWAY_SSE_HEARTBEAT,
    sseWaitPollMs: c.GATEWAY_SSE_WAIT_POLL_INTERVAL,
    drainTimeoutMs: c.GATEWAY_DRAIN_TIMEOUT,
    perTenant: {
      maxUploadBytes: c.GATEWAY_MAX_UPLOAD_TENANT_BYTES,
      maxSseClients: c.GATEWAY_MAX_SSE_CLIENTS_PER_TENANT,
    },
    uploadRate: {
      minBytesPerSecond: c.GATEWAY_UPLOAD_MIN_RATE,
      graceMs: c.GATEWAY_UPLOAD_GRACE,
      maxMs: c.GATEWAY_UPLOAD_BODY_TIMEOUT,
    },
    decode: {
      workers: c.GATEWAY_DECODE_WORKERS,
      workerHeapMb: Math.max(16, Math.round(c.GATEWAY_DECODE_WORKER_HEAP / 2 ** 20)),
      deadlineBaseMs: c.GATEWAY_DECODE_DEADLINE,
      deadlineMsPerMiB: c.GATEWAY_DECODE_DEADLINE_PER_MIB,
    },
  };
}
