import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import {
  DEFAULT_FRAME_LIMITS,
  firstNonFinite,
  validateFrame,
  type IncomingFrame,
} from './frame-validation.js';

const limits = { ...DEFAULT_FRAME_LIMITS, checkFinite: true };

function f32(values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

function frame(overrides: Partial<IncomingFrame> = {}): IncomingFrame {
  return {
    simulationId: 'lbm-cylinder.run-7',
    step: 3,
    simTime: 0.3,
    fields: [
      { name: 'ux', dtype: 'DTYPE_FLOAT32', shape: [2, 2], codec: 'CODEC_NONE', data: f32([1, 2, 3, 4]) },
    ],
    attributes: {},
    ...overrides,
  };
}

async function violationsOf(input: IncomingFrame, lim = limits) {
  try {
    await validateFrame(input, lim);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).violations.map((v) => `${v.field} ${v.reason}`);
  }
  throw new Error('expected a ValidationError');
}

describe('validateFrame', () => {
  it('accepts a well-formed frame and normalises protobuf enum names', async () => {
    const valid = await validateFrame(frame(), limits);
    expect(valid.fields[0]).toMatchObject({ name: 'ux', dtype: 'float32', codec: 'none', shape: [2, 2] });
    expect(valid.bytes).toBe(16);
  });

  it('accepts compressed data whose decompressed length matches the shape', async () => {
    const raw = f32([1, 2, 3, 4]);
    const valid = await validateFrame(
      frame({
        fields: [
          { name: 'a', dtype: 'float32', shape: [4], codec: 'deflate', data: zlib.deflateSync(raw) },
          { name: 'b', dtype: 'float32', shape: [4], codec: 'CODEC_GZIP', data: zlib.gzipSync(raw) },
        ],
      }),
      limits,
    );
    expect(valid.fields.map((f) => f.codec)).toEqual(['deflate', 'gzip']);
    // Stored as sent: compressed.
    expect(valid.fields[0]!.data.equals(zlib.deflateSync(raw))).toBe(true);
  });

  it('rejects a wrong data length, naming the field', async () => {
    expect(
      await violationsOf(
        frame({ fields: [{ name: 'ux', dtype: 'float32', shape: [3, 2], codec: '', data: f32([1, 2]) }] }),
      ),
    ).toEqual(['fields[0].data SHAPE_MISMATCH']);
  });

  it('rejects compressed data that inflates to the wrong size, and a compression bomb', async () => {
    const short = zlib.deflateSync(f32([1, 2, 3]));
    expect(
      await violationsOf(
        frame({ fields: [{ name: 'x', dtype: 'float32', shape: [4], codec: 'deflate', data: short }] }),
      ),
    ).toEqual(['fields[0].data SHAPE_MISMATCH']);
    const bomb = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024));
    expect(
      await violationsOf(
        frame({ fields: [{ name: 'x', dtype: 'float32', shape: [4], codec: 'deflate', data: bomb }] }),
      ),
    ).toEqual(['fields[0].data SHAPE_MISMATCH']);
    expect(
      await violationsOf(
        frame({
          fields: [{ name: 'x', dtype: 'float32', shape: [4], codec: 'gzip', data: Buffer.from('not gzip') }],
        }),
      ),
    ).toEqual(['fields[0].data DECOMPRESSION_FAILED']);
  });

  it('rejects unknown dtypes and codecs', async () => {
    expect(
      await violationsOf(
        frame({
          fields: [{ name: 'x', dtype: 'complex64', shape: [1], codec: 'lz5', data: Buffer.alloc(8) }],
        }),
      ),
    ).toEqual(['fields[0].dtype DTYPE_UNKNOWN', 'fields[0].codec CODEC_UNKNOWN']);
    expect(
      await violationsOf(
        frame({
          fields: [{ name: 'x', dtype: 'DTYPE_UNSPECIFIED', shape: [1], codec: '', data: Buffer.alloc(4) }],
        }),
      ),
    ).toEqual(['fields[0].dtype DTYPE_UNKNOWN']);
  });

  it('rejects NaN and infinities when the finite check is on, and lets them through when off', async () => {
    const nan = frame({
      fields: [{ name: 'p', dtype: 'float32', shape: [3], codec: '', data: f32([0, Number.NaN, 1]) }],
    });
    expect(await violationsOf(nan)).toEqual(['fields[0].data NON_FINITE_VALUE']);
    await expect(validateFrame(nan, { ...limits, checkFinite: false })).resolves.toBeDefined();
    const inf64 = Buffer.from(new Float64Array([1, Number.POSITIVE_INFINITY]).buffer);
    expect(firstNonFinite('float64', inf64)).toBe(1);
    // Unaligned float32 data (offset 1) is still checked.
    const unaligned = Buffer.concat([Buffer.alloc(1), f32([1, 2, Number.NEGATIVE_INFINITY])]).subarray(1);
    expect(firstNonFinite('float32', unaligned)).toBe(2);
    expect(firstNonFinite('float16', Buffer.from([0x00, 0x3c, 0x00, 0x7c]))).toBe(1); // 1.0, +Inf
  });

  it('rejects oversized frames, empty field lists and bad identifiers, all at once', async () => {
    expect(await violationsOf(frame({ fields: [] }))).toEqual(['fields FIELDS_EMPTY']);
    expect(await violationsOf(frame(), { ...limits, maxFrameBytes: 8 })).toEqual(['fields FRAME_TOO_LARGE']);
    expect(
      await violationsOf(
        frame({
          simulationId: 'Bad Id!',
          step: -1,
          simTime: Number.NaN,
          fields: [
            { name: '1x', dtype: 'float32', shape: [0], codec: '', data: Buffer.alloc(0) },
            { name: 'y', dtype: 'float32', shape: [], codec: '', data: Buffer.alloc(0) },
            { name: 'y', dtype: 'float32', shape: [1], codec: '', data: Buffer.alloc(4) },
          ],
        }),
      ),
    ).toEqual([
      'simulation_id SIMULATION_ID_INVALID',
      'step STEP_INVALID',
      'sim_time SIM_TIME_INVALID',
      'fields[0].name FIELD_NAME_INVALID',
      'fields[0].shape[0] SHAPE_INVALID',
      'fields[1].shape SHAPE_INVALID',
      'fields[2].name FIELD_NAME_DUPLICATE',
    ]);
  });

  it('rejects a shape whose decoded size passes the limit before decompressing anything', async () => {
    const huge = frame({
      fields: [
        { name: 'x', dtype: 'float64', shape: [1 << 20, 1 << 10], codec: 'deflate', data: Buffer.alloc(10) },
      ],
    });
    expect(await violationsOf(huge)).toEqual(['fields FRAME_TOO_LARGE']);
  });
});
