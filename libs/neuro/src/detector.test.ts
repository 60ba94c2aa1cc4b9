import { describe, expect, it } from 'vitest';
import { initCompute, tf } from '@simstream/compute';
import { ValidationError } from '@simstream/errors';
import { type DetectorOptions, memberSeed, resolveConfig } from './config.js';
import { type StreamResult, createDetector } from './detector.js';
import { StateMismatchError } from './errors.js';

const SMALL: DetectorOptions = {
  featureDim: 2,
  neurons: 64,
  recurrentDegree: 8,
  readoutNeurons: 12,
  populationSize: 8,
  clusters: 6,
  likelihood: { learningPeriod: 10, estimationSamples: 10, historicWindow: 50, reestimationPeriod: 5 },
};

function signal(stream: number, t: number): Float32Array {
  return Float32Array.of(Math.sin(t / 7 + stream) * (stream + 1), 10 + Math.cos(t / 5) + (t === 60 ? 6 : 0));
}

const comparable = (r: StreamResult) => [
  r.anomalyScore,
  r.rawScore,
  r.spikeRate,
  r.patternId,
  r.novelty,
  ...r.prediction,
];

describe('spiking detector', () => {
  it.each(['cpu', 'wasm'] as const)('restores exported state bit-exactly on %s', async (backend) => {
    await initCompute({ backend });
    const a = await createDetector(SMALL);
    const uninterrupted: number[][] = [];
    let saved: Uint8Array | undefined;
    for (let t = 0; t < 80; t++) {
      if (t === 40) saved = a.exportState('s');
      const [r] = a.step([{ streamId: 's', features: signal(0, t) }]);
      if (t >= 40) uninterrupted.push(comparable(r!));
    }
    a.dispose();
    const b = await createDetector(SMALL);
    b.importState('s', saved!);
    const resumed: number[][] = [];
    for (let t = 40; t < 80; t++)
      resumed.push(comparable(b.step([{ streamId: 's', features: signal(0, t) }])[0]!));
    b.dispose();
    expect(resumed).toEqual(uninterrupted);
    // As a Node Buffer at an offset of a larger allocation (what a database driver hands back).
    const c = await createDetector(SMALL);
    c.importState('s', Buffer.concat([Buffer.alloc(20, 7), Buffer.from(saved!)]).subarray(20));
    const fromBuffer: number[][] = [];
    for (let t = 40; t < 80; t++)
      fromBuffer.push(comparable(c.step([{ streamId: 's', features: signal(0, t) }])[0]!));
    c.dispose();
    expect(fromBuffer).toEqual(uninterrupted);
  });

  it('runs an ensemble as its members would run alone, and restores it bit-exactly', async () => {
    await initCompute({ backend: 'wasm' });
    const options = { ...SMALL, featureDim: 1, ensemble: 3 };
    const ensemble = await createDetector(options);
    const config = resolveConfig(options);
    const alone = await Promise.all(
      [0, 1, 2].map((k) => createDetector({ ...options, ensemble: 1, seed: memberSeed(config, k) })),
    );
    let saved: Uint8Array | undefined;
    const tail: number[][] = [];
    for (let t = 0; t < 60; t++) {
      if (t === 30) saved = ensemble.exportState('s');
      const x = [Math.sin(t / 4) + (t === 45 ? 3 : 0)];
      const [e] = ensemble.step([{ streamId: 's', features: x }]);
      const rs = alone.map((d) => d.step([{ streamId: 's', features: x }])[0]!);
      const mean = (f: (r: StreamResult) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
      expect(e!.prediction[0]).toBeCloseTo(
        mean((r) => r.prediction[0]!),
        4,
      );
      expect(e!.novelty).toBeCloseTo(
        mean((r) => r.novelty),
        5,
      );
      expect(e!.patternId).toBe(rs[0]!.patternId);
      if (t >= 30) tail.push(comparable(e!));
    }
    const resumed = await createDetector(options);
    resumed.importState('s', saved!);
    const again: number[][] = [];
    for (let t = 30; t < 60; t++) {
      const x = [Math.sin(t / 4) + (t === 45 ? 3 : 0)];
      again.push(comparable(resumed.step([{ streamId: 's', features: x }])[0]!));
    }
    expect(again).toEqual(tail);
    for (const d of [ensemble, resumed, ...alone]) d.dispose();
  });

  it('refuses state from a different configuration or a corrupted buffer', async () => {
    await initCompute({ backend: 'cpu' });
    const a = await createDetector(SMALL);
    a.step([{ streamId: 's', features: signal(0, 0) }]);
    const bytes = a.exportState('s');
    const other = await createDetector({ ...SMALL, seed: 2 });
    expect(() => other.importState('s', bytes)).toThrow(StateMismatchError);
    const broken = bytes.slice();
    broken[0] = 0;
    expect(() => a.importState('s', broken)).toThrow(/bad magic/);
    expect(() => a.importState('s', bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
    a.dispose();
    other.dispose();
  });

  it.each([1, 2])(
    'gives each stream of a batch the results it gets alone (ensemble %d)',
    async (ensemble) => {
      await initCompute({ backend: 'cpu' });
      const together = await createDetector({ ...SMALL, ensemble });
      const alone = await createDetector({ ...SMALL, ensemble });
      for (let t = 0; t < 30; t++) {
        const batch = [0, 1, 2].map((i) => ({ streamId: `s${i}`, features: signal(i, t) }));
        const rs = together.step(batch);
        for (let i = 0; i < 3; i++) {
          const [r] = alone.step([batch[i]!]);
          const x = comparable(rs[i]!);
          comparable(r!).forEach((v, k) => expect(x[k]).toBeCloseTo(v, 4));
        }
      }
      together.dispose();
      alone.dispose();
    },
  );

  it('keeps the number of tensors constant across steps, batch changes and drops', async () => {
    await initCompute({ backend: 'cpu' });
    const d = await createDetector(SMALL);
    d.step([{ streamId: 'a', features: signal(0, 0) }]);
    const base = tf.memory().numTensors;
    for (let t = 1; t < 20; t++) {
      const batch = [{ streamId: 'a', features: signal(0, t) }];
      if (t % 3 === 0) batch.push({ streamId: 'b', features: signal(1, t) });
      d.step(batch);
    }
    d.dropStream('b');
    d.step([{ streamId: 'a', features: signal(0, 21) }]);
    expect(tf.memory().numTensors).toBe(base);
    expect(d.streams()).toEqual(['a']);
    d.dispose();
  });

  it('agrees between the WASM and CPU backends within float32 tolerance', async () => {
    const run = async (backend: 'wasm' | 'cpu') => {
      await initCompute({ backend });
      const d = await createDetector(SMALL);
      const out: number[][] = [];
      for (let t = 0; t < 25; t++) {
        out.push(comparable(d.step([{ streamId: 's', features: signal(1, t) }])[0]!));
      }
      d.dispose();
      return out;
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    wasm.forEach((row, t) =>
      row.forEach((v, k) => expect(cpu[t]![k], `step ${t} value ${k}`).toBeCloseTo(v, 3)),
    );
  });

  it('learns: prediction error on a periodic signal falls, and a jump stands out', async () => {
    await initCompute({ backend: 'cpu' });
    const d = await createDetector({ ...SMALL, featureDim: 1 });
    const raws: number[] = [];
    for (let t = 0; t < 400; t++) {
      const x = Math.sin(t / 6) + (t === 350 ? 4 : 0);
      raws.push(d.step([{ streamId: 's', features: [x] }])[0]!.rawScore);
    }
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(raws.slice(250, 340))).toBeLessThan(mean(raws.slice(1, 40)));
    expect(raws[350]).toBeGreaterThan(3 * mean(raws.slice(250, 340)));
    d.dispose();
  });

  it('validates the configuration and the batch', async () => {
    expect(() => resolveConfig({ featureDim: 0, neurons: 3, rlsForgetting: 2 })).toThrow(ValidationError);
    try {
      resolveConfig({ featureDim: 0, neurons: 3, rlsForgetting: 2 });
    } catch (e) {
      const fields = (e as ValidationError).violations.map((v) => v.field);
      expect(fields).toEqual(expect.arrayContaining(['featureDim', 'neurons', 'rlsForgetting']));
    }
    await initCompute({ backend: 'cpu' });
    const d = await createDetector(SMALL);
    expect(() => d.step([{ streamId: 'a', features: [1] }])).toThrow(/takes 2/);
    expect(() => d.step([{ streamId: 'a', features: [1, Number.NaN] }])).toThrow(/not finite/);
    const f = signal(0, 0);
    expect(() =>
      d.step([
        { streamId: 'a', features: f },
        { streamId: 'a', features: f },
      ]),
    ).toThrow(/more than once/);
    expect(() => d.exportState('nope')).toThrow(/unknown stream/);
    d.dispose();
  });
});
