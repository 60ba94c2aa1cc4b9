import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  RecordName,
  schemaRegistry,
  type Frame,
  type FrameField,
  type NeuromorphicResult,
} from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import type { ConsumedRecord, OutRecord } from '@simstream/kafka';
import type { StreamInput, StreamResult } from '@simstream/neuro';
import { Registry, createLogger } from '@simstream/observability';
import type { Checkpoint, CheckpointStore } from './checkpoint-store.js';
import { DetectorBank, type StreamDetector } from './detector-bank.js';
import { CheckpointError } from './errors.js';
import { FrameAnalyzer } from './frame-analyzer.js';
import { NeuroMetrics } from './metrics.js';
import { StepCoalescer } from './step-coalescer.js';

/** Deterministic per stream: state = [frames seen, running sum of the first feature]. */
class FakeDetector implements StreamDetector {
  readonly backend = { name: 'fake' };
  readonly configHash: string;
  readonly ops: string[][] = [];
  readonly states = new Map<string, Float64Array>();
  constructor(readonly config: { featureDim: number }) {
    this.configHash = `fake${config.featureDim}`;
  }
  step(batch: readonly StreamInput[]): StreamResult[] {
    this.ops.push(batch.map((x) => x.streamId));
    return batch.map((x) => {
      const s = this.states.get(x.streamId) ?? new Float64Array(2);
      this.states.set(x.streamId, s);
      s[0]! += 1;
      s[1]! += x.features[0]!;
      return {
        streamId: x.streamId,
        anomalyScore: (s[1]! % 100) / 100,
        likelihood: 0,
        alarm: false,
        rawScore: s[0]!,
        prediction: Float32Array.of(s[1]!),
        spikeRate: 0.25,
        patternId: s[0]! % 3,
        novelty: 0.5,
      };
    });
  }
  exportState(id: string): Uint8Array {
    return new Uint8Array(Float64Array.from(this.states.get(id)!).buffer);
  }
  importState(id: string, bytes: Uint8Array): void {
    this.states.set(id, new Float64Array(Uint8Array.from(bytes).buffer));
  }
  dropStream(id: string): boolean {
    return this.states.delete(id);
  }
  dispose(): void {}
}

class MemoryStore implements CheckpointStore {
  readonly rows = new Map<string, Checkpoint>();
  failSaves = 0;
  load(ids: readonly string[]): Promise<Map<string, Checkpoint>> {
    return Promise.resolve(
      new Map(ids.flatMap((id) => (this.rows.has(id) ? [[id, this.rows.get(id)!]] : []))),
    );
  }
  save(checkpoints: readonly Checkpoint[]): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves--;
      return Promise.reject(new CheckpointError('database down'));
    }
    for (const c of checkpoints)
      if ((this.rows.get(c.simulationId)?.step ?? -1) <= c.step) this.rows.set(c.simulationId, c);
    return Promise.resolve();
  }
}

class MemorySink {
  readonly published: NeuromorphicResult[] = [];
  failures: Error[] = [];
  gate: Promise<void> | undefined;
  private readonly avro = schemaRegistry();
  async send(records: readonly OutRecord[]): Promise<void> {
    await this.gate;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    for (const r of records) this.published.push(this.avro.decode<NeuromorphicResult>(r.value).value);
  }
}

const f32 = (name: string, values: number[]): FrameField => ({
  name,
  dtype: 'float32',
  shape: [values.length],
  codec: 'none',
  data: Buffer.from(Float32Array.from(values).buffer),
});

interface RecordOptions {
  readonly partition?: number;
  readonly fields?: FrameField[];
  readonly tenant?: string;
}

/** Frame `step` of `sim` at `offset`; its first feature (u.mean) is the step. */
function rec(sim: string, step: number, offset: number, o: RecordOptions = {}): ConsumedRecord {
  const frame: Frame = {
    frameId: `${sim}-${step}`,
    simulationId: sim,
    step,
    simTime: step / 10,
    fields: o.fields ?? [f32('u', [step, step]), f32('v', [1, 2, 3])],
    attributes: {},
    ingestedAt: 0,
    tenant: o.tenant ?? 'default',
  };
  const base = { topic: 'frames', partition: o.partition ?? 0, key: sim, timestamp: 0, bytes: 1 };
  return { ...base, offset, firstOffset: offset, name: RecordName.Frame, value: frame };
}

