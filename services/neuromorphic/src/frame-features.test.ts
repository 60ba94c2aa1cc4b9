import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Frame, FrameField } from '@simstream/contracts';
import { FrameUnusableError } from './errors.js';
import { FIELD_STATS, STATS_PER_FIELD, featureDimFor } from '@simstream/neuro';
import { extractFeatures } from './frame-features.js';

function field(name: string, dtype: FrameField['dtype'], shape: number[], bytes: Uint8Array): FrameField {
  return {
    name,
    dtype,
    shape,
    codec: 'none',
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
}

function f32(name: string, values: number[], shape = [values.length]): FrameField {
  return field(name, 'float32', shape, new Uint8Array(Float32Array.from(values).buffer));
}

function frame(fields: FrameField[]): Frame {
  return {
    frameId: 'f',
    simulationId: 'sim-a',
    step: 3,
    simTime: 0.3,
    fields,
    attributes: {},
    ingestedAt: 0,
    tenant: 'default',
  };
}

/** Feature `stat` of the field at position `index` in the layout. */
const stat = (values: Float64Array, index: number, name: (typeof FIELD_STATS)[number]) =>
  values[index * STATS_PER_FIELD + FIELD_STATS.indexOf(name)];

describe('extractFeatures', () => {
  it('takes the first fields by name, names every feature, and ends with the non-finite fraction', async () => {
    const f = await extractFeatures(
      frame([f32('v', [1, 1]), f32('u', [2, NaN]), f32('w', [5, 5]), f32('a', [0, 0])]),
      3,
    );
    expect(f.layout.fields).toEqual(['a', 'u', 'v']);
    expect(f.values).toHaveLength(featureDimFor(3));
    expect(f.layout.names).toHaveLength(featureDimFor(3));
    expect(f.layout.names.slice(0, 3)).toEqual(['a.mean', 'a.std', 'a.min']);
    expect(f.layout.names[STATS_PER_FIELD]).toBe('u.mean');
    expect(f.layout.names.at(-1)).toBe('nonfinite');
    expect(stat(f.values, 1, 'mean')).toBe(2);
    expect(stat(f.values, 2, 'mean')).toBe(1);
    expect(f.values.at(-1)).toBeCloseTo(1 / 6);
  });

  it('reads float16 (normal, subnormal, infinite, NaN), 64-bit integers, bool and deflated data', async () => {
    // 1, −2, 0.5, 2^−24 (smallest subnormal), +Inf, NaN
    const halves = Uint16Array.of(0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00, 0x7e00);
    const ints = BigInt64Array.of(-3n, 4n, 10n);
    const deflated = zlib.deflateSync(new Uint8Array(Float64Array.of(1.5, 2.5).buffer));
    const f = await extractFeatures(
      frame([
        field('h', 'float16', [6], new Uint8Array(halves.buffer)),
        field('i', 'int64', [3], new Uint8Array(ints.buffer)),
        field('b', 'bool', [4], Uint8Array.of(1, 0, 1, 1)),
        { ...field('d', 'float64', [2], new Uint8Array(deflated)), codec: 'deflate' },
      ]),
      8,
    );
    expect(f.layout.fields).toEqual(['b', 'd', 'h', 'i']);
    expect(stat(f.values, 0, 'mean')).toBe(0.75);
    expect(stat(f.values, 1, 'mean')).toBe(2);
    expect(stat(f.values, 2, 'min')).toBe(-2);
    expect(stat(f.values, 2, 'max')).toBe(1);
    expect(stat(f.values, 2, 'mean')).toBeCloseTo((1 - 2 + 0.5 + 2 ** -24) / 4, 12);
    expect(stat(f.values, 3, 'mean')).toBeCloseTo(11 / 3, 12);
    expect(f.values.at(-1)).toBeCloseTo(2 / 15, 12);
  });

  it('reads arrays at any byte offset (Kafka message views) the same as aligned ones', async () => {
    const shifted = (f: FrameField, by: number): FrameField => {
      const buf = Buffer.alloc(f.data.length + by);
      f.data.copy(buf, by);
      return { ...f, data: buf.subarray(by) };
    };
    const u = f32('u', [1, 2, 3, 4, 5, 6], [2, 3]);
    const v = f32('v', [9, -1, 0.5, 7], [2, 2]);
    const reference = await extractFeatures(frame([u, v]), 8);
    const unaligned = await extractFeatures(frame([shifted(u, 1), shifted(v, 3)]), 8);
    expect(shifted(u, 1).data.byteOffset % 4).not.toBe(0);
    expect([...unaligned.values]).toEqual([...reference.values]);
  });

  it('refuses a field whose compressed data is corrupt, naming the frame and field', async () => {
    const bad = { ...f32('u', [1, 2]), codec: 'deflate' as const };
    const error = await extractFeatures(frame([bad]), 8).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameUnusableError);
    expect(error).toMatchObject({ code: 'NEURO_FRAME_UNUSABLE', retriable: false });
    expect((error as Error).message).toContain("sim-a@3: field 'u'");
  });

  it('refuses a frame without fields', async () => {
    await expect(extractFeatures(frame([]), 8)).rejects.toMatchObject({ code: 'NEURO_FRAME_UNUSABLE' });
  });
});
