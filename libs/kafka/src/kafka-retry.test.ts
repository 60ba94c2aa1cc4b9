import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { UnavailableError, ValidationError } from '@simstream/errors';
import { isRetriableKafkaError, retryKafka } from './kafka-retry.js';

/** A protocol error as kafkajs builds it from a response's error code. */
function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ message: type, type, retriable } as unknown as Error);
}

describe('isRetriableKafkaError', () => {
  it('retries what Kafka calls retriable, also when kafkajs ran out of its own retries', () => {
    expect(isRetriableKafkaError(protocolError('NOT_LEADER_FOR_PARTITION', true))).toBe(true);
    expect(isRetriableKafkaError(protocolError('LEADER_NOT_AVAILABLE', true))).toBe(true);
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isRetriableKafkaError(refused)).toBe(true);
    expect(
      isRetriableKafkaError(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 1000 })),
    ).toBe(true);
    expect(isRetriableKafkaError(new UnavailableError('kafka', 'no leader yet'))).toBe(true);
  });

  it('does not retry refused requests, fencing or programmer errors', () => {
    expect(isRetriableKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toBe(false);
    expect(isRetriableKafkaError(protocolError('INVALID_REPLICATION_FACTOR', false))).toBe(false);
    expect(isRetriableKafkaError(protocolError('PRODUCER_FENCED', true))).toBe(false);
    expect(isRetriableKafkaError(new KafkaJSNonRetriableError('Invalid topic undefined'))).toBe(false);
    expect(isRetriableKafkaError(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isRetriableKafkaError(new ValidationError([]))).toBe(false);
  });
});

describe('retryKafka', () => {
  it('retries retriable errors until the call succeeds', async () => {
    let calls = 0;
    const result = await retryKafka(
      () =>
        ++calls < 3 ? Promise.reject(protocolError('NOT_LEADER_FOR_PARTITION', true)) : Promise.resolve('ok'),
      { what: 'test' },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('throws other errors at once', async () => {
    let calls = 0;
    const refused = protocolError('TOPIC_AUTHORIZATION_FAILED', false);
    await expect(retryKafka(() => (calls++, Promise.reject(refused)), { what: 'test' })).rejects.toBe(
      refused,
    );
    expect(calls).toBe(1);
  });

  it('gives up after its retries with the last error', async () => {
    let calls = 0;
    const busy = protocolError('NOT_LEADER_FOR_PARTITION', true);
    await expect(
      retryKafka(() => (calls++, Promise.reject(busy)), { what: 'test', retries: 2 }),
    ).rejects.toBe(busy);
    expect(calls).toBe(3);
  });
});
