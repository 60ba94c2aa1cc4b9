import { describe, expect, it } from 'vitest';
import { ResultCache, type SharedCache } from './result-cache.js';

class MapCache implements SharedCache {
  readonly map = new Map<string, string>();
  failing = false;
  get(key: string): Promise<string | null> {
    return this.failing ? Promise.reject(new Error('down')) : Promise.resolve(this.map.get(key) ?? null);
  }
  set(key: string, value: string): Promise<void> {
    if (this.failing) return Promise.reject(new Error('down'));
    this.map.set(key, value);
    return Promise.resolve();
  }
}

function setup(shared?: SharedCache) {
  const lookups: string[] = [];
  const cache = new ResultCache({
    maxBytes: 1000,
    ttlMs: 60_000,
    ...(shared === undefined ? {} : { shared }),
    onLookup: (level, outcome) => lookups.push(`${level}:${outcome}`),
  });
  return { cache, lookups };
}

describe('ResultCache', () => {
  it('loads once, then answers from L1; another instance answers from L2', async () => {
    const shared = new MapCache();
    const a = setup(shared);
    let loads = 0;
    const load = () => Promise.resolve({ n: ++loads });
    expect(await a.cache.get('k', load)).toEqual({ n: 1 });
    expect(await a.cache.get('k', load)).toEqual({ n: 1 });
    expect(a.lookups).toEqual(['l1:miss', 'l2:miss', 'l1:hit']);
    const b = setup(shared);
    expect(await b.cache.get('k', load)).toEqual({ n: 1 });
    expect(b.lookups).toEqual(['l1:miss', 'l2:hit']);
    expect(loads).toBe(1);
  });

  it('treats a failing L2 as a miss, never as an error', async () => {
    const shared = new MapCache();
    shared.failing = true;
    const { cache, lookups } = setup(shared);
    expect(await cache.get('k', () => Promise.resolve('v'))).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lookups).toEqual(['l1:miss', 'l2:error', 'l2:error']);
  });

  it('shares one load between concurrent misses of a key, and rethrows its failure to each', async () => {
    const { cache } = setup();
    let loads = 0;
    let release: (v: string) => void = () => undefined;
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const both = Promise.all([cache.get('k', load), cache.get('k', load)]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    release('v');
    expect(await both).toEqual(['v', 'v']);
    expect(loads).toBe(1);
    await expect(cache.get('x', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('x', () => Promise.resolve('ok'))).toBe('ok'); // failures are not cached
  });

  it('bounds L1 by the JSON size of its entries', async () => {
    const { cache, lookups } = setup();
    await cache.get('a', () => Promise.resolve('x'.repeat(600)));
    await cache.get('b', () => Promise.resolve('y'.repeat(600)));
    await cache.get('a', () => Promise.resolve('reloaded'));
    expect(lookups.filter((l) => l === 'l1:hit')).toEqual([]);
  });
});
