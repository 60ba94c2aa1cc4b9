/**
 * Connecting to Kafka: configuration (from environment variables, shared by every service)
 * and the kafkajs client with our logger. Only this package imports kafkajs, so that it can be
 * replaced (kafkajs is in maintenance mode upstream).
 */
import { readFileSync } from 'node:fs';
// Before kafkajs: see the module's header.
import './kafkajs-tuning.js';
import './kafkajs-read-committed.js';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { env } from '@simstream/config';
import type { Logger } from '@simstream/observability';
import {
  DEFAULT_PRODUCER_TRANSPORT,
  PRODUCER_TRANSPORTS,
  type ProducerTransportKind,
} from './producer-transport.js';

/** Environment variables every Kafka-using service reads (see README, Configuration). */
export const KAFKA_ENV = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: env.string('simstream'),
  KAFKA_SSL: env.bool(false),
  /** PEM file of the CA that signed the brokers' certificates (TLS on). */
  KAFKA_SSL_CA_FILE: env.optionalString(),
  KAFKA_SASL_MECHANISM: env.oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, 'none'),
  KAFKA_SASL_USERNAME: env.optionalString(),
  KAFKA_SASL_PASSWORD: env.optionalString(),
  KAFKA_CONNECTION_TIMEOUT: env.duration('3s'),
  KAFKA_REQUEST_TIMEOUT: env.duration('30s'),
  /** The client library our producers write with (libs/kafka/README.md). */
  KAFKA_PRODUCER_TRANSPORT: env.oneOf(PRODUCER_TRANSPORTS, DEFAULT_PRODUCER_TRANSPORT),
  /** 'local': replication 1 (one broker); 'cluster': replication 3, min.insync.replicas 2. */
  KAFKA_TOPIC_ENVIRONMENT: env.oneOf(['local', 'cluster'] as const, 'local'),
};

export interface KafkaConnectionConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: { readonly caFile?: string } | false;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** The client library producers write with (default DEFAULT_PRODUCER_TRANSPORT). */
  readonly producerTransport?: ProducerTransportKind;
}

type KafkaEnv = {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID: string;
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string | undefined;
  KAFKA_SASL_MECHANISM: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_CONNECTION_TIMEOUT: number;
  KAFKA_REQUEST_TIMEOUT: number;
  KAFKA_PRODUCER_TRANSPORT?: ProducerTransportKind;
};

/** Builds the connection config from validated environment values. */
export function kafkaConnectionFromEnv(values: KafkaEnv): KafkaConnectionConfig {
  const mechanism = values.KAFKA_SASL_MECHANISM;
  return {
    brokers: values.KAFKA_BROKERS,
    clientId: values.KAFKA_CLIENT_ID,
    ssl: values.KAFKA_SSL
      ? values.KAFKA_SSL_CA_FILE === undefined
        ? {}
        : { caFile: values.KAFKA_SSL_CA_FILE }
      : false,
    ...(mechanism === 'none'
      ? {}
      : {
          sasl: {
            mechanism,
            username: values.KAFKA_SASL_USERNAME ?? '',
            password: values.KAFKA_SASL_PASSWORD ?? '',
          },
        }),
    connectionTimeoutMs: values.KAFKA_CONNECTION_TIMEOUT,
    requestTimeoutMs: values.KAFKA_REQUEST_TIMEOUT,
    producerTransport: values.KAFKA_PRODUCER_TRANSPORT ?? DEFAULT_PRODUCER_TRANSPORT,
  };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const ROUTINE =
  /concurrent operation on the same transaction|coordinator is (loading|not available)|not the correct coordinator|no leader for this topic-partition|not the leader for that topic-partition|There is no leader|LEADER_NOT_AVAILABLE|NOT_LEADER/i;

/** kafkajs client whose logs go through our pino logger (as `component: kafkajs`). */
export function createKafka(config: KafkaConnectionConfig, logger: Logger): Kafka {
  const child = logger.child({ component: 'kafkajs' });
  const kafkaConfig: KafkaConfig = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    // Reconnect fast after an outage; callers bound the total time with their own deadlines.
    // The first retry matters most for transactions: a transaction begun right after the previous
    // commit is often refused with CONCURRENT_TRANSACTIONS while the broker writes the markers,
    // and waits one retry. Measured (sequential transactions, one writer): mean 19–32 ms with a
    // 100 ms first retry (p90 101–115 ms), 7–10 ms with 20 ms (p90 22–29 ms), which is what one
    // stream's throughput is made of. 10 retries keep the total before giving up near 9 s.
    retry: { initialRetryTime: 20, maxRetryTime: 2000, retries: 10 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        // kafkajs repeats a timestamp and its logger name on every line; pino has its own.
        const {
          message,
          timestamp: _t,
          logger: _l,
          ...rest
        } = log as typeof log & { timestamp?: unknown; logger?: unknown };
        const name = LEVELS[level] ?? 'info';
        // Errors that kafkajs or our start-up retries (retryKafka) retry (a coordinator busy
        // finishing the previous transaction, leadership moving, a new partition's leader not
        // serving yet) are routine, not errors of ours.
        const error = (rest as { error?: unknown }).error;
        const routine =
          name === 'error' && ROUTINE.test(`${message} ${typeof error === 'string' ? error : ''}`);
        child[routine ? 'debug' : name](rest, message);
      },
  };
  if (config.ssl !== undefined && config.ssl !== false) {
    kafkaConfig.ssl =
      config.ssl.caFile === undefined ? true : { ca: [readFileSync(config.ssl.caFile, 'utf8')] };
  }
  if (config.sasl !== undefined) kafkaConfig.sasl = config.sasl as SASLOptions;
  return new Kafka(kafkaConfig);
}

export type { Kafka };
