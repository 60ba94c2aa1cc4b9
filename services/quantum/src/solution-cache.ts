/**
 * Solutions by cache key (problem hash + solver parameters) in Redis, behind a breaker: Redis
 * slow or down is a cache miss, never an error, and a write that fails is dropped.
 */
import type { Logger, Registry } from '@simstream/observability';
import { Breaker } from '@simstream/resilience';
import type { Outcome } from './outcome.js';
import { outcomeFromJson, outcomeToJson, type OutcomeJson } from './outcome-json.js';

export const CACHE_PREFIX = 'simstream:quantum:solution:';

/** What the cache needs from Redis (an ioredis client; a map in unit tests). */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
}

export interface CacheEvents {
  hit(): void;
  miss(): void;
  error(): void;
}

export class SolutionCache {
  private readonly breaker: Breaker<[() => Promise<unknown>], unknown>;

  constructor(
    private readonly store: CacheStore,
    private readonly options: {
      readonly ttlMs: number;
      readonly timeoutMs: number;
      readonly logger: Logger;
      readonly registry?: Registry;
      readonly events?: CacheEvents;
    },
  ) {
    const observe = {
      logger: options.logger,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    };
    this.breaker = new Breaker(
      'redis',
      (op: () => Promise<unknown>) => op(),
      { timeoutMs: options.timeoutMs },
      observe,
    );
  }

  /** True while reads are failing fast (for the readiness report, not for readiness). */
  get degraded(): boolean {
    return this.breaker.state === 'open';
  }

  async get(key: string): Promise<Outcome | undefined> {
    let text: string | null;
    try {
      text = (await this.breaker.call(() => this.store.get(CACHE_PREFIX + key))) as string | null;
    } catch (error) {
      this.options.events?.error();
      this.options.events?.miss();
      this.options.logger.debug({ err: error }, 'solution cache unavailable: miss');
      return undefined;
    }
    if (text === null) {
      this.options.events?.miss();
      return undefined;
    }
    try {
      const outcome = outcomeFromJson(JSON.parse(text) as OutcomeJson);
      this.options.events?.hit();
      return { ...outcome, cached: true };
    } catch {
      this.options.events?.miss();
      return undefined;
    }
  }

  /** Stores a finished solve; failures are logged and dropped (the cache is an optimisation). */
  async set(key: string, outcome: Outcome): Promise<void> {
    try {
      const value = JSON.stringify(outcomeToJson(outcome));
      await this.breaker.call(() => this.store.set(CACHE_PREFIX + key, value, 'PX', this.options.ttlMs));
    } catch (error) {
      this.options.events?.error();
      this.options.logger.debug({ err: error }, 'solution cache write dropped');
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
