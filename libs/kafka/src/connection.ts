/**
 * Connecting to Kafka: configuration from environment variables, shared by every service
 * (brokers, TLS, SASL, timeouts, and which client library produces and consumes). The clients
 * themselves are made by createKafkaClient (client.ts).
 */
import { env } from '@simstream/config';
import {
  DEFAULT_PRODUCER_TRANSPORT,
  PRODUCER_TRANSPORTS,
  type ProducerTransportKind,
} from './producer-transport.js';
import {
  CONSUMER_TRANSPORTS,
  DEFAULT_CONSUMER_TRANSPORT,
  type ConsumerTransportKind,
} from './consumer-transport.js';

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
  /** The client library our consumers (and compacted tables) read with (libs/kafka/README.md). */
  KAFKA_CONSUMER_TRANSPORT: env.oneOf(CONSUMER_TRANSPORTS, DEFAULT_CONSUMER_TRANSPORT),
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
  /** The client library consumers read with (default DEFAULT_CONSUMER_TRANSPORT). */
  readonly consumerTransport?: ConsumerTransportKind;
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
  KAFKA_CONSUMER_TRANSPORT?: ConsumerTransportKind;
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
    consumerTransport: values.KAFKA_CONSUMER_TRANSPORT ?? DEFAULT_CONSUMER_TRANSPORT,
  };
}
