/**
 * What every @platformatic/kafka client of ours (consumer, admin) shares: the connection options
 * from our connection config (brokers, timeouts, TLS, SASL), and its errors as KafkaRequestError
 * (retriable when transient, classified like the producer transport's: fromPlatformatic).
 */
import { readFileSync } from 'node:fs';
import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaConnectionConfig } from '../connection.js';
import { KafkaRequestError } from '../kafka-errors.js';
import { fromPlatformatic } from './platformatic.js';

const SASL = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** Brokers, client id, timeouts, TLS and SASL of a connection config. */
export function connectionOptions(config: KafkaConnectionConfig): BaseOptions {
  const options: BaseOptions = {
    clientId: config.clientId,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    autocreateTopics: false,
  };
  if (config.ssl !== undefined && config.ssl !== false)
    options.tls = config.ssl.caFile === undefined ? {} : { ca: [readFileSync(config.ssl.caFile, 'utf8')] };
  if (config.sasl !== undefined)
    options.sasl = {
      mechanism: SASL[config.sasl.mechanism],
      username: config.sasl.username,
      password: config.sasl.password,
    };
  return options;
}

/** A @platformatic/kafka error as our KafkaRequestError (retriable when it is transient). */
export function fromPlatformaticRequest(error: unknown): KafkaRequestError {
  if (error instanceof KafkaRequestError) return error;
  const write = fromPlatformatic(error);
  return new KafkaRequestError(write.kind === 'transient', write.kafkaType, error);
}

/** Runs a client call; its errors leave as KafkaRequestError. */
export async function mappedRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromPlatformaticRequest(error);
  }
}
