/**
 * The neuromorphic service's configuration: environment variables, validated once at start
 * (the detector options too, by building the configuration the detectors will get).
 */
import os from 'node:os';
import type { BackendChoice } from '@simstream/compute';
import { env, loadConfig, z, type Env, type EnvVar } from '@simstream/config';
import { ConfigError, ValidationError } from '@simstream/errors';
import {
  KAFKA_ENV,
  topicEnvironment,
  kafkaConnectionFromEnv,
  type KafkaConnectionConfig,
  type TopicEnvironment,
} from '@simstream/kafka';
import { featureDimFor, resolveConfig, type DetectorOptions } from '@simstream/neuro';
import { POSTGRES_ENV, databaseConfig, type DatabaseConfig } from '@simstream/storage';

/** Detector options the service sets itself, per feature layout. */
const PER_LAYOUT_OPTIONS = ['featureDim', 'errorWeights'];

function jsonObject(): EnvVar<Record<string, unknown>> {
  return z
    .string()
    .prefault('{}')
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(text);
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          return value as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object of detector options (libs/neuro)' });
      return z.NEVER;
    });
}

export const NEUROMORPHIC_ENV = {
  ...KAFKA_ENV,
  ...POSTGRES_ENV,
  /** Stable per instance (pod name): names this instance in logs and Kafka client ids. */
  INSTANCE_ID: env.string(os.hostname()),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
  /** Metrics and probes: loopback unless a cluster's probes need the pod address. */
  OPS_HOST: env.string('127.0.0.1'),
  OPS_PORT: env.port(9102),
  /** tfjs backend: auto picks tensorflow-gpu → tensorflow → wasm → cpu; a forced one must load. */
  SIMSTREAM_TF_BACKEND: env.oneOf(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const, 'auto'),
  NEURO_CONSUMER_GROUP: env.string('simstream-neuromorphic'),
  /** Partitions handled at the same time; their rounds share tensor ops. */
  NEURO_PARTITION_CONCURRENCY: env.int({ min: 1, max: 64, default: 12 }),
  NEURO_SESSION_TIMEOUT: env.duration('30s'),
  NEURO_ENSURE_TOPICS: env.bool(true),
  /** Fields used per frame: the first N by name (9 features each, plus one). */
  NEURO_MAX_FIELDS: env.int({ min: 1, max: 64, default: 8 }),
  /** Checkpoint a simulation's detector state after this many frames… */
  NEURO_CHECKPOINT_EVERY: env.int({ min: 1, max: 1_000_000, default: 50 }),
  /** …or once its oldest uncheckpointed frame is this old (idle simulations hold back commits). */
  NEURO_CHECKPOINT_INTERVAL: env.duration('30s'),
  /** Simulations without frames for this long are checkpointed and dropped from memory. */
  NEURO_IDLE_TIMEOUT: env.duration('10m'),
  /** Only frames of these tenants (comma-separated); empty: every tenant. */
  NEURO_TENANTS: env.optionalString(),
  /** Reservoir size of every detector. */
  NEURO_NEURONS: env.int({ min: 8, max: 16384, default: 400 }),
  /** Further detector options as JSON, e.g. {"spectralRadius":0.8,"alarmThreshold":0.5}. */
  NEURO_DETECTOR_OPTIONS: jsonObject(),
  NEURO_DRAIN_TIMEOUT: env.duration('30s'),
};

export type DetectorSettings = Omit<DetectorOptions, 'featureDim' | 'errorWeights'>;

export interface NeuromorphicConfig {
  readonly instanceId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly opsHost: string;
  readonly opsPort: number;
  readonly kafka: KafkaConnectionConfig;
  readonly topicEnvironment: TopicEnvironment;
  readonly ensureTopics: boolean;
  readonly postgres: DatabaseConfig;
  readonly backend: BackendChoice;
  readonly consumerGroup: string;
  readonly partitionConcurrency: number;
  readonly sessionTimeoutMs: number;
  readonly maxFields: number;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly idleTimeoutMs: number;
  /** Undefined: every tenant. */
  readonly tenants: ReadonlySet<string> | undefined;
  readonly detector: DetectorSettings;
  readonly drainTimeoutMs: number;
}

function detectorSettings(
  neurons: number,
  json: Record<string, unknown>,
  maxFields: number,
): DetectorSettings {
  const problems = PER_LAYOUT_OPTIONS.filter((k) => k in json).map(
    (k) => `NEURO_DETECTOR_OPTIONS: '${k}' is set by the service per feature layout`,
  );
  const settings = { ...json, neurons } as DetectorSettings;
  try {
    resolveConfig({ ...settings, featureDim: featureDimFor(maxFields) });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.violations.map((v) => `NEURO_DETECTOR_OPTIONS.${v.field}: ${v.description}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

export function loadNeuromorphicConfig(source: Env = process.env): NeuromorphicConfig {
  const c = loadConfig(NEUROMORPHIC_ENV, source);
  const tenants = c.NEURO_TENANTS?.split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return {
    instanceId: c.INSTANCE_ID,
    logLevel: c.LOG_LEVEL,
    opsHost: c.OPS_HOST,
    opsPort: c.OPS_PORT,
    kafka: kafkaConnectionFromEnv(c),
    topicEnvironment: topicEnvironment(c.KAFKA_TOPIC_ENVIRONMENT),
    ensureTopics: c.NEURO_ENSURE_TOPICS,
    postgres: databaseConfig(c),
    backend: c.SIMSTREAM_TF_BACKEND,
    consumerGroup: c.NEURO_CONSUMER_GROUP,
    partitionConcurrency: c.NEURO_PARTITION_CONCURRENCY,
    sessionTimeoutMs: c.NEURO_SESSION_TIMEOUT,
    maxFields: c.NEURO_MAX_FIELDS,
    checkpointEvery: c.NEURO_CHECKPOINT_EVERY,
    checkpointIntervalMs: c.NEURO_CHECKPOINT_INTERVAL,
    idleTimeoutMs: c.NEURO_IDLE_TIMEOUT,
    tenants: tenants === undefined || tenants.length === 0 ? undefined : new Set(tenants),
    detector: detectorSettings(c.NEURO_NEURONS, c.NEURO_DETECTOR_OPTIONS, c.NEURO_MAX_FIELDS),
    drainTimeoutMs: c.NEURO_DRAIN_TIMEOUT,
  };
}
