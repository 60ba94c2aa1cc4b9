/**
 * Retrying the Kafka calls of start-up paths (creating topics, reading offsets, connecting):
 * exponential backoff with full jitter and a cap (@simstream/resilience), only for errors that
 * Kafka itself calls retriable, such as a partition whose leader does not serve it yet or a
 * broker that is not listening yet. Refused requests and programmer errors fail at once.
 */
import { SimstreamError, messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { retry } from '@simstream/resilience';
import { classifyKafkaError } from './kafka-errors.js';

/**
 * True for errors worth another attempt: kafkajs errors marked retriable (judged by their cause
 * when kafkajs wrapped them after its own retries ran out), and our errors marked retriable.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  if (classifyKafkaError(error) !== 'transient') return false;
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof SimstreamError) return current.retriable;
    const { name, retriable, cause, errors } = current as {
      name?: unknown;
      retriable?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof name !== 'string' || !name.startsWith('KafkaJS')) return false;
    if (Array.isArray(errors) && errors.length > 0) return errors.every(isRetriableKafkaError);
    if (retriable === true) return true;
    current = cause;
  }
  return false;
}

export interface KafkaRetryOptions {
  /** What is being done, for the log line of each retry (e.g. "reading offsets of t"). */
  readonly what: string;
  readonly logger?: Logger;
  /** Attempts after the first; the default (12) waits up to about 40 s in all. */
  readonly retries?: number;
  readonly signal?: AbortSignal;
}

/** Backoff of start-up retries: 100 ms doubling, capped at 5 s, full jitter. */
export const KAFKA_STARTUP_BACKOFF = { retries: 12, baseMs: 100, maxMs: 5000 } as const;

/** Runs `fn`, retrying retriable Kafka errors with backoff; other errors are thrown at once. */
export function retryKafka<T>(fn: () => Promise<T>, options: KafkaRetryOptions): Promise<T> {
  return retry(() => fn(), {
    retries: options.retries ?? KAFKA_STARTUP_BACKOFF.retries,
    baseMs: KAFKA_STARTUP_BACKOFF.baseMs,
    maxMs: KAFKA_STARTUP_BACKOFF.maxMs,
    isRetriable: isRetriableKafkaError,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onRetry: (error, attempt, delayMs) =>
      options.logger?.[attempt > 3 ? 'warn' : 'debug'](
        { err: messageOf(error), attempt, delayMs },
        `${options.what}: retrying`,
      ),
  });
}
