/**
 * A frame's feature vector: the first `maxFields` fields in name order (code-point order, so
 * every instance picks the same ones), STATS_PER_FIELD features each, then the fraction of
 * values that were not finite. Fields of every dtype are read: float16 through a lookup table,
 * 64-bit integers as doubles, bool as 0/1.
 *
 * The layout (which fields, hence what each feature means) is part of a simulation's detector
 * state: a simulation whose field set changes starts a new detector state.
 */
import { createHash } from 'node:crypto';
import {
  DTYPE_BYTES,
  fieldBytes,
  typedView,
  type DType,
  type Frame,
  type FrameField,
} from '@simstream/contracts';
import { messageOf } from '@simstream/errors';
import { FrameUnusableError } from './errors.js';
import { FIELD_STATS, STATS_PER_FIELD, fieldFeatures, type NumericArray } from './field-features.js';

export interface FeatureLayout {
  /** The fields used, in order. */
  readonly fields: readonly string[];
  /** `<field>.<stat>` for each field and stat, then `nonfinite`. */
  readonly names: readonly string[];
  /** Short digest of the names: identifies the layout in checkpoints. */
  readonly digest: string;
}

export interface FrameFeatures {
  readonly layout: FeatureLayout;
  readonly values: Float64Array;
}

export function featureDimFor(fieldCount: number): number {
  return fieldCount * STATS_PER_FIELD + 1;
}

/** Layouts by field list; a handful in practice, bounded anyway. */
const layouts = new Map<string, FeatureLayout>();
const MAX_CACHED_LAYOUTS = 1024;

export function layoutOf(fields: readonly string[]): FeatureLayout {
  const key = fields.join('\n');
  let layout = layouts.get(key);
  if (layout === undefined) {
    const names = fields.flatMap((f) => FIELD_STATS.map((s) => `${f}.${s}`));
    names.push('nonfinite');
    const digest = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
    layout = { fields: [...fields], names, digest };
    if (layouts.size >= MAX_CACHED_LAYOUTS) layouts.clear();
    layouts.set(key, layout);
  }
  return layout;
}

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

function byName(a: FrameField, b: FrameField): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
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
  const chosen = [...frame.fields].sort(byName).slice(0, maxFields);
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
  const values = new Float64Array(featureDimFor(data.fields.length));
  let elements = 0;
  let nonFinite = 0;
  for (const [i, field] of data.fields.entries()) {
    const array = numericValues(field.dtype, field.bytes);
    nonFinite += fieldFeatures(array, field.shape, values, i * STATS_PER_FIELD);
    elements += array.length;
  }
  values[values.length - 1] = elements > 0 ? nonFinite / elements : 0;
  return { layout: data.layout, values };
}

export async function extractFeatures(frame: Frame, maxFields: number): Promise<FrameFeatures> {
  return computeFeatures(await readFrame(frame, maxFields));
}
