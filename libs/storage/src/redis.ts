/**
 * Redis clients that fail fast when Redis is down (no offline queue, few retries per
 * command), because callers treat Redis as a cache: a miss, not an outage. They reconnect in
 * the background.
 */
import { Redis } from 'ioredis';

export type { Redis };

export interface RedisOptions {
  readonly url: string;
  /** Per-command timeout. */
  readonly commandTimeoutMs?: number;
}

export function createRedis(options: RedisOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(2000, 100 * 2 ** Math.min(times, 5)),
  });
  // Errors surface on commands; the connection's own errors are reconnected, not thrown.
  client.on('error', () => undefined);
  return client;
}
