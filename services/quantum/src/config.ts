/**
 * The quantum service's configuration: environment variables, validated once at start.
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
import { POSTGRES_ENV, REDIS_ENV, databaseConfig, type DatabaseConfig } from '@simstream/storage';

const SOLVERS = ['sa', 'pt'] as const;

/** A real number in [min, max] (libs/config has integers only). */
function float(options: { min: number; max: number; default: number }): EnvVar<number> {
  return z.coerce.number<string>().min(options.min).max(options.max).default(options.default);
}

export const QUANTUM_ENV = {
  ...GRPC_TLS_ENV,
  ...GRPC_INTERNAL_ENV,
  ...GRPC_CONNECTION_AGE_ENV,
  ...KAFKA_ENV,
  ...POSTGRES_ENV,
  ...REDIS_ENV,
  /** Stable per instance (pod name): recorded as the worker of the jobs it runs. */
  INSTANCE_ID: env.string(os.hostname()),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50053),
  /** Metrics and probes: loopback unless a cluster's probes need the pod address. */
  OPS_HOST: env.string('127.0.0.1'),
  OPS_PORT: env.port(9103),
  QUANTUM_ENSURE_TOPICS: env.bool(true),
  QUANTUM_FRAMES_GROUP: env.string('simstream-quantum'),
  QUANTUM_JOBS_GROUP: env.string('simstream-quantum-jobs'),
  /** Where a new consumer group starts: the oldest retained record (true) or new ones only. */
  QUANTUM_FROM_BEGINNING: env.bool(true),
  /** Kafka consumer session: how soon a dead pod's partitions move to the others (6s to 5m). */
  QUANTUM_SESSION_TIMEOUT: env.duration('30s'),

  /** Frames path: one partition problem per simulation and bucket of K steps. */
  QUANTUM_FRAMES_ENABLED: env.bool(true),
  QUANTUM_EVERY_K_STEPS: env.int({ min: 1, max: 1_000_000_000, default: 10 }),
  /** Only frames of these tenants (comma-separated; empty: all), e.g. pods dedicated to a tenant. */
  QUANTUM_TENANTS: env.optionalString(),
  /** Field to partition by; empty: the first field of the frame. */
  QUANTUM_FIELD: env.optionalString(),
  /** The grid is coarse-grained to at most this many blocks per side (spins = blocks). */
  QUANTUM_BLOCKS_PER_SIDE: env.int({ min: 2, max: 32, default: 16 }),
  /** Share of a block's load that follows field activity (the rest follows its cell count). */
  QUANTUM_ACTIVITY_WEIGHT: float({ min: 0, max: 1, default: 0.8 }),
  /** Load imbalance at which one more unit of imbalance costs as much as one average edge cut. */
  QUANTUM_BALANCE_TOLERANCE: float({ min: 0.0001, max: 1, default: 0.02 }),
  /**
   * SA by default: on 16×16 grids of Gray–Scott and lattice-Boltzmann frames, 16 SA reads of 500
   * sweeps reached the same best partition as PT at similar cost, all of it on the worker
   * thread (PT measures its ladder with a pilot anneal on the calling thread first).
   */
  QUANTUM_FRAME_SOLVER: env.oneOf(SOLVERS, 'sa'),
  /** Fixed work per frame problem (reads × sweeps), so that a re-solve gives the same answer. */
  QUANTUM_FRAME_READS: env.int({ min: 1, max: 256, default: 16 }),
  QUANTUM_FRAME_SWEEPS: env.int({ min: 10, max: 1_000_000, default: 500 }),
  /** Cap on one frame solve (returns the best so far when reached). */
  QUANTUM_FRAME_TIME_LIMIT: env.duration('5s'),
  /** Frames' partitions handled at once (each solve takes one worker thread). */
  QUANTUM_FRAME_CONCURRENCY: env.int({ min: 1, max: 12, default: 1 }),

  /** Direct solves (gRPC Solve) and jobs: limits. */
  QUANTUM_MAX_VARIABLES: env.int({ min: 1, max: 10_000_000, default: 20_000 }),
  QUANTUM_MAX_COUPLINGS: env.int({ min: 0, max: 100_000_000, default: 200_000 }),
  QUANTUM_MAX_SOLVE_TIME: env.duration('30s'),
  QUANTUM_DEFAULT_SOLVE_TIME: env.duration('1s'),
  QUANTUM_MAX_CONCURRENT_SOLVES: env.int({ min: 1, max: 64, default: 2 }),
  QUANTUM_PROGRESS_INTERVAL: env.duration('100ms'),
  /**
   * Jobs travel as one Kafka record (8 MiB topic limit): 8 bytes per variable and 16 per
   * coupling, so the defaults stay below it.
   */
  QUANTUM_MAX_JOB_VARIABLES: env.int({ min: 1, max: 10_000_000, default: 100_000 }),
  QUANTUM_MAX_JOB_COUPLINGS: env.int({ min: 0, max: 100_000_000, default: 400_000 }),
  QUANTUM_MAX_JOB_TIME: env.duration('10m'),
  QUANTUM_MAX_CONCURRENT_JOBS: env.int({ min: 1, max: 64, default: 1 }),
  /** How often a running job renews its lease and looks for a cancel request. */
  QUANTUM_JOB_POLL_INTERVAL: env.duration('500ms'),
  /** A running job whose lease is older than this is taken over by its partition's next owner. */
  QUANTUM_JOB_LEASE: env.duration('15s'),

  /** Solutions cached in Redis by problem hash. */
  QUANTUM_CACHE_TTL: env.duration('24h'),
  QUANTUM_DRAIN_TIMEOUT: env.duration('20s'),
  /** Tenant of direct calls that name none (no tenant field, no trusted header). */
  QUANTUM_DEFAULT_TENANT: env.string('default'),
  /** Take the tenant from x-simstream-tenant when the request has none (only the gateway can call). */
  QUANTUM_TRUST_TENANT_HEADER: env.bool(true),
  /** Direct solves one tenant may run at once here (0: every slot but one, at least 1). */
  QUANTUM_MAX_SOLVES_PER_TENANT: env.int({ min: 0, max: 64, default: 0 }),
  /** Jobs one tenant may run at once here (0: every job slot but one, at least 1; fair-queue.ts). */
  QUANTUM_JOB_SLOTS_PER_TENANT: env.int({ min: 0, max: 64, default: 0 }),
  /** Jobs one tenant may have queued or running at once (SubmitJob answers RESOURCE_EXHAUSTED past it). */
  QUANTUM_MAX_JOBS_PER_TENANT: env.int({ min: 1, max: 1_000_000, default: 100 }),
};

