import { describe, expect, it } from 'vitest';
import { BucketTracker, type BucketStore } from './bucket-state.js';

function memoryStore(): BucketStore & { rows: Map<string, number>; loads: number } {
  const rows = new Map<string, number>();
  return {
    rows,
    loads: 0,
    load(id) {
      this.loads++;
      return Promise.resolve(rows.get(id));
    },
    save(id, step) {
      rows.set(id, Math.max(rows.get(id) ?? -Infinity, step));
      return Promise.resolve();
    },
  };
}

describe('BucketTracker', () => {
  it('loads once, records durably, and reloads after a rebalance', async () => {
    const store = memoryStore();
    store.rows.set('a', 20);
    const tracker = new BucketTracker(store);
    expect(await tracker.lastEmitted('a')).toBe(20);
    expect(await tracker.lastEmitted('a')).toBe(20);
    expect(await tracker.lastEmitted('b')).toBe(-Infinity);
    expect(store.loads).toBe(2);
    await tracker.markEmitted('b', 30);
    expect(store.rows.get('b')).toBe(30);
    expect(await tracker.lastEmitted('b')).toBe(30);
    // Another pod recorded more meanwhile: a rebalance makes us read it.
    store.rows.set('a', 40);
    expect(await tracker.lastEmitted('a')).toBe(20);
    tracker.forget();
    expect(await tracker.lastEmitted('a')).toBe(40);
  });

  it('never moves backwards', async () => {
    const store = memoryStore();
    const tracker = new BucketTracker(store);
    await tracker.markEmitted('a', 50);
    await tracker.markEmitted('a', 10);
    expect(await tracker.lastEmitted('a')).toBe(50);
    expect(store.rows.get('a')).toBe(50);
  });
});
