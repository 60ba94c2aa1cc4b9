import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FrameField } from '@simstream/contracts';
import { FrameSkippedError, activityGrid, blockActivity, halfToNumber, pickField } from './activity-grid.js';

const activityGrid16 = (f: FrameField) => activityGrid(f, 16);

function field(values: number[], shape: number[], dtype: 'float32' | 'float64' = 'float32'): FrameField {
  const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return { name: 'f', dtype, shape, codec: 'none', data: Buffer.from(data.buffer) };
}

describe('activityGrid', () => {
  it('is |f − mean| on the last two dimensions', async () => {
    const g = await activityGrid(field([1, 2, 3, 6], [2, 2]), 16);
    expect([g.ny, g.nx, g.blocksY, g.blocksX]).toEqual([2, 2, 2, 2]);
    expect([...g.activity]).toEqual([2, 1, 0, 3]);
  });

  it('sums leading dimensions into each column and reads 1-D fields as one row', async () => {
    const g = await activityGrid(field([0, 0, 4, 4, 2, 4, 0, 2], [2, 2, 2], 'float64'), 16);
    expect([g.ny, g.nx]).toEqual([2, 2]);
    expect([...g.activity]).toEqual([2, 4, 4, 2]);
    expect([...g.cells]).toEqual([2, 2, 2, 2]);
    const line = await activityGrid(field([1, 3, 5], [3]), 16);
    expect([line.ny, line.nx]).toEqual([1, 3]);
    expect([...line.activity]).toEqual([2, 0, 2]);
  });

  it('leaves non-finite values out', async () => {
    const g = await activityGrid(field([1, NaN, 3, Infinity], [2, 2]), 16);
    expect([...g.activity]).toEqual([1, 0, 1, 0]);
  });

  it('decodes compressed fields and other dtypes', async () => {
    const raw = Buffer.from(Int16Array.from([10, 20, 30, 40]).buffer);
    const g = await activityGrid16({
      name: 'p',
      dtype: 'int16',
      shape: [2, 2],
      codec: 'deflate',
      data: deflateSync(raw),
    });
    expect([...g.activity]).toEqual([15, 5, 5, 15]);
    const half = Buffer.from(Uint16Array.from([0x3c00, 0x4000, 0xc000, 0x0000]).buffer); // 1, 2, -2, 0
    const h = await activityGrid16({ name: 'h', dtype: 'float16', shape: [4], codec: 'none', data: half });
    expect([...h.activity]).toEqual([0.75, 1.75, 2.25, 0.25]);
    const big = Buffer.from(BigInt64Array.from([1n, 3n]).buffer);
    expect([
      ...(await activityGrid16({ name: 'b', dtype: 'int64', shape: [2], codec: 'none', data: big })).activity,
    ]).toEqual([1, 1]);
  });

  it('refuses what cannot be partitioned', async () => {
    await expect(activityGrid(field([1], [1, 1]), 16)).rejects.toMatchObject({ code: 'GRID_TOO_SMALL' });
    await expect(
      activityGrid16({
        name: 'z',
        dtype: 'float32',
        shape: [4],
        codec: 'gzip',
        data: Buffer.from('not gzip'),
      }),
    ).rejects.toMatchObject({ code: 'FIELD_UNREADABLE' });
  });
});

describe('blockActivity', () => {
  it('sums cells into at most blocksPerSide blocks per side', () => {
    // 4×6 grid, values = column index: mean 2.5, activity per column 2.5 1.5 0.5 0.5 1.5 2.5.
    const g = blockActivity(4, 6, 1, (i) => i % 6, 2);
    expect([g.blocksY, g.blocksX, [...g.rows], [...g.cols]]).toEqual([2, 2, [0, 2, 4], [0, 3, 6]]);
    expect([...g.activity]).toEqual([9, 9, 9, 9]);
    expect([...g.cells]).toEqual([6, 6, 6, 6]);
    const chain = blockActivity(1, 1000, 1, () => 0, 16);
    expect([chain.blocksY, chain.blocksX]).toEqual([1, 256]);
  });
});

describe('pickField', () => {
  it('takes the named field, else the first', () => {
    const a = { ...field([1, 2], [2]), name: 'a' };
    const b = { ...field([1, 2], [2]), name: 'b' };
    expect(pickField([a, b], undefined).name).toBe('a');
    expect(pickField([a, b], 'b').name).toBe('b');
    expect(() => pickField([a, b], 'c')).toThrow(FrameSkippedError);
    expect(() => pickField([], undefined)).toThrow(/no fields/);
  });
});

describe('halfToNumber', () => {
  it('decodes normals, subnormals and specials', () => {
    expect(halfToNumber(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });
});
