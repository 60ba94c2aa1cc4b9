import { describe, expect, it } from 'vitest';
import { FIELD_STATS, STATS_PER_FIELD } from './field-features.js';
import { featureDimFor, featureValues, frameFeatures, layoutOf } from './feature-vector.js';

describe('layoutOf', () => {
  it('gives the same layout object and digest for the same fields, another digest for others', () => {
    expect(layoutOf(['a', 'b'])).toBe(layoutOf(['a', 'b']));
    expect(layoutOf(['a', 'b']).digest).not.toBe(layoutOf(['a', 'c']).digest);
    expect(layoutOf(['a', 'b']).digest).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('frameFeatures', () => {
  it('takes the first fields by name, STATS_PER_FIELD each, then the non-finite fraction', () => {
    const f = frameFeatures(
      [
        { name: 'v', shape: [2], values: Float32Array.of(1, 1) },
        { name: 'u', shape: [2], values: Float32Array.of(2, Number.NaN) },
        { name: 'w', shape: [2], values: Float32Array.of(5, 5) },
        { name: 'a', shape: [2], values: Float32Array.of(0, 0) },
      ],
      3,
    );
    expect(f.layout.fields).toEqual(['a', 'u', 'v']);
    expect(f.values).toHaveLength(featureDimFor(3));
    expect(f.values[STATS_PER_FIELD + FIELD_STATS.indexOf('mean')]).toBe(2);
    expect(f.values[2 * STATS_PER_FIELD + FIELD_STATS.indexOf('mean')]).toBe(1);
    expect(f.values.at(-1)).toBeCloseTo(1 / 6);
  });

  it('reads each field before asking for the next (callers may reuse one buffer)', () => {
    const shared = new Float32Array(3);
    const values = featureValues(2, (i) => {
      shared.fill(i === 0 ? 1 : 7);
      return { shape: [3], values: shared };
    });
    expect(values[FIELD_STATS.indexOf('mean')]).toBe(1);
    expect(values[STATS_PER_FIELD + FIELD_STATS.indexOf('mean')]).toBe(7);
  });
});