export type FrameSolverName = (typeof SOLVERS)[number];

export interface PartitionSettings {
  readonly field: string | undefined;
  readonly blocksPerSide: number;
  readonly activityWeight: number;
  readonly balanceTolerance: number;
}

export interface QuantumConfig {
  readonly instanceId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly grpc: { readonly host: string; readonly port: number };
  readonly opsHost: string;
  readonly opsPort: number;
  readonly grpcTls: GrpcTls;
  /** Connection age and grace of the gRPC server. */
  readonly connectionAge: ConnectionAge;
  /** Service identities (certificate CN) allowed to call. */
  readonly allowedClients: readonly string[];
  readonly kafka: KafkaConnectionConfig;
  readonly topicEnvironment: TopicEnvironment;
  readonly ensureTopics: boolean;
  readonly groups: { readonly frames: string; readonly jobs: string };
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  readonly database: DatabaseConfig;
  readonly redis: { readonly url: string; readonly commandTimeoutMs: number };
  readonly frames: {
    readonly enabled: boolean;
    readonly tenants: ReadonlySet<string> | undefined;
    readonly everyK: number;
    readonly partition: PartitionSettings;
    readonly solver: FrameSolverName;
    readonly reads: number;
    readonly sweeps: number;
    readonly timeLimitMs: number;
    readonly concurrency: number;
  };
  readonly solves: {
    readonly maxVariables: number;
    readonly maxCouplings: number;
    readonly maxTimeMs: number;
    readonly defaultTimeMs: number;
    readonly maxConcurrent: number;
    readonly progressIntervalMs: number;
  };
  readonly jobs: {
    readonly maxVariables: number;
    readonly maxCouplings: number;
    readonly maxTimeMs: number;
    readonly maxConcurrent: number;
    readonly pollIntervalMs: number;
    readonly leaseMs: number;
  };
  readonly cacheTtlMs: number;
  readonly drainTimeoutMs: number;
  readonly defaultTenant: string;
  readonly trustTenantHeader: boolean;
  /** Caps per tenant, so that one tenant cannot take what all share. */
  readonly perTenant: {
    readonly solves: number;
    readonly jobSlots: number;
    readonly jobs: number;
  };
}

