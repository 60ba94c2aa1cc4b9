import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Frame, QuantumResult } from '@simstream/contracts';
import { createLogger, createMetricsRegistry } from '@simstream/observability';
import { BucketTracker, type BucketStore } from './bucket-state.js';
import { handleFrame, type FrameDeps } from './frame-results.js';
import { QuantumMetrics } from './metrics.js';
import { SolutionCache, type CacheStore } from './solution-cache.js';
import { SolverSlots } from './solver-slots.js';

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
const slots = new SolverSlots(1);
afterAll(() => slots.close());

/** A 32×32 float32 field with a bump whose place depends on `seed`. */
function frame(simulationId: string, step: number, seed = step, tenant = 't1'): Frame {
  const data = new Float32Array(32 * 32);
  const cx = 4 + (seed % 24);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) data[y * 32 + x] = Math.exp(-((x - cx) ** 2 + (y - 10) ** 2) / 30);
  return {
    frameId: `${simulationId}-${step}`,
    simulationId,
    step,
    simTime: step,
    fields: [{ name: 'u', dtype: 'float32', shape: [32, 32], codec: 'none', data: Buffer.from(data.buffer) }],
    attributes: {},
    ingestedAt: Date.now(),
    tenant,
  };
}

function setup(rows = new Map<string, number>(), data = new Map<string, string>()) {
  const store: BucketStore = {
    load: (id) => Promise.resolve(rows.get(id)),
    save: (id, step) => (rows.set(id, Math.max(rows.get(id) ?? -Infinity, step)), Promise.resolve()),
  };
  const cacheStore: CacheStore = {
    get: (k) => Promise.resolve(data.get(k) ?? null),
    set: (k, v) => (data.set(k, v), Promise.resolve('OK')),
  };
  const registry = createMetricsRegistry({ service: 'test', defaultMetrics: false });
  const metrics = new QuantumMetrics(registry);
  const published: QuantumResult[] = [];
  const deps: FrameDeps = {
    settings: {
      everyK: 10,
      partition: { field: undefined, blocksPerSide: 8, activityWeight: 0.8, balanceTolerance: 0.02 },
      solver: 'sa',
      reads: 8,
      sweeps: 300,
      timeLimitMs: 60_000,
    },
    buckets: new BucketTracker(store),
    slots,
    metrics,
    logger,
    cache: new SolutionCache(cacheStore, { ttlMs: 60_000, timeoutMs: 5000, logger }),
    publish: (r) => (published.push(r), Promise.resolve()),
  };
  return { deps, published, rows, data, metrics };
}

/** A result without what may differ between two solves of the same problem. */
function content(r: QuantumResult) {
  const { producedAt: _p, totalMs: _t, timeToBestMs: _b, cached: _c, ...rest } = r;
  return rest;
}

describe('handleFrame', () => {
  it('publishes one result per K-step bucket, for the first frame of each, and records the bucket', async () => {
    const { deps, published, rows, metrics } = setup();
    for (const step of [0, 3, 9, 10, 15, 27, 29, 31, 3]) await handleFrame(deps, frame('sim-a', step));
    expect(published.map((r) => [r.step, r.bucketStep])).toEqual([
      [0, 0],
      [10, 10],
      [27, 20],
      [31, 30],
    ]);
    expect(rows.get('sim-a')).toBe(30);
    const r = published[0]!;
    expect(r).toMatchObject({
      source: 'frame',
      problemKind: 'partition',
      variables: 64,
      solver: 'sa',
      cached: false,
    });
    expect(r.solution).toHaveLength(64);
    expect(r.solution[0]).toBe(0);
    expect(r.imbalance).toBeGreaterThanOrEqual(0);
    expect(r.imbalance).toBeLessThan(0.1);
    expect(r.cut).toBeGreaterThan(0);
    expect(r.stoppedBy).toBe('completed');
    expect(
      (await metrics.framesSkipped.get()).values.find((v) => v.labels.reason === 'bucket_done')?.value,
    ).toBe(5);
  });

  it('gives the same answer when a bucket is solved again after a restart (no cache)', async () => {
    const first = setup();
    await handleFrame(first.deps, frame('sim-b', 40));
    const again = setup(); // fresh memory, fresh store, empty cache: the replay window
    await handleFrame(again.deps, frame('sim-b', 40));
    expect(content(again.published[0]!)).toEqual(content(first.published[0]!));
  });

  it('serves identical data of another simulation of the tenant from the cache', async () => {
    const { deps, published } = setup();
    await handleFrame(deps, frame('sim-c', 0, 7));
    await handleFrame(deps, frame('sim-d', 0, 7));
    await handleFrame(deps, frame('sim-e', 0, 7, 't2'));
    expect(published.map((r) => r.cached)).toEqual([false, true, false]);
    expect(published[1]!.problemHash).toBe(published[0]!.problemHash);
    expect(published[1]!.solution.equals(published[0]!.solution)).toBe(true);
    expect(published[1]!.simulationId).toBe('sim-d');
  });

  it('skips frames it cannot partition, counted by reason, and takes a later frame of the bucket', async () => {
    const { deps, published, metrics } = setup();
    const tiny = {
      ...frame('sim-f', 0),
      fields: [
        { name: 'u', dtype: 'float32' as const, shape: [1], codec: 'none' as const, data: Buffer.alloc(4) },
      ],
    };
    expect(await handleFrame(deps, tiny)).toBe('skipped');
    expect(await handleFrame(deps, frame('sim-f', 1))).toBe('published');
    expect(published.map((r) => r.bucketStep)).toEqual([0]);
    expect(
      (await metrics.framesSkipped.get()).values.find((v) => v.labels.reason === 'GRID_TOO_SMALL')?.value,
    ).toBe(1);
  });
});
