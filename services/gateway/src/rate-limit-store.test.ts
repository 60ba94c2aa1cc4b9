import { describe, expect, it } from 'vitest';
import { UnavailableError } from '@simstream/errors';
import type { Redis } from '@simstream/storage';
import {
  MemoryWindows,
  failoverRateStore,
  type RateLimitMode,
  type WindowCount,
} from './rate-limit-store.js';

/** Stands in for ioredis at its interface: a defined command counting in a map, or failing. */
function fakeRedis() {
  const counts = new Map<string, number>();
  const state = { down: false };
  const client = {
    defineCommand(name: string) {
      (client as Record<string, unknown>)[name] = (key: string, windowMs: number) => {
        if (state.down) return Promise.reject(new UnavailableError('redis', 'connection refused'));
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return Promise.resolve([counts.get(key), windowMs]);
      };
    },
  };
  return { client: client as unknown as Redis, counts, state };
}

function incr(
  store: { incr: (k: string, cb: (e: Error | null, r?: WindowCount) => void, w: number) => void },
  key: string,
) {
  return new Promise<WindowCount>((resolve, reject) =>
    store.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), 60_000),
  );
}

describe('rate limit store', () => {
  it('counts fixed windows in memory', () => {
    let now = 0;
    const windows = new MemoryWindows(2, () => now);
    expect(windows.incr('a', 1000)).toEqual({ current: 1, ttl: 1000 });
    now = 400;
    expect(windows.incr('a', 1000)).toEqual({ current: 2, ttl: 600 });
    now = 1000;
    expect(windows.incr('a', 1000)).toEqual({ current: 1, ttl: 1000 });
    windows.incr('b', 1000);
    windows.incr('c', 1000); // evicts the oldest key
    expect(windows.incr('a', 1000).current).toBe(1);
  });

  it('counts in Redis, falls back to memory while Redis fails, and returns to Redis', async () => {
    const redis = fakeRedis();
    const modes: RateLimitMode[] = [];
    const Store = failoverRateStore({
      redis: redis.client,
      guard: (fn) => fn(),
      prefix: 'p:',
      onMode: (m) => modes.push(m),
    });
    const store = new Store();
    expect(store.child()).toBe(store);
    expect((await incr(store, 'key:1')).current).toBe(1);
    expect((await incr(store, 'key:1')).current).toBe(2);
    expect(redis.counts.get('p:key:1')).toBe(2);
    redis.state.down = true;
    expect((await incr(store, 'key:1')).current).toBe(1); // memory starts its own window
    expect((await incr(store, 'key:1')).current).toBe(2);
    redis.state.down = false;
    expect((await incr(store, 'key:1')).current).toBe(3);
    expect(modes).toEqual(['redis', 'memory', 'redis']);
  });
});
