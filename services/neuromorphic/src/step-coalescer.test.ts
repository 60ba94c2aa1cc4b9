import { describe, expect, it } from 'vitest';
import { initCompute } from '@simstream/compute';
import { createDetector, type StreamInput, type StreamResult } from '@simstream/neuro';
import type { StreamDetector } from './detector-bank.js';
import { PAD_STREAM, StepCoalescer } from './step-coalescer.js';

/** Records every op; the result of a stream carries its position in the op. */
class RecordingDetector implements StreamDetector {
  readonly configHash = 'recording';
  readonly backend = { name: 'fake' };
  readonly ops: string[][] = [];
  failNext = false;
  constructor(readonly config = { featureDim: 2 }) {}
  step(batch: readonly StreamInput[]): StreamResult[] {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('boom');
    }
    this.ops.push(batch.map((x) => x.streamId));
    return batch.map((x, i) => ({
      streamId: x.streamId,
      anomalyScore: 0,
      likelihood: 0,
      alarm: false,
      rawScore: i,
      prediction: Float32Array.from(x.features),
      spikeRate: 0,
      patternId: 0,
      novelty: 0,
    }));
  }
  exportState(): Uint8Array {
    return new Uint8Array();
  }
  importState(): void {}
  dropStream(): boolean {
    return true;
  }
  dispose(): void {}
}

const input = (streamId: string, v = 1): StreamInput => ({ streamId, features: Float64Array.of(v, v) });

/** A coalescer flushed by hand. */
function manual(): { coalescer: StepCoalescer; flush: () => void } {
  let pending: (() => void) | undefined;
  const coalescer = new StepCoalescer({ schedule: (f) => (pending = f) });
  return {
    coalescer,
    flush: () => {
      const f = pending;
      pending = undefined;
      f?.();
    },
  };
}

describe('StepCoalescer', () => {
  it('runs the requests made together as one op per detector, and gives each its own results', async () => {
    const { coalescer, flush } = manual();
    const d1 = new RecordingDetector();
    const d2 = new RecordingDetector({ featureDim: 3 });
    const a = coalescer.step(d1, [input('a', 1), input('b', 2)]);
    const b = coalescer.step(d1, [input('c', 3)]);
    const c = coalescer.step(d2, [input('x'), input('y')]);
    flush();
    expect(d1.ops).toEqual([['a', 'b', 'c']]);
    expect(d2.ops).toEqual([['x', 'y']]);
    const [ra, rb] = await Promise.all([a, b, c]);
    expect(ra.results.map((r) => [r.streamId, r.rawScore])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(rb.results.map((r) => [r.streamId, r.prediction[0]])).toEqual([['c', 3]]);
    expect(rb.streams).toBe(3);
  });

  it('never steps a stream alone: a lone stream gets the padding stream beside it', async () => {
    const { coalescer, flush } = manual();
    const d = new RecordingDetector();
    const p = coalescer.step(d, [input('solo')]);
    flush();
    expect(d.ops).toEqual([['solo', PAD_STREAM]]);
    const outcome = await p;
    expect(outcome.results.map((r) => r.streamId)).toEqual(['solo']);
    expect(outcome.streams).toBe(2);
  });

  it('defers a request that repeats a stream already in the op to the next op', async () => {
    const { coalescer, flush } = manual();
    const d = new RecordingDetector();
    const first = coalescer.step(d, [input('a'), input('b')]);
    const second = coalescer.step(d, [input('b'), input('c')]);
    const third = coalescer.step(d, [input('d')]);
    flush();
    expect(d.ops).toEqual([['a', 'b', 'd']]);
    flush();
    expect(d.ops).toEqual([
      ['a', 'b', 'd'],
      ['b', 'c'],
    ]);
    await Promise.all([first, second, third]);
  });

  it('rejects every request of a failed op, and keeps serving afterwards', async () => {
    const { coalescer, flush } = manual();
    const d = new RecordingDetector();
    d.failNext = true;
    const a = coalescer.step(d, [input('a')]);
    const b = coalescer.step(d, [input('b')]);
    flush();
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    const c = coalescer.step(d, [input('c')]);
    flush();
    await expect(c).resolves.toMatchObject({ streams: 2 });
  });

  it('flushes by itself on the next turn of the event loop', async () => {
    const d = new RecordingDetector();
    const coalescer = new StepCoalescer();
    const [a, b] = await Promise.all([coalescer.step(d, [input('a')]), coalescer.step(d, [input('b')])]);
    expect(d.ops).toEqual([['a', 'b']]);
    expect(a.stepMs).toBe(b.stepMs);
  });

  it('makes the real detector give a stream the same bits alone (padded) as in any company', async () => {
    await initCompute({ backend: 'wasm' });
    // The service's own shape for two fields (the lone-stream kernels differ at this size).
    const options = { featureDim: 19 };
    const alone = await createDetector(options);
    const together = await createDetector(options);
    const coalescer = new StepCoalescer();
    const signal = (s: number, t: number) =>
      Float64Array.from(
        { length: 19 },
        (_, j) => Math.sin(t / (j + 2) + s) * (j + 1) + (t % 7 === 0 ? 3 : 0),
      );
    for (let t = 0; t < 25; t++) {
      const [solo] = (await coalescer.step(alone, [{ streamId: 'a', features: signal(0, t) }])).results;
      // In company that changes with t: 1 to 5 other streams, 'a' at varying positions.
      const others = Array.from({ length: 1 + (t % 5) }, (_, i) => ({
        streamId: `o${i}`,
        features: signal(i + 1, t),
      }));
      const batch = [
        ...others.slice(0, t % 3),
        { streamId: 'a', features: signal(0, t) },
        ...others.slice(t % 3),
      ];
      const mixed = (await coalescer.step(together, batch)).results.find((r) => r.streamId === 'a')!;
      expect([
        mixed.anomalyScore,
        mixed.rawScore,
        mixed.spikeRate,
        mixed.patternId,
        ...mixed.prediction,
      ]).toEqual([solo!.anomalyScore, solo!.rawScore, solo!.spikeRate, solo!.patternId, ...solo!.prediction]);
    }
    alone.dispose();
    together.dispose();
  });
});
