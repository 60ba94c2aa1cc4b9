import { describe, expect, it } from 'vitest';
import { fieldStats, halfToNumber } from './field-stats.js';

function reference(values: number[]) {
  const finite = values.filter(Number.isFinite);
  const mean = finite.reduce((s, x) => s + x, 0) / finite.length;
  const variance = finite.reduce((s, x) => s + (x - mean) ** 2, 0) / finite.length;
  return {
    min: Math.min(...finite),
    max: Math.max(...finite),
    mean,
    std: Math.sqrt(variance),
    l2: Math.sqrt(finite.reduce((s, x) => s + x * x, 0)),
  };
}

describe('fieldStats', () => {
  it('matches a two-pass reference on float32, leaving out and counting non-finite values', () => {
    const values = Float32Array.from([1.5, -2, NaN, 3.25, Infinity, 0, 7]);
    const stats = fieldStats(values, 'float32');
    const ref = reference([...values]);
    expect(stats.nonFinite).toBe(2);
    expect(stats.min).toBe(ref.min);
    expect(stats.max).toBe(ref.max);
    expect(stats.mean).toBeCloseTo(ref.mean, 12);
    expect(stats.std).toBeCloseTo(ref.std, 12);
    expect(stats.l2).toBeCloseTo(ref.l2, 12);
  });

  it('stays accurate for values with a large offset (shifted sums)', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => 1e9 + (i % 10) * 0.001);
    const stats = fieldStats(values, 'float64');
    // Exact: the mean of 0, 0.001 … 0.009 is 0.0045; their spread is 0.001·√8.25. (A naive
    // sum of squares loses the spread entirely at this offset.)
    expect(stats.mean - 1e9).toBeCloseTo(0.0045, 6);
    expect(stats.std).toBeCloseTo(0.001 * Math.sqrt(8.25), 6); // inputs carry ~1e-7 rounding
  });

  it('reads integers, 64-bit integers, bool and float16', () => {
    expect(fieldStats(Uint8Array.from([0, 255, 5]), 'uint8')).toMatchObject({
      min: 0,
      max: 255,
      mean: 260 / 3,
    });
    expect(fieldStats(BigInt64Array.from([-3n, 3n, 6n]), 'int64')).toMatchObject({
      min: -3,
      max: 6,
      mean: 2,
    });
    expect(fieldStats(Uint8Array.from([1, 0, 1, 1]), 'bool')).toMatchObject({ min: 0, max: 1, mean: 0.75 });
    // 0x3c00 = 1, 0xc000 = -2, 0x7e00 = NaN
    expect(fieldStats(Uint16Array.from([0x3c00, 0xc000, 0x7e00]), 'float16')).toMatchObject({
      min: -2,
      max: 1,
      mean: -0.5,
      nonFinite: 1,
    });
  });

  it('gives NaN statistics for a field without finite values, and zero spread for a constant', () => {
    expect(fieldStats(Float32Array.from([NaN, NaN]), 'float32')).toMatchObject({ nonFinite: 2, mean: NaN });
    expect(fieldStats(Float32Array.from([2, 2, 2, 2]), 'float32')).toMatchObject({ std: 0, l2: 4, mean: 2 });
  });

  it('decodes half floats, subnormals and infinities included', () => {
    expect(halfToNumber(0x3555)).toBeCloseTo(0.333, 3);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
  });
});