export function loadQuantumConfig(source: Env = process.env): QuantumConfig {
  const c = loadConfig(QUANTUM_ENV, source);
  const tlsProblems: string[] = [];
  const tls = grpcTls(c, tlsProblems);
  if (tlsProblems.length > 0) throw new ConfigError(tlsProblems);
  return {
    instanceId: c.INSTANCE_ID,
    logLevel: c.LOG_LEVEL,
    grpc: { host: c.GRPC_HOST, port: c.GRPC_PORT },
    opsHost: c.OPS_HOST,
    opsPort: c.OPS_PORT,
    grpcTls: tls,
    connectionAge: connectionAge(c),
    allowedClients: c.GRPC_ALLOWED_CLIENTS,
    kafka: kafkaConnectionFromEnv(c),
    topicEnvironment: topicEnvironment(c.KAFKA_TOPIC_ENVIRONMENT),
    ensureTopics: c.QUANTUM_ENSURE_TOPICS,
    groups: { frames: c.QUANTUM_FRAMES_GROUP, jobs: c.QUANTUM_JOBS_GROUP },
    fromBeginning: c.QUANTUM_FROM_BEGINNING,
    sessionTimeoutMs: c.QUANTUM_SESSION_TIMEOUT,
    database: databaseConfig(c),
    redis: { url: c.REDIS_URL, commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT },
    frames: {
      enabled: c.QUANTUM_FRAMES_ENABLED,
      tenants:
        c.QUANTUM_TENANTS === undefined
          ? undefined
          : new Set(
              c.QUANTUM_TENANTS.split(',')
                .map((t) => t.trim())
                .filter((t) => t !== ''),
            ),
      everyK: c.QUANTUM_EVERY_K_STEPS,
      partition: {
        field: c.QUANTUM_FIELD,
        blocksPerSide: c.QUANTUM_BLOCKS_PER_SIDE,
        activityWeight: c.QUANTUM_ACTIVITY_WEIGHT,
        balanceTolerance: c.QUANTUM_BALANCE_TOLERANCE,
      },
      solver: c.QUANTUM_FRAME_SOLVER,
      reads: c.QUANTUM_FRAME_READS,
      sweeps: c.QUANTUM_FRAME_SWEEPS,
      timeLimitMs: c.QUANTUM_FRAME_TIME_LIMIT,
      concurrency: c.QUANTUM_FRAME_CONCURRENCY,
    },
    solves: {
      maxVariables: c.QUANTUM_MAX_VARIABLES,
      maxCouplings: c.QUANTUM_MAX_COUPLINGS,
      maxTimeMs: c.QUANTUM_MAX_SOLVE_TIME,
      defaultTimeMs: Math.min(c.QUANTUM_DEFAULT_SOLVE_TIME, c.QUANTUM_MAX_SOLVE_TIME),
      maxConcurrent: c.QUANTUM_MAX_CONCURRENT_SOLVES,
      progressIntervalMs: c.QUANTUM_PROGRESS_INTERVAL,
    },
    jobs: {
      maxVariables: c.QUANTUM_MAX_JOB_VARIABLES,
      maxCouplings: c.QUANTUM_MAX_JOB_COUPLINGS,
      maxTimeMs: c.QUANTUM_MAX_JOB_TIME,
      maxConcurrent: c.QUANTUM_MAX_CONCURRENT_JOBS,
      pollIntervalMs: c.QUANTUM_JOB_POLL_INTERVAL,
      leaseMs: c.QUANTUM_JOB_LEASE,
    },
    cacheTtlMs: c.QUANTUM_CACHE_TTL,
    drainTimeoutMs: c.QUANTUM_DRAIN_TIMEOUT,
    defaultTenant: c.QUANTUM_DEFAULT_TENANT,
    trustTenantHeader: c.QUANTUM_TRUST_TENANT_HEADER,
    perTenant: {
      solves: c.QUANTUM_MAX_SOLVES_PER_TENANT || Math.max(1, c.QUANTUM_MAX_CONCURRENT_SOLVES - 1),
      jobSlots: c.QUANTUM_JOB_SLOTS_PER_TENANT || Math.max(1, c.QUANTUM_MAX_CONCURRENT_JOBS - 1),
      jobs: c.QUANTUM_MAX_JOBS_PER_TENANT,
    },
  };
}
