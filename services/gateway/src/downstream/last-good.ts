/**
 * The last good answer per key, kept for a while so that reads can degrade gracefully while a
 * downstream is failing (served with their age, never silently). Bounded: oldest entries go.
 */
import { isRetriable } from '@simstream/errors';

export interface Answer<T> {
  readonly value: T;
  /** Set when served from the cache because the downstream failed: how old it is. */
  readonly staleMs?: number;
}

export class LastGood<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `fetch()`, remembering its answer; when it fails with a retriable error (dependency down,
   * breaker open, timeout) and an answer younger than the TTL exists, that answer instead.
   */
  async get(key: string, fetch: () => Promise<T>, onFallback?: () => void): Promise<Answer<T>> {
    try {
      const value = await fetch();
      this.entries.delete(key);
      this.entries.set(key, { value, at: this.now() });
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      return { value };
    } catch (error) {
      const entry = this.entries.get(key);
      const age = entry === undefined ? Infinity : this.now() - entry.at;
      if (!isRetriable(error) || entry === undefined || age > this.ttlMs) throw error;
      onFallback?.();
      return { value: entry.value, staleMs: age };
    }
  }

  /** Forgets entries whose key starts with `prefix` (e.g. after a NOT_FOUND). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
