/**
 * Reading a frame field's array: decompress by codec and view it as the typed array of its
 * dtype (copied when the bytes are not aligned for that type).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DTYPE_BYTES, type DType } from './dtype.js';
import type { FrameField } from './records.js';

const inflate = promisify(zlib.inflate);
const gunzip = promisify(zlib.gunzip);

export type FieldArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** The field's raw little-endian bytes, decompressed. */
export async function fieldBytes(field: FrameField): Promise<Buffer> {
  if (field.codec === 'deflate') return inflate(field.data);
  if (field.codec === 'gzip') return gunzip(field.data);
  return field.data;
}

/** A typed-array view (float16 and bool come back as raw Uint16Array / Uint8Array). */
export function typedView(dtype: DType, bytes: Uint8Array): FieldArray {
  const size = DTYPE_BYTES[dtype];
  // Misaligned for this type: copy (a memcpy, unlike Uint8Array.from's element loop).
  const src = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset } = src;
  const n = src.byteLength / size;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, n);
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'uint16':
    case 'float16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'uint64':
      return new BigUint64Array(buffer, byteOffset, n);
  }
}

export async function fieldArray(field: FrameField): Promise<FieldArray> {
  return typedView(field.dtype, await fieldBytes(field));
}
