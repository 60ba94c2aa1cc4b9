/**
 * Retries with exponential backoff, full jitter and a cap, for retriable errors only
 * (programmer errors and bad input fail at once). Honours an AbortSignal.
 */
import { CancelledError, isRetriable } from '@simstream/errors';

export interface RetryOptions {
  readonly retries: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly signal?: AbortSignal;
  readonly isRetriable?: (error: unknown) => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

/**
 * Half of the exponential delay fixed, half random ("equal jitter"): never much sooner than the
 * schedule, for a retry against a server that is still busy with the previous attempt (e.g. a
 * Kafka write during an outage), while retries of many writers still spread out.
 */
export function equalJitterBackoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retriable = options.isRetriable ?? isRetriable;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.retries || !retriable(error)) throw error;
      const delay = backoffMs(attempt, options.baseMs ?? 100, options.maxMs ?? 5000);
      options.onRetry?.(error, attempt + 1, delay);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delay);
        options.signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new CancelledError())), {
          once: true,
        });
      });
    }
  }
}
