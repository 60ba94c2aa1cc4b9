import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@simstream/observability';
import type { Outcome } from './outcome.js';
import { CACHE_PREFIX, SolutionCache, type CacheStore } from './solution-cache.js';

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

const outcome: Outcome = {
  energy: -7,
  solution: Int8Array.from([1, -1, 1]),
  cut: 7,
  imbalance: null,
  reads: 4,
  sweeps: 1000,
  timeToBestMs: 1.5,
  totalMs: 3,
  solver: 'sa',
  backend: 'cpu',
  stoppedBy: 'completed',
  cached: false,
  problemHash: 'ab'.repeat(32),
};

function counting() {
  const counts = { hit: 0, miss: 0, error: 0 };
  return {
    counts,
    events: { hit: () => counts.hit++, miss: () => counts.miss++, error: () => counts.error++ },
  };
}

describe('SolutionCache', () => {
  it('round-trips an outcome, marked cached, with its TTL', async () => {
    const data = new Map<string, string>();
    const ttls: number[] = [];
    const store: CacheStore = {
      get: (k) => Promise.resolve(data.get(k) ?? null),
      set: (k, v, _mode, ttl) => {
        data.set(k, v);
        ttls.push(ttl);
        return Promise.resolve('OK');
      },
    };
    const { counts, events } = counting();
    const cache = new SolutionCache(store, { ttlMs: 60_000, timeoutMs: 500, logger, events });
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', outcome);
    expect([...data.keys()]).toEqual([`${CACHE_PREFIX}k`]);
    expect(ttls).toEqual([60_000]);
    const hit = await cache.get('k');
    expect(hit).toEqual({ ...outcome, cached: true });
    expect(hit?.solution).toBeInstanceOf(Int8Array);
    expect(counts).toEqual({ hit: 1, miss: 1, error: 0 });
    cache.shutdown();
  });

  it('treats a failing or hanging store as a miss, and drops writes', async () => {
    const store: CacheStore = {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      set: () => new Promise(() => undefined),
    };
    const { counts, events } = counting();
    const cache = new SolutionCache(store, { ttlMs: 1000, timeoutMs: 50, logger, events });
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', outcome);
    expect(counts).toEqual({ hit: 0, miss: 1, error: 2 });
    cache.shutdown();
  });
});
