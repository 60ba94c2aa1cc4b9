/**
 * Two cache levels in front of Postgres: an in-process LRU (L1, bounded by the JSON size of
 * its entries) and Redis (L2, shared by all instances, with a TTL). Keys carry the
 * simulation's version, so nothing is ever invalidated: new data makes old keys unreachable.
 * L2 failures are misses (counted), never errors. Concurrent misses of one key share one load.
 */
import { LRUCache } from 'lru-cache';
import type { CacheLevel } from '../metrics.js';

/** The shared level (Redis behind a breaker in the service; anything with get/set in tests). */
export interface SharedCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export type CacheOutcome = 'hit' | 'miss' | 'error';

export interface ResultCacheOptions {
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly shared?: SharedCache;
  readonly onLookup?: (level: CacheLevel, outcome: CacheOutcome) => void;
}

interface Stored {
  readonly value: unknown;
  readonly bytes: number;
}

export class ResultCache {
  private readonly local: LRUCache<string, Stored>;
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ResultCacheOptions) {
    this.local = new LRUCache<string, Stored>({
      maxSize: options.maxBytes,
      sizeCalculation: (s) => Math.max(1, s.bytes),
      ttl: options.ttlMs,
    });
  }

  /** The value under `key` from L1, else L2, else `load` (then stored in both). */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.local.get(key);
    if (hit !== undefined) {
      this.options.onLookup?.('l1', 'hit');
      return hit.value as T;
    }
    this.options.onLookup?.('l1', 'miss');
    let pending = this.loading.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = this.fill(key, load).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async fill<T>(key: string, load: () => Promise<T>): Promise<T> {
    const shared = this.options.shared;
    if (shared !== undefined) {
      try {
        const text = await shared.get(key);
        if (text !== null) {
          this.options.onLookup?.('l2', 'hit');
          const value = JSON.parse(text) as T;
          this.local.set(key, { value, bytes: text.length });
          return value;
        }
        this.options.onLookup?.('l2', 'miss');
      } catch {
        this.options.onLookup?.('l2', 'error');
      }
    }
    const value = await load();
    const text = JSON.stringify(value);
    this.local.set(key, { value, bytes: text.length });
    // Not awaited: the caller has its answer; a failed L2 write only costs a later miss.
    shared?.set(key, text, this.options.ttlMs).catch(() => this.options.onLookup?.('l2', 'error'));
    return value;
  }
}
