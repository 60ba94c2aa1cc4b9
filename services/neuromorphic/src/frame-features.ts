/**
 * A frame's feature vector (the layout and the kernel are @simstream/neuro's, shared with the
 * sim-events bench): this module reads a frame's fields into arrays the kernel takes. Fields of
 * every dtype are read: float16 through a lookup table, 64-bit integers as doubles, bool as 0/1.
 */
import { DTYPE_BYTES, fieldBytes, typedView, type DType, type Frame } from '@simstream/contracts';
import { messageOf } from '@simstream/errors';
import {
  chooseFields,
  featureValues,
  layoutOf,
  type FeatureLayout,
  type FrameFeatures,
  type NumericArray,
} from '@simstream/neuro';
import { FrameUnusableError } from './errors.js';

let float16Table: Float32Array | undefined;

/** All 65,536 half-precision values as float32 (IEEE 754 binary16: subnormals, ±Inf, NaN). */
function float16Values(): Float32Array {
  if (float16Table !== undefined) return float16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  float16Table = table;
  return table;
}

/** Fields up to this size are realigned in a reused buffer; larger ones in a buffer of their own. */
const SCRATCH_LIMIT = 16 * 1024 * 1024;
let scratch = new Uint8Array(0);

/**
 * `bytes` where a typed array of `size`-byte elements can view them. Kafka hands us views into
 * message buffers at any offset; copying into fresh memory costs ~1 ms per 512 KiB (page
 * faults), into a warm reused buffer ~0.02 ms. Valid until the next call (use it synchronously).
 */
function aligned(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.byteOffset % size === 0) return bytes;
  if (bytes.byteLength > SCRATCH_LIMIT) return new Uint8Array(bytes);
  if (scratch.byteLength < bytes.byteLength)
    scratch = new Uint8Array(Math.max(bytes.byteLength, 2 * scratch.byteLength));
  scratch.set(bytes);
  return scratch.subarray(0, bytes.byteLength);
}

/** The field's values as an array the feature kernel reads (a copy only for float16 and 64-bit ints). */
function numericValues(dtype: DType, bytes: Uint8Array): NumericArray {
  const array = typedView(dtype, aligned(bytes, DTYPE_BYTES[dtype]));
  if (dtype === 'float16') {
    const table = float16Values();
    const bits = array as Uint16Array;
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
    return out;
  }
  if (array instanceof BigInt64Array || array instanceof BigUint64Array) {
    const out = new Float64Array(array.length);
    for (let i = 0; i < array.length; i++) out[i] = Number(array[i]!);
    return out;
  }
  return array;
}

/** A frame's chosen fields, decompressed (the asynchronous part of feature extraction). */
export interface FrameData {
  readonly layout: FeatureLayout;
  readonly fields: readonly {
    readonly dtype: DType;
    readonly shape: readonly number[];
    readonly bytes: Uint8Array;
  }[];
}

export async function readFrame(frame: Frame, maxFields: number): Promise<FrameData> {
  const chosen = chooseFields(frame.fields, maxFields);
  if (chosen.length === 0)
    throw new FrameUnusableError(frame.simulationId, frame.step, 'the frame has no fields');
  const fields = [];
  for (const field of chosen) {
    try {
      fields.push({ dtype: field.dtype, shape: field.shape, bytes: await fieldBytes(field) });
    } catch (error) {
      throw new FrameUnusableError(
        frame.simulationId,
        frame.step,
        `field '${field.name}' cannot be read: ${messageOf(error)}`,
        error,
      );
    }
  }
  return { layout: layoutOf(chosen.map((f) => f.name)), fields };
}

/** The feature vector of frame data (synchronous, one pass per field). */
export function computeFeatures(data: FrameData): FrameFeatures {
  const values = featureValues(data.fields.length, (i) => {
    const field = data.fields[i]!;
    return { shape: field.shape, values: numericValues(field.dtype, field.bytes) };
  });
  return { layout: data.layout, values };
}

export async function extractFeatures(frame: Frame, maxFields: number): Promise<FrameFeatures> {
  return computeFeatures(await readFrame(frame, maxFields));
}