const ctx = (partition = 0) => ({ topic: 'frames', partition });
const quiet = createLogger({
  service: 'test',
  level: 'error',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

function setup(
  o: { store?: MemoryStore; every?: number; tenants?: Set<string>; clock?: { now: number } } = {},
) {
  const detectors = new Map<number, FakeDetector>();
  const bank = new DetectorBank((dim) => {
    const d = new FakeDetector({ featureDim: dim });
    detectors.set(dim, d);
    return Promise.resolve(d);
  });
  const store = o.store ?? new MemoryStore();
  const sink = new MemorySink();
  const metrics = new NeuroMetrics(new Registry());
  const clock = o.clock ?? { now: 0 };
  const analyzer = new FrameAnalyzer({
    bank,
    coalescer: new StepCoalescer(),
    store,
    sink,
    registry: schemaRegistry(),
    resultsTopic: 'results',
    metrics,
    logger: quiet,
    maxFields: 8,
    checkpointEvery: o.every ?? 3,
    checkpointIntervalMs: 1000,
    idleTimeoutMs: 5000,
    tenants: o.tenants,
    now: () => clock.now,
  });
  /** The detector for frames of two fields (the default records). */
  const detector = () => detectors.get(19)!;
  return { analyzer, store, sink, metrics, detectors, detector, clock };
}

const value = async (c: { get(): Promise<{ values: { value: number; labels: object }[] }> }, labels = {}) =>
  (await c.get()).values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
const deterministic = (r: NeuromorphicResult) => [
  r.anomalyScore,
  r.rawScore,
  r.patternId,
  r.prediction,
  r.features,
];
const steps = (rs: NeuromorphicResult[], sim: string) =>
  rs.filter((r) => r.simulationId === sim).map((r) => r.step);

describe('FrameAnalyzer: one result per frame, in order, batched', () => {
  it('steps round by round (one op serves every simulation) and publishes one result per frame', async () => {
    const { analyzer, sink, detector, metrics } = setup({ every: 100 });
    const batch = [
      rec('a', 0, 0),
      rec('b', 5, 1),
      rec('a', 1, 2),
      rec('c', 0, 3),
      rec('b', 6, 4),
      rec('a', 2, 5),
    ];
    await analyzer.handle(batch, ctx());
    expect(detector().ops).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b'],
      ['a', '\u0000pad'],
    ]);
    expect(steps(sink.published, 'a')).toEqual([0, 1, 2]);
    expect(steps(sink.published, 'b')).toEqual([5, 6]);
    expect(sink.published.filter((r) => r.simulationId === 'a').map((r) => r.rawScore)).toEqual([1, 2, 3]);
    const first = sink.published[0]!;
    expect(first).toMatchObject({ simulationId: 'a', step: 0, simTime: 0, backend: 'fake', model: 'fake19' });
    expect(first.featureNames).toHaveLength(19);
    expect(first.features).toHaveLength(19);
    expect(first.processingMs).toBeGreaterThanOrEqual(0);
    expect(await value(metrics.framesProcessed)).toBe(6);
    expect(await value(metrics.resultsPublished)).toBe(6);
    expect(analyzer.simulations).toBe(3);
  });

  it('merges the rounds of partitions handled at the same time into the same ops', async () => {
    const { analyzer, detector } = setup();
    await Promise.all([
      analyzer.handle([rec('a', 0, 0), rec('a', 1, 1)], ctx(0)),
      analyzer.handle([rec('b', 0, 0, { partition: 1 }), rec('b', 1, 1, { partition: 1 })], ctx(1)),
    ]);
    expect(detector().ops).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('skips a replayed frame (step ≤ last stepped): no result, no state change', async () => {
    const { analyzer, sink, detector, metrics } = setup({ every: 100 });
    await analyzer.handle([rec('a', 0, 0), rec('a', 1, 1)], ctx());
    await analyzer.handle([rec('a', 0, 0), rec('a', 1, 1), rec('a', 2, 2)], ctx());
    expect(steps(sink.published, 'a')).toEqual([0, 1, 2]);
    expect(detector().ops).toHaveLength(3);
    expect(await value(metrics.framesSkipped, { reason: 'replay' })).toBe(2);
  });

  it('keeps results Kafka did not take, sends them on the re-read, and does not step again', async () => {
    const { analyzer, sink, detector } = setup({ every: 100 });
    sink.failures.push(new Error('topic authorization failed'));
    const batch = [rec('a', 0, 0), rec('b', 0, 1)];
    // A permanent refusal becomes retriable: the partition pauses instead of dead-lettering frames.
    await expect(analyzer.handle(batch, ctx())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
    expect(sink.published).toHaveLength(0);
    await analyzer.handle(batch, ctx());
    expect(sink.published.map((r) => [r.simulationId, r.step])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    expect(detector().ops).toHaveLength(1);
  });

  it('serves only the configured tenants', async () => {
    const { analyzer, sink, metrics } = setup({ tenants: new Set(['t1']) });
    await analyzer.handle([rec('a', 0, 0, { tenant: 't1' }), rec('b', 0, 1, { tenant: 't2' })], ctx());
    expect(sink.published.map((r) => r.simulationId)).toEqual(['a']);
    expect(analyzer.simulations).toBe(1);
    expect(await value(metrics.framesSkipped, { reason: 'tenant' })).toBe(1);
  });

  it('starts a fresh state when the field set changes (another length, or other names)', async () => {
    const { analyzer, sink, detectors } = setup();
    const one = [f32('u', [5])];
    await analyzer.handle(
      [
        rec('a', 0, 0, { fields: one }),
        rec('a', 1, 1, { fields: one }),
        rec('a', 2, 2), // u, v: 19 features
        rec('a', 3, 3, { fields: [f32('u', [3]), f32('w', [1])] }), // 19 features, other names
      ],
      ctx(),
    );
    expect(sink.published.map((r) => r.rawScore)).toEqual([1, 2, 1, 1]);
    expect(detectors.get(10)!.states.has('a')).toBe(false);
    expect(sink.published[3]!.featureNames).toContain('w.mean');
  });

  it('refuses a record that is not a Frame before touching any state', async () => {
    const { analyzer, sink } = setup();
    const odd = { ...rec('a', 1, 1), name: RecordName.Progress };
    await expect(analyzer.handle([rec('a', 0, 0), odd], ctx())).rejects.toMatchObject({
      code: 'NEURO_UNEXPECTED_RECORD',
      retriable: false,
    });
    await analyzer.handle([rec('a', 0, 0)], ctx());
    expect(sink.published.map((r) => r.rawScore)).toEqual([1]);
  });
});

describe('FrameAnalyzer: checkpoints, restarts, rebalances', () => {
  it('checkpoints every N frames and holds the commit floor at the first frame a checkpoint does not cover', async () => {
    const { analyzer, store } = setup({ every: 3 });
    await analyzer.handle([rec('a', 0, 10), rec('a', 1, 11)], ctx());
    expect(store.rows.size).toBe(0);
    expect(analyzer.commitFloor('frames', 0)).toBe(10);
    await analyzer.handle([rec('a', 2, 12), rec('a', 3, 13)], ctx());
    expect(store.rows.get('a')).toMatchObject({ step: 3, model: expect.stringMatching(/^fake19\./) });
    expect(analyzer.commitFloor('frames', 0)).toBeUndefined();
    await analyzer.handle([rec('a', 4, 14)], ctx());
    expect(analyzer.commitFloor('frames', 0)).toBe(14);
    expect(analyzer.commitFloor('frames', 5)).toBeUndefined();
  });

  it('after a crash resumes from the checkpoint: covered frames skipped, the rest re-stepped to the same results', async () => {
    const store = new MemoryStore();
    const first = setup({ store, every: 3 });
    await first.analyzer.handle(
      [0, 1, 2, 3].map((s) => rec('a', s, 10 + s)),
      ctx(),
    );
    await first.analyzer.handle([rec('a', 4, 14)], ctx()); // published, not checkpointed; then kill -9
    expect(store.rows.get('a')?.step).toBe(3);

    const second = setup({ store, every: 3 });
    // The consumer re-reads from the committed offset (≤ the floor, 14): here from 12.
    await second.analyzer.handle(
      [2, 3, 4, 5].map((s) => rec('a', s, 10 + s)),
      ctx(),
    );
    expect(steps(second.sink.published, 'a')).toEqual([4, 5]);
    expect(await value(second.metrics.checkpointsLoaded, { outcome: 'restored' })).toBe(1);

    const uninterrupted = setup({ every: 3 });
    await uninterrupted.analyzer.handle(
      [0, 1, 2, 3, 4, 5].map((s) => rec('a', s, 10 + s)),
      ctx(),
    );
    const expected = uninterrupted.sink.published.slice(4).map(deterministic);
    expect(second.sink.published.map(deterministic)).toEqual(expected);
    expect(deterministic(first.sink.published[4]!)).toEqual(expected[0]);
  });

  it('keeps a checkpoint of another model or field set out, but still skips the steps it covers', async () => {
    const store = new MemoryStore();
    store.rows.set('z', { simulationId: 'z', step: 5, model: 'other.0', state: new Uint8Array(16) });
    const { analyzer, sink, metrics } = setup({ store });
    await analyzer.handle(
      [4, 5, 6, 7].map((s) => rec('z', s, s)),
      ctx(),
    );
    expect(sink.published.map((r) => [r.step, r.rawScore])).toEqual([
      [6, 1],
      [7, 2],
    ]);
    expect(await value(metrics.checkpointsLoaded, { outcome: 'mismatch' })).toBe(1);
  });

  it('pauses on a checkpoint it cannot write (retriable), without losing or doubling results', async () => {
    const { analyzer, store, sink } = setup({ every: 3 });
    store.failSaves = 1;
    const batch = [0, 1, 2].map((s) => rec('a', s, 20 + s));
    const error = await analyzer.handle(batch, ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NEURO_CHECKPOINT_FAILED', retriable: true });
    expect(analyzer.commitFloor('frames', 0)).toBe(20);
    await analyzer.handle(batch, ctx());
    expect(steps(sink.published, 'a')).toEqual([0, 1, 2]);
    expect(store.rows.get('a')?.step).toBe(2);
    expect(analyzer.commitFloor('frames', 0)).toBeUndefined();
  });

  it('lets go of a revoked partition: checkpoints what is settled and drops the state', async () => {
    const { analyzer, store, detector } = setup({ every: 100 });
    await analyzer.handle([rec('a', 0, 0), rec('a', 1, 1)], ctx(0));
    await analyzer.handle([rec('b', 0, 0, { partition: 1 })], ctx(1));
    analyzer.onAssignment({ frames: [1] });
    await analyzer.shutdown(); // waits for the background write
    expect(store.rows.get('a')?.step).toBe(1);
    expect(detector().states.has('a')).toBe(false);
    expect(detector().states.has('b')).toBe(true);
    expect(analyzer.commitFloor('frames', 0)).toBeUndefined();
    expect(analyzer.simulations).toBe(1);
  });

  it('stops a batch whose partition is revoked while it is in hand, and forgets its state', async () => {
    const { analyzer, store, sink, detector } = setup({ every: 1 });
    let release: () => void = () => undefined;
    sink.gate = new Promise((resolve) => (release = resolve));
    const work = analyzer.handle([rec('a', 0, 0)], ctx());
    await new Promise((resolve) => setTimeout(resolve, 20)); // stepped, now publishing
    analyzer.onAssignment({ frames: [] });
    release();
    await expect(work).rejects.toMatchObject({ code: 'NEURO_PARTITION_REVOKED', retriable: true });
    expect(store.rows.size).toBe(0); // results were in flight: nothing may claim them covered
    expect(detector().states.has('a')).toBe(false);
  });

  it('does not let a batch whose partition left during its checkpoint write be committed', async () => {
    const { analyzer, store } = setup({ every: 1 });
    const save = store.save.bind(store);
    store.save = (checkpoints) => {
      analyzer.onAssignment({ frames: [] }); // the rebalance lands while the write is in flight
      return save(checkpoints);
    };
    await expect(analyzer.handle([rec('a', 0, 0)], ctx())).rejects.toMatchObject({
      code: 'NEURO_PARTITION_REVOKED',
    });
    expect(store.rows.get('a')?.step).toBe(0); // the write itself stands: its results are durable
  });

  it('checkpoints idle simulations after the interval, forgets them after the idle timeout', async () => {
    const clock = { now: 0 };
    const { analyzer, store, detector } = setup({ every: 100, clock });
    await analyzer.handle([rec('a', 0, 7)], ctx());
    await analyzer.sweep();
    expect(store.rows.size).toBe(0);
    clock.now = 1000;
    await analyzer.sweep();
    expect(store.rows.get('a')?.step).toBe(0);
    expect(analyzer.commitFloor('frames', 0)).toBeUndefined();
    clock.now = 5000;
    await analyzer.sweep();
    expect(analyzer.simulations).toBe(0);
    expect(detector().states.has('a')).toBe(false);
  });

  it('checkpoints everything settled at shutdown', async () => {
    const { analyzer, store } = setup({ every: 100 });
    await analyzer.handle([rec('a', 0, 0), rec('b', 3, 1)], ctx());
    await analyzer.shutdown();
    expect([...store.rows.values()].map((c) => [c.simulationId, c.step])).toEqual([
      ['a', 0],
      ['b', 3],
    ]);
  });

  it('treats an unavailable result topic as retriable as it is', async () => {
    const { analyzer, sink } = setup();
    const outage = new UnavailableError('kafka', 'no leader');
    sink.failures.push(outage);
    await expect(analyzer.handle([rec('a', 0, 0)], ctx())).rejects.toBe(outage);
  });
});
