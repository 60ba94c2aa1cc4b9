import { describe, expect, it } from 'vitest';
import { FIELD_STATS, STATS_PER_FIELD, fieldFeatures, type NumericArray } from './field-features.js';

type Stats = Record<(typeof FIELD_STATS)[number] | 'nonFinite', number>;

/** The definitions, computed the obvious way (several passes, plain numbers) to check the kernel against. */
function reference(values: ArrayLike<number>, shape: number[]): Stats {
  const cols = shape[shape.length - 1]!;
  const rows = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const slices = values.length / (rows * cols);
  const at = (s: number, r: number, c: number) => values[s * rows * cols + r * cols + c]!;
  const finite: { v: number; r: number; c: number }[] = [];
  let gx = 0;
  let nx = 0;
  let gy = 0;
  let ny = 0;
  for (let s = 0; s < slices; s++)
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = at(s, r, c);
        if (Number.isFinite(v)) finite.push({ v, r, c });
        if (c > 0 && Number.isFinite(v) && Number.isFinite(at(s, r, c - 1))) {
          gx += (v - at(s, r, c - 1)) ** 2;
          nx++;
        }
        if (r > 0 && Number.isFinite(v) && Number.isFinite(at(s, r - 1, c))) {
          gy += (v - at(s, r - 1, c)) ** 2;
          ny++;
        }
      }
  const n = finite.length;
  const mean = finite.reduce((a, x) => a + x.v, 0) / n;
  const ss = finite.reduce((a, x) => a + (x.v - mean) ** 2, 0);
  const bx = Math.min(4, cols);
  const by = Math.min(4, rows);
  const blocks = new Map<number, number[]>();
  for (const x of finite) {
    const b = Math.floor((x.r * by) / rows) * bx + Math.floor((x.c * bx) / cols);
    const list = blocks.get(b);
    if (list === undefined) blocks.set(b, [x.v]);
    else list.push(x.v);
  }
  let between = 0;
  for (const list of blocks.values()) {
    const m = list.reduce((a, v) => a + v, 0) / list.length;
    between += list.length * (m - mean) ** 2;
  }
  const wx = finite.reduce((a, x) => a + x.c * (x.v - mean) ** 2, 0);
  const wy = finite.reduce((a, x) => a + x.r * (x.v - mean) ** 2, 0);
  return {
    mean,
    std: Math.sqrt(ss / n),
    min: finite.reduce((a, x) => Math.min(a, x.v), Infinity),
    max: finite.reduce((a, x) => Math.max(a, x.v), -Infinity),
    rms: Math.sqrt(finite.reduce((a, x) => a + x.v * x.v, 0) / n),
    grad: (nx > 0 ? gx / nx : 0) + (ny > 0 ? gy / ny : 0),
    lowfreq: ss > 0 ? between / ss : 0,
    cx: ss > 0 && cols > 1 ? wx / ss / (cols - 1) : 0.5,
    cy: ss > 0 && rows > 1 ? wy / ss / (rows - 1) : 0.5,
    nonFinite: values.length - n,
  };
}

function features(values: NumericArray, shape: number[]): Stats {
  const out = new Float64Array(STATS_PER_FIELD + 2).fill(-1);
  const nonFinite = fieldFeatures(values, shape, out, 1);
  expect(out[0]).toBe(-1); // writes only its own slots
  expect(out[STATS_PER_FIELD + 1]).toBe(-1);
  return { ...(Object.fromEntries(FIELD_STATS.map((s, i) => [s, out[1 + i]!])) as Stats), nonFinite };
}

function expectClose(actual: Stats, expected: Stats, digits = 9): void {
  for (const [k, v] of Object.entries(expected)) {
    const got = actual[k as keyof Stats];
    const scale = Math.max(1, Math.abs(v));
    expect(Math.abs(got - v) / scale, `${k}: ${got} vs ${v}`).toBeLessThan(10 ** -digits);
  }
}

function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('fieldFeatures', () => {
  it('gives the textbook values of a ramp: mean, spread, unit gradient, block structure, centred moments', () => {
    const ramp = new Float32Array(64);
    for (let i = 0; i < 64; i++) ramp[i] = i % 8; // f(x, y) = x on an 8 × 8 plane
    const f = features(ramp, [8, 8]);
    expectClose(f, {
      mean: 3.5,
      std: Math.sqrt(5.25),
      min: 0,
      max: 7,
      rms: Math.sqrt(17.5),
      grad: 1, // (∂f/∂x)² = 1, ∂f/∂y = 0
      lowfreq: 5 / 5.25, // 4 column blocks with means 0.5, 2.5, 4.5, 6.5
      cx: 0.5, // (x − 3.5)² is symmetric about the centre
      cy: 0.5,
      nonFinite: 0,
    });
  });

  it('sees a constant field as flat: no spread, no gradient, centred moments at the middle', () => {
    const f = features(new Float64Array(30).fill(-2.5), [5, 6]);
    expect(f).toEqual({
      mean: -2.5,
      std: 0,
      min: -2.5,
      max: -2.5,
      rms: 2.5,
      grad: 0,
      lowfreq: 0,
      cx: 0.5,
      cy: 0.5,
      nonFinite: 0,
    });
  });

  it('places the activity: a bump near the lower right corner moves the centroid there', () => {
    const plane = new Float32Array(32 * 32);
    plane[28 * 32 + 30] = 10;
    const f = features(plane, [32, 32]);
    expect(f.cx).toBeGreaterThan(0.9);
    expect(f.cy).toBeGreaterThan(0.85);
    expect(f.lowfreq).toBeLessThan(0.1); // a point is all fine scale
  });

  it('matches the reference on random planes, stacks and rows of every layout, with NaN and ±Infinity', () => {
    const shapes = [[1], [7], [1, 1], [3, 2], [7, 5], [16, 16], [2, 9, 13], [4, 1, 6], [1, 300]];
    for (const [k, shape] of shapes.entries()) {
      const next = random(k + 1);
      const n = shape.reduce((a, b) => a * b, 1);
      const values = new Float64Array(n).map(() => (next() - 0.3) * 40);
      if (n > 3) {
        values[Math.floor(next() * n)] = NaN;
        values[Math.floor(next() * n)] = Infinity;
      }
      expectClose(features(values, shape), reference(values, shape));
    }
  });

  it('reads integer arrays of any width the same way', () => {
    const next = random(99);
    const ints = new Int16Array(12 * 10).map(() => Math.round((next() - 0.5) * 6000));
    const bytes = new Uint8Array(12 * 10).map(() => Math.floor(next() * 256));
    expectClose(features(ints, [12, 10]), reference(ints, [12, 10]));
    expectClose(features(bytes, [12, 10]), reference(bytes, [12, 10]));
  });

  it('keeps the digits of a small variance far from zero (sums about the first value)', () => {
    const next = random(7);
    const values = new Float64Array(256 * 256).map(() => 1e6 + (next() - 0.5) * 1e-3);
    const f = features(values, [256, 256]);
    const ref = reference(values, [256, 256]);
    expect(Math.abs(f.std - ref.std) / ref.std).toBeLessThan(1e-6);
    expect(Math.abs(f.lowfreq - ref.lowfreq)).toBeLessThan(1e-6);
  });

  it('counts a field that is all NaN and gives finite zeros for it', () => {
    const f = features(new Float32Array(9).fill(NaN), [3, 3]);
    expect(f).toEqual({
      mean: 0,
      std: 0,
      min: 0,
      max: 0,
      rms: 0,
      grad: 0,
      lowfreq: 0,
      cx: 0.5,
      cy: 0.5,
      nonFinite: 9,
    });
  });

  it('keeps features inside float32 range (they travel as Avro floats)', () => {
    const f = features(Float64Array.of(-1e300, 1e300, 0, 5), [2, 2]);
    for (const s of FIELD_STATS) {
      expect(Number.isFinite(Math.fround(f[s])), s).toBe(true);
    }
    expect(f.max).toBeCloseTo(3.4028234663852886e38, -30);
  });
});
